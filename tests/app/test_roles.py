"""Every role on every page: what the screen and the map sent to the browser may hold.

For each role one AppTest session opens every page in turn. On each page: no exception;
pages outside the role's navigation cannot be opened; the map's payload (the folium script
streamlit-folium sends to the browser) holds no camera, planned camera or confidential
facility the role may not see and no exact incident coordinate where the matrix says
aggregated; every incident count on screen and in the map is 0 or at least k. Then the
login gate: logged-out sessions see the login form and nothing else; wrong passwords,
disabled accounts and expired sessions lose access at the next interaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_sections import open_all
from clspd_geo import vocab
from clspd_geo.access import auth, policy
from clspd_geo.store import GeoPackageStore
from conftest import TEST_PASSWORD, logged_in

ROOT = Path(__file__).resolve().parents[2]

PAGES = {
    "pages/overview.py": "Vue d'ensemble",
    "pages/communes.py": "Comparaison des communes",
    "pages/police.py": "1. Coordination police nationale",
    "pages/videoprotection.py": "2. Vidéoprotection",
    "pages/addictions.py": "3. Conduites addictives",
    "pages/jeunesse.py": "4. Jeunesse",
    "pages/insertion.py": "5. Insertion",
    "pages/victimes.py": "6. Aide aux victimes",
    "pages/routier.py": "7. Sécurité routière",
    "pages/radicalisation.py": "8. Prévention de la radicalisation",
    "pages/donnees.py": "Données et sources",
    "pages/administration.py": "Administration",
}
INCIDENT_LABELS = ({"Faits enregistrés", "Faits du champ"}
                   | {f.short for f in vocab.ACTION_FIELDS}
                   | set(vocab.category_labels().values())
                   | {"Signalements et atteintes, période", "Même période, année précédente"})
_NUMBER = re.compile(r"-?\d+\.\d+")


def _allowed(role: str, page: str) -> bool:
    return policy.may_open(role, Path(page).stem)


def _min_k(role: str) -> int:
    rules = [policy.rule(role, c) for c in ("faits_ordinaires", "faits_sensibles",
                                             "stupefiants")]
    ks = [r.k for r in rules if r.access == "aggregated"]
    exact = any(r.access == "exact" for r in rules)
    return 1 if exact or not ks else min(ks)


@pytest.fixture(scope="module")
def truth(demo_store):
    s = GeoPackageStore(demo_store)
    inc = s.read("incidents")
    cams = s.read("cameras")
    eq = s.read("equipements")
    conf = eq[eq["confidential"].astype(bool)]
    coords = {repr(float(v)) for v in inc.geometry.x} | {repr(float(v)) for v in inc.geometry.y}
    return {
        "coords": coords,
        "camera_ids": set(cams.loc[cams["status"] != "projet", "camera_id"].astype(str)),
        "planned_ids": set(cams.loc[cams["status"] == "projet", "camera_id"].astype(str)),
        "confidential": set(conf["facility_id"].astype(str)) | set(conf["name"].astype(str)),
    }


def _map_payloads(at: AppTest) -> list[str]:
    out = []
    for el in at.get("component_instance"):
        if "st_folium" in el.proto.component_name:
            out.append(json.loads(el.proto.json_args).get("script", ""))
    return out


def _screen_text(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("markdown", "title", "caption", "info", "header",
                                       "subheader") for e in getattr(at, kind)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(parts)


def _count_values(at: AppTest) -> list[int]:
    """Incident counts on screen: KPI metrics and "Faits…" table columns."""
    vals = []
    for m in at.metric:
        if m.label in INCIDENT_LABELS:
            text = str(m.value).replace("\u202f", "").replace(" ", "")
            if text.lstrip("-").isdigit():
                vals.append(int(text))
    for df in (d.value for d in at.dataframe):
        if not isinstance(df, pd.DataFrame):
            continue
        for col in df.columns:
            if str(col).startswith("Faits"):
                for v in df[col]:
                    text = str(v).replace("\u202f", "")
                    if text.isdigit():
                        vals.append(int(text))
    return vals


def _check_page(at: AppTest, role: str, page: str, truth: dict) -> None:
    assert not at.exception, (role, page, at.exception)
    titles = " ".join(t.value for t in at.title)
    assert PAGES[page] in titles, (role, page, titles)
    m = policy.MATRIX[role]
    payload = "\n".join(_map_payloads(at))
    visible = payload + _screen_text(at)
    if m["cameras"].access != "exact":
        assert not [c for c in truth["camera_ids"] if f'"{c}"' in payload], (role, page)
    if m["cameras_projet"].access != "exact":
        assert not [c for c in truth["planned_ids"] if f'"{c}"' in visible], (role, page)
    if m["equipements_confidentiels"].access != "exact":
        assert not [c for c in truth["confidential"] if f'"{c}"' in payload or
                    f",{c}," in visible], (role, page)
    if m["points"].access != "exact":
        numbers = set(_NUMBER.findall(payload))
        assert not numbers & truth["coords"], (role, page, "exact incident coordinates")
    k = _min_k(role)
    if k > 1:
        bad = [v for v in _count_values(at) if 0 < v < k]
        bad += [int(v) for v in re.findall(r'"faits": (\d+)', payload) if 0 < int(v) < k]
        assert not bad, (role, page, bad)


@pytest.mark.parametrize("role", policy.ROLE_CODES)
def test_every_page_for_a_role(monkeypatch, demo_store, truth, role):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), role,
                   demo_store)
    at.run()
    assert not at.exception, at.exception
    assert policy.role(role).label in " ".join(str(c.value) for c in at.sidebar.caption)
    for page in PAGES:
        if not _allowed(role, page):
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)
            continue
        at.switch_page(page).run()
        _check_page(at, role, page, truth)
        open_all(at)  # the folded sections too: what they show obeys the same rules
        _check_page(at, role, page, truth)


def _assert_login_only(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Connexion"]
    assert not at.metric and not at.dataframe and not _map_payloads(at)
    assert not at.multiselect and not at.date_input
    labels = [t.label for t in at.text_input]
    assert labels == ["Identifiant", "Mot de passe"]


def test_logged_out_session_sees_the_login_and_nothing_else(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    _assert_login_only(at)
    for page in ("pages/police.py", "pages/administration.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def _submit(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth.username").input(name)
    at.text_input(key="auth.password").input(password)
    next(b for b in at.button if b.label == "Se connecter").click()
    return at.run()


def test_wrong_password_then_right_one(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    logged_in(AppTest.from_file(str(ROOT / "app.py")), "groupe_travail", demo_store)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    _submit(at, "test-groupe_travail", "pas-le-bon-mot-de-passe")
    _assert_login_only(at)
    assert any("incorrect" in e.value for e in at.error)
    _submit(at, "test-groupe_travail", TEST_PASSWORD)
    assert not at.exception
    assert [t.value for t in at.title] == ["Vue d'ensemble"]


def test_disabled_account_loses_access_at_next_interaction(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "partenaire",
                   demo_store).run()
    assert [t.value for t in at.title] == ["Vue d'ensemble"]
    users = demo_store.with_name(auth.USERS_FILE_NAME)
    auth.set_disabled("test-partenaire", path=users)
    try:
        at.switch_page("pages/victimes.py").run()
        _assert_login_only(at)
        assert any("expiré ou votre compte a été désactivé" in w.value for w in at.warning)
    finally:
        auth.set_disabled("test-partenaire", False, path=users)


def test_expired_session_sees_the_login(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), "elu",
                   demo_store).run()
    assert [t.value for t in at.title] == ["Vue d'ensemble"]
    with sqlite3.connect(demo_store.with_name(auth.USERS_FILE_NAME)) as con:
        con.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00' "
                    "WHERE username = 'test-elu'")
    at.run()
    _assert_login_only(at)


def test_an_unreachable_accounts_base_gives_one_french_message(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    monkeypatch.setenv("CLSPD_ACCESS_DB", "postgresql://clspd:s3cret@127.0.0.1:1/clspd")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "injoignable" in errors[0], errors
    assert "s3cret" not in errors[0] and not at.text_input  # no form that could not work


def test_page_views_are_in_the_audit_trail(monkeypatch, demo_store):
    from clspd_geo.access import audit

    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180),
                   "videoprotection", demo_store).run()
    at.switch_page("pages/victimes.py").run()
    ev = audit.events(path=demo_store.with_name(audit.AUDIT_FILE_NAME), limit=20)
    mine = ev[ev["Qui"] == "test-videoprotection"]
    assert "victimes" in set(mine["Objet"])
    assert (mine["Rôle"] == "videoprotection").all()


def test_download_button_publishes_no_file_before_the_click(monkeypatch, tmp_path):
    """Issue 20 item 5: the export is made on click (a deferred download), never put at a
    /media URL when the page is drawn; it is recorded when made (tests/app/test_writes_guard)."""
    from clspd_geo.access import audit

    monkeypatch.setenv("CLSPD_AUDIT", str(tmp_path / "journal.sqlite"))

    def script():
        import streamlit as st

        from ui import session

        st.session_state["auth.role"] = "elu"
        st.session_state["auth.user"] = "test-export"
        col, _ = st.columns(2)
        session.download_button("Exporter", b"a;b\n", file_name="faits.csv", key="x.csv",
                                container=col, detail="2 lignes")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    proto = at.get("download_button")[0].proto
    assert proto.url == "" and proto.deferred_file_id
    assert audit.events(path=tmp_path / "journal.sqlite").empty


def test_every_cache_of_ui_is_keyed_on_the_role():
    """The app layer caches two things: the gateway of a store target (no data), and one
    role view per store version, role and day; every analysis is memoised on a role view
    (clspd_geo.screens), so nothing cached in ui/ holds data without its role."""
    import ast

    cached = {}
    for path in sorted((ROOT / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    "cache_data" in ast.unparse(d) or "cache_resource" in ast.unparse(d)
                    for d in node.decorator_list):
                cached[f"{path.stem}.{node.name}"] = [a.arg for a in node.args.args]
    assert cached == {"data.gateway": ["target"], "data._install_assets": [],
                      "data._view": ["target", "version", "role", "day"]}, cached
