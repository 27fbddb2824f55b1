"""Hand-made layers shared by the cell, count, density and hotspot tests (Lambert-93)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from tests.conftest import make_points

X0, Y0 = 650_000.0, 6_860_000.0  # Lambert-93, Paris area


def square_territory(side_m: float = 1000.0) -> gpd.GeoDataFrame:
    """A square territory of ``side_m`` metres, returned in EPSG:4326."""
    return gpd.GeoDataFrame({"name": ["T"]}, geometry=[box(X0, Y0, X0 + side_m, Y0 + side_m)],
                            crs=2154).to_crs(4326)


def points_at(xy: list[tuple[float, float]], **columns: list) -> gpd.GeoDataFrame:
    """Points at ``(x, y)`` metres from (X0, Y0), with the given columns, in EPSG:4326."""
    return make_points([(X0 + x, Y0 + y) for x, y in xy], **columns)
