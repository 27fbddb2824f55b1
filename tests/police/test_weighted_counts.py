"""The police analyses give the same figures on a weighted release as on one row per incident.

:meth:`clspd_geo.access.view.RoleView.counts` releases one row per atom with its count ``n``;
:func:`clspd_geo.access.release.expand` turns it into one row per incident. Workload,
coordination, sector checks, redesign and patrol brief must not depend on which is given.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from clspd_geo import demo, vocab
from clspd_geo.access import release
from clspd_geo.police import blocks, load, patrol_brief, patrols, sector_checks, sectors
from conftest import make_points
from weighted_release import role_release

X0, Y0 = 650_000.0, 6_860_000.0  # the origin of the police tests' layers (Lambert-93)

AS_OF = dt.date(2026, 3, 15)


def _same_workload(a: patrols.Workload, b: patrols.Workload) -> None:
    for name in ("table", "by_sector_shift", "by_sector", "balance"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert (a.outside, a.n_days, a.shifts) == (b.outside, b.n_days, b.shifts)


def _same_coordination(a: patrols.Coordination, b: patrols.Coordination) -> None:
    for name in ("overlap", "uncovered", "gaps_by_force"):
        assert_geodataframe_equal(getattr(a, name), getattr(b, name), check_less_precise=True)
    pd.testing.assert_frame_equal(a.overlap_by_shift, b.overlap_by_shift)
    assert a.overlap_area_m2 == b.overlap_area_m2


def _same_brief(a: patrol_brief.PatrolBrief, b: patrol_brief.PatrolBrief) -> None:
    assert_geodataframe_equal(a.cells, b.cells, check_less_precise=True)
    assert_geodataframe_equal(a.facilities, b.facilities)
    assert a.n_incidents == b.n_incidents and (a.start, a.end) == (b.start, b.end)
    # The weighted brief keeps its rows for the map: they expand to the other's.
    expanded = release.expand(a.incidents.reset_index(drop=True))
    assert_geodataframe_equal(expanded, b.incidents.reset_index(drop=True))


@pytest.fixture
def weighted(incidents) -> gpd.GeoDataFrame:
    """The hand-made incidents of conftest, each row standing for 1 to 5 incidents."""
    return incidents.assign(n=np.array([3, 1, 2, 5, 4, 2], dtype=np.int64))


def test_row_loads_weigh_the_category_by_n(weighted):
    n, w = load.row_loads(weighted, weights={"rixe": 4.0, "tapage": 0.5})
    assert n.tolist() == [3, 1, 2, 5, 4, 2]
    assert w.tolist() == [3.0, 0.5, 8.0, 5.0, 2.0, 8.0]
    n1, w1 = load.row_loads(weighted.drop(columns=["n", "category"]))
    assert n1.tolist() == [1] * 6 and w1.tolist() == [1.0] * 6


def test_workload_coordination_and_checks_on_a_hand_made_table(weighted, two_pn_one_pm,
                                                               layer, square):
    expanded = release.expand(weighted)
    assert len(expanded) == 17
    wl = patrols.workload(weighted, two_pn_one_pm)
    _same_workload(wl, patrols.workload(expanded, two_pn_one_pm))
    assert wl.outside == 2 and int(wl.by_sector["n_incidents"].sum()) == 3 + 1 + 2 * 2 + 5 * 2 + 4
    territory = layer([square(-100, -100, 2200, 1200)])
    _same_coordination(patrols.coordination(two_pn_one_pm, weighted, territory=territory),
                       patrols.coordination(two_pn_one_pm, expanded, territory=territory))
    co = patrols.coordination(two_pn_one_pm, weighted)
    assert int(co.overlap_by_shift["n_incidents"].sum()) == 2 + 5
    a = sector_checks.check_sectors(two_pn_one_pm, incidents=weighted)
    b = sector_checks.check_sectors(two_pn_one_pm, incidents=expanded)
    assert a.problems == b.problems


def test_blocks_and_comparison_on_a_hand_made_table(weighted, two_pn_one_pm):
    expanded = release.expand(weighted)
    area = two_pn_one_pm.iloc[:2]
    a = blocks.grid_blocks(area, weighted, cell_size_m=500.0)
    b = blocks.grid_blocks(area, expanded, cell_size_m=500.0)
    assert_geodataframe_equal(a, b)
    assert int(a["n_incidents"].sum()) == 3 + 1 + 2 + 5 + 4
    pd.testing.assert_frame_equal(
        sectors.compare(two_pn_one_pm, two_pn_one_pm.iloc[:2], weighted),
        sectors.compare(two_pn_one_pm, two_pn_one_pm.iloc[:2], expanded))


def test_patrol_brief_on_a_hand_made_table(two_pn_one_pm):
    # Night fights and noise in sector A, 6 rows standing for 16 incidents (2 of them in the
    # 28 days before the recent window).
    xy = [(100, 100), (110, 100), (120, 130), (130, 120), (400, 400), (420, 400)]
    weighted = make_points([(X0 + x, Y0 + y) for x, y in xy],
                           category=["rixe", "rixe", "tapage", "tapage", "rixe", "cambriolage"],
                           occurred_at=pd.to_datetime(["2026-03-02 23:00", "2026-03-05 23:00",
                                                       "2026-03-06 01:00", "2026-02-01 01:00",
                                                       "2026-03-07 23:30", "2026-03-08 22:30"]),
                           n=np.array([4, 1, 3, 2, 4, 2], dtype=np.int64))
    expanded = release.expand(weighted)
    kw = dict(sector_id="A", shift="nuit", as_of=pd.Timestamp("2026-03-15"), recent_days=28,
              cell_size_m=200.0)
    a = patrol_brief.build_brief(two_pn_one_pm, weighted, **kw)
    _same_brief(a, patrol_brief.build_brief(two_pn_one_pm, expanded, **kw))
    assert a.n_incidents == 4 + 1 + 3 + 4 + 2
    first = a.cells.iloc[0]
    assert first["n_incidents"] == 8 and first["n_before"] == 2
    labels = vocab.category_labels()
    assert first["categories"] == f"{labels['rixe']} (5), {labels['tapage']} (3)"


@pytest.fixture(scope="module")
def demo_points():
    """The police's weighted release of a demo (every row as a point with its n), the
    same rows expanded, and the demo's layers."""
    frames = demo.build_demo(seed=5, n_incidents=6000)
    counts, _ = role_release(frames, "police", as_of=AS_OF)
    pts = load.released_points(counts)
    return pts, release.expand(pts), frames


