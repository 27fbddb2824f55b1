"""Bounds on what the cameras see of incidents released by zone (clspd_geo.video.seen_bounds).

Hand-made frames whose answers are known, then the property the page relies on: on points
aggregated to cells as a role's release does, the exact share always lies between the
bounds (random points, and the real Paris cameras and accidents).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo.video import cameras, coverage, seen_bounds

EPSG = 2154
X0, Y0 = 650_000.0, 6_860_000.0


def _dome(x: float, y: float, range_m: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"camera_id": ["c1"], "kind": ["dome"], "status": ["en_service"],
                             "bearing_deg": [np.nan], "fov_deg": [360.0],
                             "range_m": [range_m]},
                            geometry=[Point(x, y)], crs=EPSG)


def _rows(spec: list[tuple[str, float, float, str | None, str | None, int]]) -> pd.DataFrame:
    level, x, y, q, c, n = zip(*spec)
    return pd.DataFrame({"zone_level": list(level), "x": list(x), "y": list(y),
                         "quartier_id": list(q), "insee_code": list(c), "n": list(n),
                         "category": ["cambriolage"] * len(spec)})


def test_each_kind_of_zone_gets_the_bounds_its_outline_allows():
    cams = _dome(X0, Y0, 100.0)
    views = cameras.view_polygons(cams)
    quartiers = gpd.GeoDataFrame({"quartier_id": ["q1"], "insee_code": ["75056"]},
                                 geometry=[box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)],
                                 crs=EPSG)
    territoire = gpd.GeoDataFrame({"insee_code": ["75056"]},
                                  geometry=[box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)],
                                  crs=EPSG)
    rows = _rows([
        ("point", X0 + 50, Y0, "q1", "75056", 1),        # seen: sure
        ("point", X0 + 150, Y0, "q1", "75056", 1),       # not seen: neither
        ("grille", X0, Y0, "q1", "75056", 2),            # 40 m cell inside the disc: sure
        ("grille", X0 + 90, Y0, "q1", "75056", 3),       # cell across the edge: possible
        ("grille", X0 + 2000, Y0, None, "75056", 5),     # cell far away: neither
        ("quartier", X0 + 300, Y0 + 300, "q1", "75056", 10),  # quartier holds the disc
        ("quartier", X0, Y0, "q9", "75056", 4),          # unknown outline: possible only
        ("territoire", X0, Y0, None, "75056", 7),        # the commune: possible
    ])
    seen = coverage.assess(cams, rows, epsg=EPSG).seen
    sure, possible = seen_bounds.row_bounds(rows, seen=seen, views=views, quartiers=quartiers,
                                            territoire=territoire, epsg=EPSG, cell_size_m=40.0)
    assert sure.tolist() == [True, False, True, False, False, False, False, False]
    assert possible.tolist() == [True, False, True, True, False, True, True, True]
    b = seen_bounds.total(rows, sure, possible)
    assert (b.incidents, b.exact, b.low, b.high) == (33, 2, 3, 27)
    assert b.low_share == pytest.approx(3 / 33) and b.high_share == pytest.approx(27 / 33)
    assert not b.is_exact


def test_rows_at_their_own_position_give_the_exact_share():
    cams = _dome(X0, Y0, 100.0)
    rows = _rows([("point", X0 + d, Y0, None, None, 1) for d in (10, 60, 99, 101, 500)])
    seen = coverage.assess(cams, rows, epsg=EPSG).seen
    sure, possible = seen_bounds.row_bounds(
        rows, seen=seen, views=cameras.view_polygons(cams), quartiers=gpd.GeoDataFrame(),
        territoire=gpd.GeoDataFrame(), epsg=EPSG, cell_size_m=200.0)
    b = seen_bounds.total(rows, sure, possible)
    assert b.is_exact and (b.low, b.incidents) == (3, 5)


def test_by_category_keeps_the_vocabulary_order():
    rows = _rows([("point", X0, Y0, None, None, 2), ("point", X0, Y0, None, None, 1)])
    rows["category"] = ["degradation", "cambriolage"]
    out = seen_bounds.bounds_by(rows, np.array([True, False]), np.array([True, True]),
                                by="category")
    assert out["group"].tolist() == ["cambriolage", "degradation"]
    assert out["low"].tolist() == [0, 2] and out["high"].tolist() == [1, 2]
    assert out["label"].iloc[0] == "Cambriolage"


def _as_cells(x: np.ndarray, y: np.ndarray, cell_m: float) -> pd.DataFrame:
    """Points gathered into cells of ``cell_m`` at their centres, as a grid release does."""
    cx, cy = np.floor(x / cell_m), np.floor(y / cell_m)
    cells = pd.DataFrame({"cx": cx, "cy": cy}).value_counts().rename("n").reset_index()
    return pd.DataFrame({"zone_level": "grille", "x": (cells["cx"] + 0.5) * cell_m,
                         "y": (cells["cy"] + 0.5) * cell_m, "quartier_id": None,
                         "insee_code": None, "n": cells["n"], "category": "cambriolage"})


def _check_cells_bound_the_truth(cams: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray,
                                 cell_m: float) -> seen_bounds.SeenBounds:
    pts = pd.DataFrame({"x": x, "y": y})
    truth = int(coverage.assess(cams, pts, epsg=EPSG).seen.sum())
    rows = _as_cells(x, y, cell_m)
    seen = coverage.assess(cams, rows, epsg=EPSG).seen
    sure, possible = seen_bounds.row_bounds(
        rows, seen=seen, views=cameras.view_polygons(cams), quartiers=gpd.GeoDataFrame(),
        territoire=gpd.GeoDataFrame(), epsg=EPSG, cell_size_m=cell_m)
    b = seen_bounds.total(rows, sure, possible)
    assert b.incidents == len(x)
    assert b.low <= truth <= b.high, (b, truth)
    return b


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_random_points_the_exact_share_lies_between_the_bounds(seed):
    rng = np.random.default_rng(seed)
    n_cam = 30
    cams = gpd.GeoDataFrame({
        "camera_id": [f"c{i}" for i in range(n_cam)], "status": "en_service",
        "bearing_deg": rng.uniform(0, 360, n_cam), "fov_deg": rng.choice([60.0, 90.0, 360.0],
                                                                         n_cam),
        "range_m": rng.uniform(30, 150, n_cam)},
        geometry=gpd.points_from_xy(X0 + rng.uniform(0, 2000, n_cam),
                                    Y0 + rng.uniform(0, 2000, n_cam)), crs=EPSG)
    x, y = X0 + rng.uniform(0, 2000, 20_000), Y0 + rng.uniform(0, 2000, 20_000)
    for cell_m in (20.0, 200.0):
        _check_cells_bound_the_truth(cams, x, y, cell_m)


def test_paris_accidents_in_200_m_cells_bound_what_the_cameras_see(shared_data):
    from real_samples import paris_accidents, paris_cameras

    acc = paris_accidents(shared_data, 2013).to_crs(EPSG)
    cams = paris_cameras(shared_data, 50.0).to_crs(EPSG)
    b = _check_cells_bound_the_truth(cams, acc.geometry.x.to_numpy(), acc.geometry.y.to_numpy(),
                                     200.0)
    # 1,055 of the 6,653 accidents of 2013 are within 50 m of a camera (the siting truth
    # test); 200 m cells cannot tell more than a wide range around it.
    assert b.low < 1055 < b.high
