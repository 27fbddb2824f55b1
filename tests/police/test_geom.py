"""Tests of clspd_geo.police._geom: the polygon-only intersection helper."""

from __future__ import annotations

import shapely
from shapely.geometry import box

from clspd_geo.police import _geom


def test_intersection_helper_keeps_only_polygons():
    touching = shapely.intersection(box(0, 0, 1, 1), box(1, 0, 2, 1))
    assert _geom.polygonal(touching).is_empty


def test_polygonal_drops_lines_and_points_and_keeps_the_area():
    mixed = shapely.GeometryCollection([box(0, 0, 2, 1), shapely.LineString([(5, 5), (6, 6)]),
                                        shapely.Point(9, 9)])
    assert _geom.polygonal(mixed).area == 2.0
    assert _geom.polygonal(mixed).geom_type == "Polygon"
