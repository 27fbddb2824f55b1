"""Keep every run going through the router, despite Streamlit's legacy ``pages/`` mode.

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
from pathlib import Path

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
