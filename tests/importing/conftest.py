"""Fixtures of the import tests: a small boxed territory, and the commune of Paris."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from clspd_geo import store as store_mod
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding a territory (central Paris box) and one facility."""
    path = tmp_path / "clspd.gpkg"
    terr = gpd.GeoDataFrame({"insee_code": ["75056"], "name": ["Paris (boîte)"],
                             "population": [2_100_000]},
                            geometry=[box(2.25, 48.81, 2.42, 48.91)], crs=4326)
    fac = gpd.GeoDataFrame({"facility_id": ["F1"], "name": ["Mairie"], "kind": ["mairie"]},
                           geometry=[Point(2.3522, 48.8566)], crs=4326)
    store_mod.GeoPackageStore(path, create=True).write_many(
        {"territoire": terr, "equipements": fac}, source="test")
    return path


@pytest.fixture
def paris_store(shared_data: Path, tmp_path: Path) -> Path:
    """A store whose territory is the commune of Paris (75056)."""
    path = tmp_path / "paris.gpkg"
    pipeline.run("boundaries", [shared_data / "boundaries/communes-75-paris.geojson"],
                 store_path=path, options=ImportOptions(commune="75056"))
    return path
