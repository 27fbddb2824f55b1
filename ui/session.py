"""The session: login gate, logout, the session's account, and the audit of views and exports.

The login gate runs at the top of ``app.py`` on every run: an expired session, a disabled
account or a changed role takes effect at the next interaction. With an identity provider
configured (``[auth]`` in ``.streamlit/secrets.toml``), ``st.login`` is offered and the
role comes from a claim (:func:`clspd_geo.access.auth.role_from_claims`).

A local login survives a reload of the page: the session's token is also kept by the
browser in an ``HttpOnly; SameSite=Strict`` cookie, set by the server endpoint of
:mod:`ui.session_route` from a one-time code (:mod:`clspd_geo.access.sessions`), and read
back at each new Streamlit session from ``st.context.cookies``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from clspd_geo.access import audit, auth, sessions
from clspd_geo.errors import ClspdGeoError
from ui import media_guard, router


class NotLoggedIn(ClspdGeoError, PermissionError):
    """A run that reached a page without a checked session."""


def role() -> str:
    """Return the role of this session, checked at this run by :func:`require_login`.

    Fails closed: with no checked role the page shows an error and stops.
    """
    router.ensure_router()
    code = st.session_state.get("auth.role")
    if not code:
        st.error("Session non connectée : rechargez la page et connectez-vous.",
                 icon=":material/lock:")
        st.stop()
    return code


def user() -> str:
    """Return the user name of this session (``"-"`` when nobody is logged in)."""
    return st.session_state.get("auth.user", "-")


def _oidc_enabled() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return False


def _account() -> auth.Account | None:
    """Return the account of this session (identity provider first, then local), or None."""
    if _oidc_enabled() and st.user.is_logged_in:
        return auth.oidc_account(st.user.to_dict())
    return auth.check_session(_session_token())


def current_account() -> auth.Account | None:
    """Check the session's account again now (in a callback: before the run's login gate).

    Returns None when the session expired, the account was disabled or the identity
    provider's session ended; the role is the account's current one.
    """
    try:
        return _account()
    except ClspdGeoError:
        return None


def client_address() -> str:
    """Return the client's address, for counting its login attempts.

    The websocket's remote address (``"loopback"`` for the server's own machine); behind a
    reverse proxy, the last value of the header it sets, named by ``CLSPD_PROXY_HEADER``
    (for example ``X-Forwarded-For``; set it only when a proxy overwrites that header).
    """
    header = os.environ.get("CLSPD_PROXY_HEADER")
    if header:
        value = (st.context.headers.get(header) or "").split(",")[-1].strip()
        if value:
            return value
    return st.context.ip_address or "loopback"


WRITE_REFUSED = ("Votre session a expiré ou votre compte a été désactivé : rien n'a été "
                 "enregistré ni exporté. Reconnectez-vous.")


def writer(*, kept: str = "") -> auth.Account | None:
    """Check the session, the account's state and its current role now, before a write.

    Every write (plan edit, import, account change) calls it at the moment of writing,
    in a callback (which runs before the login gate of its run) as in the page body, and
    writes through the role view of the returned account's role. None when the session
    expired or the account was disabled: nothing may be written; the reason is shown on
    the login form of the next run (and by :func:`write_refused` when called in a page),
    followed by ``kept`` (what the caller keeps of what was typed, in French).
    """
    acc = current_account()
    if acc is None:
        st.session_state["auth.write_refused"] = " ".join(filter(None, (WRITE_REFUSED, kept)))
    return acc


def write_refused() -> None:
    """Show why a write was refused (if one was), in the page body, and stop the page."""
    message = st.session_state.pop("auth.write_refused", None)
    if message:
        st.error(message, icon=":material/lock:")
        st.stop()


def _log_in(username: str, password: str) -> None:
    try:
        token = auth.login(username, password, address=client_address())
    except auth.AuthError as err:
        st.session_state["auth.message"] = str(err)
        if not isinstance(err, auth.AccountsUnreachable):  # else the trail's base is down too
            audit.record(username[:64] or "-", "-", "echec_connexion", "connexion")
        return
    acc = auth.check_session(token)
    audit.record(acc.username, acc.role, "connexion", "connexion")
    st.session_state["auth.token"] = token
    _ask_cookie(token)
    st.session_state.pop("auth.message", None)


def _submit_login() -> None:
    _log_in(st.session_state.get("auth.username", "").strip(),
            st.session_state.get("auth.password", ""))


def _log_out() -> None:
    auth.logout(st.session_state.pop("auth.token", None))
    _forget_cookie()
    st.session_state.pop("auth.role", None)
    st.session_state.pop("audit.page", None)
    if _oidc_enabled() and st.user.is_logged_in:
        st.logout()


# -- the session cookie: set by ui/session_route.py, read here ------------------------------------

def _cookie() -> str | None:
    """Return the session cookie the browser sent when this Streamlit session opened."""
    return _browser_cookie(sessions.COOKIE_NAME)


def _browser_cookie(name: str) -> str | None:
    """Return the cookie ``name`` the browser sent when this Streamlit session opened."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no browser behind this run (AppTest): no cookie
        return None
    return value if isinstance(value, str) and value else None


