"""Shared test fixtures: paths, factories of tiny layers built in Lambert-93 metres."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Folder of the real open-data samples; skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"échantillons de données réelles absents ({SHARED_DATA})")
    return SHARED_DATA


def make_points(xy_l93: list[tuple[float, float]], **columns: list) -> gpd.GeoDataFrame:
    """Build points from Lambert-93 coordinates (metres) and return them in EPSG:4326."""
    gdf = gpd.GeoDataFrame(columns, geometry=[Point(x, y) for x, y in xy_l93], crs=2154)
    return gdf.to_crs(4326)


@pytest.fixture
def points_factory():
    """The :func:`make_points` factory, as a fixture."""
    return make_points
