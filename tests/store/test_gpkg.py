"""Tests of the GeoPackage store: round trips, filters, metadata, atomic writes, bad files."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import make_valid_layers
from geopandas.testing import assert_geodataframe_equal

from clspd_geo import schemas, store, vocab
from clspd_geo.errors import DataFileError, LockTimeoutError, SchemaError
from clspd_geo.store import communes, gpkg, gpkg_sql, locking, rows
from clspd_geo.store.gpkg import GeoPackageStore

LAYER_NAMES = sorted(schemas.LAYERS)
ROOT = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_same_layer(got: gpd.GeoDataFrame, written: gpd.GeoDataFrame, name: str) -> None:
    """``got`` (read back) holds exactly the rows and values of ``written``.

    The writers fill the commune of the point layers (one commune: every row is in it).
    """
    if name in communes.POINT_LAYERS:
        written = written.assign(insee_code=make_valid_layers()["territoire"]["insee_code"]
                                 .iloc[0])
    expected = schemas.conform(written, name).reset_index(drop=True)
    assert_geodataframe_equal(got.reset_index(drop=True), expected, check_less_precise=False)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "clspd.gpkg"


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding one valid frame per layer, written once per module."""
    template = tmp_path_factory.mktemp("modele") / "clspd.gpkg"
    store.GeoPackageStore(template, create=True).write_many(make_valid_layers(),
                                                            source="jeu de test")
    return template


@pytest.fixture
def filled(path: Path, filled_template: Path) -> store.GeoPackageStore:
    """A fresh copy of the template store, free to modify."""
    shutil.copyfile(filled_template, path)
    return store.GeoPackageStore(path)


def _incidents(filled: store.GeoPackageStore, **filters) -> list[str]:
    return filled.read("incidents", **filters)["incident_id"].tolist()


# -- round trip -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LAYER_NAMES)
def test_round_trip_of_each_layer(filled, name):
    got = filled.read(name)
    assert got.crs.to_epsg() == 4326
    assert_same_layer(got, make_valid_layers()[name], name)


def test_datetimes_come_back_exact_to_the_second(filled):
    got = filled.read("incidents")["occurred_at"].tolist()
    assert got == [pd.Timestamp(s) for s in (
        "2024-01-01 00:00:00", "2024-01-15 12:30:45", "2024-01-31 23:59:59",
        "2024-02-01 00:00:00", "2024-02-10 08:00:00", "2024-03-01 00:00:00")]
    accidents = filled.read("accidents")
    assert accidents["occurred_at"].iloc[0] == pd.Timestamp("2024-04-02 17:45:00")


def test_missing_values_and_dtypes_survive(filled):
    quartiers = filled.read("quartiers")
    assert str(quartiers["population"].dtype) == "Int64"
    assert quartiers["population"].iloc[0] == 5000 and pd.isna(quartiers["population"].iloc[1])
    cameras = filled.read("cameras")
    assert pd.isna(cameras["bearing_deg"].iloc[1]) and pd.isna(cameras["commissioned_on"].iloc[1])
    assert filled.read("equipements")["confidential"].tolist() == [False, False, True]


def test_writing_a_layer_again_replaces_it_and_keeps_the_others(filled):
    layers = make_valid_layers()
    fewer = layers["incidents"].iloc[[1, 3]]
    filled.write("incidents", fewer, source="second import")
    assert_same_layer(filled.read("incidents"), fewer, "incidents")
    assert_same_layer(filled.read("cameras"), layers["cameras"], "cameras")
    prov = filled.provenance()
    assert prov["layer"].tolist().count("incidents") == 1
    assert filled.source_of("incidents").source == "second import"
    assert filled.source_of("incidents").rows == 2
    assert filled.source_of("cameras").source == "jeu de test"


def test_frames_in_another_crs_are_refused_not_reprojected(path):
    st = store.GeoPackageStore(path, create=True)
    with pytest.raises(SchemaError, match="EPSG:2154 au lieu de EPSG:4326"):
        st.write("cameras", make_valid_layers()["cameras"].to_crs(2154), source="x")


def test_written_file_is_a_standard_geopackage(filled, path):
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == store.GPKG_APPLICATION_ID
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rtrees = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'rtree_incidents_%'")}
    finally:
        con.close()
    assert contents["incidents"] == "features"
    assert contents[store.PROVENANCE_TABLE] == "attributes"
    assert rtrees  # spatial index, for bbox reads and QGIS


