"""The data of a session: one role view per store version, role and day, shared by sessions.

Pages read everything through :func:`view`: a :class:`clspd_geo.access.view.RoleView` made
once per (store version × role × day) and shared by every session of that role, so the
released incidents and every analysis memoised on it (:mod:`clspd_geo.screens`) are
computed once for all. No page or helper opens the store.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from clspd_geo import config
from clspd_geo.access.gateway import Gateway
from clspd_geo.maps import offline
from clspd_geo.access.view import RoleView
from clspd_geo.errors import ClspdGeoError
from ui import router, session, widgets


@st.cache_resource(show_spinner=False, max_entries=4)
def gateway(target: str) -> Gateway:
    """Return the gateway of a store target, made once per server process."""
    return Gateway(target)


@st.cache_resource(show_spinner="Application des droits d'accès…", max_entries=16)
def _view(target: str, version: str, role: str, day: str) -> RoleView:
    return gateway(target).view(role, as_of=dt.date.fromisoformat(day), version=version)


def cached_view(target: str, version: str, role: str, day: dt.date) -> RoleView:
    """Return the shared role view of a store version, role and day (what :func:`view`
    returns to every session of that role), for work done outside a session
    (:mod:`ui.warm`)."""
    return _view(target, version, role, day.isoformat())


def store_version() -> str:
    """Return the store version, building the demo territory on first start."""
    gate = gateway(config.store_target())
    try:
        if gate.needs_bootstrap():
            with st.spinner("Première ouverture : création du territoire de démonstration…"):
                return gate.version()
        return gate.version()
    except ClspdGeoError as err:
        widgets.show_error(err)
        raise  # unreachable: show_error stops the page


def view(*, role: str | None = None) -> RoleView:
    """Return the role view of this session.

    Parameters
    ----------
    role
        The role to read as: by default the session's, checked by the login gate at this
        run; a callback passes the role of the account it has just checked again.
    """
    router.ensure_router()
    target = config.store_target()
    version = store_version()
    try:
        return cached_view(target, version, role or session.role(), dt.date.today())
    except ClspdGeoError as err:
        widgets.show_error(err)
        raise


@st.cache_resource(show_spinner=False)
def _install_assets() -> str:
    return str(offline.install_assets())


def prepare_assets() -> None:
    """Copy Leaflet & co. under ``static/vendor`` once per server (offline maps)."""
    _install_assets()


def demo_note() -> str | None:
    """Create the demo accounts before the login form is drawn; return the note about them.

    Runs before the form exists, so a login submitted during the first run finds the
    accounts (and the store) already there.
    """
    store_version()
    try:
        return gateway(config.store_target()).demo_note()
    except ClspdGeoError as err:
        widgets.show_error(err)
        raise
