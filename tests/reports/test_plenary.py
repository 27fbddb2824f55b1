"""The plenary report on the demo and on the real Paris sample: pages, figures, roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clspd_geo import vocab
from clspd_geo.access.gateway import Gateway
from clspd_geo.analysis import indicators
from clspd_geo.reports import figures, plenary, typography

from .conftest import counts_before_faits, demo_period, page_count, pdf_text, render_png


@pytest.fixture(scope="module")
def elu_pdf(demo_store: Path):
    view = Gateway(str(demo_store)).view("elu")
    start, end = demo_period()
    rep = plenary.build(view, start=start, end=end)
    return view, rep, plenary.render_pdf(rep, view)


def test_pages_titles_and_size(elu_pdf, tmp_path: Path) -> None:
    _, rep, data = elu_pdf
    text = pdf_text(data)
    assert "Rapport à la séance plénière du CLSPD" in text
    for title in ("Chiffres clés", "Par quartier", "Notes de méthode", "Actions du plan",
                  "Les points chauds prévoient-ils le mois suivant ?"):
        assert title in text
    for field in vocab.ACTION_FIELDS:
        assert f"{field.number}. " in text
    assert page_count(data) >= 1 + 1 + len(vocab.ACTION_FIELDS) + 1
    assert len(data) < 5_000_000
    assert len(render_png(data, tmp_path)) == page_count(data)


def test_figures_equal_the_library(elu_pdf) -> None:
    view, rep, data = elu_pdf
    text = pdf_text(data)
    k = view.small_count_k
    total = typography.count(rep.total.value, k=k).replace("\u202f", " ")
    assert total in text
    rows = figures.quartiered(view)
    inside = ((rows["occurred_at"] >= str(rep.selection.start))
              & (rows["occurred_at"] < str(rep.selection.end))).to_numpy()
    assert rep.total.value == float(indicators.weights(rows)[inside].sum())
    for row in figures.quartier_rows(rep.quartiers, k=k):
        assert row[0] in text


@pytest.mark.parametrize("role", ["public", "elu"])
def test_no_suppressed_count(demo_store: Path, role: str) -> None:
    view = Gateway(str(demo_store)).view(role)
    start, end = demo_period()
    rep = plenary.build(view, start=start, end=end)
    k = view.small_count_k
    for value in [rep.total.value, rep.total.previous, *figures.all_counts(rep.quartiers)]:
        if not figures.printable(value, k=k):
            # Withheld: it must never reach the text as a number.
            assert typography.count(value, k=k).startswith("<")
    text = pdf_text(plenary.render_pdf(rep, view))
    assert all(n == 0 or n >= k for n in counts_before_faits(text))


def test_public_role_has_no_camera_and_no_sensitive_category(demo_store: Path) -> None:
    view = Gateway(str(demo_store)).view("public")
    start, end = demo_period()
    rep = plenary.build(view, start=start, end=end)
    text = pdf_text(plenary.render_pdf(rep, view))
    assert view.layer("cameras").empty
    assert "Caméra" not in text and "caméra en service" not in text.lower()
    for c in vocab.INCIDENT_CATEGORIES:
        if c.sensitivity == "sensible":
            assert c.label not in text
    assert "Public" in text


def test_real_paris_sample(shared_data: Path, tmp_path: Path) -> None:
    from clspd_geo.importing import pipeline
    from clspd_geo.importing.context import ImportOptions

    path = tmp_path / "paris.gpkg"
    pipeline.run("boundaries", [shared_data / "boundaries/communes-75-paris.geojson"],
                 store_path=path, options=ImportOptions(commune="75056"))
    for year in (2012, 2013):
        pipeline.run("accidents", [shared_data / f"accidents/paris_accidents_{year}.csv.gz"],
                     store_path=path)
    view = Gateway(str(path)).view("elu")
    data = plenary.build_pdf(view, start=dt.date(2013, 1, 1), end=dt.date(2014, 1, 1))
    text = pdf_text(data)
    assert "Paris" in text and "Sécurité routière" in text
    assert len(data) < 5_000_000
    assert len(render_png(data, tmp_path)) == page_count(data)


def test_the_report_of_one_commune_uses_its_population(tmp_path: Path) -> None:
    from conftest import two_commune_layers

    from clspd_geo.store import GeoPackageStore

    import pandas as pd

    layers = two_commune_layers()
    inc = layers["incidents"]
    more = inc[inc["quartier_id"] == "Q3"].assign(incident_id=lambda d: d["incident_id"] + "b")
    layers["incidents"] = pd.concat([inc, more], ignore_index=True)
    path = tmp_path / "cispd.gpkg"
    GeoPackageStore(path, create=True).write_many(layers, source="test")
    view = Gateway(str(path)).view("police")
    start, end = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    whole = plenary.build(view, start=start, end=end)
    east = plenary.build(view, start=start, end=end, communes=("00001",))
    west = plenary.build(view, start=start, end=end, communes=("00000",))
    assert whole.commune == "Testville, Autreville" and east.commune == "Autreville"
    # Police does not see the 2 domestic-violence facts: 4 in Testville, 8 in Autreville.
    assert (whole.total.value, east.total.value, west.total.value) == (12, 8, 4)
    assert east.rate_per_1000 == pytest.approx(8.0)  # 8 facts, 1,000 inhabitants
    assert whole.rate_per_1000 == pytest.approx(12 / 3)
    assert west.rate_per_1000 is None  # 4 facts, fewer than k: no rate printed
    assert set(east.quartiers["quartier_id"]) == {"Q3"}


def test_headline_compares_with_the_imported_ssmsi_statistics(tmp_path: Path) -> None:
    from conftest import two_commune_layers

    import geopandas as gpd
    import pandas as pd

    from clspd_geo.store import GeoPackageStore

    layers = two_commune_layers()
    path = tmp_path / "cispd.gpkg"
    store = GeoPackageStore(path, create=True)
    store.write_many(layers, source="test")
    start, end = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    view = Gateway(str(path)).view("police")
    assert plenary.build(view, start=start, end=end).references.empty
    assert "SSMSI non importées" in plenary.reference_sentence(pd.DataFrame())
    rows = [("departement", "00", 2025, 5_000.0, 100_000), ("departement", "00", 2024, 4_000.0,
                                                             100_000),
            ("france", "FR", 2025, 600_000.0, 60_000_000),
            ("france", "FR", 2024, 600_000.0, 60_000_000)]
    stats = gpd.GeoDataFrame(
        {"stat_id": [f"{lv}:{c}:{y}:Cambriolages" for lv, c, y, _, _ in rows],
         "territory_code": [r[1] for r in rows], "level": [r[0] for r in rows],
         "year": [r[2] for r in rows], "indicator": ["Cambriolages de logement"] * 4,
         "category": ["cambriolage"] * 4, "unit": ["Infraction"] * 4,
         "count": [r[3] for r in rows], "rate_per_1000": [None] * 4,
         "population": [r[4] for r in rows], "diffused": [True] * 4},
        geometry=gpd.GeoSeries([None] * 4, crs=4326), crs=4326)
    store.write("statistiques", stats, source="SSMSI (test)")
    view = Gateway(str(path)).view("police")
    refs = plenary.build(view, start=start, end=end).references
    assert list(refs["commune"]) == ["Département 00 (SSMSI 2025)", "France (SSMSI 2025)"]
    # Rates per 1,000 computed from the counts and populations above: 50 and 10.
    assert list(refs["taux"]) == pytest.approx([50.0, 10.0])
    text = plenary.reference_sentence(refs)
    assert text.startswith("Pour comparaison, faits des catégories que le SSMSI compte :")
    assert "Département 00 (SSMSI 2025) : 50,0 faits pour 1 000 habitants" in text
    assert "hausse significative" in text  # 4,000 → 5,000 in the département


@pytest.mark.parametrize("role", ["elu", "groupe_travail", "police"])
def test_the_same_report_from_counts_as_from_one_row_per_incident(demo_store: Path,
                                                                 role: str) -> None:
    from tests.screens.conftest import assert_same

    from .conftest import PERIOD, one_row_per_incident

    start, end = PERIOD  # its last month has data: the forecast is evaluated
    weighted = Gateway(str(demo_store)).view(role)
    expanded = one_row_per_incident(Gateway(str(demo_store)).view(role))
    a = plenary.build(weighted, start=start, end=end)
    b = plenary.build(expanded, start=start, end=end)
    assert_same(a, b)
    assert a.total.value > 0 and "Mois évalué" in a.forecast_text
    made = dt.date(2026, 1, 5)
    assert pdf_text(plenary.render_pdf(a, weighted, made_on=made)) == \
        pdf_text(plenary.render_pdf(b, expanded, made_on=made))
