"""The action-field analyses give the same figures on a weighted table as on one row per incident.

The field pages pass :meth:`clspd_geo.access.view.RoleView.counts` (one row per released
atom, its number of incidents in ``n``) to :mod:`clspd_geo.analysis.schools`,
:mod:`~clspd_geo.analysis.addictions`, :mod:`~clspd_geo.analysis.victims` and
:mod:`~clspd_geo.analysis.rates`; :func:`clspd_geo.access.release.expand` turns that table
into one row per incident. Hand-made tables check the known answers with weights, the demo
release checks that both tables give the same results.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from clspd_geo.access import release
from clspd_geo.analysis import _field, addictions, rates, schools, victims
from clspd_geo.errors import EmptySelectionError
from tests.analysis.field_layers import (EPSG, MONDAY_10H, MONDAY_20H, X0, Y0, facilities_at,
                                         incidents_at, quartier_strip, weighted_demo)

AS_OF = dt.date(2026, 3, 15)


def _weighted(gdf: gpd.GeoDataFrame, n: list[int]) -> gpd.GeoDataFrame:
    return gdf.assign(n=np.asarray(n, dtype=np.int64))


def test_median_of_repeated_values_without_repeating_them():
    assert _field.median(np.array([400.0, 100.0]), np.array([1, 3])) == 100.0
    assert _field.median(np.array([100.0, 400.0]), np.array([2, 2])) == 250.0
    assert _field.median(np.array([5.0, 1.0, 9.0]), np.array([0, 1, 1])) == 5.0
    assert np.isnan(_field.median(np.array([1.0]), np.array([0])))
    rng = np.random.default_rng(4)
    for _ in range(50):
        v = rng.choice([1.0, 2.5, 7.0, np.inf], size=rng.integers(1, 9))
        w = rng.integers(0, 5, size=v.size)
        if w.sum():
            assert _field.median(v, w) == np.median(np.repeat(v, w))


def test_school_rings_and_zones_weigh_rows():
    school_sites = facilities_at([(0, 0), (800, 0)], ["college", "lycee"], ["Collège A", "Lycée B"])
    inc = _weighted(incidents_at([(100, 0), (150, 0), (300, 0), (700, 0), (0, 900)],
                                 [MONDAY_10H, MONDAY_20H, MONDAY_10H, MONDAY_20H, MONDAY_10H],
                                 cats=["violences_scolaires"] * 5), [4, 1, 2, 3, 5])
    res = schools.school_surroundings(inc, school_sites, epsg=EPSG)
    assert list(res.table["Faits"]) == [8, 2, 5]  # 100 m: 4; 150 m: 1; 700 m → B at 100 m: 3
    assert list(res.table["Aux heures scolaires"]) == [4, 2, 5]
    assert res.counts == (8, 2, 5) and res.shares[0] == pytest.approx(50.0)
    zones = schools.school_zone_counts(inc, school_sites, epsg=EPSG, radius_m=500.0)
    assert dict(zip(zones["École"], zones["faits"], strict=True)) == {"Collège A": 7,
                                                                      "Lycée B": 3}
    flat = release.expand(inc)
    pd.testing.assert_frame_equal(res.table,
                                  schools.school_surroundings(flat, school_sites, epsg=EPSG).table)
    pd.testing.assert_frame_equal(zones, schools.school_zone_counts(flat, school_sites, epsg=EPSG,
                                                                    radius_m=500.0))


def test_hours_unknown_are_told_from_the_number_of_incidents_not_of_rows():
    # Two monthly atoms at midnight stand for 6 incidents: no hours, as on the expanded rows.
    inc = _weighted(incidents_at([(10, 0), (20, 0)], ["2025-03-01 00:00"] * 2), [3, 3])
    bars = facilities_at([(0, 0)], ["debit_boissons"])
    for table in (inc, release.expand(inc)):
        with pytest.raises(EmptySelectionError, match="heures des faits"):
            addictions.alcohol_by_night_hour(table, bars, epsg=EPSG)
        with pytest.raises(EmptySelectionError, match="heures de classe"):
            schools.school_surroundings(table, facilities_at([(0, 0)], ["college"]), epsg=EPSG)


def test_alcohol_night_hours_and_dense_cells_weigh_rows():
    bars = facilities_at([(0, 0)], ["debit_boissons"])
    inc = _weighted(incidents_at([(50, 0), (500, 0), (50, 0)],
                                 ["2025-03-08 23:10", "2025-03-09 01:45", "2025-03-08 12:00"]),
                    [6, 2, 9])
    res = addictions.alcohol_by_night_hour(inc, bars, epsg=EPSG, radius_m=100)
    t = res.table.set_index("Heure")
    assert t.loc["23 h", "Près d'un débit de boissons"] == 6 and t.loc["1 h", "Ailleurs"] == 2
    assert int(t.to_numpy().sum()) == 8 and "75 %" in res.sentence()
    pd.testing.assert_frame_equal(res.table, addictions.alcohol_by_night_hour(
        release.expand(inc), bars, epsg=EPSG, radius_m=100).table)
    terr = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=2154).to_crs(4326)
    # One row of 5 incidents outranks three rows of one incident each.
    spots = _weighted(incidents_at([(50, 50)] * 3 + [(750, 750)], [MONDAY_20H] * 4),
                      [1, 1, 1, 5])
    got = addictions.dense_cells(spots, terr, epsg=EPSG, cell_m=200, min_count=3)
    assert list(got["faits"]) == [5, 3]
    assert_geodataframe_equal(got, addictions.dense_cells(release.expand(spots), terr,
                                                          epsg=EPSG, cell_m=200, min_count=3))


def test_support_access_weighs_counts_share_and_median_distance():
    q = quartier_strip([1000, 1000, 1000])
    support = facilities_at([(500, 500)], ["asso_aide_victimes"])
    # Q0: 3 incidents at 0 m and 1 at 300 m (median 0 m); Q1: 2 at 600 m, 2 at 1,000 m.
    inc = _weighted(incidents_at([(500, 500), (800, 500), (1100, 500), (1500, 500)],
                                 [MONDAY_20H] * 4, cats=["coups_et_blessures"] * 4,
                                 quartiers=["Q0", "Q0", "Q1", "Q1"]), [3, 1, 2, 2])
    res = victims.support_access(inc, q, support, epsg=EPSG, k=4, sample_m=100.0, minutes=10)
    got = res.quartiers.set_index("quartier_id")
    assert list(got["faits"]) == [4, 4, 0]
    assert got.loc["Q0", "distance_faits_m"] == pytest.approx(0.0, abs=0.01)
    assert got.loc["Q1", "distance_faits_m"] == pytest.approx(800.0, abs=0.01)
    assert res.n_incidents == 8 and res.share_within_pct == pytest.approx(75.0)  # 750 m
    flat = victims.support_access(release.expand(inc), q, support, epsg=EPSG, k=4,
                                  sample_m=100.0, minutes=10)
    assert_geodataframe_equal(res.quartiers, flat.quartiers)
    assert (res.share_within_pct, res.n_incidents) == (flat.share_within_pct, flat.n_incidents)


def test_rates_by_quartier_weigh_rows():
    q = quartier_strip([2000, 1000, 500])
    inc = pd.DataFrame({"quartier_id": ["Q0", "Q0", "Q1", "Q2", None], "n": [6, 4, 3, 5, 7]})
    res = rates.rates_by_quartier(inc, q, k=5)
    got = res.quartiers.set_index("quartier_id")
    assert list(got["faits_affiches"]) == ["10", "< 5", "5"]
    assert got.loc["Q0", "taux_pour_1000"] == pytest.approx(5.0)
    assert_geodataframe_equal(res.quartiers,
                              rates.rates_by_quartier(release.expand(inc), q, k=5).quartiers)


@pytest.fixture(scope="module")
def demo_tables():
    """The elected officials' weighted release of the demo, and a timed table with weights."""
    weighted, prepared, frames, epsg = weighted_demo(seed=5, n_incidents=6000, as_of=AS_OF)
    # Released atoms carry no hour: the hour analyses get the points with made-up counts.
    timed = prepared.assign(n=np.random.default_rng(2).integers(1, 5, size=len(prepared)))
    return weighted, timed, frames, epsg


