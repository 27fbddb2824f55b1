"""Camera imports: geocoded lists, crossings, points outside the territory; direction, angle
and range; KML placemarks; the Lyon crowd-sourced map."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from clspd_geo import _format
from clspd_geo import store as store_mod
from clspd_geo.errors import DataFileError
from clspd_geo.importing import cameras, pipeline
from clspd_geo.importing.context import ImportOptions

LYON = "videoprotection/sous_surveillance_lyon_2012.geojson"
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>Caméras</name>
<Folder><name>Centre</name>
<Placemark><name>Place de la Mairie</name>
<ExtendedData><Data name="direction"><value>90</value></Data>
<Data name="angle"><value>60</value></Data></ExtendedData>
<Point><coordinates>2.3500,48.8500,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Gare</name>
<Placemark><name>Parvis de la gare</name>
<ExtendedData><Data name="type"><value>fixe</value></Data>
<Data name="direction"><value>NE</value></Data></ExtendedData>
<Point><coordinates>2.3550,48.8530,0</coordinates></Point></Placemark>
</Folder>
</Document></kml>
"""
NETWORK_LINK = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <NetworkLink><name>Caméras</name>
    <Link><href>http://exemple.invalid/cameras.kml</href></Link>
  </NetworkLink>
</Document></kml>
"""


def test_real_lyon_cameras_with_direction_and_angle(shared_data: Path) -> None:
    src = gpd.read_file(shared_data / LYON)
    report = pipeline.prepare("cameras", [shared_data / LYON])
    cams = report.frames["cameras"].set_index("camera_id")
    # 1,111 features: two give the angle -1, three are speed radars; each rejected by line.
    assert len(src) == 1111 and len(cams) == 1106 and report.n_rejected == 5
    motifs = report.rejected.set_index("ligne")["motif"]
    assert "angle de vue « -1 » hors de 0–360°" in motifs[80]
    assert "« radar »" in motifs[853]
    kept = src[~(src.index + 1).isin(report.rejected["ligne"])].set_index("id_camera")
    direction = pd.to_numeric(kept["direction"], errors="coerce")
    angle = pd.to_numeric(kept["angle"], errors="coerce")
    assert cams.index.equals(kept.index.astype(str))
    # An angle that was measured is kept, with its direction (0 is then north).
    measured = angle > 0
    assert (cams["fov_deg"][measured.to_numpy()] == angle[measured]).all()
    assert (cams["bearing_deg"][measured.to_numpy()] == direction[measured]).all()
    # No angle: a direction other than 0 is kept; 0 is unknown; the view is the default.
    guessed = cams[~measured.to_numpy()]
    assert guessed["bearing_deg"].notna().sum() == int((direction[~measured] > 0).sum())
    expected = guessed["bearing_deg"].notna() & (guessed["kind"] != "dome")
    assert (guessed["fov_deg"] == expected.map({True: cameras.DEFAULT_DIRECTED_FOV_DEG,
                                                False: cameras.DEFAULT_FOV_DEG})).all()
    assert set(cams["kind"]) == {"fixe", "dome"}
    assert set(cams["operator"]) == {"csu_municipal", "commerce"}
    # A directed fixed camera with no angle: the documented default, and the report says so.
    fixed = cams[(cams["kind"] == "fixe") & cams["bearing_deg"].gt(0)]
    assert (fixed["fov_deg"] > 0).all()
    assert any("60° par défaut" in k for k in report.fixes)


def test_kml_placemarks_of_every_folder(tmp_path: Path) -> None:
    path = tmp_path / "cameras.kml"
    path.write_text(KML, encoding="utf-8")
    report = pipeline.prepare("cameras", [path])
    assert report.files[0].format == "kml"
    cams = report.frames["cameras"].set_index("name")
    assert list(cams.index) == ["Place de la Mairie", "Parvis de la gare"]
    assert cams.loc["Place de la Mairie", ["bearing_deg", "fov_deg"]].tolist() == [90.0, 60.0]
    # « NE » is a compass point: 45°; a fixed camera with no angle gets 60°.
    assert cams.loc["Parvis de la gare", ["bearing_deg", "fov_deg"]].tolist() == [45.0, 60.0]
    assert cams.geometry.iloc[0].coords[0] == (2.35, 48.85)  # altitude dropped


def test_kml_network_link_refused_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    ok = tmp_path / "cameras.kml"
    ok.write_text(KML, encoding="utf-8")
    pipeline.run("cameras", [ok], store_path=store)
    bad = tmp_path / "lien.kml"
    bad.write_text(NETWORK_LINK, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"« lien.kml » charge un lien réseau "
                                            r"\(NetworkLink, ligne 4\)"):
        pipeline.run("cameras", [bad], store_path=store)
    assert len(store_mod.open_store(store).read("cameras")) == 2


def test_direction_outside_0_360_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cameras.csv"
    path.write_text("id;lon;lat;type;camera:direction;angle;range\n"
                    "c1;2.35;48.85;fixe;400;60;30\n"
                    "c2;2.351;48.851;fixe;SW;;\n"
                    "c3;2.352;48.852;dome;0;;80\n", encoding="utf-8")
    report = pipeline.prepare("cameras", [path])
    assert report.rejected["ligne"].tolist() == [2]
    assert report.rejected["motif"].iloc[0].startswith(
        "direction « 400 » hors de 0–360° dans « camera:direction » : indiquez des degrés "
        "depuis le nord")
    cams = report.frames["cameras"].set_index("camera_id")
    assert cams.loc["c2", ["bearing_deg", "fov_deg", "range_m"]].tolist() == [
        225.0, 60.0, cameras.DEFAULT_RANGE_M]
    # Direction 0 with no angle is unknown: an all-round dome with its own range.
    assert pd.isna(cams.loc["c3", "bearing_deg"])
    assert cams.loc["c3", ["fov_deg", "range_m"]].tolist() == [360.0, 80.0]


def test_geocoded_2019_cameras(shared_data: Path, paris_store: Path) -> None:
    report = pipeline.run("cameras",
                          [shared_data / "videoprotection/paris_cameras_geocoded_2019.csv"],
                          store_path=paris_store)
    assert report.accepted == 707 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 707
    assert set(cams["operator"]) == {"etat"}
    assert cams["commissioned_on"].notna().sum() > 300
    # « Début 2019 » is not a date: kept empty and reported, never invented.
    assert any("Début 2019" in k for k in report.fixes)


@pytest.mark.parametrize("annexe", ["paris_pvpp_annexe1_prefecture_2019.csv",
                                    "paris_vpp_annexe2_ville_2019.csv"])
def test_annexe_rows_geocoded_with_crossings(shared_data: Path, tmp_path: Path,
                                             annexe: str) -> None:
    vp = shared_data / "videoprotection"
    rows = len(pd.read_csv(vp / annexe, sep=";", dtype=str))
    report = pipeline.prepare(
        "cameras", [vp / annexe],
        options=ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz"))
    unplaced = report.rejected["motif"].str.startswith("lieu introuvable").sum()
    assert unplaced > 0
    assert report.accepted + report.n_rejected == rows
    assert unplaced == report.n_rejected  # nothing else rejected, nothing dropped silently
    assert report.accepted > rows / 2
    rejected = report.n_rejected
    assert (f"{_format.count(rejected, 'ligne')} {_format.plural(rejected, 'rejetée')}"
            in report.to_text())
    cams = report.frames["cameras"]
    lon, lat = cams.geometry.x, cams.geometry.y
    assert lon.between(2.2, 2.5).all() and lat.between(48.8, 48.91).all()


def test_prefecture_2013_cameras_outside_flagged_not_dropped(shared_data: Path,
                                                             paris_store: Path) -> None:
    path = shared_data / "videoprotection/paris_pvpp_cameras_prefecture_2013.geojson"
    report = pipeline.run("cameras", [path], store_path=paris_store)
    assert report.accepted == 1389 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 1389
    assert int(cams["outside_territory"].sum()) == 37
    # The same 37 as the publisher's own flag against the same simplified polygon.
    assert (cams["outside_territory"] == ~cams["in_paris_polygon"].astype(bool)).all()
