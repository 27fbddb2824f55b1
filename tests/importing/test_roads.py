"""Road lines into ``voies``: the real OSM main-road sample, OSM, BD TOPO and ROUTE 500 classes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline, roads, sniffing
from clspd_geo.importing.context import ImportOptions

ROADS = "roads/osm_paris_main_roads_2023_antuki.gpkg"


def _lines(path: Path, crs: int = 4326, **columns: list) -> Path:
    n = len(next(iter(columns.values())))
    geoms = [LineString([(2.35 + i * 1e-3, 48.85), (2.351 + i * 1e-3, 48.851)])
             for i in range(n)]
    gdf = gpd.GeoDataFrame(columns, geometry=geoms, crs=4326).to_crs(crs)
    gdf.to_file(path, driver="GeoJSON" if path.suffix == ".geojson" else "GPKG")
    return path


def test_real_paris_main_roads(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "p.gpkg"
    pipeline.run("boundaries", [shared_data / "boundaries/communes-75-paris.geojson"],
                 store_path=store, options=ImportOptions(commune="75056"))
    report = pipeline.run("roads", [shared_data / ROADS], store_path=store)
    assert report.accepted == 4858 and report.n_rejected == 0
    voies = store_mod.open_store(store).read("voies")
    assert len(voies) == 4858 and voies["road_id"].is_unique
    assert set(voies.geom_type) == {"LineString"}
    # The sample was written in Lambert-93; it comes back in degrees around Paris.
    minx, miny, maxx, maxy = voies.total_bounds
    assert 2.2 < minx < maxx < 2.5 and 48.8 < miny < maxy < 48.91
    # The author dropped the highway tag: one documented class, and the report says so.
    assert set(voies["road_class"]) == {"non_classee"} and set(voies["kind"]) == {"principale"}
    assert any("non_classee" in n for n in report.notes)
    assert "Boulevard Henri IV" in set(voies["name"])
    # The extract overflows into the petite couronne: kept, and flagged.
    outside = voies["outside_territory"]
    assert 0 < outside.sum() < len(voies) / 2


def test_osm_highway_and_railway_classes(tmp_path: Path) -> None:
    path = _lines(tmp_path / "osm.geojson", osm_id=[1, 2, 3, 4, 5],
                  highway=["motorway_link", "primary", "residential", None, "proposed"],
                  railway=[None, None, None, "tram", None], name=["A1", None, "Rue X",
                                                                  "T3", "Projet"])
    report = pipeline.prepare("roads", [path])
    voies = report.frames["voies"].set_index("road_id")
    assert voies["road_class"].to_dict() == {"1": "autoroute", "2": "principale",
                                             "3": "locale", "4": "voie_ferree"}
    assert voies["kind"].to_dict() == {"1": "principale", "2": "principale",
                                       "3": "secondaire", "4": "voie_ferree"}
    assert voies.loc["2", "name"] == roads.ROAD_CLASSES["principale"][0]
    assert report.rejected["ligne"].tolist() == [5]
    assert "« proposed »" in report.rejected["motif"].iloc[0]


def test_bd_topo_importance_and_route500_vocation(tmp_path: Path) -> None:
    topo = _lines(tmp_path / "troncon_de_route.gpkg", crs=2154,
                  cleabs=["TRONROUT1", "TRONROUT2", "TRONROUT3"],
                  nature=["Type autoroutier", "Route à 1 chaussée", "Sentier"],
                  importance=["1", "3", "6"], nom_1_gauche=["A86", "D20", None])
    voies = pipeline.prepare("roads", [topo]).frames["voies"]
    assert voies["road_class"].tolist() == ["autoroute", "secondaire", "chemin"]
    r500 = _lines(tmp_path / "troncon_route.geojson", ID_RTE500=[10, 11],
                  VOCATION=["Liaison régionale", "Liaison locale"], NUM_ROUTE=["D906", None])
    voies = pipeline.prepare("roads", [r500]).frames["voies"]
    assert voies["road_class"].tolist() == ["secondaire", "locale"]
    assert voies["name"].iloc[0] == "D906"


def test_zipped_shapefile(tmp_path: Path) -> None:
    shp = tmp_path / "shp"
    shp.mkdir()
    gdf = gpd.GeoDataFrame({"osm_id": [7], "highway": ["tertiary"]},
                           geometry=[LineString([(652000, 6862000), (652500, 6862100)])],
                           crs=2154)
    gdf.to_file(shp / "voies.shp")
    archive = tmp_path / "voies.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.iterdir():
            zf.write(part, part.name)
    voies = pipeline.prepare("roads", [archive]).frames["voies"]
    assert voies["road_class"].tolist() == ["secondaire"]
    assert 2.3 < voies.geometry.iloc[0].coords[0][0] < 2.4


def test_no_line_geometry_refused_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    pipeline.run("roads", [_lines(tmp_path / "ok.geojson", osm_id=[1], highway=["primary"])],
                 store_path=store)
    points = tmp_path / "arrets.geojson"
    gpd.GeoDataFrame({"highway": ["bus_stop"]}, geometry=[Point(2.35, 48.85)],
                     crs=4326).to_file(points, driver="GeoJSON")
    with pytest.raises(SchemaError, match=r"« arrets.geojson » ne contient aucune ligne "
                                          r"\(géométries trouvées : Point, dès l'objet 1\)"):
        pipeline.run("roads", [points], store_path=store)
    assert store_mod.open_store(store).read("voies")["road_id"].tolist() == ["1"]


def test_osm_pbf_roads_read_through_gdal(tmp_path: Path) -> None:
    from osm_pbf import write_pbf

    path = tmp_path / "extrait.osm.pbf"
    nodes = {1: (2.3500, 48.8500), 2: (2.3600, 48.8500), 3: (2.3600, 48.8600),
             4: (2.3700, 48.8600)}
    write_pbf(path, nodes, [(10, [1, 2], {"highway": "primary", "name": "Rue A"}),
                            (11, [2, 3], {"highway": "footway"}),
                            (12, [3, 4], {"highway": "residential", "name": "Rue C"})])
    assert sniffing.detect_format(path) == "osm_pbf"
    report = pipeline.prepare("roads", [path])
    voies = report.frames["voies"]
    assert sorted(zip(voies["name"].fillna(""), voies["road_class"], strict=True)) == [
        ("Chemin, voie piétonne ou cyclable", "chemin"), ("Rue A", "principale"),
        ("Rue C", "locale")]  # an unnamed way is named after its class
    assert voies.geometry.geom_type.eq("LineString").all()
    assert report.files[0].format == "osm_pbf"
