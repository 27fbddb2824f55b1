"""Writes and exports re-check the session at the moment of writing (ui.session.writer,
ui.session.export_generator); one login answer for unknown, wrong and locked accounts.

Each test runs the app (AppTest through the router) on a private copy of the demo store,
with the accounts file and the audit trail beside it, and disables the account between
the page's drawing and the click (issue 20 item 3): nothing is written, no « modification »
is recorded, and the next screen says why in French.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from clspd_geo.access import audit, auth
from clspd_geo.store import GeoPackageStore
from conftest import TEST_PASSWORD, logged_in

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "clspd.gpkg"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("CLSPD_STORE", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def _users(store: Path) -> Path:
    return store.with_name(auth.USERS_FILE_NAME)


def _trail(store: Path):
    return audit.events(path=store.with_name(audit.AUDIT_FILE_NAME), limit=1000)


def _app(store: Path, role: str, page: str) -> AppTest:
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), role, store)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _incidents_csv(store: Path) -> bytes:
    """One incident inside the demo territory, ten days ago, numbered Z1."""
    import datetime as dt

    terr = GeoPackageStore(store).read("territoire").to_crs(2154)
    c = terr.union_all().representative_point()
    day = dt.date.today() - dt.timedelta(days=10)
    return f"id,date_heure,categorie,x_l93,y_l93\nZ1,{day} 22:10,tapage,{c.x:.1f},{c.y:.1f}\n".encode()


def _says_why(at: AppTest) -> bool:
    texts = [str(e.value) for e in [*at.error, *at.warning]]
    return any("expiré ou votre compte a été désactivé" in t for t in texts)


def test_plan_save_after_the_account_was_disabled_writes_nothing(store):
    at = _app(store, "police", "pages/routier.py")
    at.session_state["routier.plan_editor"] = {
        "edited_rows": {0: {"title": "Écrit après la désactivation"}}, "added_rows": [],
        "deleted_rows": []}
    before = GeoPackageStore(store).read("actions")
    auth.set_disabled("test-police", path=_users(store))  # between the drawing and the click
    next(b for b in at.button if b.label == "Enregistrer le plan d'action").click().run()
    assert not at.exception, at.exception
    after = GeoPackageStore(store).read("actions")
    assert "Écrit après la désactivation" not in set(after["title"])
    assert len(after) == len(before)
    assert "modification" not in set(_trail(store)["Action"].map(
        {v: k for k, v in audit.ACTIONS.items()}))
    assert _says_why(at)
    assert any("rien n'a été enregistré" in str(e.value) and "sont gardées" in str(e.value)
               for e in at.error)
    # Logged in again, the editor holds what was typed, and saving it writes it.
    auth.set_disabled("test-police", False, path=_users(store))
    at.session_state["auth.token"] = auth.login("test-police", TEST_PASSWORD,
                                                path=_users(store))
    at.run()
    at.switch_page("pages/routier.py").run()
    assert not at.exception, at.exception
    assert "Écrit après la désactivation" in set(at.data_editor[0].value["title"])
    next(b for b in at.button if b.label == "Enregistrer le plan d'action").click().run()
    assert not at.exception, at.exception
    assert "Écrit après la désactivation" in set(GeoPackageStore(store).read("actions")["title"])


def test_import_after_the_account_was_disabled_writes_nothing(store):
    at = _app(store, "admin", "pages/donnees.py")
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    csv = _incidents_csv(store)
    at.radio(key="donnees.mode").set_value("append").run()
    at.file_uploader(key="donnees.files").upload("faits.csv", csv, "text/csv").run()
    assert not at.exception, at.exception
    assert at.button(key="donnees.confirm")
    before = _sha(store)
    auth.set_disabled("test-admin", path=_users(store))
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert _sha(store) == before
    assert not (_trail(store)["Action"] == audit.ACTIONS["modification"]).any()
    assert _says_why(at)


def test_import_is_recorded_as_a_modification(store):
    at = _app(store, "admin", "pages/donnees.py")
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    csv = _incidents_csv(store)
    at.radio(key="donnees.mode").set_value("append").run()
    at.file_uploader(key="donnees.files").upload("faits.csv", csv, "text/csv").run()
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    ev = _trail(store)
    mod = ev[ev["Action"] == audit.ACTIONS["modification"]]
    assert list(mod["Objet"]) == ["import : incidents"]
    assert mod["Qui"].iloc[0] == "test-admin" and mod["Détail"].iloc[0] == "faits.csv"


def test_import_conflict_shows_the_french_message_and_keeps_the_choices(store, monkeypatch):
    """Another writer replaces the layer between the preparation and the confirmation."""
    from clspd_geo.importing import pipeline

    at = _app(store, "admin", "pages/donnees.py")
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    csv = _incidents_csv(store)
    at.radio(key="donnees.mode").set_value("replace").run()  # a replacement checks the version
    at.file_uploader(key="donnees.files").upload("faits.csv", csv, "text/csv").run()
    assert not at.exception, at.exception
    prepare = pipeline.prepare

    def prepare_then_someone_writes(*args, **kwargs):
        report = prepare(*args, **kwargs)
        s = GeoPackageStore(store)
        s.write("incidents", s.read("incidents"), source="un autre import")
        return report

    monkeypatch.setattr(pipeline, "prepare", prepare_then_someone_writes)
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert any("La base a changé pendant la préparation de l'import" in str(e.value)
               for e in at.error), [e.value for e in at.error]
    assert "Z1" not in set(GeoPackageStore(store).read("incidents")["incident_id"])
    # What the user chose and uploaded is still there: confirming again works.
    assert at.selectbox(key="donnees.kind").value == "incidents"
    assert at.radio(key="donnees.mode").value == "replace"
    assert [f.name for f in at.file_uploader(key="donnees.files").value] == ["faits.csv"]
    monkeypatch.setattr(pipeline, "prepare", prepare)
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert set(GeoPackageStore(store).read("incidents")["incident_id"]) == {"Z1"}


def test_account_change_after_the_admin_was_disabled_writes_nothing(store):
    at = _app(store, "admin", "pages/administration.py")
    at.text_input(key="admin.name").input("nouveau-compte")
    at.text_input(key="admin.pw").input("un-mot-de-passe-solide")
    auth.set_disabled("test-admin", path=_users(store))
    next(b for b in at.button if b.label == "Créer").click().run()
    assert not at.exception, at.exception
    assert auth.get_account("nouveau-compte", path=_users(store)) is None
    assert not (_trail(store)["Action"] == audit.ACTIONS["compte"]).any()
    assert _says_why(at)


def test_account_change_is_made_by_the_rechecked_admin(store):
    at = _app(store, "admin", "pages/administration.py")
    at.selectbox(key="admin.who").set_value("test-admin")
    auth.create_account("autre", role="elu", password="un-mot-de-passe-solide",
                        path=_users(store))
    at.run()
    at.selectbox(key="admin.who").set_value("autre").run()
    at.button(key="admin.toggle").click().run()
    assert not at.exception, at.exception
    assert auth.get_account("autre", path=_users(store)).disabled
    ev = _trail(store)
    done = ev[ev["Action"] == audit.ACTIONS["compte"]]
    assert list(done["Objet"]) == ["autre"] and done["Qui"].iloc[0] == "test-admin"


def _export_app(store: Path) -> AppTest:
    def script():
        import streamlit as st

        from ui import session

        st.session_state["auth.role"] = "videoprotection"
        st.session_state["auth.user"] = "test-videoprotection"
        st.session_state["gen"] = session.export_generator(lambda: "a;b\n", "sites.csv",
                                                           detail="1 ligne")

    name, users = __import__("conftest").ensure_test_account("videoprotection", store)
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["auth.token"] = auth.login(name, TEST_PASSWORD, path=users)
    return at.run()


def test_export_is_made_and_recorded_on_click_only(store):
    at = _export_app(store)
    assert not at.exception, at.exception
    assert _trail(store).empty  # drawn, not served: nothing recorded
    assert at.session_state["gen"]() == b"a;b\n"  # as the server calls it on the click
    ev = _trail(store)
    assert list(ev["Action"]) == ["Export"] and list(ev["Objet"]) == ["sites.csv"]
    assert ev["Qui"].iloc[0] == "test-videoprotection"
    assert ev["Rôle"].iloc[0] == "videoprotection" and ev["Détail"].iloc[0] == "1 ligne"


@pytest.mark.parametrize("change", ["disabled", "role"])
def test_export_after_the_account_changed_serves_nothing(store, change):
    from ui import session

    at = _export_app(store)
    if change == "disabled":
        auth.set_disabled("test-videoprotection", path=_users(store))
    else:
        auth.set_role("test-videoprotection", "public", path=_users(store))
    with pytest.raises(session.NotLoggedIn, match="rien n'a été enregistré ni exporté"):
        at.session_state["gen"]()
    assert _trail(store).empty


def _submit(at: AppTest, name: str, password: str) -> str:
    at.text_input(key="auth.username").input(name)
    at.text_input(key="auth.password").input(password)
    next(b for b in at.button if b.label == "Se connecter").click()
    at.run()
    assert not at.exception, at.exception
    return " ".join(str(e.value) for e in at.error)


def test_login_form_gives_one_answer_for_unknown_wrong_and_locked(store):
    __import__("conftest").ensure_test_account("elu", store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    unknown = _submit(at, "personne", "un-mot-de-passe")
    wrong = _submit(at, "test-elu", "pas-le-bon-mot-de-passe")
    for _ in range(auth.MAX_FAILURES - 1):
        _submit(at, "test-elu", "pas-le-bon-mot-de-passe")
    locked = _submit(at, "test-elu", TEST_PASSWORD)  # the right one, while locked
    assert unknown == wrong == locked == auth.BAD_LOGIN
    assert [t.value for t in at.title] == ["Connexion"]
