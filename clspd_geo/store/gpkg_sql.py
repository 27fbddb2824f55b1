"""In-place writes into a GeoPackage: appends and row edits in one SQLite transaction.

GDAL's GeoPackage layers carry triggers that keep the R-tree spatial index and the feature
count (``gpkg_ogr_contents``) up to date on every INSERT, UPDATE and DELETE. The R-tree
triggers call ``ST_IsEmpty``, ``ST_MinX``, ``ST_MaxX``, ``ST_MinY`` and ``ST_MaxY``, SQL
functions GDAL registers on its own connections: a plain ``sqlite3`` connection lacks them
and every insert would fail. :func:`connect` registers them (read from the GeoPackage
geometry blob: its header, then the WKB), so the triggers run as GDAL's would.

The rows themselves are encoded by GDAL: :func:`stage` writes them with pyogrio into a
temporary GeoPackage, which is attached and copied with ``INSERT … SELECT`` inside the
same transaction as the provenance row and the version counter (:data:`META_TABLE`). A
process killed midway leaves a rollback journal that SQLite replays on the next read-write
open (:func:`clspd_geo.store.locking.recover_journal`): the store holds its old content.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from clspd_geo.store.base import PROVENANCE_TABLE
from clspd_geo.store.rows import ROW_EDITS_TABLE

META_TABLE = "clspd_meta"
"""Key-value table of the store; ``version`` counts committed writes."""
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _geometry(blob: bytes | None) -> shapely.Geometry | None:
    """Return the geometry of a GeoPackage blob (``None`` for NULL, empty for empty)."""
    if blob is None:
        return None
    b = bytes(blob)
    if b[:2] != b"GP":
        return shapely.from_wkb(b)
    flags = b[3]
    if flags & 0b10000:
        return shapely.Point()
    return shapely.from_wkb(b[8 + _ENVELOPE_BYTES.get((flags >> 1) & 0b111, 0):])


def _bound(i: int):
    def f(blob: bytes | None) -> float | None:
        g = _geometry(blob)
        if g is None or g.is_empty:
            return None
        return float(shapely.bounds(g)[i])
    return f


def _is_empty(blob: bytes | None) -> int | None:
    g = _geometry(blob)
    return None if g is None else int(g.is_empty)


def connect(path: Path) -> sqlite3.Connection:
    """Open a GeoPackage read-write with the SQL functions its R-tree triggers call."""
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    con.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for name, i in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        con.create_function(name, 1, _bound(i), deterministic=True)
    return con


def read_counter(path: Path) -> int:
    """Return the store's write counter (0 when it has none or cannot be read)."""
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        row = con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def bump_counter(con: sqlite3.Connection) -> None:
    """Add one to the write counter (inside the caller's transaction)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, "
                "value INTEGER NOT NULL)")
    con.execute(f"INSERT INTO {META_TABLE} VALUES ('version', 1) ON CONFLICT (key) "
                "DO UPDATE SET value = value + 1")


def stage(frames: Mapping[str, gpd.GeoDataFrame], tmp: Path) -> None:
    """Write frames into a new temporary GeoPackage, encoded by GDAL."""
    for name, gdf in frames.items():
        pyogrio.write_dataframe(gdf, tmp, layer=name, driver="GPKG",
                                layer_options={"SPATIAL_INDEX": "NO"}, use_arrow=True)


def _columns(con: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA {schema}.table_info({_ident(table)})")]


def _geom_column(con: sqlite3.Connection, schema: str, table: str) -> tuple[str, str, int]:
    row = con.execute(f"SELECT column_name, geometry_type_name, srs_id FROM "
                      f"{schema}.gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    return (row[0], row[1].upper(), int(row[2])) if row else ("", "", 0)


def can_insert(con: sqlite3.Connection, table: str, *, alias: str = "staged") -> bool:
    """Tell whether the staged rows of ``table`` fit the store's table as it is."""
    main_cols = set(_columns(con, "main", table))
    staged = _columns(con, alias, table)
    if not main_cols or not staged:
        return False
    mg, mtype, msrs = _geom_column(con, "main", table)
    sg, stype, ssrs = _geom_column(con, alias, table)
    if not mg or msrs != ssrs or (mtype not in ("GEOMETRY", stype)):
        return False
    attrs = [c for c in staged if c not in ("fid", sg)]
    return set(attrs) <= main_cols and bool(_columns(con, "main", PROVENANCE_TABLE))


