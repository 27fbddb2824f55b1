"""Facility imports: OSM tags, FINESS rows and the open-data samples."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from import_helpers import BAD

from clspd_geo.importing import pipeline


def _osm(tmp_path: Path) -> Path:
    feats = [({"amenity": "police", "name": "Commissariat central"}, (2.35, 48.85)),
             ({"amenity": "police", "name": "Police municipale"}, (2.351, 48.85)),
             ({"amenity": "school", "school:FR": "maternelle", "name": "École A"}, (2.352, 48.85)),
             ({"amenity": "school", "name": "Collège Jean Moulin"}, (2.353, 48.85)),
             ({"amenity": "fire_station"}, (2.354, 48.85)),
             ({"amenity": "social_facility", "name": "CCAS"}, (2.355, 48.85)),
             ({"healthcare": "hospital", "name": "Hôpital"}, (2.356, 48.85)),
             ({"public_transport": "station", "name": "Gare"}, (2.357, 48.85)),
             ({"amenity": "bench"}, (2.358, 48.85))]
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"@id": f"node/{i}", **p},
         "geometry": {"type": "Point", "coordinates": list(xy)}}
        for i, (p, xy) in enumerate(feats)]}
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_osm_geojson_tags_mapped_to_kinds(tmp_path: Path) -> None:
    report = pipeline.prepare("facilities", [_osm(tmp_path)])
    fac = report.frames["equipements"].set_index("facility_id")
    assert fac["kind"].to_dict() == {
        "node/0": "commissariat", "node/1": "poste_police_municipale",
        "node/2": "ecole_maternelle", "node/3": "college", "node/4": "caserne_pompiers",
        "node/5": "service_social", "node/6": "hopital", "node/7": "gare"}
    assert fac.loc["node/4", "name"] == "Centre d'incendie et de secours"
    assert report.unmapped == {"bench": 1}


def test_finess_rows_each_in_their_own_crs() -> None:
    report = pipeline.prepare("facilities", [BAD / "finess_extrait_fictif.csv"])
    fac = report.frames["equipements"].set_index("facility_id")
    assert fac["kind"].to_dict() == {"750000001": "hopital", "750000002": "csapa",
                                     "750000003": "caarud", "970000001": "hopital",
                                     "974000001": "hopital"}
    for fid, epsg, xy in (("750000001", 2154, (652000.0, 6862000.0)),
                          ("970000001", 5490, (708000.0, 1615000.0)),
                          ("974000001", 2975, (338000.0, 7689000.0))):
        back = gpd.GeoSeries([fac.loc[fid, "geometry"]], crs=4326).to_crs(epsg).iloc[0]
        assert (back.x, back.y) == pytest.approx(xy, abs=1e-3)
    assert fac.loc["970000001", "geometry"].x == pytest.approx(-61.07, abs=0.05)
    assert "sourcecoordet" in report.files[0].crs


def test_colleges_stations_bars_hospitals(shared_data: Path, paris_store: Path) -> None:
    cases = [("schools/paris_colleges_men_2024.csv.gz", {"college"}, 217),
             ("transport/paris_gares_stations_idfm.csv.gz", {"gare"}, 306),
             ("osm/paris_osm_bars_2021.csv.gz", {"debit_boissons"}, 1403)]
    for rel, kinds, count in cases:
        report = pipeline.prepare("facilities", [shared_data / rel], store_path=paris_store)
        fac = report.frames["equipements"]
        assert set(fac["kind"]) == kinds, rel
        assert len(fac) == count, rel
        assert fac["name"].notna().all()
    report = pipeline.prepare("facilities",
                              [shared_data / "facilities/france_hospitals_eurostat_2020.csv.gz"],
                              store_path=paris_store)
    fac = report.frames["equipements"]
    assert set(fac["kind"]) == {"hopital"}
    # 121 sites in the city itself, plus those within the 5 km margin (flagged).
    inside = int((~fac["outside_territory"]).sum())
    assert 110 <= inside <= 125
    assert report.rejected["motif"].str.startswith("point hors du territoire").all()


def test_one_point_per_station(shared_data: Path) -> None:
    path = shared_data / "transport/paris_gares_stations_idfm.csv.gz"
    fac = pipeline.prepare("facilities", [path]).frames["equipements"]
    assert fac["name"].is_unique
    est = fac[fac["name"] == "Gare de l'Est"]
    assert len(est) == 1
    assert "METRO 4" in est["lines"].iloc[0] and "TRAIN" in est["lines"].iloc[0]
