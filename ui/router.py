"""The router's pieces: the role's navigation, and every run going through ``app.py``.

:func:`navigation` keeps the pages the role may open, and answers a refused page's address
with a French refusal.

Streamlit decides once per server process whether the app uses the legacy "``pages/``
folder" multipage mode (``PagesManager.uses_pages_directory``, set when the folder
exists beside the entry point) and leaves it only once ``st.navigation`` has run. So the
very first request of a server on a deep link (``/police``) runs ``pages/police.py``
alone, without ``app.py``: no login gate, no shared sidebar. Streamlit has no setting to
turn that mode off, and the folder name ``pages/`` is part of the product's layout, so
:func:`ensure_router` leaves the mode and reruns through ``app.py``.
``tests/app/test_router.py`` fails when Streamlit changes this behaviour (then this module
can go).
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

ROUTER = Path(__file__).resolve().parent.parent / "app.py"
"""The entry point that must run around every page."""


def ensure_router() -> None:
    """Rerun through ``app.py`` when Streamlit runs a page as a legacy ``pages/`` script."""
    from streamlit.runtime.pages_manager import PagesManager

    # A legacy run is one where app.py is not executing: pages run nested inside app.py's
    # page.run() otherwise. Rerun only then, so no other run loses its widget events.
    if PagesManager.uses_pages_directory and not router_on_stack():
        PagesManager.uses_pages_directory = False
        st.rerun()


def router_on_stack() -> bool:
    """Tell whether ``app.py`` (the router) is executing in this thread."""
    router = str(ROUTER)
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_filename == router:
            return True
        frame = frame.f_back
    return False


def navigation(pages: dict[str, list], *, may_open, role_label: str = "") -> dict[str, list]:
    """Return the navigation sections with only the pages ``may_open(url_path)`` allows.

    A page of the app the role may not open, asked for by its address (a link from a
    colleague, ``/videoprotection``), is answered by a French refusal at that address
    instead of Streamlit's English « Page not found »: that one address gets a section
    « Accès » while the browser asks for it.
    """
    out = {}
    for section, items in pages.items():
        kept = [p for p in items if may_open(p.url_path)]
        if kept:
            out[section] = kept
    asked = _asked_path()
    for p in (p for items in pages.values() for p in items):
        if asked and p.url_path == asked and not may_open(p.url_path):
            out["Accès"] = [st.Page(partial(_refused_page, p.title, role_label),
                                    title="Page non ouverte à votre rôle",
                                    icon=":material/block:", url_path=p.url_path)]
            break
    return out


def _asked_path() -> str:
    """Return the page path of the address the browser opened this session with ("" if none)."""
    try:
        url = st.context.url or ""
    except Exception:  # no browser behind this run (AppTest)
        return ""
    path = urlparse(url).path.rstrip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    base = f"/{base}" if base else ""
    if base and path.startswith(base):
        path = path[len(base):]
    return path.strip("/")


def _refused_page(title: str, role_label: str) -> None:
    st.title("Page non ouverte à votre rôle")
    who = f"au rôle « {role_label} »" if role_label else "à votre rôle"
    st.warning(f"La page « {title} » n'est pas ouverte {who} : ses données ne vous sont pas "
               "accessibles. Si vous en avez besoin, demandez à l'administrateur du CLSPD ; "
               "les pages de votre rôle sont dans le menu.", icon=":material/block:")
