"""Headline figures checked against an independent computation on the real samples.

- PAI of last period's counts (Paris accidents 2012 → 2013, 200 m cells): a plain numpy
  histogram, a plain centre-in-polygon mask and a hand-written tie split, against
  :func:`clspd_geo.analysis.forecast.forecast_accuracy`;
- quartier totals (Paris accidents 2013 in the 80 quartiers administratifs): a plain
  geopandas spatial join against what the role views publish;
- KPI = sum of its tables, for every role, on the same store.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from clspd_geo import vocab
from clspd_geo.analysis import areas, cells, forecast, indicators

AS_OF = dt.date(2026, 11, 25)


def _accidents(folder, years=(2012, 2013)) -> gpd.GeoDataFrame:
    frames = [pd.read_csv(folder / "accidents" / f"paris_accidents_{y}.csv.gz") for y in years]
    df = pd.concat(frames, ignore_index=True).dropna(subset=["lon", "lat"])
    df["occurred_at"] = pd.to_datetime(df["date"] + " " + df["heure"].fillna("00:00"),
                                       errors="coerce")
    df = df.dropna(subset=["occurred_at"]).reset_index(drop=True)
    return gpd.GeoDataFrame(df[["accident_id", "occurred_at"]],
                            geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)


def _expected_hits_by_hand(scores: np.ndarray, test: np.ndarray, k: int) -> float:
    """Top-k hits, tied cells at the threshold sharing the remaining places evenly."""
    thr = np.sort(scores)[::-1][k - 1]
    above = scores > thr
    tied = scores == thr
    return float(test[above].sum() + (k - above.sum()) / tied.sum() * test[tied].sum())


def test_pai_by_plain_histogram(shared_data):
    inc = _accidents(shared_data)
    paris = gpd.read_file(shared_data / "boundaries" / "communes-75-paris.geojson")
    rep = forecast.forecast_accuracy(inc, paris, train=("2012-01-01", "2013-01-01"),
                                     test=("2013-01-01", "2014-01-01"), cell_size_m=200)
    grid = cells.grid_for(paris, cell_size_m=200)  # only its origin and size are used
    tr = Transformer.from_crs(4326, grid.epsg, always_xy=True)
    x, y = tr.transform(inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy())
    xe = grid.x0 + 200.0 * np.arange(grid.nx + 1)
    ye = grid.y0 + 200.0 * np.arange(grid.ny + 1)
    year = inc["occurred_at"].dt.year.to_numpy()
    h12 = np.histogram2d(y[year == 2012], x[year == 2012], bins=[ye, xe])[0].ravel()
    h13 = np.histogram2d(y[year == 2013], x[year == 2013], bins=[ye, xe])[0].ravel()
    cx, cy = np.meshgrid(xe[:-1] + 100.0, ye[:-1] + 100.0)
    shape = shapely.union_all(paris.to_crs(grid.epsg).geometry.to_numpy())
    inside = shapely.contains_xy(shape, cx.ravel(), cy.ravel())
    train, test = h12[inside], h13[inside]
    k = int(round(0.05 * inside.sum()))
    hits = _expected_hits_by_hand(train, test, k)
    pai = (hits / test.sum()) / (k / inside.sum())
    best = np.sort(test)[::-1][:k].sum()
    row = rep.row("derniere_periode")
    assert rep.n_cells == int(inside.sum())
    assert rep.n_test == int(test.sum()) and rep.n_train == int(train.sum())
    assert row["pai"] == pytest.approx(pai, rel=1e-12)
    assert row["pei"] == pytest.approx(hits / best, rel=1e-12)
    assert row["pai"] > 5  # Paris accidents concentrate: about six times chance
    # Uniform scores exactly chance.
    assert rep.row("uniforme")["pai"] == pytest.approx(1.0, rel=1e-12)


def _paris_store(folder, path):
    from clspd_geo.store import GeoPackageStore

    paris = gpd.read_file(folder / "boundaries" / "communes-75-paris.geojson").to_crs(4326)
    terr = gpd.GeoDataFrame({"insee_code": ["75056"], "name": ["Paris"],
                             "population": [2_200_000], "fictitious": [False]},
                            geometry=[shapely.union_all(paris.geometry.to_numpy())], crs=4326)
    q = gpd.read_file(folder / "areas" / "paris_quartiers_administratifs.geojson").to_crs(4326)
    quartiers = gpd.GeoDataFrame(
        {"quartier_id": q["c_quinsee"].astype(str), "name": q["l_qu"],
         "insee_code": "75056", "qpv": False, "population": np.nan},
        geometry=q.geometry.to_numpy(), crs=4326)
    acc = _accidents(folder, years=(2013,))
    # The same category throughout: a fact a road-safety planner counts.
    incidents = gpd.GeoDataFrame(
        {"incident_id": acc["accident_id"].astype(str), "occurred_at": acc["occurred_at"],
         "category": "conduite_dangereuse",
         "quartier_id": areas.assign_quartier(acc, quartiers).to_numpy()},
        geometry=acc.geometry.to_numpy(), crs=4326)
    store = GeoPackageStore(path, create=True)
    store.write_many({"territoire": terr, "quartiers": quartiers, "incidents": incidents},
                     source="Paris, accidents 2013 (échantillon réel)")
    return store, acc, quartiers


@pytest.fixture(scope="module")
def paris(tmp_path_factory):
    from conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("échantillons de données réelles absents")
    return _paris_store(SHARED_DATA, tmp_path_factory.mktemp("truth") / "paris.gpkg")


YEAR = indicators.Selection(dt.date(2013, 1, 1), dt.date(2014, 1, 1), ("conduite_dangereuse",))


def test_quartier_totals_by_plain_spatial_join(paris):
    from clspd_geo.access.view import RoleView
    from clspd_geo.screens import fields, hotspots

    store, acc, quartiers = paris
    joined = gpd.sjoin(acc, quartiers[["quartier_id", "geometry"]], predicate="within")
    joined = joined[~joined.index.duplicated()]
    truth = joined["quartier_id"].value_counts()
    assert truth.sum() > 6000
    police = RoleView(store, "police", as_of=AS_OF)
    table = indicators.by_quartier(police.incidents(), police.layer("quartiers"), YEAR)
    got = table.set_index("quartier_id")["Faits"]
    got = got[got > 0]
    assert dict(zip(got.index.astype(str), got.astype(int), strict=True)) == \
        dict(zip(truth.index.astype(str), truth.astype(int), strict=True))
    # Élu: quartier totals are sums of released atoms (k = 11), never above the truth, and
    # every fact is in a quartier, published for the territory only, or withheld.
    elu = RoleView(store, "elu", as_of=AS_OF)
    agg = hotspots.aggregate_areas(elu, YEAR)
    q = agg.rates.quartiers.set_index("quartier_id")["faits"]
    assert (q <= truth.reindex(q.index).fillna(0)).all()
    assert ((q == 0) | (q >= elu.small_count_k)).all()
    published_in_q = len(elu.incidents(YEAR)) - agg.n_outside
    assert q.sum() == published_in_q
    assert q.sum() + agg.n_outside + elu.withheld(YEAR) == len(acc)
    assert not agg.rates.population_known  # counts, not rates, when population is unknown
    assert fields.outside_quartiers(elu, YEAR) == agg.n_outside


@pytest.mark.parametrize("role", ["police", "elu", "groupe_travail", "public", "partenaire",
                                  "videoprotection"])
def test_kpi_is_the_sum_of_its_tables_on_real_data(paris, role):
    from clspd_geo.access.view import RoleView
    from clspd_geo.screens import fields

    store, acc, _ = paris
    view = RoleView(store, role, as_of=AS_OF)
    df = view.incidents()
    sel = YEAR
    kpi = indicators.total_kpi(df, sel)
    per_cat = indicators.by_category(df, sel)
    per_q = indicators.by_quartier(df, view.layer("quartiers"), sel)
    assert kpi.value == per_cat["Faits"].sum()
    assert per_q["Faits"].sum() + fields.outside_quartiers(view, sel) == kpi.value
    if view.category_rule("conduite_dangereuse").access == "never":
        assert kpi.value == 0 and view.withheld(sel) == 0
    else:  # every real fact is published to the role or counted as not published
        assert kpi.value + view.withheld(sel) == len(acc)