# -- filters ----------------------------------------------------------------------------------
def test_period_is_start_inclusive_end_exclusive(filled):
    jan = (dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    assert _incidents(filled, period=jan) == ["i0", "i1", "i2"]
    feb = (dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1))
    assert _incidents(filled, period=feb) == ["i3", "i4"]
    second = (dt.datetime(2024, 1, 15, 12, 30, 45), dt.datetime(2024, 1, 31, 23, 59, 59))
    assert _incidents(filled, period=second) == ["i1"]
    after = (dt.datetime(2024, 1, 15, 12, 30, 46), dt.datetime(2024, 2, 1, 0, 0, 1))
    assert _incidents(filled, period=after) == ["i2", "i3"]
    assert _incidents(filled, period=(dt.date(2023, 1, 1), dt.date(2023, 12, 31))) == []
    ts = (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02"))
    assert _incidents(filled, period=ts) == ["i5"]


def test_period_bounds_with_milliseconds(path):
    gdf = make_valid_layers()["incidents"]
    gdf["occurred_at"] = pd.to_datetime(
        ["2024-01-01 00:00:00", "2024-01-01 00:00:00.500", "2024-01-01 00:00:00.999",
         "2024-01-01 00:00:01", "2024-01-01 00:00:01.100", "2024-01-01 00:00:01.250"],
        format="ISO8601")
    st = store.GeoPackageStore(path, create=True)
    st.write("incidents", gdf, source="x")
    assert st.read("incidents")["occurred_at"].tolist() == gdf["occurred_at"].tolist()
    period = (dt.datetime(2024, 1, 1, 0, 0, 0, 500_000), dt.datetime(2024, 1, 1, 0, 0, 1, 250_000))
    assert _incidents(st, period=period) == ["i1", "i2", "i3", "i4"]
    sub_ms = (dt.datetime(2024, 1, 1, 0, 0, 0, 400), pd.Timestamp("2024-01-01 00:00:01.2504"))
    assert _incidents(st, period=sub_ms) == ["i1", "i2", "i3", "i4", "i5"]


def test_period_or_categories_on_a_layer_without_them(filled):
    with pytest.raises(SchemaError, match="« cameras » .* pas de colonne « occurred_at »"):
        filled.read("cameras", period=(dt.date(2024, 1, 1), dt.date(2024, 2, 1)))
    with pytest.raises(SchemaError, match="« accidents » .* pas de colonne « category »"):
        filled.read("accidents", categories=["rixe"])


def test_a_layer_saved_in_another_crs_is_read_in_4326(filled, path):
    # As if someone re-saved the layer from QGIS in Lambert-93.
    original = filled.read("incidents")
    pyogrio.write_dataframe(original.to_crs(2154), path, layer="incidents", driver="GPKG")
    got = filled.read("incidents")
    assert got.crs.to_epsg() == 4326
    assert_geodataframe_equal(got, original, check_less_precise=True)
    xy = original.get_coordinates()
    bbox = (xy.x.iloc[0] - 1e-5, xy.y.iloc[0] - 1e-5, xy.x.iloc[2] + 1e-5, xy.y.iloc[2] + 1e-5)
    assert _incidents(filled, bbox=bbox) == ["i0", "i1", "i2"]


def test_period_filters_accidents_too(filled):
    got = filled.read("accidents", period=(dt.date(2024, 6, 1), dt.date(2024, 7, 1)))
    assert got["accident_id"].tolist() == ["202400000002"]


def test_categories_filter(filled):
    assert _incidents(filled, categories=["cambriolage"]) == ["i0", "i4"]
    assert _incidents(filled, categories=("rixe", "tapage")) == ["i1", "i5"]
    assert _incidents(filled, categories=iter(["point_de_deal"])) == ["i3"]


def test_empty_category_list_gives_an_empty_frame_with_the_layer_columns(filled):
    full = filled.read("incidents")
    got = filled.read("incidents", categories=[])
    assert len(got) == 0
    assert list(got.columns) == list(full.columns)
    assert dict(got.dtypes) == dict(full.dtypes)
    assert got.crs.to_epsg() == 4326


@pytest.mark.parametrize("codes", [["l'inconnue"], ["cambriolage' OR '1'='1"], ["'"]])
def test_category_codes_with_quotes_are_plain_values(filled, codes):
    assert _incidents(filled, categories=codes) == []
    assert _incidents(filled, categories=[*codes, "rixe"]) == ["i1"]


def test_bbox_filter(filled):
    inc = filled.read("incidents")
    xy = inc.get_coordinates()
    # Around the first three points only (they are 100 m apart in x, 50 m in y).
    bbox = (xy.x.iloc[0] - 1e-5, xy.y.iloc[0] - 1e-5, xy.x.iloc[2] + 1e-5, xy.y.iloc[2] + 1e-5)
    assert _incidents(filled, bbox=bbox) == ["i0", "i1", "i2"]
    assert _incidents(filled, bbox=(0.0, 0.0, 0.1, 0.1)) == []


def test_columns_filter(filled):
    got = filled.read("incidents", columns=["category"])
    assert list(got.columns) == ["category", "geometry"]
    assert got.crs.to_epsg() == 4326
    got = filled.read("incidents", columns=["category"], categories=[])
    assert list(got.columns) == ["category", "geometry"]


def test_unknown_columns_are_an_error_not_a_silent_gap(filled):
    with pytest.raises(SchemaError, match="« incidents » .* pas de colonne « categorie »"):
        filled.read("incidents", columns=["categorie"])
    assert list(filled.read("incidents", columns=[]).columns) == ["geometry"]
    assert list(filled.read("incidents", columns=["geometry"]).columns) == ["geometry"]


def test_filters_combine(filled):
    got = filled.read("incidents", period=(dt.date(2024, 1, 1), dt.date(2024, 3, 1)),
                      categories=["cambriolage", "point_de_deal"], columns=["incident_id"])
    assert got["incident_id"].tolist() == ["i0", "i3", "i4"]


def test_reading_an_absent_or_unknown_layer(path):
    st = store.GeoPackageStore(path, create=True)
    st.write("territoire", make_valid_layers()["territoire"], source="x")
    with pytest.raises(DataFileError, match="« incidents » .* est absente du fichier"):
        st.read("incidents")
    with pytest.raises(SchemaError, match="« routes » n'existe pas"):
        st.read("routes")


# -- metadata ---------------------------------------------------------------------------------
def test_layers_has_count_provenance_before_and_after_writes(path):
    st = store.GeoPackageStore(path, create=True)
    assert not path.exists()
    assert st.layers() == [] and not st.has("incidents") and st.count("incidents") == 0
    assert st.provenance().empty and st.source_of("incidents") is None
    assert st.version() == "absent"

    layers = make_valid_layers()
    st.write_many({"incidents": layers["incidents"], "cameras": layers["cameras"]},
                  source="import du 1er mars")
    assert st.layers() == ["cameras", "incidents"]  # data-model order, provenance not listed
    assert st.has("incidents") and not st.has("secteurs")
    assert st.count("incidents") == 6 and st.count("cameras") == 3 and st.count("secteurs") == 0
    prov = st.provenance()
    assert sorted(prov["layer"]) == ["cameras", "incidents"]
    assert set(prov["source"]) == {"import du 1er mars"}
    src = st.source_of("incidents")
    assert src == store.Provenance("incidents", "import du 1er mars", src.imported_at, 6)
    assert dt.datetime.fromisoformat(src.imported_at) <= dt.datetime.now()
    v1 = st.version()
    assert v1 != "absent"

    st.write("secteurs", layers["secteurs"], source="SIG police")
    v2 = st.version()
    assert v2 != v1
    assert st.layers() == ["cameras", "secteurs", "incidents"]
    assert st.source_of("secteurs").source == "SIG police"
    st.write("secteurs", layers["secteurs"].iloc[[0]], source="SIG police")
    assert st.version() not in (v1, v2)
    assert st.count("secteurs") == 1


def test_open_store_and_a_second_handle_see_the_same_file(filled, path, monkeypatch):
    again = store.open_store(path)
    assert again.layers() == filled.layers()
    monkeypatch.setenv("CLSPD_STORE", str(path))
    assert store.open_store().version() == filled.version()


# -- failed writes change nothing -------------------------------------------------------------
def test_a_failing_validation_writes_nothing(filled, path):
    before = sha256(path)
    version = filled.version()
    layers = make_valid_layers()
    bad = layers["incidents"].copy()
    bad["category"] = "inconnue"
    with pytest.raises(SchemaError, match="« incidents »"):
        filled.write_many({"cameras": layers["cameras"].iloc[[0]], "incidents": bad},
                          source="x")
    assert sha256(path) == before
    assert filled.version() == version
    with pytest.raises(SchemaError):
        filled.write("incidents", bad.set_crs(None, allow_override=True), source="x")
    assert sha256(path) == before


def test_a_failing_first_write_creates_no_file(path):
    st = store.GeoPackageStore(path, create=True)
    bad = make_valid_layers()["incidents"].drop(columns="occurred_at")
    with pytest.raises(SchemaError, match="colonnes manquantes : occurred_at"):
        st.write("incidents", bad, source="x")
    with pytest.raises(SchemaError, match="Aucune couche"):
        st.write_many({}, source="x")
    assert not path.exists()


def test_a_write_that_fails_on_disk_is_a_french_error_and_changes_nothing(filled, path,
                                                                           monkeypatch):
    before = sha256(path)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gpkg.shutil, "copyfile", disk_full)
    with pytest.raises(DataFileError, match="n'a pas pu être écrit .*espace disque"):
        filled.write("incidents", make_valid_layers()["incidents"], source="x")
    assert sha256(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, f"{path.name}.lock"]


