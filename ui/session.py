"""The session: login gate, logout, the session's account, and the audit of views and exports.

The login gate runs at the top of ``app.py`` on every run: an expired session, a disabled
account or a changed role takes effect at the next interaction. With an identity provider
configured (``[auth]`` in ``.streamlit/secrets.toml``), ``st.login`` is offered and the
role comes from a claim (:func:`clspd_geo.access.auth.role_from_claims`).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from clspd_geo.access import audit, auth
from clspd_geo.errors import ClspdGeoError
from ui import router


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


def _log_in(username: str, password: str) -> None:
    try:
        token = auth.login(username, password)
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


def download_button(label: str, data, file_name: str | None = None, mime: str | None = None,
                    key: str | None = None, *, container=None, detail: str = "",
                    **kwargs) -> bool:
    """Draw a download button that records the export in the audit trail when clicked.

    A drop-in for ``st.download_button`` (same arguments; ``container=`` draws it in a
    column or another container). ``data`` must come from the session's role view.
    """
    name = file_name or str(label)
    user_click = kwargs.pop("on_click", None)
    user_args = kwargs.pop("args", None) or ()
    user_kwargs = kwargs.pop("kwargs", None) or {}

    def clicked() -> None:
        audit_export(name, detail=detail)
        if callable(user_click):
            user_click(*user_args, **user_kwargs)

    target = container if container is not None else st
    return target.download_button(label, data, file_name=file_name, mime=mime, key=key,
                                  on_click=clicked, **kwargs)
