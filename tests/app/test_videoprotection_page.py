"""The video-protection page: coverage, uncovered cells, new sites (greedy then exact), checks."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest

from app_sections import open_sections
from clspd_geo import demo
from clspd_geo.store import GeoPackageStore

PAGE = "pages/videoprotection.py"


def _open(app):
    """Open the page, then its siting section (folded until asked)."""
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    open_sections(app, "video.open.siting")
    assert not app.exception, app.exception
    return app


def _submit(app):
    """Click the siting form's button (form widgets apply on submit) and rerun."""
    next(b for b in app.button if b.label == "Proposer des sites").click().run()
    assert not app.exception, app.exception


def _metric(app, label):
    return next(m.value for m in app.metric if label in m.label)


def test_page_shows_coverage_greedy_and_exact(app):
    _open(app)
    assert not app.error, [e.value for e in app.error]
    assert "%" in _metric(app, "Faits dans le champ d'au moins une caméra")
    assert int(_metric(app, "Caméras en service")) > 0
    # The exact answer, shown once, with the greedy figure in its header (the demo's
    # crossings make a small instance): no second section of the greedy answer.
    text = "\n".join(m.value for m in app.markdown)
    assert "Réponse immédiate (méthode gloutonne" not in text
    assert text.count("Réponse exacte (HiGHS") == 1 and "la méthode gloutonne (" in text
    assert sum("Écart à l'optimum" in m.label for m in app.metric) == 1
    assert any("recalculés sur les points" in c.value for c in app.caption)
    assert "Vérification hors échantillon" in text
    assert any("Écart à l'optimum" in m.label for m in app.metric)
    labels = [b.label for b in app.get("download_button")]
    assert {"Sites (CSV)", "Sites (GeoJSON)", "Plan des caméras à imprimer (HTML)",
            "Plan des caméras (PDF)"} <= set(labels)


def test_grid_candidates_and_more_cameras_raise_coverage(app):
    _open(app)
    app.selectbox(key="video.source").set_value("grille")
    app.number_input(key="video.grid_m").set_value(150)
    app.number_input(key="video.n_new").set_value(3)
    app.checkbox(key="video.exact").set_value(False)
    _submit(app)
    assert not app.error
    few = _metric(app, "Après les nouveaux sites")
    app.number_input(key="video.n_new").set_value(12)
    _submit(app)
    many = _metric(app, "Après les nouveaux sites")
    as_num = lambda v: float(v.replace("\u202f%", "").replace(",", "."))  # noqa: E731
    assert as_num(many) > as_num(few)


def test_greedy_alone_is_shown_once(app):
    _open(app)
    app.checkbox(key="video.exact").set_value(False)
    _submit(app)
    text = "\n".join(m.value for m in app.markdown)
    assert text.count("Réponse immédiate (méthode gloutonne") == 1
    assert "Réponse exacte" not in text


def test_accidents_as_demand(app):
    _open(app)
    app.radio(key="video.demand").set_value("accidents")
    app.checkbox(key="video.exact").set_value(False)
    _submit(app)
    assert not app.error, [e.value for e in app.error]
    text = "\n".join(m.value for m in app.markdown)
    assert "pondérés par la gravité (tué 10, hospitalisé 3, blessé léger 1)" in text


def test_more_cameras_than_sites_is_a_french_message_and_nothing_to_download(app):
    _open(app)
    app.selectbox(key="video.source").set_value("grille")
    app.number_input(key="video.grid_m").set_value(1000)
    app.number_input(key="video.n_new").set_value(500)
    _submit(app)
    assert any("il n'y a que" in e.value and "sites candidats" in e.value
               for e in app.error), [e.value for e in app.error]
    labels = [b.label for b in app.get("download_button")]
    assert "Sites (CSV)" not in labels and "Sites (GeoJSON)" not in labels


def test_hotspot_surface_as_demand(app):
    _open(app)
    app.radio(key="video.demand").set_value("surface")
    app.checkbox(key="video.exact").set_value(False)
    _submit(app)
    assert not app.error, [e.value for e in app.error]
    text = "\n".join(m.value for m in app.markdown)
    assert "surface « densité des faits »" in text


def test_budget_smaller_than_one_camera_is_a_french_message(app):
    _open(app)
    app.radio(key="video.mode").set_value("budget")
    app.number_input(key="video.budget").set_value(1000)
    _submit(app)
    assert any("ne permet pas d'installer une seule caméra" in e.value for e in app.error)
    # The rest of the page still works.
    assert "%" in _metric(app, "Faits dans le champ d'au moins une caméra")


