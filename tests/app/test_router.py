"""The one workaround for Streamlit's legacy ``pages/`` folder mode (ui/router.py).

These tests fail when Streamlit changes the behaviour the workaround relies on: then the
workaround (and the steady-state fixture of tests/conftest.py) can be reconsidered.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_still_has_the_legacy_pages_folder_mode():
    from streamlit.runtime import pages_manager
    from streamlit.runtime.scriptrunner import script_runner

    # The process-wide flag the router clears, set from the folder beside the entry point.
    assert hasattr(pages_manager.PagesManager, "uses_pages_directory")
    source = Path(pages_manager.__file__).read_text("utf-8")
    assert '/ "pages"' in source.replace("'", '"')
    # The legacy runner that executes a page without app.py on a first deep link.
    assert callable(getattr(script_runner, "_mpa_v1", None))


def test_router_is_found_on_the_stack_only_inside_app_py():
    from ui import router

    assert router.ROUTER == ROOT / "app.py"
    assert not router.router_on_stack()
    code = compile("from ui import router as r\nfound = r.router_on_stack()\n",
                   str(router.ROUTER), "exec")
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - code compiled under app.py's file name
    assert scope["found"] is True
