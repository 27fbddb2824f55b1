"""Sector imports: the force column and polygons declared in Lambert-93."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from import_helpers import BAD, refused

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions


def test_geojson_declared_in_lambert93_is_reprojected(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"sector_id": ["A"], "name": ["Centre"], "force": ["PM"]},
                           geometry=[box(651000, 6861000, 653000, 6863000)], crs=2154)
    path = tmp_path / "secteurs_l93.geojson"
    gdf.to_file(path, driver="GeoJSON")
    report = pipeline.prepare("sectors", [path])
    sect = report.frames["secteurs"]
    assert sect.crs.to_epsg() == 4326 and sect["force"].tolist() == ["police_municipale"]
    assert sect.to_crs(2154).area.iloc[0] == pytest.approx(4e6, rel=1e-6)
    assert "2154" in report.files[0].crs


def test_sectors_without_force_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "sectors_without_force.geojson"], SchemaError,
            "--force")


def test_portland_districts_as_sectors(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    report = pipeline.run("sectors", [shared_data / "crime/portland_police_districts.geojson"],
                          store_path=path, options=ImportOptions(force="police_nationale"))
    assert report.accepted == 60
    assert any("polygone invalide réparé" in k for k in report.fixes)
    sect = store_mod.open_store(path).read("secteurs")
    assert len(sect) == 60 and sect.is_valid.all()
    lon, lat = sect.union_all().centroid.coords[0]
    assert -122.8 < lon < -122.4 and 45.4 < lat < 45.7