def test_no_incident_in_period_keeps_the_page_alive(app, demo_store):
    first = GeoPackageStore(demo_store).read("incidents")["occurred_at"].min().date()
    _open(app)
    app.sidebar.selectbox(key="filters.preset").set_value("mois_choisis").run()
    before = first - dt.timedelta(days=200)
    app.sidebar.selectbox(key="filters.month_from").set_value(before.replace(day=1))
    app.sidebar.selectbox(key="filters.month_to").set_value(
        (first - dt.timedelta(days=100)).replace(day=1)).run()
    assert not app.exception
    infos = [str(i.value) for i in app.info]
    assert any("Aucun fait dans la période" in i for i in infos)
    assert any("Aucun fait dans la période" in e.value for e in app.error)
    assert any(e.label == "Le parc de caméras" for e in app.expander)  # the page went on


@pytest.fixture
def faulty_store(tmp_path):
    """A demo store whose first camera has a 400° field of view and the second no bearing."""
    path = tmp_path / "faulty.gpkg"
    layers = demo.build_demo(seed=2, n_incidents=2_000)
    cams = layers["cameras"].copy()
    fixed = cams.index[cams["fov_deg"] < 360]
    cams.loc[fixed[1], "bearing_deg"] = None
    layers["cameras"] = cams
    GeoPackageStore(path, create=True).write_many(layers, source="test")
    # The schema refuses 400° on write: the faulty value is put in afterwards, as a file
    # edited by hand would have it.
    import pyogrio

    raw = pyogrio.read_dataframe(path, layer="cameras")
    raw.loc[0, "fov_deg"] = 400.0
    pyogrio.write_dataframe(raw, path, layer="cameras", driver="GPKG")
    return path, str(raw.loc[0, "camera_id"])


def test_faulty_cameras_are_listed_in_french_and_left_out(monkeypatch, faulty_store):
    import conftest
    from streamlit.testing.v1 import AppTest

    path, bad_id = faulty_store
    monkeypatch.setenv("CLSPD_STORE", str(path))
    app = AppTest.from_file(str(conftest.ROOT / "app.py"), default_timeout=120)
    if hasattr(conftest, "logged_in"):  # login gate of the roles work
        app = conftest.logged_in(app, "police", path)
    _open(app)
    errors = [e.value for e in app.error]
    assert any(f"« {bad_id} » a un champ de vision de 400°" in e for e in errors)
    assert any("à vérifier" in e.label for e in app.expander)
    assert "%" in _metric(app, "Faits dans le champ d'au moins une caméra")
    assert isinstance(gpd.read_file(path, layer="cameras"), gpd.GeoDataFrame)


def test_a_role_that_reads_facts_by_zone_gets_the_share_seen_as_bounds(monkeypatch, demo_store):
    """The video-protection role reads facts by cell, quartier or commune: the share the
    cameras see is given between what is sure and what is possible, with the reason, never
    as one figure measured at the zones' centres."""
    from clspd_geo.access.gateway import Gateway
    from clspd_geo.screens import video as video_screen
    from conftest import page_as
    from ui import widgets

    app = page_as(monkeypatch, demo_store, "videoprotection", PAGE)
    value = _metric(app, "Faits dans le champ d'au moins une caméra")
    assert " à " in value and value.endswith("%"), value
    assert _metric(app, "Faits dans une zone de reconnaissance") == "—"
    assert any("Part connue entre deux bornes" in c.value for c in app.caption)
    # The figures shown are the library's bounds for this selection.
    sel = app.session_state[widgets.FILTERS_KEY].with_categories(
        app.multiselect(key="video.cover_categories").value)
    view = Gateway(str(demo_store)).view("videoprotection")
    b, _ = video_screen.seen_bounds(view, sel)
    assert not b.is_exact and b.low <= b.high
    assert _metric(app, "Faits de la période").replace("\u202f", "") == str(b.incidents)


def test_police_with_the_facts_it_sees_exactly_gets_one_share(app):
    from clspd_geo import vocab

    _open(app)
    # Sensitive facts are released to the police by cell: with them, a range.
    assert " à " in _metric(app, "Faits dans le champ d'au moins une caméra")
    exact = [c.code for c in vocab.INCIDENT_CATEGORIES if c.sensitivity != "sensible"]
    app.multiselect(key="video.cover_categories").set_value(exact).run()
    assert not app.exception, app.exception
    value = _metric(app, "Faits dans le champ d'au moins une caméra")
    assert " à " not in value and value.count("%") == 1, value
    assert not any("Part connue entre deux bornes" in c.value for c in app.caption)


def test_the_coverage_offers_only_the_categories_the_role_sees(monkeypatch, demo_store):
    from clspd_geo import vocab
    from conftest import page_as

    app = page_as(monkeypatch, demo_store, "videoprotection", PAGE)
    offered = app.multiselect(key="video.cover_categories").options
    sensitive = {vocab.category_labels()[c.code] for c in vocab.INCIDENT_CATEGORIES
                 if c.sensitivity == "sensible"}
    assert "Cambriolage" in offered, offered  # the options as the user reads them
    assert not sensitive & set(offered), offered  # never seen by this role
