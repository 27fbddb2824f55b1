"""Truth tests of the siting figures on real data (../shared/data), by independent counts.

Each headline figure of the video page and of ``siting`` is recomputed here without the
library's coverage code: a plain :class:`scipy.spatial.cKDTree` on the accident points,
projected with pyproj. Skipped when the shared samples are absent.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from real_samples import paris_accidents, paris_cameras
from scipy.spatial import cKDTree

from clspd_geo.video import coverage, siting

TO_L93 = Transformer.from_crs(4326, 2154, always_xy=True)


def _xy(gdf) -> np.ndarray:
    return np.column_stack(TO_L93.transform(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()))


def _within(points: np.ndarray, centres: np.ndarray, radius_m: float) -> np.ndarray:
    """Plain count: True for the points within ``radius_m`` of at least one centre."""
    hit = np.zeros(len(points), dtype=bool)
    if len(centres):
        for near in cKDTree(points).query_ball_point(centres, r=radius_m):
            hit[near] = True
    return hit


@pytest.fixture
def paris(shared_data):
    acc = paris_accidents(shared_data, 2013)
    cams = paris_cameras(shared_data, 50.0)
    crossings = pd.read_csv(shared_data / "videoprotection" /
                            "paris_street_intersections_osm.csv.gz")
    sites = gpd.GeoDataFrame({"name": crossings["nom1"] + " × " + crossings["nom2"]},
                             geometry=gpd.points_from_xy(crossings["lon"], crossings["lat"]),
                             crs=4326)
    return acc, cams, sites


def test_paris_cameras_cover_the_accidents_a_kd_tree_counts(paris):
    acc, cams, _ = paris
    seen = coverage.assess(cams, acc, epsg=2154).seen
    plain = _within(_xy(acc), _xy(cams), 50.0)
    assert int(seen.sum()) == int(plain.sum()) == 1055  # of 6,653 accidents in 2013
    np.testing.assert_array_equal(seen, plain)


def test_siting_answer_rescored_on_the_points_equals_what_is_printed(paris):
    acc, cams, sites = paris
    demand = siting.demand_from_incidents(acc, epsg=2154)
    assert demand.n_source == len(acc) == 6653 and demand.total == 6653.0
    cand = siting.candidates_from_points(sites, epsg=2154, label_column="name")
    problem = siting.prepare(demand, cand, radius_m=75.0, n_new=40, existing=cams)
    claimed = siting.exact(problem, time_limit_s=120.0)
    printed = siting.rescore(claimed, problem)
    # The point-level optimum, proven (HiGHS alone on the same model finds 2,142 too).
    assert printed.status == "optimal" and printed.gap == 0.0
    assert (printed.covered_before, printed.covered_after) == (1055.0, 2142.0)
    assert (claimed.covered_before, claimed.covered_after) == (1055.0, 2142.0)
    # Independent count on the 6,653 raw points (duplicates not merged).
    pts = _xy(acc)
    before = _within(pts, _xy(cams), 50.0)
    after = before | _within(pts, _xy(printed.sites), 75.0)
    assert printed.covered_before == before.sum() and printed.covered_after == after.sum()
    assert printed.sites["covered_after"].iloc[-1] == after.sum()
    assert printed.summary()["couvert_apres"] == after.sum()
    assert "couverture de 15,9\u202f% à 32,2\u202f% de la demande" in printed.message
    assert len(printed.sites) == 40 and printed.sites["marginal_gain"].min() > 0
