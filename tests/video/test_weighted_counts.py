"""Coverage, before/after and siting give the same figures on weighted rows as on their expansion.

:meth:`clspd_geo.access.view.RoleView.counts` releases one row per atom with its count ``n``;
:func:`clspd_geo.access.release.expand` turns it into one row per incident. Nothing the
video-protection page shows may depend on which is given.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import make_points
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from clspd_geo import demo
from clspd_geo.access import release
from clspd_geo.video import before_after, cameras, coverage, siting
from weighted_release import role_release

X0, Y0 = 650_000.0, 6_860_000.0
AS_OF = dt.date(2026, 3, 15)


def _same_coverage_figures(cams, weighted, expanded, quartiers, *, epsg=None):
    """Assert every coverage table is the same on both tables; return the weighted coverage."""
    a = coverage.assess(cams, weighted, epsg=epsg)
    b = coverage.assess(cams, expanded, epsg=epsg)
    for by in ("total", "category", "field", "period"):
        pd.testing.assert_frame_equal(coverage.share_by(a, weighted, by=by),
                                      coverage.share_by(b, expanded, by=by))
    pd.testing.assert_frame_equal(coverage.per_camera(a, weighted, cams),
                                  coverage.per_camera(b, expanded, cams))
    pd.testing.assert_frame_equal(coverage.per_quartier(a, weighted, quartiers, cams),
                                  coverage.per_quartier(b, expanded, quartiers, cams))
    assert_geodataframe_equal(coverage.uncovered_hotspots(a, cell_size_m=100.0),
                              coverage.uncovered_hotspots(b, cell_size_m=100.0))
    return a


def _same_demand(weighted, expanded, *, epsg=None, **kw) -> siting.Demand:
    a = siting.demand_from_incidents(weighted, epsg=epsg, **kw)
    b = siting.demand_from_incidents(expanded, epsg=epsg, **kw)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_allclose(a.weight, b.weight, rtol=1e-12)
    assert (a.n_source, a.description, a.epsg) == (b.n_source, b.description, b.epsg)
    return a


@pytest.fixture
def cams() -> gpd.GeoDataFrame:
    """c1 looks north (90°, 100 m, 4K: recognition 15 m); c2 is a 50 m dome 300 m east."""
    return make_points([(X0, Y0), (X0 + 300, Y0)], camera_id=["c1", "c2"],
                       name=["Place nord", "Rue est"], status=["en_service", "en_service"],
                       bearing_deg=[0.0, np.nan], fov_deg=[90.0, 360.0],
                       range_m=[100.0, 50.0], resolution_px=[3840.0, np.nan],
                       commissioned_on=pd.to_datetime(["2024-02-01", None]))


@pytest.fixture
def quartiers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"quartier_id": ["q1", "q2"], "name": ["Ouest", "Est"]},
                            geometry=[box(X0 - 1000, Y0 - 1000, X0 + 150, Y0 + 1000),
                                      box(X0 + 150, Y0 - 1000, X0 + 3000, Y0 + 1000)],
                            crs=2154).to_crs(4326)


@pytest.fixture
def weighted() -> gpd.GeoDataFrame:
    """Rows standing for 1 to 7 incidents: seen by c1 (one recognised), by c2, by none."""
    xy = [(X0, Y0 + 10), (X0, Y0 + 80), (X0 + 300, Y0 - 30), (X0 + 40, Y0 + 50),
          (X0, Y0 - 50), (X0 + 2000, Y0), (X0 + 2000, Y0)]
    return make_points(
        xy, category=["rixe", "rixe", "cambriolage", "tapage", "rixe", "cambriolage", "rixe"],
        quartier_id=["q1", None, "q2", "q1", None, "q2", "q2"],
        occurred_at=pd.to_datetime(["2024-01-05 23:30", "2024-02-06 12:00",
                                    "2024-01-01 02:00", "2024-03-03 15:00",
                                    "2024-02-04 10:00", "2024-01-01 00:00", "2024-03-01 00:00"]),
        n=np.array([3, 1, 4, 2, 5, 7, 6], dtype=np.int64))


def test_coverage_figures_on_a_hand_made_table(cams, weighted, quartiers):
    expanded = release.expand(weighted)
    assert len(expanded) == 28
    cov = _same_coverage_figures(cams, weighted, expanded, quartiers)
    assert cov.matrix.shape == (7, 2) and cov.weights.tolist() == [3, 1, 4, 2, 5, 7, 6]
    total = coverage.share_by(cov, weighted).iloc[0]
    assert (total["incidents"], total["seen"], total["recognised"]) == (28, 3 + 1 + 4 + 2, 3)
    per_cam = coverage.per_camera(cov, weighted, cams)
    assert per_cam["incidents_seen"].tolist() == [6, 4]
    assert per_cam["night_incidents"].tolist() == [3, 4]


def test_before_after_on_a_hand_made_table(cams, weighted):
    expanded = release.expand(weighted)
    a = before_after.before_after(cams, weighted, window_days=30, ring_m=100.0)
    pd.testing.assert_frame_equal(a, before_after.before_after(cams, expanded, window_days=30,
                                                               ring_m=100.0))
    # c1 (1 February): 3 + 0 in view before (5 January is 27 days before), 1 + 0 after.
    assert (a["target_before"].iloc[0], a["target_after"].iloc[0]) == (3, 1)


@pytest.mark.parametrize("weights, half_life", [("egal", None), ("gravite", None),
                                                 ("gravite", 20.0)])
def test_siting_demand_on_a_hand_made_table(weighted, weights, half_life):
    expanded = release.expand(weighted)
    d = _same_demand(weighted, expanded, category_weights=weights, half_life_days=half_life)
    # The two rows at (X0 + 2000, Y0) are one demand point of 13 incidents.
    assert d.n_source == 28 and d.units == 6
    assert "28 faits en 6 positions distinctes" in d.description
    if weights == "egal":
        assert d.total == 28.0


@pytest.fixture(scope="module")
def demo_release():
    """The video-protection role's weighted release of a demo, its expansion, the layers."""
    frames = demo.build_demo(seed=5, n_incidents=6000)
    weighted, epsg = role_release(frames, "videoprotection", as_of=AS_OF)
    return weighted, release.expand(weighted), frames, epsg


