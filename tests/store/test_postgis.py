"""The PostGIS store on a real PostgreSQL/PostGIS server started by the test (loopback only)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from clspd_geo.errors import DataFileError, SchemaError
from conftest import tiny_layers

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def _run_as_postgres(args: list[str], **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def pg_url():
    """Start a throw-away PostgreSQL cluster with PostGIS on 127.0.0.1; yield its URL."""
    if not (PG_BIN / "initdb").exists() or not POSTGIS_CONTROL.exists():
        pytest.skip("PostgreSQL 15 + PostGIS absents : installez les paquets Debian "
                    "postgresql-15 et postgresql-15-postgis-3 (le script de tests le fait en root)")
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="clspd-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    _run_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "--no-sync"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                      "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off",
                      "start"])
    try:
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        for _ in range(50):
            try:
                with psycopg.connect(admin, autocommit=True) as con:
                    con.execute("CREATE DATABASE clspd")
                    con.execute("CREATE DATABASE nopostgis")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        url = f"postgresql://postgres@127.0.0.1:{port}/clspd"
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_store(pg_url):
    import psycopg

    from clspd_geo.store.postgis import PostGISStore

    with psycopg.connect(pg_url, autocommit=True) as con:
        for (name,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                   "AND tablename <> 'spatial_ref_sys'").fetchall():
            con.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')  # partitions go with it
    return PostGISStore(pg_url)


def test_round_trip_of_every_layer(pg_store):
    layers = tiny_layers()
    pg_store.write_many(layers, source="petit territoire")
    assert set(pg_store.layers()) == set(layers)
    for name, gdf in layers.items():
        back = pg_store.read(name)
        assert len(back) == len(gdf) and back.crs.to_epsg() == 4326
        if name == "incidents":
            # Partitioned by month: rows come back partition by partition, not as written.
            back = back.set_index("incident_id").loc[gdf["incident_id"]].reset_index()
        assert back.geometry.geom_equals_exact(gdf.geometry.reset_index(drop=True),
                                               tolerance=1e-9).all()
    inc = pg_store.read("incidents")
    inc = inc.set_index("incident_id").loc[layers["incidents"]["incident_id"]].reset_index()
    assert list(inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M")) == list(
        layers["incidents"]["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"))
    assert pg_store.count("incidents") == 7
    assert pg_store.source_of("incidents").source == "petit territoire"


def test_filters_match_the_geopackage_store(pg_store, tmp_path):
    from clspd_geo.store import GeoPackageStore

    layers = tiny_layers()
    pg_store.write_many(layers, source="t")
    gpkg = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    gpkg.write_many(layers, source="t")
    period = (dt.date(2025, 3, 1), dt.date(2025, 4, 2))
    for kwargs in ({"period": period}, {"categories": ["tapage"]}, {"categories": []},
                   {"categories": ["it's"]}, {"bbox": tuple(layers["quartiers"].iloc[[0]]
                                                        .total_bounds)}):
        a = pg_store.read("incidents", **kwargs)
        b = gpkg.read("incidents", **kwargs)
        assert sorted(a["incident_id"]) == sorted(b["incident_id"]), kwargs
    pts_pg = pg_store.read_points("incidents", columns=["occurred_at", "category"])
    pts_gp = gpkg.read_points("incidents", columns=["occurred_at", "category"])
    assert np.allclose(np.sort(pts_pg["lon"]), np.sort(pts_gp["lon"]))
    assert sorted(pts_pg["category"].astype(str)) == sorted(pts_gp["category"].astype(str))


def test_failed_validation_changes_nothing(pg_store):
    layers = tiny_layers()
    pg_store.write_many(layers, source="t")
    before = pg_store.version()
    bad = layers["incidents"].copy()
    bad.loc[0, "category"] = "inconnue"
    with pytest.raises(SchemaError):
        pg_store.write_many({"quartiers": layers["quartiers"], "incidents": bad}, source="x")
    assert pg_store.version() == before and pg_store.count("incidents") == 7


def test_failure_mid_transaction_rolls_back(pg_store, monkeypatch):
    from clspd_geo.store.postgis import PostGISStore

    layers = tiny_layers()
    pg_store.write_many(layers, source="t")
    before = pg_store.version()
    original = PostGISStore._write_table
    calls = []

    def failing(con, name, gdf):
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("coupure simulée")
        original(con, name, gdf)

    monkeypatch.setattr(PostGISStore, "_write_table", staticmethod(failing))
    fewer = {"quartiers": layers["quartiers"].iloc[:1], "incidents": layers["incidents"].iloc[:2]}
    with pytest.raises(RuntimeError):
        pg_store.write_many(fewer, source="x")
    assert pg_store.count("quartiers") == 2 and pg_store.count("incidents") == 7
    assert pg_store.version() == before


def test_version_changes_with_each_write(pg_store):
    layers = tiny_layers()
    pg_store.write_many(layers, source="t")
    v1 = pg_store.version()
    pg_store.write("cameras", layers["cameras"], source="t2")
    assert pg_store.version() != v1


def test_unreachable_server_and_missing_postgis_say_so(pg_url):
    from clspd_geo.store.postgis import PostGISStore

    with pytest.raises(DataFileError, match="injoignable"):
        PostGISStore("postgresql://postgres:secret@127.0.0.1:1/clspd")
    with pytest.raises(DataFileError, match="PostGIS") as err:
        PostGISStore(pg_url.rsplit("/", 1)[0] + "/nopostgis")
    assert "CREATE EXTENSION postgis" in str(err.value)
    # The password never appears in a message.
    with pytest.raises(DataFileError) as err:
        PostGISStore("postgresql://postgres:secret@127.0.0.1:1/clspd")
    assert "secret" not in str(err.value)


def test_open_store_picks_postgis_for_urls(pg_url):
    from clspd_geo import store
    from clspd_geo.store.postgis import PostGISStore

    assert isinstance(store.open_store(pg_url), PostGISStore)


def test_app_builds_the_demo_in_postgis_and_renders_the_overview(pg_store, pg_url, monkeypatch,
                                                                  tmp_path):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT, logged_in

    monkeypatch.setenv("CLSPD_STORE", pg_url)
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))  # accounts and audit trail files
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=240), "police",
                   tmp_path / "clspd.gpkg")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Vue d'ensemble"
    assert pg_store.count("incidents") == 20_000
    assert int(at.metric[0].value.replace("\u202f", "")) > 0


def test_concurrent_appends_and_plan_edits_lose_nothing_in_postgis(pg_store):
    import importlib.util

    from conftest import make_valid_layers

    spec = importlib.util.spec_from_file_location("gpkg_tests", Path(__file__).with_name(
        "test_gpkg.py"))
    gpkg_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpkg_tests)
    check_nothing_lost, run_writers = gpkg_tests.check_nothing_lost, gpkg_tests.run_writers

    st = pg_store
    st.write_many(make_valid_layers(), source="test")
    before = st.count("equipements")
    results = run_writers(st.url)
    check_nothing_lost(st, results, before_fac=before)
