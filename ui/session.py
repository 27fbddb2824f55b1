"""The session: login gate, logout, the session's account, and the audit of views and exports.

The login gate runs at the top of ``app.py`` on every run: an expired session, a disabled
account or a changed role takes effect at the next interaction. With an identity provider
configured (``[auth]`` in ``.streamlit/secrets.toml``), ``st.login`` is offered and the
role comes from a claim (:func:`clspd_geo.access.auth.role_from_claims`).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st

from clspd_geo.access import audit, auth
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
    return auth.check_session(st.session_state.get("auth.token"))


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
        audit.record(username[:64] or "-", "-", "echec_connexion", "connexion")
        st.session_state["auth.message"] = str(err)
        return
    acc = auth.check_session(token)
    audit.record(acc.username, acc.role, "connexion", "connexion")
    st.session_state["auth.token"] = token
    st.session_state.pop("auth.message", None)


def _submit_login() -> None:
    _log_in(st.session_state.get("auth.username", "").strip(),
            st.session_state.get("auth.password", ""))


def _log_out() -> None:
    auth.logout(st.session_state.pop("auth.token", None))
    st.session_state.pop("auth.role", None)
    st.session_state.pop("audit.page", None)
    if _oidc_enabled() and st.user.is_logged_in:
        st.logout()


def require_login(*, demo_note: Callable[[], str | None] = lambda: None) -> auth.Account:
    """Check the session on the server and return its account; else draw the login and stop.

    Parameters
    ----------
    demo_note
        Called before the form is drawn: prepares the demo accounts and returns the
        sentence about them shown under the form (None outside the demo store).
    """
    router.ensure_router()
    st.session_state.pop("auth.role", None)
    try:
        acc = _account()
    except ClspdGeoError as err:
        st.error(str(err), icon=":material/lock:")
        acc = None
    if acc is None:
        # A navigation holding only the login: any other page asked for (deep link,
        # switch_page) falls back to it instead of running on its own.
        def connexion() -> None:
            _login_page(demo_note)

        st.navigation([st.Page(connexion, title="Connexion", icon=":material/lock:",
                               url_path="connexion", default=True)],
                      position="hidden").run()
        st.stop()
    st.session_state["auth.role"] = acc.role
    st.session_state["auth.user"] = acc.username
    return acc


def logout_button(role_label: str) -> None:
    """Say who is connected in the sidebar, with the logout button."""
    with st.sidebar:
        st.caption(f"Connecté : {user()} · {role_label}")
        st.button("Se déconnecter", key="auth.logout", on_click=_log_out,
                  icon=":material/logout:")


def _login_page(demo_note: Callable[[], str | None]) -> None:
    note = demo_note()  # before the form: the accounts exist when it can be submitted
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


def navigation(pages: dict[str, list], *, may_open) -> dict[str, list]:
    """Return the navigation sections with only the pages ``may_open(url_path)`` allows."""
    out = {}
    for section, items in pages.items():
        kept = [p for p in items if may_open(p.url_path)]
        if kept:
            out[section] = kept
    return out


def audit_view(page, *, role_code: str) -> None:
    """Record a page view in the audit trail (once per page change in a session)."""
    name = getattr(page, "url_path", "") or "accueil"
    if st.session_state.get("audit.page") != name:
        st.session_state["audit.page"] = name
        audit.record(user(), role_code, "vue", name)


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

    def generate() -> bytes:
        acc = _export_account(token, claims)
        if acc is None or acc.role != drawn_for:
            raise NotLoggedIn(WRITE_REFUSED)
        audit.record(acc.username, acc.role, "export", file_name, detail=detail)
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
    file is never at a URL before the click, its URL serves it once (:mod:`ui.media_guard`),
    and the export is recorded (account, role, file name) when it is made.
    """
    media_guard.install()
    name = file_name or str(label)
    target = container if container is not None else st
    return target.download_button(label, export_generator(data, name, detail=detail),
                                  file_name=file_name, mime=mime, key=key, **kwargs)
