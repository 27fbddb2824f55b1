"""Bad input: each case gives its French message and leaves the store byte-for-byte unchanged.

Cases that the pipeline refuses are run as a real import (``dry_run=False``): the error
must come before any write. Cases it repairs (decimal commas, swapped coordinates,
self-intersecting polygons, formula cells...) are run as a dry run, and the test checks
the correction named in the report as well as the unchanged store. Large and binary
files are generated in ``tmp_path``, never committed.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from clspd_geo import safe
from clspd_geo import store as store_mod
from clspd_geo.errors import ClspdGeoError, CrsError, DataFileError, SchemaError
from clspd_geo.importing import pipeline, preview, sniffing
from clspd_geo.importing.context import ImportOptions

BAD = Path(__file__).resolve().parents[1] / "data" / "import"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def refused(store: Path, kind: str, files: list[Path], error: type[ClspdGeoError],
            match: str, **options: object) -> str:
    """Run a real import that must fail; check the message and the untouched store."""
    before = sha256(store)
    with pytest.raises(error, match=match) as info:
        pipeline.run(kind, files, store_path=store, options=ImportOptions(**options))
    assert sha256(store) == before
    return str(info.value)


def repaired(store: Path, kind: str, files: list[Path], match: str,
             **options: object) -> pipeline.ImportReport:
    """Run a dry import; check the report names the correction and the store is untouched."""
    before = sha256(store)
    report = pipeline.run(kind, files, store_path=store, options=ImportOptions(**options),
                          dry_run=True)
    assert sha256(store) == before
    assert match in report.to_text(), report.to_text()
    return report


# -- encodings and separators ---------------------------------------------------------------
def test_windows_1252_is_detected_and_read(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "windows1252.csv"], "encodage Windows-1252")
    assert set(report.frames["incidents"]["category"]) == {"rixe", "degradation"}


def test_double_encoded_utf8_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "double_encoded.csv"], DataFileError,
            "semble encodé deux fois .*Ã©.* ligne 1")


def test_unknown_encoding_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad_bytes.csv"
    path.write_bytes(b"date_heure,categorie,lon,lat\n2024-03-01 22:10,t\x81apage,2.35,48.85\n")
    refused(store, "incidents", [path], DataFileError, "encodage .* n'est pas reconnu")


def test_wrong_separator_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "space_separated.csv"], DataFileError,
            "une seule colonne : son séparateur n'est pas reconnu")


def test_ragged_row_refused_with_its_line(store: Path) -> None:
    refused(store, "incidents", [BAD / "ragged_row.csv"], DataFileError,
            "ligne 2 .* a 3 champs au lieu de 4")


def test_decimal_commas_read(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "decimal_commas.csv"],
                      "virgule décimale lue comme un point")
    pts = report.frames["incidents"].geometry
    assert pts.iloc[0].x == pytest.approx(2.3522) and pts.iloc[0].y == pytest.approx(48.8566)


# -- coordinates -----------------------------------------------------------------------------
def test_swapped_lat_lon_put_back_and_reported(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "swapped_lat_lon.csv"],
                      "latitude et longitude inversées")
    assert report.fixes[next(k for k in report.fixes if "inversées" in k)] == 2
    assert report.frames["incidents"].geometry.iloc[0].x == pytest.approx(2.3522)


def test_lambert93_in_degree_columns_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "lambert93_as_degrees.csv"], SchemaError,
                  "valeurs en mètres dans des colonnes de degrés")
    assert "Lambert-93 (EPSG:2154)" in msg and "x_l93" in msg


def test_xy_without_crs_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "xy_without_crs.csv"], CrsError,
            "ne disent pas leur système de coordonnées")


def test_points_outside_territory_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "outside_territory.csv"], SchemaError,
                  r"point hors du territoire \(à \d+\.\d km")
    assert "ligne 2" in msg


def test_geojson_without_crs_but_metres_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "metres_without_crs.geojson"], CrsError,
            "coordonnées sont en mètres .* Lambert-93")


# -- files -----------------------------------------------------------------------------------
def test_empty_file_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    refused(store, "incidents", [path], DataFileError, "est vide")


def test_header_only_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "header_only.csv"], DataFileError,
            "ne contient que la ligne d'en-tête")


def test_binary_renamed_csv_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    refused(store, "incidents", [path], DataFileError, "n'est pas un fichier texte")


def test_truncated_geojson_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "truncated.geojson"], DataFileError,
            "tronqué ou mal formé")


def test_zip_without_shapefile_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "limites.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("lisez-moi.txt", "pas de shapefile ici")
    refused(store, "boundaries", [path], DataFileError, "ne contient aucun shapefile")


def test_shapefile_without_prj_refused(store: Path, tmp_path: Path) -> None:
    shp = tmp_path / "shp" / "secteurs.shp"
    shp.parent.mkdir()
    gpd.GeoDataFrame({"sector_id": ["A"], "name": ["A"], "force": ["police_municipale"]},
                     geometry=[box(2.3, 48.84, 2.32, 48.86)], crs=4326).to_file(shp)
    shp.with_suffix(".prj").unlink()
    path = tmp_path / "secteurs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part in shp.parent.iterdir():
            zf.write(part, part.name)
    refused(store, "sectors", [path], CrsError, "pas de système de coordonnées")


def test_200_mb_file_refused_before_reading(store: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "enorme.csv"
    with open(path, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened before its size was checked")

    monkeypatch.setattr(sniffing, "open", no_read, raising=False)
    refused(store, "incidents", [path], DataFileError, r"trop volumineux \(210 Mo, maximum 105 Mo\)")


# -- values ----------------------------------------------------------------------------------
def test_missing_required_column_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "missing_category_column.csv"], SchemaError,
                  "Colonne\\(s\\) obligatoire\\(s\\) absente\\(s\\)")
    assert "catégorie" in msg and "date_heure, lon, lat" in msg


def test_unparseable_dates_refused(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "unparseable_dates.csv"], "date illisible")
    assert report.rejected["ligne"].tolist() == [3, 4]
    assert report.accepted == 1


def test_future_dates_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "future_dates.csv"], SchemaError,
            "date dans le futur")


def test_unknown_categories_counted(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "unknown_categories.csv"], SchemaError,
                  "sans correspondance")
    assert "(2 ligne(s))" in msg and "Vol à la tire" in msg
    report = pipeline.prepare("incidents", [BAD / "unknown_categories.csv", BAD /
                                            "decimal_commas.csv"], store_path=store)
    assert report.unmapped == {"Vol à la tire": 2, "Nuisance": 1}


def test_mapping_with_unknown_code_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "unknown_categories.csv"], SchemaError,
            "Ligne 2 .* le code « vol_a_la_tire » n'existe pas",
            mapping=BAD / "mapping_unknown_code.csv")


def test_negative_counts_refused(store: Path) -> None:
    refused(store, "accidents", [BAD / "negative_counts.csv"], SchemaError,
            "nombre négatif dans « tues »")


def test_duplicate_ids_rejected_with_first_line(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "duplicate_ids.csv"],
                      "identifiant « 1 » en double (déjà vu ligne 2)")
    assert report.accepted == 1 and report.rejected["ligne"].tolist() == [3]


def test_formula_injection_neutralised(store: Path, tmp_path: Path) -> None:
    report = repaired(store, "facilities", [BAD / "formula_injection.csv"],
                      "neutralisée(s) (apostrophe ajoutée")
    assert report.frames["equipements"]["name"].iloc[0] == "'=cmd|' /C calc'!A0"
    copy = tmp_path / "copie.gpkg"
    copy.write_bytes(store.read_bytes())
    pipeline.commit(report, copy)
    stored = store_mod.open_store(copy).read("equipements")
    assert "'=cmd|' /C calc'!A0" in set(stored["name"])


def test_html_in_text_stored_as_text_and_escaped_when_shown(store: Path) -> None:
    raw = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    report = repaired(store, "facilities", [BAD / "html_in_text.csv"], "1 ligne(s) acceptée(s)")
    assert report.frames["equipements"]["name"].iloc[0] == raw
    html = preview.accepted_map(report).get_root().render()
    assert "<script>alert" not in html and "<img" not in html
    # The escaped text is there, inside the GeoJSON (where JSON writes & as \u0026).
    assert safe.text(raw).replace("&", "\\u0026") in html


# -- geometries ------------------------------------------------------------------------------
def test_self_intersecting_polygon_repaired_and_reported(store: Path) -> None:
    report = repaired(store, "sectors", [BAD / "self_intersecting.geojson"],
                      "polygone invalide réparé (auto-intersection) : Polygon → MultiPolygon")
    assert report.frames["secteurs"].is_valid.all()


def test_collapsed_polygon_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "collapsed_polygon.geojson"], SchemaError,
            "polygone invalide et irréparable")


def test_empty_geometries_refused(store: Path) -> None:
    msg = refused(store, "sectors", [BAD / "empty_geometries.geojson"], SchemaError,
                  "géométrie vide ou absente \\(2 ligne\\(s\\)\\)")
    assert "ligne 1" in msg


def test_mixed_geometry_types_rejected_per_feature(store: Path) -> None:
    report = repaired(store, "cameras", [BAD / "mixed_geometries.geojson"],
                      "géométrie de type LineString au lieu d'un point")
    assert report.accepted == 1
    assert report.rejected["ligne"].tolist() == [2, 3]


def test_sectors_without_force_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "sectors_without_force.geojson"], SchemaError,
            "--force")


# -- store -----------------------------------------------------------------------------------
def test_append_with_existing_ids_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "fac.csv"
    path.write_text("facility_id,name,kind,lon,lat\nF1,Autre mairie,mairie,2.35,48.85\n",
                    encoding="utf-8")
    refused(store, "facilities", [path], SchemaError, "existent déjà dans la couche",
            mode="append")


def test_store_that_is_not_a_geopackage_untouched(tmp_path: Path) -> None:
    fake = tmp_path / "clspd.gpkg"
    fake.write_text("ceci n'est pas une base\n", encoding="utf-8")
    refused(fake, "incidents", [BAD / "decimal_commas.csv"], DataFileError,
            "n'est pas un GeoPackage")


def test_unknown_kind_refused(store: Path) -> None:
    refused(store, "voitures", [BAD / "decimal_commas.csv"], SchemaError,
            "Type d'import « voitures » inconnu")
