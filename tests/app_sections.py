"""Open the folded sections of a page in an AppTest (``ui.panels.lazy_section``).

A folded section is an expander keyed ``"<page>.open.<name>"``: its content runs only once
its state is True, so a test that reads a section's content opens it first.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

MARK = ".open."


def section_keys(at: AppTest) -> list[str]:
    """Return the keys of the folded sections the last run drew."""
    keys = []
    for exp in at.expander:
        wid = exp.proto.id
        if MARK in wid:
            keys.append(wid[wid.index("-", len("$$ID-")) + 1:])
    return keys


def open_sections(at: AppTest, *keys: str) -> AppTest:
    """Open the sections of these keys and rerun."""
    for key in keys:
        at.session_state[key] = True
    return at.run()


def open_all(at: AppTest, *, rounds: int = 3) -> AppTest:
    """Open every folded section of the page (and those that appear once others are open)."""
    for _ in range(rounds):
        closed = [k for k in section_keys(at) if not _is_open(at, k)]
        if not closed:
            break
        open_sections(at, *closed)
    return at


def _is_open(at: AppTest, key: str) -> bool:
    try:
        return bool(at.session_state[key])
    except KeyError:
        return False


def capture_exports(monkeypatch) -> dict[str, object]:
    """Record the click-time generators of the download buttons drawn, by file name.

    A deferred download is made when the browser asks the server for it, outside any script
    run (AppTest has no server to ask): the test calls the recorded generator as the server
    would, e.g. ``exports["journal.csv"]()``.
    """
    from ui import session

    made: dict[str, object] = {}
    real = session.export_generator

    def recording(data, file_name, **kwargs):
        made[file_name] = real(data, file_name, **kwargs)
        return made[file_name]

    monkeypatch.setattr(session, "export_generator", recording)
    return made


def open_page(role: str, page: str, store: Path, monkeypatch) -> AppTest:
    """Return an AppTest of the app on ``store``, logged in as ``test-<role>``, on ``page``."""
    from conftest import logged_in

    monkeypatch.setenv("CLSPD_STORE", str(store))
    root = Path(__file__).resolve().parent.parent
    at = logged_in(AppTest.from_file(str(root / "app.py"), default_timeout=180), role, store)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