def _session_token() -> str | None:
    """Return this session's token: its login's, else (once) the browser's cookie's."""
    token = st.session_state.get("auth.token")
    if not token:
        cookie = _cookie()
        # Taken once per Streamlit session: after a logout or an expiry, the cookie that
        # opened the session (still in st.context) does not log it in again.
        if cookie and not sessions.same_token(cookie, st.session_state.get("auth.cookie_seen")):
            st.session_state["auth.cookie_seen"] = cookie
            st.session_state["auth.token"] = token = cookie
    return token


def _ask_cookie(token: str) -> None:
    """After a login: prepare the one-time code that gives the browser its cookie."""
    st.session_state["auth.cookie_seen"] = token
    try:
        st.session_state["auth.cookie_code"] = sessions.issue_code(token)
    except ClspdGeoError:  # the session already ended: the next run shows the login
        st.session_state.pop("auth.cookie_code", None)


def _base_path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _go(url: str) -> None:
    """Send the browser to a URL of this server (a full page load) and stop the run."""
    st.caption("Connexion en cours…")
    # Fixed script; the URL is built here from a random URL-safe code and a page path.
    st.html(f"<script>window.location.replace({json.dumps(url)});</script>",
            unsafe_allow_javascript=True)
    st.stop()


def _hand_cookie() -> None:
    """Right after a login: have the browser fetch its cookie, then open the asked page."""
    code = st.session_state.pop("auth.cookie_code", None)
    if code and _browser():
        target = f"{_base_path()}/{st.session_state.pop('auth.next', '')}"
        _go(f"{_base_path()}{sessions.ENDPOINT}?{urlencode({'code': code, 'next': target})}")


def _browser() -> bool:
    """Tell whether a browser's page runs this session (not AppTest: no HTTP request)."""
    try:
        return bool(st.context.headers.get("Host"))
    except Exception:
        return False


def _forget_cookie() -> None:
    """At logout (the token is already ended on the server): remove the browser's cookie."""
    st.session_state.pop("auth.cookie_code", None)
    if _cookie():
        st.session_state["auth.clear_cookie"] = True


def _clear_cookie() -> None:
    if st.session_state.pop("auth.clear_cookie", False):
        _go(f"{_base_path()}{sessions.ENDPOINT}?logout=1")


def _login_navigation(demo_note: Callable[[], str | None], url_paths) -> object:
    """Return a navigation holding only the login, under every URL path of the app.

    A deep link (``/videoprotection``) shows the login form at its own address (no
    "page not found"); after the login, the same page hash resolves to the real page.
    Any other page asked for falls back to the login instead of running on its own.
    """
    pages = [st.Page(partial(_login_page, demo_note, ""), title="Connexion",
                     icon=":material/lock:", url_path="connexion", default=True)]
    for path in dict.fromkeys(p for p in url_paths if p and p != "connexion"):
        pages.append(st.Page(partial(_login_page, demo_note, path), title="Connexion",
                             icon=":material/lock:", url_path=path))
    return st.navigation(pages, position="hidden")


def require_login(*, demo_note: Callable[[], str | None] = lambda: None,
                  url_paths: tuple[str, ...] | list[str] = (),
                  on_role: Callable[[str], None] = lambda role: None) -> auth.Account:
    """Check the session on the server and return its account; else draw the login and stop.

    Parameters
    ----------
    demo_note
        Called before the form is drawn: prepares the demo accounts and returns the
        sentence about them shown under the form (None outside the demo store).
    url_paths
        The URL paths of the app's pages (not the home page's): a deep link to one of
        them while logged out shows the login form, then that page.
    on_role
        Called with the role of a checked session, first thing (the login's own run
        included): the warm-up does that role next (:func:`ui.warm.prefer`).
    """
    router.ensure_router()
    st.session_state.pop("auth.role", None)
    try:
        acc = _account()
    except ClspdGeoError as err:
        st.error(str(err), icon=":material/lock:")
        if isinstance(err, auth.AccountsUnreachable):  # no login could work: no form
            st.stop()
        acc = None
    if acc is None:
        _login_navigation(demo_note, url_paths).run()
        st.stop()
    on_role(acc.role)
    _hand_cookie()
    st.session_state["auth.role"] = acc.role
    st.session_state["auth.user"] = acc.username
    return acc


def logout_button(role_label: str) -> None:
    """Say who is connected in the sidebar, with the logout button."""
    with st.sidebar:
        st.caption(f"Connecté : {user()} · {role_label}")
        st.button("Se déconnecter", key="auth.logout", on_click=_log_out,
                  icon=":material/logout:")