def insert_staged(con: sqlite3.Connection, table: str, *, alias: str = "staged") -> int:
    """Copy the staged rows of ``table`` into the store's table; return how many.

    Call :func:`can_insert` first, inside the transaction. The extent in ``gpkg_contents``
    grows to cover the new rows.
    """
    mg, _, _ = _geom_column(con, "main", table)
    sg, _, _ = _geom_column(con, alias, table)
    attrs = [c for c in _columns(con, alias, table) if c not in ("fid", sg)]
    target = ", ".join(_ident(c) for c in [*attrs, mg])
    source = ", ".join(_ident(c) for c in [*attrs, sg])
    cur = con.execute(f"INSERT INTO main.{_ident(table)} ({target}) SELECT {source} FROM "
                      f"{alias}.{_ident(table)} ORDER BY fid")
    ext = con.execute(f"SELECT min_x, min_y, max_x, max_y FROM {alias}.gpkg_contents "
                      "WHERE table_name = ?", (table,)).fetchone()
    if ext and ext[0] is not None:
        con.execute("UPDATE main.gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
                    "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
                    "max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
                    (ext[0], ext[0], ext[1], ext[1], ext[2], ext[2], ext[3], ext[3], table))
    return cur.rowcount


def delete_ids(con: sqlite3.Connection, table: str, id_column: str,
               ids: Iterable[str]) -> None:
    """Delete the rows whose identifier is in ``ids``."""
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        con.execute(f"DELETE FROM main.{_ident(table)} WHERE CAST({_ident(id_column)} AS TEXT) "
                    f"IN ({', '.join('?' * len(chunk))})", chunk)


def touch(con: sqlite3.Connection, table: str) -> None:
    """Stamp the layer's ``last_change`` in ``gpkg_contents``."""
    con.execute("UPDATE main.gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', "
                "'now') WHERE table_name = ?", (table,))


def set_provenance(con: sqlite3.Connection, table: str, *, source: str,
                   imported_at: str) -> None:
    """Record the layer's source, time and current row count in the provenance table."""
    rows = con.execute(f"SELECT count(*) FROM main.{_ident(table)}").fetchone()[0]
    con.execute(f"DELETE FROM main.{PROVENANCE_TABLE} WHERE layer = ?", (table,))
    con.execute(f"INSERT INTO main.{PROVENANCE_TABLE} (layer, source, imported_at, rows) "
                "VALUES (?, ?, ?, ?)", (table, source, imported_at, int(rows)))


def record_authors(con: sqlite3.Connection, table: str, ids: Iterable[str], *, by: str,
                   at: str) -> None:
    """Remember who edited these rows, and when (for « modifiée entre-temps par … »)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {ROW_EDITS_TABLE} (layer TEXT NOT NULL, "
                "row_id TEXT NOT NULL, edited_by TEXT, edited_at TEXT, "
                "PRIMARY KEY (layer, row_id))")
    con.executemany(f"INSERT OR REPLACE INTO {ROW_EDITS_TABLE} VALUES (?, ?, ?, ?)",
                    [(table, str(i), by, at) for i in ids])


def authors(path: Path, table: str) -> dict[str, tuple[str, str]]:
    """Return ``{row id: (by, at)}`` of the last edits of a layer."""
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        rows = con.execute(f"SELECT row_id, edited_by, edited_at FROM {ROW_EDITS_TABLE} "
                           "WHERE layer = ?", (table,)).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def fsync_file(path: Path) -> None:
    """Flush a file to disk."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def pack_version(stamp: str, counter: int) -> str:
    """Return the version token of a file stamp and a write counter."""
    return f"{stamp}-{counter}"


