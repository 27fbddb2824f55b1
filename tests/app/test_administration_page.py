"""The administration page: reset, role change, unlock, journal filter and export, all audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clspd_geo.access import audit, auth
from app_sections import capture_exports, open_sections
from conftest import ensure_test_account, logged_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin(monkeypatch, demo_store, tmp_path):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    monkeypatch.setenv("CLSPD_AUDIT", str(tmp_path / "journal.sqlite"))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "admin",
                   demo_store)
    at.run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception, at.exception
    return at


def _target(demo_store) -> tuple[str, Path]:
    name, users = ensure_test_account("public", demo_store)
    auth.unlock(name, path=users)
    auth.set_role(name, "public", path=users)
    return name, users


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def _trail(detail: str) -> bool:
    return any(detail in d for d in audit.search(action="compte")["detail"])


def test_reset_password_shows_a_temporary_password_once_and_audits_it(admin, demo_store):
    name, users = _target(demo_store)
    admin.run()
    admin.selectbox(key="admin.who").set_value(name).run()
    _button(admin, "admin.reset").click().run()
    shown = next(s.value for s in admin.success if "provisoire" in s.value)
    temp = shown.split("`")[1]
    assert auth.login(name, temp, path=users)
    assert _trail("réinitialisation du mot de passe")
    assert temp not in "".join(audit.search()["detail"])  # never written in the trail
    auth.set_password(name, "mot-de-passe-de-test", path=users)


def test_role_change_and_unlock_are_applied_and_audited(admin, demo_store):
    name, users = _target(demo_store)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login(name, "pas-le-bon-mot-de-passe", path=users)
    admin.run()
    admin.selectbox(key="admin.who").set_value(name).run()
    table = next(d.value for d in admin.dataframe if "Identifiant" in d.value.columns)
    state = table.loc[table["Identifiant"] == name, "État"].iloc[0]
    assert state.startswith("verrouillé jusqu'au ")
    assert not _button(admin, "admin.unlock").disabled
    _button(admin, "admin.unlock").click().run()
    assert auth.locked_until(path=users) == {}
    assert _trail("déblocage")
    admin.selectbox(key="admin.new_role").set_value("elu")
    next(b for b in admin.button if b.label == "Changer le rôle").click().run()
    assert auth.get_account(name, path=users).role == "elu"
    assert _trail("rôle : Public → Élu")
    auth.set_role(name, "public", path=users)


def test_journal_filters_by_period_account_and_action_in_french(admin):
    audit.record("alice", "elu", "export", "faits.csv", now=dt.datetime(2020, 1, 5, 9, 0))
    open_sections(admin, "admin.open.journal")
    admin.selectbox(key="admin.journal_days").set_value(0)
    admin.selectbox(key="admin.journal_who").set_value("-").run()  # unknown here: all kept
    admin.selectbox(key="admin.journal_who").set_value("")
    admin.selectbox(key="admin.journal_action").set_value("export").run()
    journal = next(d.value for d in admin.dataframe if "Quand" in d.value.columns)
    assert journal["Action"].tolist() == ["Export"]
    assert journal["Quand"].tolist() == ["5 janvier 2020 à 09:00"]
    assert journal["Rôle"].tolist() == ["Élu"]
    admin.selectbox(key="admin.journal_days").set_value(30).run()
    journal = next(d.value for d in admin.dataframe if "Quand" in d.value.columns)
    assert journal.empty  # 2020 is outside the last 30 days
    assert not any("T" in str(v) and ":" in str(v) for v in journal.to_numpy().ravel())


def test_journal_export_is_itself_in_the_trail(admin, monkeypatch):
    exports = capture_exports(monkeypatch)
    open_sections(admin, "admin.open.journal")
    button = next(b for b in admin.get("download_button") if b.proto.label.startswith(
        "Exporter le journal"))
    assert not button.proto.disabled
    assert not any(t.startswith("journal-") for t in audit.search(action="export")["target"])
    (make,) = [g for n, g in exports.items() if n.startswith("journal-")]
    assert b"Quand" in make()  # the journal's CSV, made as the server makes it on the click
    exports = audit.search(action="export")
    assert any(t.startswith("journal-") and t.endswith(".csv") for t in exports["target"])