def _login_page(demo_note: Callable[[], str | None], url_path: str = "") -> None:
    note = demo_note()  # before the form: the accounts exist when it can be submitted
    st.session_state["auth.next"] = url_path  # the page asked for, shown after the login
    _clear_cookie()
    refused = st.session_state.pop("auth.write_refused", None)
    if refused:
        st.error(refused, icon=":material/lock:")
    if st.session_state.pop("auth.token", None):
        st.warning("Votre session a expiré ou votre compte a été désactivé : reconnectez-vous.",
                   icon=":material/timer_off:")
    st.title("Connexion")
    st.write("Tableau de bord cartographique du CLSPD : l'accès est réservé aux comptes "
             "autorisés, chacun selon son rôle.")
    if _oidc_enabled():
        st.button("Se connecter avec le fournisseur d'identité", key="auth.oidc",
                  on_click=st.login, type="primary")
    with st.form("auth.form", clear_on_submit=True):
        st.text_input("Identifiant", key="auth.username")
        st.text_input("Mot de passe", type="password", key="auth.password")
        st.form_submit_button("Se connecter", on_click=_submit_login)
    if st.session_state.get("auth.message"):
        st.error(st.session_state["auth.message"], icon=":material/lock:")
    if note:
        st.info(note, icon=":material/science:")


def audit_view(page, *, role_code: str) -> None:
    """Record a page view in the audit trail (once per page change in a session).

    Raises
    ------
    ClspdGeoError
        The trail cannot be written (its base unreachable, its file not writable): the
        page is then not shown, and the next run tries again.
    """
    name = getattr(page, "url_path", "") or "accueil"
    if st.session_state.get("audit.page") != name:
        try:
            audit.record(user(), role_code, "vue", name)
        except ClspdGeoError:
            raise
        except (sqlite3.Error, OSError) as err:
            raise ClspdGeoError("Le journal d'audit ne peut pas être écrit "
                                f"({type(err).__name__}) : la page n'est pas affichée tant "
                                "que la consultation ne peut pas y être inscrite. Prévenez "
                                "l'administrateur.") from None
        st.session_state["audit.page"] = name


def audit_export(file_name: str, *, detail: str = "") -> None:
    """Record an export (a download) in the audit trail."""
    audit.record(user(), role(), "export", file_name, detail=detail)


def _export_account(token: str | None, claims: dict | None) -> auth.Account | None:
    """Check a session again outside a script run (no ``st.session_state`` there)."""
    try:
        return auth.oidc_account(claims) if claims else auth.check_session(token)
    except ClspdGeoError:
        return None


def export_generator(data, file_name: str, *, detail: str = "") -> Callable[[], bytes]:
    """Return the callable that makes an export on click, for this session only.

    It runs in the server when the button is clicked (outside the script run): it checks
    the session again and the account's state and role (the role the page was drawn
    for), records the export in the audit trail, then returns ``data`` (or calls it).

    Raises
    ------
    NotLoggedIn
        (When called) the session expired, the account was disabled or its role changed:
        nothing is served and nothing is recorded.
    """
    token = st.session_state.get("auth.token")
    claims = st.user.to_dict() if _oidc_enabled() and st.user.is_logged_in else None
    drawn_for = role()
    # The file is served only to the browser holding this session's cookie (ui.media_guard).
    secret = token or (_browser_cookie(media_guard.OWNER_COOKIES[1]) if claims else None)

    def generate() -> bytes:
        acc = _export_account(token, claims)
        if acc is None or acc.role != drawn_for:
            raise NotLoggedIn(WRITE_REFUSED)
        audit.record(acc.username, acc.role, "export", file_name, detail=detail)
        media_guard.claim(secret=secret, account=acc.username, role=acc.role,
                          file_name=file_name)
        out = data() if callable(data) else data
        return out.encode("utf-8") if isinstance(out, str) else out

    return generate


def download_button(label: str, data, file_name: str | None = None, mime: str | None = None,
                    key: str | None = None, *, container=None, detail: str = "",
                    **kwargs) -> bool:
    """Draw a download button whose file is made on click, for this session, and audited.

    A drop-in for ``st.download_button`` (same arguments; ``container=`` draws it in a
    column or another container). ``data`` (bytes, text, or a callable returning them)
    must come from the session's role view; a callable is called only on the click. The
    file is never at a URL before the click, the export is recorded (account, role, file
    name) when it is made, and its URL serves it only to this session's browser, a few
    times within a minute (:mod:`ui.media_guard`), recorded again when served.
    """
    name = file_name or str(label)
    target = container if container is not None else st
    return target.download_button(label, export_generator(data, name, detail=detail),
                                  file_name=file_name, mime=mime, key=key, **kwargs)
