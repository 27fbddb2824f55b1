"""Reading import files: format, encoding, separator, size and line numbers."""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from import_helpers import BAD, refused, repaired

from clspd_geo.errors import CrsError, DataFileError
from clspd_geo.importing import sniffing


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


def test_duplicate_header_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("lon,lat,lon\n2.35,48.85,2.36\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="colonnes en double : lon"):
        sniffing.read_table(path)


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


def _write(path: Path, names: list[str]) -> Path:
    features = [{"type": "Feature", "properties": {"name": n},
                 "geometry": {"type": "Point", "coordinates": [2.35 + i / 1000, 48.85]}}
                for i, n in enumerate(names)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_geojson_with_bang_and_semicolon_in_names(tmp_path: Path) -> None:
    names = ["Place de la République !", "Rue A ; Rue B", "/vsicurl/http://x!y"]
    gdf = sniffing.read_vector(_write(tmp_path / "zones.geojson", names), "geojson")
    assert list(gdf["name"]) == names
    assert gdf.crs.to_epsg() == 4326


def test_geojson_longer_than_a_path(tmp_path: Path) -> None:
    names = [f"Équipement n° {i} ; « test » !" for i in range(300)]
    path = _write(tmp_path / "long.geojson", names)
    assert path.stat().st_size > 4096
    gdf = sniffing.read_vector(path, "geojson")
    assert list(gdf["name"]) == names
    assert len(gdf) == 300
