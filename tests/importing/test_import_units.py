"""Known-answer tests of the import building blocks, on tiny hand-made inputs."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo import store as store_mod
from clspd_geo.errors import DataFileError
from clspd_geo.importing import (
    accidents, coords, geocoding, mapping, pipeline, sniffing, values,
)
from clspd_geo.importing.context import ImportOptions
from clspd_geo.importing.report import RowLog

BAD = Path(__file__).resolve().parents[1] / "data" / "import"


# -- sniffing --------------------------------------------------------------------------------
def test_format_from_content_not_extension(tmp_path: Path) -> None:
    geo = tmp_path / "points.csv"
    geo.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert sniffing.detect_format(geo) == "geojson"
    gz = tmp_path / "table.dat"
    gz.write_bytes(gzip.compress(b"a;b\n1;2\n"))
    assert sniffing.detect_format(gz) == "csv"
    table = sniffing.read_table(gz)
    assert table.gzipped and table.separator == ";" and table.frame.shape == (1, 2)


@pytest.mark.parametrize(("header", "sep"), [("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"),
                                             ("a|b|c", "|"), ('"x;y",b,c', ",")])
def test_separator(header: str, sep: str) -> None:
    assert sniffing.detect_separator(header, name="f.csv") == sep


def test_decode_utf8_bom_and_windows_1252() -> None:
    assert sniffing.decode("é".encode("utf-8-sig"), name="f") == ("é", "UTF-8")
    assert sniffing.decode("é".encode("cp1252"), name="f") == ("é", "Windows-1252")
    assert sniffing.decode("é".encode("utf-16"), name="f") == ("é", "UTF-16")


def test_line_numbers_skip_blank_lines_and_count_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,"deux\nlignes"\n\n3,4\n', encoding="utf-8")
    table = sniffing.read_table(path)
    assert table.lines.tolist() == [3, 5]
    assert table.frame["b"].tolist() == ["deux\nlignes", "4"]


def test_size_checked_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert sniffing.check_size(path) == 8
    with pytest.raises(DataFileError, match="trop volumineux"):
        sniffing.check_size(path, max_bytes=7)


# -- values ----------------------------------------------------------------------------------
def test_numbers_with_decimal_comma_counted() -> None:
    log = RowLog()
    out = values.numbers(pd.Series(["5,5", " -2,97344300", "3", None, "x"]), log=log,
                         what="v")
    assert out.iloc[:3].tolist() == [5.5, -2.973443, 3.0]
    assert out.iloc[3:].isna().all()
    assert log.fixes == {"virgule décimale lue comme un point (v)": 2}


def test_datetimes_iso_french_and_two_digit_years() -> None:
    out = values.datetimes(pd.Series(["2024-03-01 22:10", "01/03/2024", "08/07/16",
                                      "Début 2019"]))
    assert out.iloc[0] == pd.Timestamp("2024-03-01 22:10")
    assert out.iloc[1] == pd.Timestamp("2024-03-01")  # day first, as in France
    assert out.iloc[2] == pd.Timestamp("2016-07-08")
    assert pd.isna(out.iloc[3])


def test_future_dates_rejected_relative_to_now() -> None:
    log = RowLog()
    when = pd.Series(pd.to_datetime(["2024-01-01", "2024-06-01"]))
    keep = values.reject_bad_dates(when, pd.Series([2, 3]), file="f", log=log, column="d",
                                   now=dt.datetime(2024, 3, 1))
    assert keep.tolist() == [True, False]
    assert log.rejected_frame()["ligne"].tolist() == [3]


@pytest.mark.parametrize(("cell", "defused"), [
    ("=cmd|' /C calc'!A0", True), ("+33 1 23", False), ("@SUM(A1)", True), ("-x", True),
    ("-12", False), ("+3,5", False), ("Rue de Rivoli", False), ("", False)])
def test_formula_cells(cell: str, defused: bool) -> None:
    log = RowLog()
    out = values.neutralise_formulas(pd.DataFrame({"name": [cell]}), ["name"], log=log)
    assert (out["name"].iloc[0] == "'" + cell) is defused
    assert bool(log.fixes) is defused


# -- coordinates -----------------------------------------------------------------------------
def test_column_priority_degrees_then_named_crs() -> None:
    frame = pd.DataFrame(columns=["x_ft_epsg2913", "y_ft_epsg2913", "lon", "lat"])
    found = coords.all_columns(frame)
    assert [(c.x, c.epsg) for c in found] == [("lon", None), ("x_ft_epsg2913", 2913)]
    frame = pd.DataFrame({"coordonnee_x": ["1"], "coordonnee_y": ["2"], "EPSG": ["EPSG:2154"]})
    assert coords.find_columns(frame).epsg == 2154


def test_lambert93_columns_projected_exactly() -> None:
    log = RowLog()
    frame = pd.DataFrame({"x_l93": ["652000"], "y_l93": ["6862000"]})
    cols = coords.find_columns(frame)
    pts = coords.points(frame, pd.Series([2]), cols, file="f", log=log)
    back = gpd.GeoSeries(pts, crs=4326).to_crs(2154).iloc[0]
    assert (back.x, back.y) == pytest.approx((652000, 6862000), abs=1e-3)


def test_swap_only_when_it_lands_in_france() -> None:
    log = RowLog()
    frame = pd.DataFrame({"lon": ["48.85", "-122.6"], "lat": ["2.35", "45.5"]})
    pts = coords.points(frame, pd.Series([2, 3]), coords.find_columns(frame), file="f",
                        log=log)
    assert (pts.iloc[0].x, pts.iloc[0].y) == (2.35, 48.85)
    assert (pts.iloc[1].x, pts.iloc[1].y) == (-122.6, 45.5)  # Portland: not swapped
    assert sum(log.fixes.values()) == 1


def test_local_epsg_per_zone() -> None:
    pts = gpd.GeoSeries([Point(2.35, 48.85), Point(-61.0, 14.6), Point(55.45, -21.1),
                         Point(-122.6, 45.5)], crs=4326)
    assert coords.local_epsg(pts).tolist() == [2154, 5490, 2975, 32610]


def test_territory_tolerance_flags_near_and_rejects_far() -> None:
    terr = gpd.GeoDataFrame(geometry=[box(652000, 6862000, 653000, 6863000)],
                            crs=2154).to_crs(4326)
    pts = gpd.GeoSeries([Point(652500, 6862500), Point(653500, 6862500),
                         Point(660000, 6862500)], crs=2154).to_crs(4326)
    log = RowLog()
    out = coords.check_territory(pts, pd.Series([2, 3, 4]), terr, file="f", log=log,
                                 tolerance_m=1000)
    assert out.tolist() == [False, True, False]
    rej = log.rejected_frame()
    assert rej["ligne"].tolist() == [4]
    assert "à 7.0 km" in rej["motif"].iloc[0]


# -- geocoding and mappings ------------------------------------------------------------------
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


def test_mapping_keys_ignore_case_and_accents(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("libelle;code\nVol à la roulotte;vol_vehicule\n", encoding="utf-8")
    table = mapping.load(path, allowed={"vol_vehicule": "Vol"}, what="x")
    assert table[mapping.key("VOL A LA ROULOTTE")] == "vol_vehicule"


def test_plm_arrondissements_fold_into_city() -> None:
    assert accidents.commune_of("75113") == "75056"
    assert accidents.commune_of("69383") == "69123"
    assert accidents.commune_of("13216") == "13055"
    assert accidents.commune_of("13250") == "13250"  # not an arrondissement
    assert accidents.commune_of("93066") == "93066"


# -- kinds on hand-made files ----------------------------------------------------------------
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


def test_append_adds_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("incidents", [BAD / "decimal_commas.csv"], store_path=path)
    other = tmp_path / "b.csv"
    other.write_text("id,date_heure,categorie,lon,lat\nB1,2024-04-01 10:00,tapage,2.35,48.85\n",
                     encoding="utf-8")
    pipeline.run("incidents", [other], store_path=path,
                 options=ImportOptions(mode="append"))
    assert store_mod.open_store(path).count("incidents") == 3


def test_baac_commune_filter(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2019_2023").glob("*.csv.gz"))
    report = pipeline.prepare("accidents", files, options=ImportOptions(commune="75056"))
    assert report.frames["accidents"]["accident_id"].tolist() == ["202300000001"]
    assert report.filtered_out == 29


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


def test_duplicate_header_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("lon,lat,lon\n2.35,48.85,2.36\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="colonnes en double : lon"):
        sniffing.read_table(path)


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


def test_append_report_counts_only_new_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("incidents", [BAD / "decimal_commas.csv"], store_path=path)
    report = pipeline.prepare("incidents", [BAD / "swapped_lat_lon.csv"], store_path=path,
                              options=ImportOptions(mode="append"))
    assert report.accepted == 2 and len(report.frames["incidents"]) == 4
    assert "incidents : 2, ajoutées aux 2 existantes" in report.summary()
