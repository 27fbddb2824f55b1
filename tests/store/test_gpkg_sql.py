"""In-place SQL writes into a GeoPackage (clspd_geo.store.gpkg_sql)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from clspd_geo.store import GeoPackageStore, gpkg_sql


def facilities(ids: list[str], x0: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"facility_id": ids, "name": [f"É {i}" for i in ids],
                             "kind": ["mairie"] * len(ids)},
                            geometry=[Point(x0 + k * 0.01, 48.85) for k in range(len(ids))],
                            crs=4326)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "clspd.gpkg"
    GeoPackageStore(path, create=True).write_many({"equipements": facilities(["F1", "F2"], 2.3)},
                                                  source="test")
    return path


def test_pack_version_and_counter_of_a_plain_file(tmp_path: Path) -> None:
    assert gpkg_sql.pack_version("12-34-56", 7) == "12-34-56-7"
    assert gpkg_sql.read_counter(tmp_path / "absent.gpkg") == 0
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).close()
    assert gpkg_sql.read_counter(plain) == 0
    assert gpkg_sql.authors(plain, "equipements") == {}


def test_staged_rows_inserted_deleted_and_recorded_in_one_transaction(store: Path,
                                                                      tmp_path: Path) -> None:
    before = gpkg_sql.read_counter(store)
    tmp = tmp_path / "staged.gpkg"
    gpkg_sql.stage({"equipements": facilities(["F3", "F4"], 2.4)}, tmp)
    con = gpkg_sql.connect(store)
    try:
        con.execute("ATTACH DATABASE ? AS staged", (str(tmp),))
        assert gpkg_sql.can_insert(con, "equipements")
        assert not gpkg_sql.can_insert(con, "cameras")  # not in the store
        con.execute("BEGIN IMMEDIATE")
        gpkg_sql.delete_ids(con, "equipements", "facility_id", ["F1"])
        assert gpkg_sql.insert_staged(con, "equipements") == 2
        gpkg_sql.touch(con, "equipements")
        gpkg_sql.set_provenance(con, "equipements", source="ajout", imported_at="2026-01-01")
        gpkg_sql.record_authors(con, "equipements", ["F3"], by="elu", at="2026-01-01T10:00")
        gpkg_sql.bump_counter(con)
        con.execute("COMMIT")
        con.execute("DETACH DATABASE staged")
    finally:
        con.close()
    assert gpkg_sql.read_counter(store) == before + 1
    assert gpkg_sql.authors(store, "equipements") == {"F3": ("elu", "2026-01-01T10:00")}
    st = GeoPackageStore(store)
    fac = st.read("equipements")
    assert sorted(fac["facility_id"]) == ["F2", "F3", "F4"]
    prov = st.source_of("equipements")
    assert prov.source == "ajout" and prov.rows == 3
    # The R-tree kept up by the triggers: a spatial read finds the new rows only.
    near = pyogrio.read_dataframe(store, layer="equipements", bbox=(2.395, 48.84, 2.415, 48.86))
    assert sorted(near["facility_id"]) == ["F3", "F4"]
    info = pyogrio.read_info(store, layer="equipements")
    assert info["features"] == 3
    assert info["total_bounds"][2] == pytest.approx(2.41)


def test_staged_layer_of_another_geometry_does_not_fit(store: Path, tmp_path: Path) -> None:
    tmp = tmp_path / "staged.gpkg"
    other = gpd.GeoDataFrame({"facility_id": ["P1"]}, geometry=[box(2.3, 48.8, 2.4, 48.9)],
                             crs=2154)
    gpkg_sql.stage({"equipements": other}, tmp)
    con = gpkg_sql.connect(store)
    try:
        con.execute("ATTACH DATABASE ? AS staged", (str(tmp),))
        assert not gpkg_sql.can_insert(con, "equipements")
    finally:
        con.close()


def test_connect_registers_the_rtree_functions(store: Path) -> None:
    con = gpkg_sql.connect(store)
    try:
        blob = con.execute("SELECT geom FROM equipements WHERE facility_id = 'F2'").fetchone()[0]
        got = con.execute("SELECT ST_MinX(?), ST_MaxY(?), ST_IsEmpty(?), ST_MinX(NULL)",
                          (blob, blob, blob)).fetchone()
    finally:
        con.close()
    assert got[0] == pytest.approx(2.31) and got[1] == pytest.approx(48.85)
    assert got[2:] == (0, None)
