"""Every page renders on the demo store with no exception and shows real figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_sections import open_sections
from conftest import page_as
from clspd_geo.store import GeoPackageStore

ROOT = Path(__file__).resolve().parents[2]

PAGES = {
    "pages/overview.py": "Vue d'ensemble",
    "pages/communes.py": "Comparaison des communes",
    "pages/police.py": "1. Coordination police nationale / police municipale",
    "pages/videoprotection.py": "2. Vidéoprotection",
    "pages/addictions.py": "3. Conduites addictives",
    "pages/jeunesse.py": "4. Jeunesse",
    "pages/insertion.py": "5. Insertion sociale et professionnelle",
    "pages/victimes.py": "6. Aide aux victimes",
    "pages/routier.py": "7. Sécurité routière",
    "pages/radicalisation.py": "8. Prévention de la radicalisation",
    "pages/donnees.py": "Données",
}


def _text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.title]
    parts += [str(e.value) for e in at.info] + [str(e.value) for e in at.caption]
    return "\n".join(map(str, parts))


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    assert any(PAGES[page] in t.value for t in app.title), [t.value for t in app.title]


# The commune comparison shows no KPI, and on the one-commune demo only its note
# (tests/app/test_communes_page.py draws it on an intercommunal demo).
@pytest.mark.parametrize("page", [p for p in PAGES
                                  if p not in ("pages/donnees.py", "pages/communes.py")])
def test_page_shows_figures_and_a_map(app, page):
    app.run()
    app.switch_page(page).run()
    assert len(app.metric) >= 2
    if page == "pages/radicalisation.py":
        # 9 such incidents in the 3,000-incident demo: below k = 5 for every role, every
        # published figure is 0 (small-count suppression, docs/roles.md).
        assert all(m.value in ("0", "") or int(m.value.replace("\u202f", "")) >= 5
                   for m in app.metric)
    else:
        assert any(m.value not in ("0", "") for m in app.metric)
    assert len(app.dataframe) >= 1


def test_overview_filters_change_the_figures(app):
    app.run()
    total_before = app.metric[0].value
    app.sidebar.multiselect(key="overview.categories").set_value(["tapage"]).run()
    assert not app.exception
    assert app.metric[0].value != total_before


def test_quartier_filter_restricts_the_table(app, demo_store):
    first = GeoPackageStore(demo_store).read("quartiers")["quartier_id"].iloc[0]
    open_sections(app.run(), "overview.open.details")
    app.sidebar.multiselect(key="filters.quartiers").set_value([first]).run()
    assert not app.exception
    by_quartier = [d.value for d in app.dataframe if "Quartier" in d.value.columns]
    assert by_quartier and len(by_quartier[0]) == 1


def test_demo_banner_says_data_are_fictitious(app):
    app.run()
    assert "fictives" in _text(app)


def test_radicalisation_page_never_shows_small_counts(app):
    app.run()
    app.switch_page("pages/radicalisation.py").run()
    for df in (d.value for d in app.dataframe):
        if "Faits" in df.columns:
            for v in df["Faits"].astype(str):
                assert v == "0" or v.startswith("<") or int(v.replace("\u202f", "")) >= 5


@pytest.mark.parametrize("content", [b"id;nom\n1;a\n", b"", b"\x00\x01garbage" * 100])
def test_bad_store_file_gives_french_message_and_is_untouched(monkeypatch, tmp_path, content):
    bad = tmp_path / "store.gpkg"
    bad.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    monkeypatch.setenv("CLSPD_STORE", str(bad))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception
    assert at.error, "no error message shown"
    message = at.error[0].value
    assert "GeoPackage" in message or "endommagé" in message, message
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest


# -- Action-field analyses and the action plan (issue 8) --------------------------------------

FIELD_PAGES = ("pages/addictions.py", "pages/jeunesse.py", "pages/insertion.py",
               "pages/victimes.py", "pages/routier.py", "pages/radicalisation.py")


@pytest.mark.parametrize("page", FIELD_PAGES)
def test_field_page_answers_its_question_with_a_computed_sentence(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    readings = [m.value for m in app.markdown if m.value.startswith("**Lecture :**")]
    assert readings, f"no interpretation sentence on {page}"
    assert any(ch.isdigit() for r in readings for ch in r), readings  # built from figures
    assert any("Plan d'action du CLSPD" in s.value for s in app.subheader)


def test_youth_page_never_shows_small_sensitive_counts(app):
    app.run()
    app.switch_page("pages/jeunesse.py").run()
    for df in (d.value for d in app.dataframe):
        if "Faits" in df.columns and "Anneau" not in df.columns:  # rings: non-sensitive facts
            for v in df["Faits"].astype(str):
                assert v == "0" or v.startswith("<") or int(v.replace("\u202f", "")) >= 5, df


def test_overview_lists_the_action_plan_by_status(app):
    app.run()
    assert any("Plan d'action du CLSPD" in s.value for s in app.subheader)
    assert any(" au plan : " in m.value for m in app.markdown)
    assert any("Réalisée" in d.value.columns for d in app.dataframe)


@pytest.fixture
def own_store(tmp_path):
    """A small demo store of its own, for tests that write to it."""
    from clspd_geo import demo
    from clspd_geo.store import open_store

    path = tmp_path / "own.gpkg"
    demo.install(open_store(path, create=True), seed=2, n_incidents=400)
    return path


def _save_button(at):
    return next(b for b in at.button if b.label == "Enregistrer le plan d'action")


def test_action_plan_is_edited_from_the_field_page_and_written(monkeypatch, own_store):
    at = page_as(monkeypatch, own_store, "police", "pages/routier.py")
    assert len(at.data_editor) == 1
    at.session_state["routier.plan_editor"] = {
        "edited_rows": {0: {"status": "en_cours"}},
        "added_rows": [{"title": "Radar pédagogique rue de Verdun",
                        "lead_partner": "police_municipale", "status": "prevue",
                        "quartier_id": "Q07"}],
        "deleted_rows": []}
    _save_button(at).click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    plan = GeoPackageStore(own_store).read("actions")
    road = plan[plan["field"] == "routier"].set_index("title")
    assert len(road) == 2
    assert road.loc["Radar pédagogique rue de Verdun", "quartier_id"] == "Q07"
    assert road.loc["Radar pédagogique rue de Verdun", "action_id"] == "ACT-routier-002"
    assert (road["status"] == "en_cours").sum() == 1
    assert len(plan) == 13  # the other fields' actions are kept
    assert any("Plan d'action enregistré" in s.value for s in at.success)
    titles = [v for d in at.dataframe if "Action" in d.value.columns
              for v in d.value["Action"]]
    assert "Radar pédagogique rue de Verdun" in titles  # shown at once


def test_bad_action_edit_is_refused_in_french_and_nothing_written(monkeypatch, own_store):
    before = GeoPackageStore(own_store).read("actions")
    at = page_as(monkeypatch, own_store, "police", "pages/victimes.py")
    at.session_state["victimes.plan_editor"] = {
        "edited_rows": {}, "added_rows": [{"title": "Sans pilote ni statut"}],
        "deleted_rows": []}
    _save_button(at).click().run()
    assert not at.exception, at.exception
    assert any("n'a pas été enregistré" in e.value and "partenaire pilote" in e.value
               for e in at.error)
    after = GeoPackageStore(own_store).read("actions")
    assert len(after) == len(before)


def test_public_reads_the_plan_but_cannot_edit_it(monkeypatch, own_store):
    at = page_as(monkeypatch, own_store, "public", "pages/insertion.py")
    assert not at.data_editor
    assert any("Action" in d.value.columns for d in at.dataframe)


def test_field_pages_say_what_to_import_and_when_population_is_missing(monkeypatch, own_store):
    from clspd_geo import schemas

    s = GeoPackageStore(own_store)
    quartiers = s.read("quartiers").assign(population=None)
    s.write_many({"equipements": schemas.empty("equipements"),
                  "accidents": schemas.empty("accidents"), "quartiers": quartiers},
                 source="test: no facilities, no accidents, no population")
    expected = {"pages/addictions.py": "import facilities",
                "pages/insertion.py": "import facilities",
                "pages/victimes.py": "import facilities",
                "pages/routier.py": "import accidents"}
    for page, command in expected.items():
        at = page_as(monkeypatch, own_store, "police", page)
        assert not at.error, [e.value for e in at.error]
        assert any(command in i.value for i in at.info), (page, [i.value for i in at.info])
    at = page_as(monkeypatch, own_store, "police", "pages/jeunesse.py")
    readings = " ".join(m.value for m in at.markdown if m.value.startswith("**Lecture :**"))
    assert "population des quartiers n'est pas connue" in readings
    assert any("import facilities" in i.value for i in at.info)  # no school to ring


def test_insertion_says_where_the_residents_were_placed(app):
    app.run()
    app.switch_page("pages/insertion.py").run()
    assert not app.exception, app.exception
    captions = [str(c.value) for c in app.caption]
    # The demo has no Filosofi grid: the quartiers' population, spread evenly.
    expected = ("Habitants répartis uniformément dans chaque quartier (population des "
                "quartiers ; importez les carreaux Filosofi pour les placer là où ils vivent).")
    assert expected in captions, captions
