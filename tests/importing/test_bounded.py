"""Decompression within a byte budget: gzip bombs, zip bombs, nested archives, no paths."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from clspd_geo.errors import DataFileError
from clspd_geo.importing import bounded, pipeline, preview, sniffing
from clspd_geo.importing.context import ImportOptions

_ROW = "2024-03-01 22:15;degradation;2.3522;48.8566\n"


def _gzip_bomb(path: Path, *, members: int) -> int:
    """Write ``members`` gzip members of 1 Mo of valid incident rows; return expanded size."""
    block = ("date_heure;categorie;lon;lat\n" + _ROW * (1_000_000 // len(_ROW))).encode()
    member = gzip.compress(block, compresslevel=9)
    path.write_bytes(member * members)
    return len(block) * members


def _assert_no_path(message: str, tmp_path: Path) -> None:
    assert str(tmp_path) not in message
    assert "/tmp" not in message and "/vsi" not in message


def test_gzip_bomb_refused_with_bounded_memory(tmp_path: Path, store: Path) -> None:
    bomb = tmp_path / "faits.csv.gz"
    expanded = _gzip_bomb(bomb, members=1000)
    assert expanded > 900_000_000 and bomb.stat().st_size < 10_000_000  # ~1 Go from a few Mo
    options = ImportOptions(max_bytes=preview.MAX_UPLOAD_BYTES)
    tracemalloc.start()
    try:
        with pytest.raises(DataFileError) as err:
            pipeline.prepare("incidents", [bomb], store_path=store, options=options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000_000  # the budget is 50 Mo: far below the gigabyte of rows
    message = str(err.value)
    assert "« faits.csv.gz »" in message and "50 Mo" in message
    _assert_no_path(message, tmp_path)


def test_gzip_within_budget_expands_every_member_and_layer(tmp_path: Path) -> None:
    once = gzip.compress(b"a;b\n1;2\n") + gzip.compress(b"3;4\n")
    assert bounded.gunzip(once, name="t.csv.gz", max_bytes=100) == b"a;b\n1;2\n3;4\n"
    twice = gzip.compress(gzip.compress(b"a;b\n1;2\n"))
    assert bounded.gunzip(twice, name="t.csv.gz.gz", max_bytes=100) == b"a;b\n1;2\n"
    path = tmp_path / "t.csv.gz"
    path.write_bytes(twice)
    assert sniffing.read_table(path).frame.to_dict("records") == [{"a": "1", "b": "2"}]


def test_gzip_budget_counts_expanded_bytes() -> None:
    raw = gzip.compress(b"x" * 5000)
    assert len(bounded.gunzip(raw, name="x.gz", max_bytes=5000)) == 5000
    with pytest.raises(DataFileError, match="dépasse"):
        bounded.gunzip(raw, name="x.gz", max_bytes=4999)


def test_ratio_refused_under_the_size_budget(tmp_path: Path) -> None:
    path = tmp_path / "zeros.csv.gz"
    path.write_bytes(gzip.compress(b"a;b\n" + b"0;0\n" * 5_000_000))  # 20 Mo, ~1000 times
    with pytest.raises(DataFileError, match="plus de 100 fois") as err:
        sniffing.read_table(path, max_bytes=100_000_000)
    _assert_no_path(str(err.value), tmp_path)


def test_three_gzip_layers_at_most() -> None:
    raw = b"a;b\n"
    for _ in range(4):
        raw = gzip.compress(raw)
    with pytest.raises(DataFileError, match="plus de 3 fois"):
        bounded.gunzip(raw, name="x.gz", max_bytes=1000)


def test_truncated_gzip_is_named(tmp_path: Path) -> None:
    raw = gzip.compress(b"a;b\n1;2\n" * 100)[:-12]
    with pytest.raises(DataFileError, match="« t.gz » est tronqué"):
        bounded.gunzip(raw, name="t.gz", max_bytes=10_000)


def _zip_of_zeros(path: Path, member: str, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(member, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)


def test_zip_bomb_shapefile_refused_without_server_path(tmp_path: Path, store: Path) -> None:
    bomb = tmp_path / "zones.zip"
    _zip_of_zeros(bomb, "zones.shp", 120 << 20)
    options = ImportOptions(max_bytes=preview.MAX_UPLOAD_BYTES)
    with pytest.raises(DataFileError) as err:
        pipeline.prepare("sectors", [bomb], store_path=store, options=options)
    message = str(err.value)
    assert "« zones.zip »" in message and "dépasse 50 Mo" in message
    _assert_no_path(message, tmp_path)


def test_zip_member_streamed_even_when_the_directory_lies(tmp_path: Path) -> None:
    path = tmp_path / "gtfs.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("stops.txt", "stop_id,stop_lat,stop_lon\n" + "1,45.7,4.8\n" * 30_000)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("stops.txt")
        info.file_size = 10  # what a forged directory would say
        with pytest.raises(DataFileError, match="« gtfs.zip/stops.txt »"):
            bounded.read_member(zf, "stops.txt", name="gtfs.zip", max_bytes=100_000)


def test_nested_archive_refused(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    _zip_of_zeros(inner, "zones.shp", 2 << 20)
    outer = tmp_path / "livraison.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "donnees/inner.zip")
        zf.writestr("zones.shp", b"\0" * 100)
    with pytest.raises(DataFileError, match="contient une autre archive") as err:
        sniffing.open_source(outer)
    assert "« livraison.zip »" in str(err.value) and "« inner.zip »" in str(err.value)
    _assert_no_path(str(err.value), tmp_path)


def test_gdal_error_has_no_server_path(tmp_path: Path) -> None:
    path = tmp_path / "abime.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("abime.shp", b"pas un shapefile" * 10)
    with pytest.raises(DataFileError) as err:
        sniffing.open_source(path)
    assert "« abime.zip »" in str(err.value)
    _assert_no_path(str(err.value), tmp_path)


def test_without_paths() -> None:
    text = "/vsizip//tmp/clspd-import-x1/0/a.zip/a.shp: not recognized as a supported file"
    assert bounded.without_paths(text, name="a.zip") == (
        "a.zip: not recognized as a supported file")


def test_zip_estimate_reads_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "t.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", b"x" * 300)
        zf.writestr("b.txt", b"y" * 200)
    with zipfile.ZipFile(path) as zf:
        assert bounded.zip_estimate(zf, name="t.zip", max_bytes=500) == 500
        with pytest.raises(DataFileError, match="dépasse"):
            bounded.zip_estimate(zf, name="t.zip", max_bytes=499)