def test_the_demo_release_has_rows_of_many_incidents(demo_points):
    pts, expanded, _ = demo_points
    assert pts["n"].max() > 1 and len(pts) < len(expanded)
    assert list(pts.columns) == ["occurred_at", "category", "n", "geometry"]
    assert pts.crs.to_epsg() == 4326


def test_released_points_of_a_table_without_n_stand_for_one_incident(incidents):
    rows = pd.DataFrame({"occurred_at": incidents["occurred_at"],
                         "category": incidents["category"].astype("category"),
                         "lon": incidents.geometry.x, "lat": incidents.geometry.y})
    pts = load.released_points(rows)
    assert pts["n"].tolist() == [1] * len(rows)
    assert pts["category"].tolist() == incidents["category"].tolist()
    assert pts.geom_equals(incidents.geometry.reset_index(drop=True)).all()


def test_police_analyses_on_the_demo(demo_points):
    pts, expanded, frames = demo_points
    secteurs, territoire = frames["secteurs"], frames["territoire"]
    _same_workload(patrols.workload(pts, secteurs), patrols.workload(expanded, secteurs))
    _same_coordination(patrols.coordination(secteurs, pts, territory=territoire),
                       patrols.coordination(secteurs, expanded, territory=territoire))
    assert (sector_checks.check_sectors(secteurs, incidents=pts).problems
            == sector_checks.check_sectors(secteurs, incidents=expanded).problems)
    force = str(secteurs["force"].iloc[0])
    a_red, a_tab = sectors.propose(secteurs, pts, k=3, force=force, cell_size_m=500.0)
    b_red, b_tab = sectors.propose(secteurs, expanded, k=3, force=force, cell_size_m=500.0)
    assert_geodataframe_equal(a_red.sectors, b_red.sectors, check_less_precise=True)
    pd.testing.assert_frame_equal(a_tab, b_tab)
    end = pd.Timestamp(pts["occurred_at"].max()) + pd.Timedelta(days=1)
    busiest = patrols.workload(pts, secteurs).by_sector.sort_values("load").iloc[-1]
    kw = dict(sector_id=str(busiest["sector_id"]), shift="nuit", as_of=end, recent_days=90,
              facilities=frames["equipements"])
    _same_brief(patrol_brief.build_brief(secteurs, pts, **kw),
                patrol_brief.build_brief(secteurs, expanded, **kw))
