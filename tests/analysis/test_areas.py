"""Tests of clspd_geo.analysis.areas: quartier of each point, points inside the territory."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, box

from clspd_geo.analysis import areas
from clspd_geo.errors import CrsError

X0, Y0 = 696_000.0, 6_611_000.0  # Lambert-93, central France


def _l93_polygons(polys, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(polys), crs=2154).to_crs(4326)


@pytest.fixture
def two_squares() -> gpd.GeoDataFrame:
    """Two 1 km squares side by side: A west of x0 + 1000, B east of it."""
    return _l93_polygons([box(X0, Y0, X0 + 1_000, Y0 + 1_000),
                          box(X0 + 1_000, Y0, X0 + 2_000, Y0 + 1_000)],
                         quartier_id=["A", "B"], name=["Ouest", "Est"])


@pytest.fixture
def six_points(points_factory) -> gpd.GeoDataFrame:
    pts = points_factory([(X0 + 500, Y0 + 500), (X0 + 1_500, Y0 + 500),
                          (X0 + 2_500, Y0 + 500), (X0 + 10, Y0 + 990),
                          (X0 + 1_990, Y0 + 10), (X0 - 1, Y0 + 500)],
                         label=list("abcdef"))
    pts.index = [10, 11, 12, 13, 14, 15]
    return pts


def test_assign_quartier_known_answer(two_squares, six_points):
    got = areas.assign_quartier(six_points, two_squares)
    assert got.name == "quartier_id"
    assert list(got.index) == [10, 11, 12, 13, 14, 15]
    assert got.tolist() == ["A", "B", None, "A", "B", None]


def test_assign_quartier_shared_edge_goes_to_first_polygon(two_squares):
    edge = gpd.GeoDataFrame(geometry=[Point(X0 + 1_000, Y0 + 500)], crs=2154)
    got = areas.assign_quartier(edge, two_squares.to_crs(2154))
    assert got.tolist() == ["A"]
    reversed_order = two_squares.iloc[::-1].to_crs(2154)
    assert areas.assign_quartier(edge, reversed_order).tolist() == ["B"]


def test_assign_quartier_missing_and_empty_geometries(two_squares):
    pts = gpd.GeoDataFrame(geometry=[None, Point(), Point(X0 + 500, Y0 + 500)], crs=2154)
    got = areas.assign_quartier(pts, two_squares.to_crs(2154))
    assert got.tolist() == [None, None, "A"]


def test_assign_quartier_empty_inputs(two_squares):
    none = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326))
    assert areas.assign_quartier(none, two_squares).empty
    pts = gpd.GeoDataFrame(geometry=[Point(2.95, 46.6)], crs=4326)
    assert areas.assign_quartier(pts, two_squares.iloc[:0]).tolist() == [None]


def test_assign_quartier_does_not_mutate(two_squares, six_points):
    before_pts, before_q = six_points.copy(), two_squares.copy()
    areas.assign_quartier(six_points, two_squares)
    pd.testing.assert_frame_equal(six_points, before_pts)
    pd.testing.assert_frame_equal(two_squares, before_q)


def test_assign_quartier_crs_mismatch_names_layers(two_squares, six_points):
    with pytest.raises(CrsError, match="quartiers"):
        areas.assign_quartier(six_points.to_crs(2154), two_squares)


def test_assign_quartier_other_id_column(two_squares, six_points):
    got = areas.assign_quartier(six_points, two_squares, id_column="name")
    assert got.tolist()[:2] == ["Ouest", "Est"]


@pytest.mark.parametrize("few", [32, 0], ids=["par-polygone", "strtree"])
def test_assign_quartier_agrees_with_sjoin(monkeypatch, few):
    """Both code paths (loop over few polygons, STRtree) give what sjoin gives."""
    monkeypatch.setattr(areas, "_FEW_POLYGONS", few)
    rng = np.random.default_rng(7)
    cells = [box(X0 + i * 400, Y0 + j * 400, X0 + (i + 1) * 400, Y0 + (j + 1) * 400)
             for i in range(5) for j in range(5)]
    quartiers = _l93_polygons(cells, quartier_id=[f"Q{k:02d}" for k in range(25)])
    xy = rng.uniform(-300, 2_300, size=(3_000, 2))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1]),
                           crs=2154).to_crs(4326)
    got = areas.assign_quartier(pts, quartiers)
    joined = gpd.sjoin(pts, quartiers, predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    expected = [v if isinstance(v, str) else None for v in joined["quartier_id"]]
    assert got.tolist() == expected
    assert got.notna().sum() > 1_000 and got.isna().sum() > 100


def test_inside_territory_multipolygon_and_boundary(points_factory):
    communes = _l93_polygons([MultiPolygon([box(X0, Y0, X0 + 100, Y0 + 100),
                                            box(X0 + 300, Y0, X0 + 400, Y0 + 100)])],
                             insee_code=["00000"])
    pts = points_factory([(X0 + 50, Y0 + 50), (X0 + 200, Y0 + 50), (X0 + 350, Y0 + 50),
                          (X0 + 500, Y0 + 50)])
    got = areas.inside_territory(pts, communes)
    assert got.dtype == bool
    assert got.tolist() == [True, False, True, False]
    on_edge = gpd.GeoDataFrame(geometry=[Point(X0 + 100, Y0 + 50), None], crs=2154)
    assert areas.inside_territory(on_edge, communes.to_crs(2154)).tolist() == [True, False]


def test_inside_territory_crs_mismatch(two_squares, six_points):
    with pytest.raises(CrsError, match="territoire"):
        areas.inside_territory(six_points, two_squares.to_crs(2154))
