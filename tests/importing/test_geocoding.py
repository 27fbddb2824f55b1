"""Placing rows by street crossings: name normalisation and the gazetteer."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from clspd_geo.importing import geocoding, pipeline
from clspd_geo.importing.context import ImportOptions


def test_street_names_normalised() -> None:
    assert geocoding.normalise("Bd. de l'Hôpital") == geocoding.normalise("boulevard hopital")
    assert geocoding.normalise(" Av. du Général Leclerc") == "avenue general leclerc"


def test_crossings_in_any_order(tmp_path: Path) -> None:
    ref = tmp_path / "x.csv"
    ref.write_text("nom1,nom2,lon,lat\nRue de Rivoli,Rue Saint-Denis,2.3475,48.8587\n",
                   encoding="utf-8")
    gaz = geocoding.load(ref)
    assert gaz.crossing(["rue saint denis", "R. de Rivoli"]) == (2.3475, 48.8587)
    assert gaz.crossing(["Rue de Rivoli", "Rue du Louvre"]) is None


def test_crossing_geocoding_agrees_with_the_published_geocoding(shared_data: Path) -> None:
    vp = shared_data / "videoprotection"
    ours = pipeline.prepare(
        "cameras", [vp / "paris_pvpp_annexe1_prefecture_2019.csv"],
        options=ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz"),
    ).frames["cameras"]
    ref = pipeline.prepare("cameras", [vp / "paris_cameras_geocoded_2019.csv"]).frames["cameras"]
    both = ours.merge(ref[["camera_id", "geometry"]], on="camera_id", suffixes=("", "_ref"))
    assert len(both) == 707  # every site the author placed, we place too
    gap = (gpd.GeoSeries(both["geometry"], crs=4326).to_crs(2154)
           .distance(gpd.GeoSeries(both["geometry_ref"], crs=4326).to_crs(2154)))
    assert gap.median() < 1 and gap.max() < 100  # metres
