"""Boundary imports: communes, quartiers and IRIS from GeoPackage, Shapefile, GeoJSON."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from clspd_geo import store as store_mod
from clspd_geo.importing import pipeline
from clspd_geo.errors import SchemaError
from clspd_geo.importing.context import ImportOptions


def test_boundaries_from_geopackage_and_zipped_shapefile(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"code": ["93066", "93001"], "nom": ["Saint-Denis", "Aubervilliers"]},
                           geometry=[box(2.33, 48.92, 2.38, 48.95), box(2.37, 48.90, 2.40, 48.92)],
                           crs=4326).to_crs(2154)
    gpkg = tmp_path / "communes.gpkg"
    gdf.to_file(gpkg, layer="communes")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "communes.shp")
    zpath = tmp_path / "communes.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, f"COMMUNES/{part.name}")
    for path in (gpkg, zpath):
        report = pipeline.prepare("boundaries", [path],
                                  options=ImportOptions(commune="93066"))
        terr = report.frames["territoire"]
        assert terr["insee_code"].tolist() == ["93066"], path
        assert terr.crs.to_epsg() == 4326
        assert terr.geometry.iloc[0].bounds == pytest.approx((2.33, 48.92, 2.38, 48.95),
                                                             abs=1e-6)


def test_paris_commune_picked_from_departement_file(paris_store: Path) -> None:
    terr = store_mod.open_store(paris_store).read("territoire")
    assert terr["insee_code"].tolist() == ["75056"]
    assert terr.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")


def test_commune_filter_on_a_departement_file(shared_data: Path, tmp_path: Path) -> None:
    report = pipeline.run("boundaries",
                          [shared_data / "boundaries/communes-93-seine-saint-denis.geojson"],
                          store_path=tmp_path / "s.gpkg",
                          options=ImportOptions(commune="93066"))
    assert report.accepted == 1
    assert report.filtered_out == 39


@pytest.mark.parametrize(("name", "count", "id_sample"), [
    ("paris_quartiers_administratifs.geojson", 80, "7510101"),
    ("paris_arrondissements.geojson", 20, "75101"),
])
def test_quartiers_and_arrondissements_as_quartiers(shared_data: Path, paris_store: Path,
                                                    name: str, count: int,
                                                    id_sample: str) -> None:
    report = pipeline.run("boundaries", [shared_data / "areas" / name], store_path=paris_store,
                          options=ImportOptions(as_layer="quartiers"))
    assert report.accepted == count
    q = store_mod.open_store(paris_store).read("quartiers")
    assert len(q) == count and id_sample in set(q["quartier_id"])
    assert set(q["insee_code"]) == {"75056"}
    area_km2 = q.to_crs(2154).area.sum() / 1e6
    assert area_km2 == pytest.approx(105.4, abs=0.5)


def test_iris_keep_census_columns(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("boundaries", [shared_data / "areas/paris_iris_2013_rp2011_csp.geojson"],
                 store_path=path, options=ImportOptions(as_layer="quartiers"))
    iris = store_mod.open_store(path).read("quartiers")
    assert len(iris) == 992
    assert int(iris["C11_POP15P"].sum()) == 1926666
    cs = [f"C11_POP15P_CS{i}" for i in range(1, 9)]
    # INSEE rounds each count, so the eight groups add up to the total within a few units.
    assert (iris[cs].sum(axis=1) - iris["C11_POP15P"]).abs().max() <= 8
    assert iris["quartier_id"].str.len().eq(9).all()


def test_two_communes_with_one_insee_code_are_refused_in_french(tmp_path: Path) -> None:
    from import_helpers import sha256

    path = tmp_path / "s.gpkg"
    store_mod.GeoPackageStore(path, create=True).write(
        "territoire", gpd.GeoDataFrame({"insee_code": ["93066"], "name": ["Saint-Denis"],
                                        "population": [110_000]},
                                       geometry=[box(2.33, 48.92, 2.38, 48.95)], crs=4326),
        source="test")
    src = tmp_path / "communes.geojson"
    gpd.GeoDataFrame({"code": ["93066", "93066"], "nom": ["Saint-Denis", "Aubervilliers"]},
                     geometry=[box(2.33, 48.92, 2.38, 48.95), box(2.37, 48.90, 2.40, 48.92)],
                     crs=4326).to_file(src)
    before = sha256(path)
    with pytest.raises(SchemaError, match="même code INSEE « 93066 »") as info:
        pipeline.run("boundaries", [src], store_path=path)
    msg = str(info.value)
    assert "« Saint-Denis » (ligne 1" in msg and "« Aubervilliers » (ligne 2" in msg
    assert "corrigez le code" in msg and "rien n'a été écrit" in msg
    assert sha256(path) == before


def test_one_commune_in_several_polygons_keeps_the_first_and_reports_the_others(
        tmp_path: Path) -> None:
    src = tmp_path / "communes.geojson"
    gpd.GeoDataFrame({"code": ["93066", "93066", "93001"],
                      "nom": ["Saint-Denis", "Saint-Denis", "Aubervilliers"]},
                     geometry=[box(2.33, 48.92, 2.38, 48.95), box(2.33, 48.95, 2.34, 48.96),
                               box(2.37, 48.90, 2.40, 48.92)], crs=4326).to_file(src)
    report = pipeline.prepare("boundaries", [src])
    assert report.frames["territoire"]["insee_code"].tolist() == ["93066", "93001"]
    assert "en double" in report.rejected["motif"].iloc[0]
