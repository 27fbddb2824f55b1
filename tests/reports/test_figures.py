"""Figures of the reports (clspd_geo.reports.figures): small counts withheld, as on screen."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo import demo
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.analysis.indicators import Kpi
from clspd_geo.reports import figures
from clspd_geo.store import GeoPackageStore

NNBSP = "\u202f"


@pytest.mark.parametrize(("value", "printable"), [(0, True), (4, False), (5, True),
                                                  (120, True)])
def test_printable_zero_or_at_least_k(value: int, printable: bool) -> None:
    assert figures.printable(value, k=5) is printable


def test_kpi_box_and_change_text() -> None:
    assert figures.kpi_box(Kpi("Faits", 125, 100), k=5) == (
        "Faits", "125", f"+25{NNBSP}% par rapport à N-1 (100)")
    assert figures.kpi_box(Kpi("Faits", 12, 0), k=5) == ("Faits", "12", "N-1 : 0")
    assert figures.kpi_box(Kpi("Faits", 12, 3), k=5) == (
        "Faits", "12", "évolution non publiée (petit effectif)")
    assert figures.kpi_box(Kpi("Faits", 3, 12), k=5)[1] == f"<{NNBSP}5"
    assert figures.change_text(Kpi("Faits", 50, 100), k=5) == (
        f"−50{NNBSP}% par rapport à la même période de N-1")
    assert figures.change_text(Kpi("Faits", 7, 0), k=5) == "aucun fait l'année précédente"
    assert figures.change_text(Kpi("Faits", 2, 10), k=5) == (
        "évolution non publiée (petit effectif)")


def counts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["Centre", "Gare", "Plaine"], "qpv": [False, True, None],
                             "faits": [30, 10, 3], "faits_n1": [20, 2, 0],
                             "pour_1000": [12.5, 4.0, np.nan]},
                            geometry=[box(0, 0, 1, 1)] * 3, crs=4326)


def test_quartier_rows_print_change_and_rate_only_when_safe() -> None:
    assert figures.quartier_rows(counts(), k=5) == [
        ["Centre", "30", "20", f"+50{NNBSP}%", "12,5"],
        ["Gare (QPV)", "10", f"<{NNBSP}5", "—", "4,0"],
        ["Plaine", f"<{NNBSP}5", "0", "—", "—"],
    ]


def test_qpv_share_and_all_counts() -> None:
    assert figures.qpv_share(counts()) == pytest.approx(100 * 10 / 43)
    assert figures.qpv_share(counts().iloc[:0]) is None
    assert figures.qpv_share(counts().assign(faits=0)) is None
    assert figures.all_counts(counts()).tolist() == [30, 10, 3, 20, 2, 0]


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> RoleView:
    path = tmp_path_factory.mktemp("figures") / "s.gpkg"
    demo.install(GeoPackageStore(path, create=True), seed=1, n_incidents=500)
    return RoleView(GeoPackageStore(path), "police")


def test_territory_name_population_and_sources(view: RoleView) -> None:
    terr = view.layer("territoire")
    assert figures.commune_name(view) == ", ".join(terr["name"].unique())
    assert figures.population(view) == float(terr["population"].sum()) > 0
    assert figures.sources(view, "territoire") == " ; ".join(view.sources("territoire"))


def test_quartier_counts_add_up_to_the_selection(view: RoleView) -> None:
    end = dt.date.today().replace(day=1)
    sel = figures.selection(view, start=end.replace(year=end.year - 1), end=end)
    assert set(sel.categories) == set(figures.visible_categories(view))
    assert figures.selection(view, start=sel.start, end=sel.end,
                             categories=["inconnue", *sel.categories[:1]]).categories == \
        sel.categories[:1]
    table = figures.quartier_counts(view, sel)
    assert len(table) == len(view.layer("quartiers"))
    assert table["faits"].is_monotonic_decreasing
    inc = figures.quartiered(view)
    when = pd.to_datetime(inc["occurred_at"])
    inside = inc[(when >= pd.Timestamp(sel.start)) & (when < pd.Timestamp(sel.end))
                 & inc["quartier_id"].notna() & inc["category"].isin(sel.categories)]
    assert table["faits"].sum() == indicators.weights(inside).sum() > 0


@pytest.mark.parametrize("role", ["public", "groupe_travail", "police"])
def test_the_same_figures_from_counts_as_from_one_row_per_incident(demo_store, role) -> None:
    from clspd_geo.access.gateway import Gateway

    from .conftest import PERIOD, one_row_per_incident

    weighted = Gateway(str(demo_store)).view(role)
    expanded = one_row_per_incident(Gateway(str(demo_store)).view(role))
    sel = figures.selection(weighted, start=PERIOD[0], end=PERIOD[1])
    a, b = figures.quartier_counts(weighted, sel), figures.quartier_counts(expanded, sel)
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    assert a["faits"].sum() > 0
    ta, ha = figures.trend(weighted, sel, k=weighted.small_count_k)
    tb, hb = figures.trend(expanded, sel, k=weighted.small_count_k)
    pd.testing.assert_frame_equal(ta, tb)
    assert ha == hb
    rows = figures.category_rows(weighted, sel, k=weighted.small_count_k)
    assert rows == figures.category_rows(expanded, sel, k=weighted.small_count_k) and rows
    # Filled quartiers weigh the same incidents as the expanded rows they stand for.
    qa, qb = figures.quartiered(weighted), figures.quartiered(expanded)
    assert len(qa) < len(qb) == indicators.weights(qa).sum()
    assert indicators.counts_by(qa, "quartier_id").to_dict() == \
        qb["quartier_id"].value_counts().to_dict()