def test_demo_field_analyses_are_the_same_on_both_tables(demo_tables):
    weighted, timed, frames, epsg = demo_tables
    assert (weighted["n"] > 1).any() and (timed["n"] > 1).any()
    equip, q = frames["equipements"], frames["quartiers"]
    for table in (weighted, timed):
        flat = release.expand(table)
        a, b = (victims.support_access(t, q, equip, epsg=epsg, k=11) for t in (table, flat))
        assert_geodataframe_equal(a.quartiers, b.quartiers)
        assert (a.share_within_pct, a.n_incidents) == (b.share_within_pct, b.n_incidents)
        a, b = (rates.rates_by_quartier(t, q, k=11, aggregated=True) for t in (table, flat))
        assert_geodataframe_equal(a.quartiers, b.quartiers)
        a, b = (addictions.dense_cells(t, frames["territoire"], epsg=epsg) for t in (table, flat))
        assert_geodataframe_equal(a, b)
        pd.testing.assert_frame_equal(schools.school_zone_counts(table, equip, epsg=epsg, k=11),
                                      schools.school_zone_counts(flat, equip, epsg=epsg, k=11))
    flat = release.expand(timed)
    a, b = (schools.school_surroundings(t, equip, epsg=epsg, k=11) for t in (timed, flat))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (a.counts, a.shares) == (b.counts, b.shares)
    alcohol = timed[timed["category"] == "ivresse_publique"]
    pd.testing.assert_frame_equal(
        addictions.alcohol_by_night_hour(alcohol, equip, epsg=epsg).table,
        addictions.alcohol_by_night_hour(release.expand(alcohol), equip, epsg=epsg).table)
