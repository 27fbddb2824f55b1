"""The PostGIS store on a real PostgreSQL/PostGIS server started by the test (loopback only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clspd_geo.errors import DataFileError, SchemaError
from conftest import tiny_layers


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

    monkeypatch.setenv("CLSPD_STORE", pg_url)  # accounts and audit trail in the base too
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=240), "police",
                   tmp_path / "clspd.gpkg", users=pg_url)
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


# -- PostGIS as the engine: partitions, staging imports, atoms ---------------------------------

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_frames():
    from clspd_geo import demo

    return demo.build_demo(seed=5, n_incidents=3000)


def _atoms(store, epsg=2154):
    from clspd_geo.store import atoms

    return atoms.sort_atoms(store.incident_atoms(epsg=epsg))


def _one_month(inc, month: str):
    return inc[inc["occurred_at"].dt.strftime("%Y-%m") == month].copy()


def test_incidents_are_partitioned_by_month_and_indexed(pg_store, pg_url, demo_frames):
    import psycopg

    pg_store.write_many(demo_frames, source="démo")
    months = set(demo_frames["incidents"]["occurred_at"].dt.strftime("%Y_%m"))
    with psycopg.connect(pg_url) as con:
        kind = con.execute("SELECT relkind FROM pg_class WHERE relname = 'incidents'").fetchone()
        parts = {r[0] for r in con.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN "
            "pg_class p ON p.oid = i.inhparent WHERE p.relname = 'incidents'").fetchall()}
        indexes = " ".join(r[0] for r in con.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents'").fetchall())
    assert kind == ("p",)
    assert parts == {f"incidents_p{m}" for m in months}
    assert "USING brin (occurred_at)" in indexes and "USING gist (geom)" in indexes
    assert "USING btree (category)" in indexes
    assert pg_store.count("incidents") == 3000


def test_reimporting_a_month_changes_nothing(pg_store, demo_frames):
    pg_store.write_many(demo_frames, source="démo")
    inc = demo_frames["incidents"]
    month = _one_month(inc, inc["occurred_at"].max().strftime("%Y-%m"))
    before_atoms, before_version = _atoms(pg_store), pg_store.version()
    assert pg_store.upsert("incidents", month, source="mois") == 0
    assert pg_store.upsert("incidents", month, source="mois") == 0
    assert pg_store.version() == before_version and pg_store.count("incidents") == 3000
    pd.testing.assert_frame_equal(_atoms(pg_store), before_atoms)
    # One row changed: one row written, its month's atoms follow, the version moves.
    changed = month.iloc[[0]].copy()
    changed["category"] = "tapage" if changed["category"].iloc[0] != "tapage" else "rixe"
    assert pg_store.upsert("incidents", changed, source="correction") == 1
    assert pg_store.version() != before_version and pg_store.count("incidents") == 3000
    after = _atoms(pg_store)
    assert after["n"].sum() == 3000
    assert after[after["category"] == changed["category"].iloc[0]]["n"].sum() == \
        before_atoms[before_atoms["category"] == changed["category"].iloc[0]]["n"].sum() + 1


def test_append_of_a_new_month_adds_its_partition_and_atoms(pg_store, demo_frames, tmp_path):
    import psycopg

    from clspd_geo.store import GeoPackageStore, atoms

    inc = demo_frames["incidents"]
    last = inc["occurred_at"].max().strftime("%Y-%m")
    base = {**demo_frames, "incidents": inc[inc["occurred_at"].dt.strftime("%Y-%m") != last]}
    pg_store.write_many(base, source="démo")
    n0 = pg_store.count("incidents")
    new = _one_month(inc, last)
    counts = pg_store.append_many({"incidents": new}, source="mois suivant")
    assert counts["incidents"] == n0 + len(new) == 3000
    # Appending the same rows again is refused by identifier and changes nothing.
    v = pg_store.version()
    with pytest.raises(SchemaError, match="existent déjà"):
        pg_store.append_many({"incidents": new}, source="encore")
    assert pg_store.version() == v and pg_store.count("incidents") == 3000
    # The atoms equal a plain GROUP BY on the points, and the GeoPackage's figures.
    got = _atoms(pg_store)
    pts = pg_store.read_points("incidents", columns=["occurred_at", "category", "quartier_id",
                                                    "insee_code"])
    pd.testing.assert_frame_equal(got, atoms.atoms_of_points(pts, epsg=2154))
    with psycopg.connect(pg_store.url) as con:
        plain = con.execute("SELECT category, date_trunc('month', occurred_at)::date, count(*) "
                            "FROM incidents GROUP BY 1, 2").fetchall()
    by_cat_month = got.groupby(["category", got["month"].dt.date])["n"].sum().to_dict()
    assert by_cat_month == {(c, m): n for c, m, n in plain}
    gpkg = GeoPackageStore(tmp_path / "same.gpkg", create=True)
    gpkg.write_many(base, source="démo")
    gpkg.append_many({"incidents": new}, source="mois suivant")
    pd.testing.assert_frame_equal(got, _atoms(gpkg))
    with psycopg.connect(pg_store.url) as con:
        part = con.execute("SELECT to_regclass(%s)", (f"incidents_p{last.replace('-', '_')}",
                                                       )).fetchone()[0]
    assert part is not None


def test_a_failed_import_leaves_the_points_and_atoms(pg_store, demo_frames, monkeypatch):
    from clspd_geo.store import postgis_incidents

    pg_store.write_many(demo_frames, source="démo")
    before_atoms, version = _atoms(pg_store), pg_store.version()
    inc = demo_frames["incidents"]
    moved = inc.iloc[:50].copy()
    moved["category"] = "rixe"

    def failing(con, **kw):
        raise RuntimeError("coupure simulée pendant le calcul des agrégats")

    monkeypatch.setattr(postgis_incidents, "refresh_atoms", failing)
    with pytest.raises(RuntimeError):
        pg_store.upsert("incidents", moved, source="x")
    monkeypatch.undo()
    assert pg_store.version() == version and pg_store.count("incidents") == 3000
    pd.testing.assert_frame_equal(_atoms(pg_store), before_atoms)
    back = pg_store.read("incidents", columns=["incident_id", "category"]).set_index(
        "incident_id")
    assert (back.loc[moved["incident_id"], "category"].to_numpy()
            == inc.iloc[:50]["category"].to_numpy()).all()


def test_a_date_outside_the_partitions_is_refused_in_french(pg_store, demo_frames):
    pg_store.write_many(demo_frames, source="démo")
    version = pg_store.version()
    old = demo_frames["incidents"].iloc[:2].copy()
    old["incident_id"] = ["ancien-1", "ancien-2"]
    old["occurred_at"] = pd.to_datetime(["1999-12-31 23:00", "2001-01-01 00:00"])
    for write in (lambda: pg_store.upsert("incidents", old, source="x"),
                  lambda: pg_store.append_many({"incidents": old}, source="x")):
        with pytest.raises(SchemaError, match="de janvier 2000 à décembre 2049") as err:
            write()
        assert "ancien-1" in str(err.value) and "rien n'a été écrit" in str(err.value)
    assert pg_store.version() == version and pg_store.count("incidents") == 3000


def test_role_views_read_atoms_and_agree_with_the_geopackage(pg_store, demo_frames, tmp_path,
                                                             monkeypatch):
    from clspd_geo.access import policy
    from clspd_geo.access.view import RoleView
    from clspd_geo.store import GeoPackageStore

    pg_store.write_many(demo_frames, source="démo")
    gpkg = GeoPackageStore(tmp_path / "same.gpkg", create=True)
    gpkg.write_many(demo_frames, source="démo")
    reads: list[str] = []
    real = pg_store.read_points
    monkeypatch.setattr(pg_store, "read_points", lambda name, **kw: (
        reads.append(name) or real(name, **kw)))
    for role in policy.ROLE_CODES:
        a = RoleView(pg_store, role, as_of=AS_OF, version=f"{pg_store.version()}-{role}")
        b = RoleView(gpkg, role, as_of=AS_OF)
        ta, tb = a.incidents(), b.incidents()
        key = ["category", "zone_level", "time_step"]
        assert (ta.groupby(key, observed=True).size().to_dict()
                == tb.groupby(key, observed=True).size().to_dict()), role
        sees_points = any(policy.category_rule(role, c).access == "exact"
                          for c in policy.vocab.category_codes())
        if not sees_points:
            # An aggregate role: no point read from the base, no exact row released.
            assert reads == [], role
            assert not ta["time_known"].any()
            assert a.incident_points_in(bbox=(-180, -90, 180, 90),
                                        period=(dt.date(2000, 1, 1), AS_OF)).empty
            assert reads == [], role
        reads.clear()


def test_point_reads_are_limited_to_the_box_and_period(pg_store, demo_frames):
    from clspd_geo.access.view import RoleView

    pg_store.write_many(demo_frames, source="démo")
    inc = demo_frames["incidents"]
    minx, miny, maxx, maxy = inc.total_bounds
    box = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    last = inc["occurred_at"].max()
    period = (dt.date(last.year, last.month, 1), (last + pd.Timedelta(days=1)).date())
    got = RoleView(pg_store, "police", as_of=AS_OF).incident_points_in(bbox=box, period=period)
    lon, lat = inc.geometry.x, inc.geometry.y
    exact = [c for c in policy_codes_exact("police")]
    expected = inc[(lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])
                   & (inc["occurred_at"] >= pd.Timestamp(period[0]))
                   & (inc["occurred_at"] < pd.Timestamp(period[1]))
                   & inc["category"].isin(exact)]
    assert 0 < len(got) == len(expected) < len(inc)
    assert set(got["category"].astype(str)) <= set(exact)


def policy_codes_exact(role: str) -> list[str]:
    from clspd_geo.access import policy

    return [c for c in policy.vocab.category_codes()
            if policy.category_rule(role, c).access == "exact"]


def test_a_base_written_before_partitioning_is_converted_by_the_next_import(pg_store,
                                                                            demo_frames):
    import psycopg

    from clspd_geo.store.postgis import PostGISStore

    layers = tiny_layers()
    pg_store.write_many({k: v for k, v in layers.items() if k != "incidents"}, source="t")
    inc = layers["incidents"]
    with psycopg.connect(pg_store.url) as con, con.transaction():
        # The table as the store wrote it before: one plain table with a GiST index.
        con.execute("CREATE TABLE incidents (incident_id text, occurred_at timestamp, "
                    "category text, quartier_id text, geom geometry(Geometry, 4326))")
        PostGISStore._copy_rows(con, "incidents", inc, into="incidents")
        con.execute("CREATE INDEX ON incidents USING GIST (geom)")
    assert len(pg_store.incident_atoms(epsg=2154)) > 0  # counted on the fly meanwhile
    new = inc.iloc[[0]].copy()
    new["incident_id"] = "nouveau"
    assert pg_store.upsert("incidents", new, source="mois") == 1
    with psycopg.connect(pg_store.url) as con:
        kind = con.execute("SELECT relkind FROM pg_class WHERE relname = 'incidents'").fetchone()
    assert kind == ("p",) and pg_store.count("incidents") == len(inc) + 1
    assert int(pg_store.incident_atoms(epsg=2154)["n"].sum()) == len(inc) + 1
    # The old rows get their commune too (the territory's one commune).
    assert set(pg_store.read("incidents")["insee_code"]) == {"00000"}


# -- several communes in one base --------------------------------------------------------------

def _two_communes(frames: dict) -> dict:
    """The demo frames with the territory cut in two communes (west 00000, east 00001)."""
    import geopandas as gpd
    from shapely.geometry import box

    terr = frames["territoire"].to_crs(2154)
    minx, miny, maxx, maxy = terr.total_bounds
    mid, whole = (minx + maxx) / 2, terr.union_all()
    split = gpd.GeoDataFrame(
        {"insee_code": ["00000", "00001"], "name": ["Ouest", "Est"], "population": [6000, 4000],
         "fictitious": [True, True]},
        geometry=[whole.intersection(box(minx, miny, mid, maxy)),
                  whole.intersection(box(mid, miny, maxx, maxy))], crs=2154).to_crs(4326)
    return {**frames, "territoire": split}


def test_atoms_carry_the_commune_and_agree_with_a_group_by_and_the_geopackage(pg_store,
                                                                             tmp_path):
    import psycopg
    from conftest import two_commune_layers

    from clspd_geo.store import GeoPackageStore

    layers = two_commune_layers()
    pg_store.write_many(layers, source="cispd")
    got = _atoms(pg_store)
    assert set(got["insee_code"]) == {"00000", "00001"}
    with psycopg.connect(pg_store.url) as con:
        plain = con.execute("SELECT insee_code, category, date_trunc('month', occurred_at)::date,"
                            " count(*) FROM incidents GROUP BY 1, 2, 3").fetchall()
        indexes = " ".join(r[0] for r in con.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents'").fetchall())
    assert "USING btree (insee_code)" in indexes
    mine = got.groupby(["insee_code", "category", got["month"].dt.date])["n"].sum().to_dict()
    assert mine == {(c, cat, m): n for c, cat, m, n in plain}
    gpkg = GeoPackageStore(tmp_path / "same.gpkg", create=True)
    gpkg.write_many(layers, source="cispd")
    pd.testing.assert_frame_equal(got, _atoms(gpkg))
    # Appended and upserted rows get their commune from the base's territory.
    new = layers["incidents"].iloc[[0]].assign(incident_id="N1")
    new = new.set_geometry(layers["incidents"].geometry.iloc[[8]].to_numpy())
    pg_store.append_many({"incidents": new}, source="ajout")
    pg_store.upsert("incidents", new.assign(incident_id="N2"), source="ajout")
    back = pg_store.read("incidents").set_index("incident_id")["insee_code"]
    assert back["N1"] == back["N2"] == "00001"
    assert int(_atoms(pg_store).query("insee_code == '00001'")["n"].sum()) == 6


def _written_before_the_communes(pg_store, table: str):
    """Write the two communes, then drop ``insee_code`` from ``table`` as an older version
    had it; return the layers and the atoms before."""
    import psycopg
    from conftest import two_commune_layers

    layers = two_commune_layers()
    pg_store.write_many(layers, source="cispd")
    before = _atoms(pg_store)
    with psycopg.connect(pg_store.url) as con, con.transaction():
        con.execute(f"ALTER TABLE {table} DROP COLUMN insee_code")
    return layers, before


def test_an_atoms_table_made_before_the_communes_is_rebuilt_whole(pg_store):
    layers, before = _written_before_the_communes(pg_store, "clspd_incident_atoms")
    assert _atoms(pg_store).equals(before)  # counted on the fly meanwhile
    # The next import touches one month; the atoms of every month get their commune back.
    pg_store.upsert("incidents", layers["incidents"].iloc[[6]].assign(category="rixe"),
                    source="correction")
    after = _atoms(pg_store)
    assert after["insee_code"].notna().all() and int(after["n"].sum()) == int(before["n"].sum())


def test_role_views_filtered_by_commune_agree_with_the_geopackage(pg_store, demo_frames,
                                                                  tmp_path):
    import dataclasses

    from clspd_geo.access import policy
    from clspd_geo.access.view import RoleView
    from clspd_geo.analysis import indicators
    from clspd_geo.store import GeoPackageStore

    frames = _two_communes(demo_frames)
    pg_store.write_many(frames, source="démo")
    gpkg = GeoPackageStore(tmp_path / "same.gpkg", create=True)
    gpkg.write_many(frames, source="démo")
    cats = tuple(policy.vocab.category_codes())
    for role in ("elu", "police", "partenaire"):
        a = RoleView(pg_store, role, as_of=AS_OF, version=f"{pg_store.version()}-{role}-c")
        b = RoleView(gpkg, role, as_of=AS_OF)
        start, end = dt.date(2000, 1, 1), dt.date(2050, 1, 1)
        totals = []
        for communes in (("00000",), ("00001",), ()):
            sel = dataclasses.replace(indicators.Selection(start, end, cats), communes=communes)
            na = int(indicators.mask(a.incidents(), sel).sum())
            assert na == int(indicators.mask(b.incidents(), sel).sum()), (role, communes)
            assert a.withheld(sel) == b.withheld(sel), (role, communes)
            totals.append(na)
        assert totals[0] > 0 and totals[1] > 0 and totals[0] + totals[1] == totals[2], role


def test_a_new_territory_fills_the_communes_again_as_the_geopackage_does(pg_store, tmp_path):
    from conftest import two_commune_layers

    from clspd_geo.store import GeoPackageStore

    layers = two_commune_layers()
    one = {**layers, "territoire": layers["territoire"].iloc[[0]]}
    gpkg = GeoPackageStore(tmp_path / "same.gpkg", create=True)
    for st in (pg_store, gpkg):
        st.write_many(one, source="une commune")
        st.write("territoire", layers["territoire"], source="deux communes")
    for name in ("incidents", "accidents", "equipements", "cameras"):
        idc = {"incidents": "incident_id", "accidents": "accident_id",
               "equipements": "facility_id", "cameras": "camera_id"}[name]
        a = pg_store.read(name).set_index(idc)["insee_code"].sort_index()
        b = gpkg.read(name).set_index(idc)["insee_code"].sort_index()
        assert a.tolist() == b.tolist(), name
    assert pg_store.source_of("incidents").source == "une commune"
    pd.testing.assert_frame_equal(_atoms(pg_store), _atoms(gpkg))
    assert int(_atoms(pg_store).query("insee_code == '00001'")["n"].sum()) == 4


def test_an_incidents_table_made_before_the_communes_gets_them_at_the_next_import(pg_store):
    layers, before = _written_before_the_communes(pg_store, "incidents")
    assert pg_store.read_points("incidents", columns=["insee_code"])["insee_code"].isna().all()
    new = layers["incidents"].iloc[[9]].assign(incident_id="N1")
    pg_store.append_many({"incidents": new}, source="ajout")
    back = pg_store.read("incidents").set_index("incident_id")["insee_code"]
    assert back.notna().all() and back["N1"] == back["I8"] == "00001"
    after = _atoms(pg_store)
    assert int(after["n"].sum()) == int(before["n"].sum()) + 1
    assert int(after.query("insee_code == '00001'")["n"].sum()) == 5