def test_coverage_and_before_after_on_the_demo(demo_release):
    weighted, expanded, frames, epsg = demo_release
    assert weighted["n"].max() > 1 and len(weighted) < len(expanded)
    valid, _ = cameras.split_valid(frames["cameras"])
    cams = coverage.in_service(valid)
    cov = _same_coverage_figures(cams, weighted, expanded, frames["quartiers"], epsg=epsg)
    assert cov.seen.any()
    pd.testing.assert_frame_equal(before_after.before_after(valid, weighted, epsg=epsg),
                                  before_after.before_after(valid, expanded, epsg=epsg))


def test_siting_on_the_demo(demo_release):
    weighted, expanded, frames, epsg = demo_release
    _same_demand(weighted, expanded, epsg=epsg, category_weights="gravite", half_life_days=90.0)
    a = _same_demand(weighted, expanded, epsg=epsg, category_weights="gravite")
    b = siting.demand_from_incidents(expanded, epsg=epsg, category_weights="gravite")
    terr = frames["territoire"]
    cands = siting.candidates_from_points(siting.grid_sites(terr, spacing_m=250.0), epsg=epsg,
                                          territory=terr)
    valid, _ = cameras.split_valid(frames["cameras"])
    kw = dict(radius_m=100.0, n_new=4, existing=coverage.in_service(valid))
    pa, pb = siting.prepare(a, cands, **kw), siting.prepare(b, cands, **kw)
    ga, gb = siting.rescore(siting.greedy(pa), pa), siting.rescore(siting.greedy(pb), pb)
    assert ga.sites["site_id"].tolist() == gb.sites["site_id"].tolist()
    assert (ga.covered_before, ga.covered_after, ga.total_weight) == \
        (gb.covered_before, gb.covered_after, gb.total_weight)
