"""A page whose view cannot be written to the audit trail is not shown (French message)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from clspd_geo.access import audit
from conftest import logged_in

ROOT = Path(__file__).resolve().parents[2]


def test_no_page_is_shown_while_the_trail_cannot_be_written(monkeypatch, demo_store, tmp_path):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    blocker = tmp_path / "pas-un-dossier"
    blocker.write_text("x")  # the trail's folder is a file: the trail cannot be opened
    monkeypatch.setenv("CLSPD_AUDIT", str(blocker / "journal.sqlite"))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "police",
                   demo_store).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("journal d'audit ne peut pas être écrit" in e for e in errors), errors
    assert not at.metric  # the overview's figures are not drawn
    # Once the trail can be written again, the next run records the view and shows the page.
    monkeypatch.setenv("CLSPD_AUDIT", str(tmp_path / "journal.sqlite"))
    at.run()
    assert not at.exception and not at.error
    assert at.metric
    assert len(audit.search(action="vue", path=tmp_path / "journal.sqlite")) == 1