def test_a_store_under_a_file_instead_of_a_folder(tmp_path):
    (tmp_path / "fichier").write_text("pas un dossier")
    st = store.GeoPackageStore(tmp_path / "fichier" / "clspd.gpkg", create=True)
    with pytest.raises(DataFileError, match="n'a pas pu être écrit"):
        st.write("incidents", make_valid_layers()["incidents"], source="x")


def test_writes_do_not_mutate_the_frames(path):
    frames = make_valid_layers()
    copies = {k: v.copy() for k, v in frames.items()}
    store.GeoPackageStore(path, create=True).write_many(frames, source="x")
    for name, gdf in frames.items():
        assert_geodataframe_equal(gdf, copies[name])


# -- atomic writes ----------------------------------------------------------------------------
# Big enough that a write takes a while (copy, layer, R-tree, provenance, fsync, rename), small
# enough that six writes fit the test budget on a shared 2-core machine.
N_BIG = 60_000


def big_incidents(n: int) -> gpd.GeoDataFrame:
    """A deterministic incidents layer of ``n`` points on a Paris grid (about 1 m apart)."""
    i = np.arange(n)
    codes = np.array(vocab.category_codes())
    return gpd.GeoDataFrame(
        {"incident_id": [f"n{k:07d}" for k in range(n)],
         "occurred_at": (pd.Timestamp("2024-01-01") + pd.to_timedelta(i * 61, unit="s"))
         .astype("datetime64[ms]"),
         "category": codes[i % len(codes)]},
        geometry=shapely.points(2.30 + (i % 500) * 1e-5, 48.80 + (i // 500) * 1e-5), crs=4326)


def _write_big(path: Path, gdf: gpd.GeoDataFrame) -> None:
    store.GeoPackageStore(path).write("incidents", gdf, source="nouveau")


def _start_writer(path: Path, gdf: gpd.GeoDataFrame) -> mp.process.BaseProcess:
    """Write ``gdf`` into the store from a forked child process, which we may SIGKILL.

    Forking inherits the imported libraries and the frame, so the child starts writing at
    once instead of spending seconds importing geopandas: the kill test stays short.
    """
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork in a threaded process; the child only runs GDAL.
        warnings.simplefilter("ignore", DeprecationWarning)
        proc = mp.get_context("fork").Process(target=_write_big, args=(path, gdf))
        proc.start()
    return proc


def _state(path: Path, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame,
           territoire: gpd.GeoDataFrame) -> str:
    """Check the store is whole and return which version it holds: "old" or "new"."""
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    st = store.GeoPackageStore(path)  # opens: a GeoPackage, undamaged
    assert_same_layer(st.read("territoire"), territoire, "territoire")  # untouched layer
    got = st.read("incidents")
    src = st.source_of("incidents")
    if len(got) == len(old):
        assert_same_layer(got, old, "incidents")
        assert (src.source, src.rows) == ("ancien", len(old))
        return "old"
    assert len(got) == len(new), f"{len(got)} rows: neither the old nor the new version"
    # Column by column with numpy: assert_geodataframe_equal takes seconds on 60k geometries.
    for col in ("incident_id", "category"):
        assert got[col].tolist() == new[col].tolist(), col
    np.testing.assert_array_equal(got["occurred_at"].to_numpy(), new["occurred_at"].to_numpy())
    np.testing.assert_array_equal(got.get_coordinates().to_numpy(),
                                  new.get_coordinates().to_numpy())
    assert (src.source, src.rows) == ("nouveau", len(new))
    return "new"


def _temp_size(path: Path) -> int:
    """Size in bytes of the writer's temp file beside the store (0 when there is none)."""
    size = 0
    for p in path.parent.iterdir():
        if p.name.startswith(f".{path.name}.") and p.name.endswith(".tmp.gpkg"):
            with contextlib.suppress(FileNotFoundError):  # renamed while we looked
                size = max(size, p.stat().st_size)
    return size


@pytest.mark.slow
def test_a_writer_killed_at_any_moment_leaves_the_old_or_the_new_store(path):
    layers = make_valid_layers()
    st = store.GeoPackageStore(path, create=True)
    st.write("territoire", layers["territoire"], source="ancien")
    st.write("incidents", layers["incidents"], source="ancien")
    old_bytes = path.read_bytes()
    new = big_incidents(N_BIG)

    # One undisturbed run: it must produce the new version; time it to aim the kills.
    t0 = time.monotonic()
    proc = _start_writer(path, new)
    proc.join(timeout=120)
    write_s = time.monotonic() - t0
    assert proc.exitcode == 0
    assert _state(path, layers["incidents"], new, layers["territoire"]) == "new"

    # Kill at random moments spread over the write (one per fifth of it, the last fifth
    # running a little past its expected end), each time from the old store.
    rng = random.Random(20241125)
    seen = []
    for k in range(5):
        path.write_bytes(old_bytes)
        delay = (k + rng.random()) / 5 * write_s * 1.1
        t0 = time.monotonic()
        proc = _start_writer(path, new)
        while time.monotonic() - t0 < delay and proc.is_alive():
            time.sleep(0.005)
        proc.kill()  # SIGKILL; a no-op if it already finished
        proc.join(timeout=30)
        assert proc.exitcode in (0, -signal.SIGKILL)  # killed, or finished just before
        seen.append(_state(path, layers["incidents"], new, layers["territoire"]))

    # One kill while the new layer is being written: the temp file has outgrown the old store.
    path.write_bytes(old_bytes)
    proc = _start_writer(path, new)
    while proc.is_alive() and _temp_size(path) <= 2 * len(old_bytes):
        time.sleep(0.001)
    proc.kill()
    proc.join(timeout=30)
    assert proc.exitcode == -signal.SIGKILL
    assert _state(path, layers["incidents"], new, layers["territoire"]) == "old"

    # And one kill right after the swap (the store's inode changed), before the writer ends.
    path.write_bytes(old_bytes)
    old_inode = path.stat().st_ino
    proc = _start_writer(path, new)
    while path.stat().st_ino == old_inode and proc.is_alive():
        time.sleep(0.001)
    proc.kill()  # SIGKILL; a no-op if it already finished
    proc.join(timeout=30)
    assert _state(path, layers["incidents"], new, layers["territoire"]) == "new"

    # Whatever temp files the kills left, later writes work and clean them up.
    leftovers = path.parent / f".{path.name}.crashed.tmp.gpkg"
    leftovers.write_bytes(b"half a file")
    (path.parent / f".{path.name}.crashed.tmp.gpkg-journal").write_bytes(b"x")
    store.GeoPackageStore(path).write("incidents", layers["incidents"].iloc[:2], source="après")
    assert _incidents(store.GeoPackageStore(path)) == ["i0", "i1"]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, f"{path.name}.lock"]


def test_concurrent_writers_do_not_lose_each_other_s_layers(path):
    layers = make_valid_layers()
    store.GeoPackageStore(path, create=True).write("territoire", layers["territoire"],
                                                   source="x")
    writers = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork, see _start_writer
        ctx = mp.get_context("fork")
        for name in ("cameras", "secteurs", "quartiers", "equipements"):
            writers.append(ctx.Process(target=_write_layer, args=(path, name, layers[name])))
            writers[-1].start()
    for proc in writers:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    st = store.GeoPackageStore(path)
    assert st.layers() == ["territoire", "quartiers", "cameras", "secteurs", "equipements"]
    assert sorted(st.provenance()["layer"]) == sorted(st.layers())


def _write_layer(path: Path, name: str, gdf: gpd.GeoDataFrame) -> None:
    store.GeoPackageStore(path).write(name, gdf, source=f"processus {name}")


def test_leftover_temp_files_do_not_break_a_write(filled, path):
    stale = path.parent / f".{path.name}.abc123.tmp.gpkg"
    stale.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    filled.write("incidents", make_valid_layers()["incidents"].iloc[:1], source="x")
    assert _incidents(filled) == ["i0"]
    assert not stale.exists()


def test_odd_characters_in_the_path(tmp_path):
    path = tmp_path / "dossier #1" / "base ?%20 été.gpkg"
    st = store.GeoPackageStore(path, create=True)
    st.write("incidents", make_valid_layers()["incidents"], source="x")
    assert store.GeoPackageStore(path).count("incidents") == 6
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, f"{path.name}.lock"]


@pytest.mark.parametrize("app_id", [b"GP10", b"GP11"])
def test_geopackages_of_version_1_0_and_1_1_open(filled, path, app_id):
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id = {int.from_bytes(app_id, 'big')}")
    con.commit()
    con.close()
    assert store.GeoPackageStore(path).count("incidents") == 6


# -- bad input: read-only store, full disk, a writer that died ---------------------------------
def _ops(st: store.GeoPackageStore) -> dict:
    """The three kinds of write, each a callable: a rebuild, an in-place append, a row edit."""
    layers = make_valid_layers()
    new_facilities = layers["equipements"].assign(
        facility_id=lambda g: "n" + g["facility_id"].astype(str))

    def edit() -> None:
        current = st.read("actions")
        changed = current.iloc[[0]].copy()
        changed["title"] = "Titre modifié"
        st.edit_rows(rows.RowEdits("actions", changed,
                                   base_versions=rows.row_versions(current.iloc[[0]],
                                                                   "actions")),
                     source="saisie", by="test")

    return {"write": lambda: st.write("incidents", layers["incidents"].iloc[:2], source="y"),
            "append": lambda: st.append_many({"equipements": new_facilities}, source="y"),
            "edit": edit}


@contextlib.contextmanager
def _tmpfs(where: Path, size_kb: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_kb`` at ``where`` (skip the test when mounting is refused)."""
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small or read-only file system")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs",
                          str(where)], capture_output=True, text=True)
    if res.returncode:
        pytest.skip(f"mounting a tmpfs is not permitted here (needs root): {res.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.mark.parametrize("op", ["write", "append", "edit"])
def test_a_read_only_store_file_is_refused_in_french_and_unchanged(filled, path, op):
    path.chmod(0o444)
    before, version = sha256(path), filled.version()
    with pytest.raises(DataFileError, match="est en lecture seule : rien n'a été écrit"):
        _ops(filled)[op]()
    assert (sha256(path), filled.version()) == (before, version)
    assert _beside(path) <= {path.name, f"{path.name}.lock"}
    assert store.GeoPackageStore(path).count("incidents") == 6  # still readable


@pytest.mark.parametrize("op", ["write", "append", "edit"])
def test_a_store_in_a_read_only_folder_is_read_but_not_written(filled_template, tmp_path, op):
    with _tmpfs(tmp_path / "ro", 4096) as mnt:
        path = mnt / "clspd.gpkg"
        shutil.copyfile(filled_template, path)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        st = store.GeoPackageStore(path)
        before, version = sha256(path), st.version()
        with pytest.raises(DataFileError, match="n'a pas pu être écrit .*droits sur son "
                                                 "dossier ; le fichier existant n'a pas été"):
            _ops(st)[op]()
        assert (sha256(path), st.version()) == (before, version)
        assert _beside(path) == {path.name}
        assert st.count("incidents") == 6


@pytest.mark.parametrize("free_kb", [0, 16, 64, 96, 160, 320])
@pytest.mark.parametrize("op", ["write", "append", "edit"])
def test_a_full_disk_gives_a_french_error_and_leaves_the_store_as_it_was(filled_template,
                                                                         tmp_path, op, free_kb):
    # The store is ~350 kB; the free space left ranges from none to enough for some writes.
    size_kb = filled_template.stat().st_size // 1024 + free_kb + 64
    with _tmpfs(tmp_path / "petit", size_kb) as mnt:
        path = mnt / "clspd.gpkg"
        shutil.copyfile(filled_template, path)
        avail = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
        with open(mnt / "remplissage", "wb") as fh:
            fh.write(b"\0" * max(0, avail - free_kb * 1024))
        st = store.GeoPackageStore(path)
        before, version = sha256(path), st.version()
        try:
            _ops(st)[op]()
        except DataFileError as err:
            assert "n'a pas pu être écrit" in str(err) and "espace disque" in str(err)
            assert (sha256(path), st.version()) == (before, version)
            assert not path.with_name(path.name + "-journal").exists()
        else:  # it fitted: the new content is there, whole
            assert st.version() != version
            with sqlite3.connect(path) as con:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert _beside(path) == {path.name, f"{path.name}.lock", "remplissage"}
        assert store.GeoPackageStore(path).count("incidents") in (6, 2)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _die_mid_transaction(path: Path) -> None:
    """Run a writer that deletes the incidents and dies before committing (a hot journal)."""
    script = ("import os, sqlite3, sys; con = sqlite3.connect(sys.argv[1]); "
              "con.execute('PRAGMA cache_size=1'); con.execute('BEGIN'); "
              "con.execute('DELETE FROM incidents'); "
              "con.execute('CREATE TABLE rebut (v TEXT)'); "
              "con.executemany('INSERT INTO rebut VALUES (?)', [('x' * 500,)] * 300); "
              "os._exit(9)")
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert path.with_name(path.name + "-journal").exists()


def _leave_a_dead_writer(path: Path) -> tuple[int, Path]:
    pid = _dead_pid()
    locking.lock_path(path).write_text(f"{pid}\n")
    temp = path.parent / f".{path.name}.mort123.tmp.gpkg"
    temp.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    _die_mid_transaction(path)
    return pid, temp


def test_opening_a_store_after_a_writer_died_rolls_it_back_to_its_old_bytes(filled, path):
    before, counter = sha256(path), gpkg_sql.read_counter(path)
    _, temp = _leave_a_dead_writer(path)
    st = store.GeoPackageStore(path)
    assert sha256(path) == before and gpkg_sql.read_counter(path) == counter
    assert not path.with_name(path.name + "-journal").exists() and not temp.exists()
    assert locking.lock_path(path).read_text() == ""  # the dead writer's pid is cleared
    assert st.count("incidents") == 6 and "rebut" not in st.table_names()


@pytest.mark.parametrize("op", ["write", "append", "edit"])
def test_the_next_writer_after_a_dead_one_cleans_up_and_writes(filled, path, op):
    # ``filled`` was opened before the writer died, so only the write can clean up.
    _, temp = _leave_a_dead_writer(path)
    _ops(filled)[op]()
    assert not path.with_name(path.name + "-journal").exists() and not temp.exists()
    assert locking.lock_path(path).read_text() == ""
    assert _beside(path) == {path.name, f"{path.name}.lock"}
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert filled.count("incidents") == (2 if op == "write" else 6)
    assert filled.count("equipements") == (6 if op == "append" else 3)
    assert "rebut" not in filled.table_names()


def test_a_live_writer_s_lock_and_temporaries_are_not_taken_from_it(filled, path, monkeypatch):
    script = ("import sys, time; from pathlib import Path; "
              "from clspd_geo.store import locking; "
              "cm = locking.exclusive(Path(sys.argv[1])); cm.__enter__(); "
              "print('tenu', flush=True); sys.stdin.readline(); import os; os._exit(9)")
    holder = subprocess.Popen([sys.executable, "-c", script, str(path)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "tenu"
        temp = path.parent / f".{path.name}.vivant.tmp.gpkg"
        temp.write_bytes(b"en cours")
        before = sha256(path)
        monkeypatch.setenv("CLSPD_LOCK_TIMEOUT_S", "0.3")
        with pytest.raises(LockTimeoutError, match=rf"\(processus {holder.pid}\).* rien n'a "
                                                    "été écrit"):
            _ops(filled)["append"]()
        assert sha256(path) == before and temp.exists()
        assert locking.lock_path(path).read_text() == f"{holder.pid}\n"
    finally:
        holder.communicate("\n", timeout=10)
    # The holder died holding it: the kernel freed the lock, its pid and temporaries are cleared.
    _ops(filled)["append"]()
    assert filled.count("equipements") == 6 and not temp.exists()
    assert locking.lock_path(path).read_text() == ""


# -- bad files --------------------------------------------------------------------------------
def _make_bad(kind: str, tmp_path: Path) -> Path:
    target = tmp_path / "donnees.gpkg"
    if kind == "missing":
        return tmp_path / "absent" / "donnees.gpkg"
    if kind == "directory":
        target.mkdir()
    elif kind == "csv":
        target.write_text("incident_id,category,lon,lat\ni1,rixe,2.35,48.85\n", encoding="utf-8")
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "random":
        target.write_bytes(np.random.default_rng(7).integers(0, 256, 50_000, dtype=np.uint8)
                           .tobytes())
    elif kind == "truncated":
        full = tmp_path / "complet.gpkg"
        store.GeoPackageStore(full, create=True).write_many(make_valid_layers(), source="x")
        data = full.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif kind == "sqlite":
        con = sqlite3.connect(target)
        con.execute("CREATE TABLE faits (id TEXT, lon REAL, lat REAL)")
        con.execute("INSERT INTO faits VALUES ('i1', 2.35, 48.85)")
        con.commit()
        con.close()
    return target


BAD_FILES = {
    "missing": ["introuvable", "Vérifiez le chemin"],
    "directory": ["est un dossier", "pas un fichier GeoPackage"],
    "csv": ["n'est pas un GeoPackage", "pas une base SQLite"],
    "empty": ["est vide", "n'est pas un GeoPackage"],
    "random": ["n'est pas un GeoPackage"],
    "truncated": ["endommagé", "Restaurez une sauvegarde"],
    "sqlite": ["pas un GeoPackage", "base SQLite"],
}


def _snapshot(path: Path) -> dict[str, str]:
    if path.is_dir():
        return {p.name: sha256(p) for p in path.iterdir()}
    return {path.name: sha256(path)} if path.exists() else {}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_raise_a_french_data_file_error_and_stay_untouched(kind, tmp_path):
    target = _make_bad(kind, tmp_path)
    before = _snapshot(target)
    listing = sorted(p.name for p in tmp_path.rglob("*"))
    for open_it in (store.check_geopackage, store.GeoPackageStore, store.open_store):
        with pytest.raises(DataFileError) as info:
            open_it(target)
        msg = str(info.value)
        assert str(target) in msg
        for words in BAD_FILES[kind]:
            assert words in msg, (kind, msg)
    if kind != "missing":
        # Even a store allowed to create its file refuses to overwrite a foreign one.
        with pytest.raises(DataFileError):
            store.GeoPackageStore(target, create=True).write(
                "incidents", make_valid_layers()["incidents"], source="x")
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing  # nothing created beside it
    assert isinstance(info.value, OSError)


# -- real data --------------------------------------------------------------------------------
def _paris_quartiers(shared_data: Path) -> gpd.GeoDataFrame:
    raw = gpd.read_file(shared_data / "areas" / "paris_quartiers_administratifs.geojson")
    return gpd.GeoDataFrame(
        {"quartier_id": raw["c_qu"].astype(str), "name": raw["l_qu"],
         "insee_code": "751" + raw["c_ar"].astype(int).map("{:02d}".format),
         "qpv": False, "population": None}, geometry=raw.geometry, crs=raw.crs)


_VEHICLES = {"VL": "vl", "VU": "vu", "Bicy": "velo", "Bus": "tc", "Car": "tc", "Tram": "tc",
             "TRSem": "pl", "PLRem": "pl", "PL>7,5": "pl", "PL<=7,5": "pl"}


def _paris_accidents(shared_data: Path) -> gpd.GeoDataFrame:
    raw = pd.read_csv(shared_data / "accidents" / "paris_accidents_2012.csv.gz")
    grav = raw[[f"usager_{i}_grav" for i in range(1, 5)]]
    vehicles = raw[["vehicule_1_cat", "vehicule_2_cat", "vehicule_3_cat"]].to_numpy(dtype=object)
    pedestrian = (raw[[f"usager_{i}_cat" for i in range(1, 5)]] == "Piéton").any(axis=1)
    users = []
    for row, on_foot in zip(vehicles, pedestrian, strict=True):
        kinds = {_VEHICLES.get(v, "deux_roues_motorise" if v[:4] in ("Scoo", "Moto", "Cycl")
                               else "autre") for v in row if isinstance(v, str)}
        users.append(";".join(sorted(kinds | ({"pieton"} if on_foot else set()))))
    return gpd.GeoDataFrame(
        {"accident_id": raw["accident_id"].astype(str),
         "occurred_at": pd.to_datetime(raw["date"] + " " + raw["heure"]),
         "killed": (grav == "Tué").sum(axis=1), "hospitalised": (grav == "BH").sum(axis=1),
         "slightly_injured": (grav == "BL").sum(axis=1), "user_types": users},
        geometry=gpd.points_from_xy(raw["lon"], raw["lat"]), crs=4326)


def test_real_paris_quartiers_round_trip_and_bbox(shared_data, path):
    quartiers = _paris_quartiers(shared_data)
    st = store.GeoPackageStore(path, create=True)
    st.write("quartiers", quartiers, source="opendata.paris.fr")
    got = st.read("quartiers")
    assert_same_layer(got, quartiers, "quartiers")
    # Around the Île de la Cité: what the spatial index returns is what intersects the box.
    bbox = (2.340, 48.850, 2.352, 48.858)
    expected = quartiers.loc[quartiers.intersects(shapely.box(*bbox)), "quartier_id"]
    assert sorted(st.read("quartiers", bbox=bbox)["quartier_id"]) == sorted(expected)
    assert 1 <= len(expected) < 80


def test_real_paris_accidents_period_counts(shared_data, path):
    accidents = _paris_accidents(shared_data)
    st = store.GeoPackageStore(path, create=True)
    st.write("accidents", accidents, source="Préfecture de police, 2012")
    assert st.count("accidents") == len(accidents) == 6977
    got = st.read("accidents")
    assert got["occurred_at"].tolist() == accidents["occurred_at"].tolist()
    assert int(got["killed"].sum()) == int(accidents["killed"].sum()) == 39
    assert set(";".join(got["user_types"]).split(";")) <= set(vocab.ROAD_USERS)
    months = pd.date_range("2012-01-01", "2013-01-01", freq="MS")
    per_month = [len(st.read("accidents", period=(start, end), columns=["accident_id"]))
                 for start, end in zip(months[:-1], months[1:], strict=True)]
    expected = accidents["occurred_at"].dt.month.value_counts().sort_index().tolist()
    assert per_month == expected
    assert sum(per_month) == len(accidents)


# -- concurrency (issue 19) --------------------------------------------------------------------
WRITERS = Path(__file__).resolve().parent / "concurrent_writers.py"
ROLES = ["append"] * 5 + ["edit"] * 3 + ["new"] * 2  # N = 10 writers started together


def run_writers(target: str, roles: list[str] = ROLES) -> list[dict]:
    """Start one process per role, all released at the same instant; return their results."""
    import json
    import subprocess
    import sys
    import tempfile

    # A barrier, not a clock: each writer reads its version, says it is ready, and writes
    # only once all are ready, however long their start takes on a loaded machine.
    barrier = tempfile.mkdtemp(prefix="clspd-barrier-")
    procs = [subprocess.Popen([sys.executable, str(WRITERS), target, role, str(i),
                               barrier, str(len(roles))], stdout=subprocess.PIPE, text=True)
             for i, role in enumerate(roles)]
    results = []
    for p in procs:
        out, _ = p.communicate(timeout=180)
        assert p.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def check_nothing_lost(st, results: list[dict], *, before_fac: int) -> None:
    """Every accepted write is in the store exactly once; every refused one is absent."""
    fac = st.read("equipements")
    ids = fac["facility_id"].astype(str).tolist()
    appends = [r for r in results if r["role"] == "append"]
    assert all(r["ok"] for r in appends)  # appends re-apply on the new version: never refused
    for r in appends:
        assert all(ids.count(i) == 1 for i in r["ids"])
    assert len(fac) == before_fac + 5 * len(appends)
    plan = st.read("actions")
    titles = plan["title"].tolist()
    edits = [r for r in results if r["role"] == "edit"]
    won = [r for r in edits if r["ok"]]
    assert len(won) == 1  # all prepared from the same version of a1: one lands
    assert plan.loc[plan["action_id"] == "a1", "title"].item() == won[0]["title"]
    for r in edits:
        if not r["ok"]:
            assert "modifiée entre-temps par rédacteur" in r["refused"]
            assert r["title"] not in titles
    for r in (r for r in results if r["role"] == "new"):
        assert r["ok"] and titles.count(r["title"]) == 1
    assert plan["action_id"].is_unique


def test_concurrent_appends_and_plan_edits_lose_nothing(tmp_path):
    import sqlite3

    path = tmp_path / "s.gpkg"
    GeoPackageStore(path, create=True).write_many(make_valid_layers(), source="test")
    before = GeoPackageStore(path).count("equipements")
    results = run_writers(str(path))
    check_nothing_lost(GeoPackageStore(path), results, before_fac=before)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The R-tree index saw every inserted point (read through the spatial index).
        n_rtree = con.execute("SELECT count(*) FROM rtree_equipements_geom").fetchone()[0]
    finally:
        con.close()
    assert n_rtree == before + 25
