"""``CLSPD_RUN_LOG``: each run of the app script appends its time, page, role and outcome."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import logged_in

ROOT = Path(__file__).resolve().parents[2]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_run_is_logged_with_its_page_role_and_outcome(monkeypatch, demo_store, tmp_path):
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    monkeypatch.setenv("CLSPD_RUN_LOG", str(log))
    login = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not login.exception
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "police",
                   demo_store).run()
    at.switch_page("pages/routier.py").run()
    assert not at.exception, at.exception
    lines = _lines(log)
    # The login page stops the script (no page, no role yet); then two pages ran to the end.
    assert [(r["page"], r["role"], r["outcome"]) for r in lines] == [
        ("", "", "stop"), ("overview", "police", "ok"), ("routier", "police", "ok")]
    assert all(r["s"] > 0 and r["end"] > 1e9 for r in lines)
    assert len({r["session"] for r in lines[1:]}) == 1


def test_nothing_is_written_without_the_variable(monkeypatch, demo_store, tmp_path):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    monkeypatch.delenv("CLSPD_RUN_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "elu",
                   demo_store).run()
    assert not at.exception
    assert not list(tmp_path.iterdir())
