"""The PostGIS store, for deployments that outgrow one GeoPackage file.

Same interface as :class:`clspd_geo.store.gpkg.GeoPackageStore` (the
:class:`clspd_geo.store.base.Store` protocol; listing, validation and provenance lookup from
:class:`clspd_geo.store.base.BaseStore`). Incidents live in a table partitioned by month,
never dropped: replacements, appends and upserts by identifier go through a staging table
in one transaction, which also refreshes the release atoms of the months touched
(:mod:`clspd_geo.store.postgis_incidents`), so :meth:`PostGISStore.incident_atoms` hands
the privacy release counts, not points, and :meth:`PostGISStore.point_read` reads only a
bounding box and period. Other layers are one table each with a ``geom`` column in
EPSG:4326 and a GiST index, rebuilt inside the transaction on replacement. Readers see
either the old or the new content, never a mix, and a failure rolls everything back.
Every write locks the version row (``SELECT … FOR UPDATE``) first, so a write prepared
from an older version is refused (:class:`~clspd_geo.errors.ConflictError`). A counter in
``clspd_meta`` gives the version token the app's caches are keyed on; frames derived from
a version are kept for every process (:mod:`clspd_geo.store.postgis_derived`). The
database must have the PostGIS extension (``CREATE EXTENSION postgis;``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import config, schemas
from clspd_geo.errors import ConflictError, DataFileError
from clspd_geo.store import atoms, base, rows
from clspd_geo.store import postgis_incidents as pgi
from clspd_geo.store.base import PROVENANCE_COLUMNS, PROVENANCE_TABLE, BaseStore
from clspd_geo.store.postgis_derived import DerivedFrames
from clspd_geo.store.rows import ROW_EDITS_TABLE

META_TABLE = "clspd_meta"
_WRITERS_LOCK = 0x434C5350  # "CLSP": the advisory lock every writer of the base takes first
_SQL_TYPES = {"str": "text", "int": "bigint", "float": "double precision", "bool": "boolean",
              "datetime": "timestamp", "date": "date"}


def _redact(url: str) -> str:
    """Return ``url`` with its password hidden."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamp"
    return "text"


def _python_values(series: pd.Series) -> list:
    """Return the column as Python values, None for missing ones (for COPY)."""
    values = series.astype(object).where(series.notna(), None).tolist()
    out = []
    for v in values:
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif isinstance(v, np.generic):
            v = v.item()
        out.append(v)
    return out


class PostGISStore(DerivedFrames, BaseStore):
    """A store in a PostgreSQL/PostGIS database.

    Parameters
    ----------
    url
        A libpq connection URL, e.g. ``postgresql://clspd:secret@127.0.0.1:5432/clspd``.

    Raises
    ------
    DataFileError
        The database cannot be reached, or it has no PostGIS extension.
    """

    PLACE = "de la base"
    ATOMS_IN_STORE = True
    """The atoms are kept in the base: reading them reads no point."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        try:
            with psycopg.connect(url, connect_timeout=10) as con:
                row = con.execute(
                    "SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
        except psycopg.Error as err:
            msg = (f"La base PostGIS « {_redact(url)} » est injoignable ({err}). Vérifiez "
                   "l'adresse, le port, le nom de la base et le mot de passe.")
            raise DataFileError(msg) from err
        if row is None:
            msg = (f"La base « {_redact(url)} » n'a pas l'extension PostGIS. Un administrateur "
                   "doit exécuter : CREATE EXTENSION postgis;")
            raise DataFileError(msg)

    @property
    def location(self) -> str:
        """Where the store lives, password hidden."""
        return _redact(self.url)

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url)

    # -- reading ---------------------------------------------------------------------------
    def table_names(self) -> set[str]:
        """Return the names of every table of the current schema."""
        with self._connect() as con:
            rows = con.execute("SELECT table_name FROM information_schema.tables "
                               "WHERE table_schema = current_schema()").fetchall()
        return {r[0] for r in rows}

    def count_rows(self, layer: str) -> int:
        """Return the number of rows of a layer's table."""
        from psycopg import sql

        with self._connect() as con:
            return int(con.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(layer))).fetchone()[0])

    def _columns(self, layer: str) -> list[str]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = %s ORDER BY ordinal_position",
                (layer,)).fetchall()
        return [r[0] for r in rows if r[0] != "geom"]

    def _where(self, *, period, categories, bbox):
        from psycopg import sql

        clauses, params = [], []
        if period is not None:
            clauses.append(sql.SQL("occurred_at >= %s AND occurred_at < %s"))
            params += [_as_datetime(period[0]), _as_datetime(period[1])]
        if categories is not None:
            clauses.append(sql.SQL("category = ANY(%s)"))
            params.append(list(categories))
        if bbox is not None:
            clauses.append(sql.SQL("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"))
            params += [float(v) for v in bbox]
        where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("")
        return where, params

    def read(self, layer: str, *, period: tuple[dt.date | dt.datetime, dt.date | dt.datetime]
             | None = None, categories: Iterable[str] | None = None,
             bbox: tuple[float, float, float, float] | None = None,
             columns: list[str] | None = None) -> gpd.GeoDataFrame:
        """Read a layer, optionally filtered, in EPSG:4326 (see GeoPackageStore.read)."""
        from psycopg import sql

        sch = self.require(layer)
        cols = [c for c in (columns if columns is not None else self._columns(layer))]
        where, params = self._where(period=period, categories=categories, bbox=bbox)
        query = sql.SQL("SELECT {cols}ST_AsBinary(geom) FROM {t}{w}").format(
            cols=sql.SQL("").join(sql.SQL("{}, ").format(sql.Identifier(c)) for c in cols),
            t=sql.Identifier(layer), w=where)
        with self._connect() as con:
            cur = con.execute(query, params)
            rows = cur.fetchall()
        data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
        geoms = shapely.from_wkb(np.array([r[-1] for r in rows], dtype=object))
        gdf = gpd.GeoDataFrame(data, geometry=geoms, crs=config.STORAGE_CRS)
        out = schemas.conform(gdf, sch)
        if columns is not None:
            out = out[[c for c in out.columns if c in cols or c == out.geometry.name]]
        return out

    def read_points(self, layer: str, *, columns: list[str],
                    period: tuple[dt.date | dt.datetime, dt.date | dt.datetime] | None = None,
                    categories: Iterable[str] | None = None,
                    bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        """Read a point layer as a plain frame with ``lon``/``lat`` (see GeoPackageStore)."""
        from psycopg import sql

        sch = self.require(layer)
        where, params = self._where(period=period, categories=categories, bbox=bbox)
        with self._connect() as con:
            asked, columns = columns, base.present_columns(
                sch, columns, set(pgi.column_names(con, layer)))
            query = sql.SQL("SELECT ST_X(geom), ST_Y(geom){cols} FROM {t}{w}").format(
                cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c))
                                      for c in columns), t=sql.Identifier(layer), w=where)
            dated = {c for c in columns if sch.column(c).dtype in ("datetime", "date")}
            out = pgi.read_points_csv(con, query, params, columns, dated=dated)
        return base.with_absent(pd.DataFrame(out), asked)

    def read_provenance_table(self) -> pd.DataFrame:
        """Return the database's provenance table, ordered by layer."""
        with self._connect() as con:
            rows = con.execute(f"SELECT layer, source, imported_at, rows FROM {PROVENANCE_TABLE} "
                               "ORDER BY layer").fetchall()
        return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)

    def version(self) -> str:
        """Return a token that changes with every committed write."""
        if META_TABLE not in self.table_names():
            return "pg-0"
        with self._connect() as con:
            row = con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'version'").fetchone()
        return f"pg-{row[0] if row else 0}"

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _begin_write(con, expected_version: str | None = None) -> int:
        """Serialise writers and lock the version row; return the version (in a transaction).

        Every writer first takes one transaction-scoped advisory lock (so that creating the
        bookkeeping tables never races), then the version row ``FOR UPDATE``.

        Raises
        ------
        ConflictError
            ``expected_version`` is given and the store is no longer at it.
        """
        con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITERS_LOCK,))
        con.execute(f"CREATE TABLE IF NOT EXISTS {PROVENANCE_TABLE} (layer text PRIMARY KEY, "
                    "source text, imported_at text, rows bigint)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, "
                    "value bigint)")
        con.execute(f"CREATE TABLE IF NOT EXISTS {ROW_EDITS_TABLE} (layer text NOT NULL, "
                    "row_id text NOT NULL, edited_by text, edited_at text, "
                    "PRIMARY KEY (layer, row_id))")
        con.execute(f"INSERT INTO {META_TABLE} VALUES ('version', 0) ON CONFLICT DO NOTHING")
        value = int(con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'version' "
                                "FOR UPDATE").fetchone()[0])
        if expected_version is not None and f"pg-{value}" != expected_version:
            raise ConflictError(expected=expected_version, current=f"pg-{value}")
        return value

    @staticmethod
    def _finish_write(con, names, *, source: str, imported_at: str) -> None:
        """Record provenance (current row counts) and bump the version (in the transaction)."""
        from psycopg import sql

        for name in names:
            if name == pgi.INCIDENTS and pgi.atoms_epsg(con) is not None:
                # The atoms count every incident: no scan of the points.
                n = int(con.execute(f"SELECT coalesce(sum(n), 0) FROM {pgi.ATOMS_TABLE}")
                        .fetchone()[0])
            else:
                n = int(con.execute(sql.SQL("SELECT count(*) FROM {}").format(
                    sql.Identifier(name))).fetchone()[0])
            con.execute(f"INSERT INTO {PROVENANCE_TABLE} VALUES (%s, %s, %s, %s) ON CONFLICT "
                        "(layer) DO UPDATE SET source = EXCLUDED.source, imported_at = "
                        "EXCLUDED.imported_at, rows = EXCLUDED.rows",
                        (name, source, imported_at, n))
        con.execute(f"UPDATE {META_TABLE} SET value = value + 1 WHERE key = 'version'")

    def write_checked(self, ready: Mapping[str, gpd.GeoDataFrame], *, source: str,
                      imported_at: str, expected_version: str | None = None) -> None:
        """Replace layers in one transaction (called by :meth:`write_many`).

        In one transaction, holding the version row ``FOR UPDATE``: the version is checked
        against ``expected_version``, each layer's table is dropped and rebuilt (COPY),
        indexed, its provenance recorded and the version counter bumped. Any failure rolls
        the whole transaction back.

        Raises
        ------
        ConflictError
            The store is no longer at ``expected_version``; nothing was written.
        """
        with self._connect() as con, con.transaction():
            self._begin_write(con, expected_version)
            for name, gdf in ready.items():
                self._write_table(con, name, gdf)
            for name in self.stale_communes(ready):
                pgi.refill_communes(con, name, epsg=pgi.metric_epsg(con, ready))
            if pgi.INCIDENTS in ready or "territoire" in ready:
                # Replaced incidents, or a territory whose metric CRS may have changed.
                pgi.refresh_atoms(con, epsg=pgi.metric_epsg(con, ready), months=None)
            self._finish_write(con, ready, source=source, imported_at=imported_at)

    def append_many(self, frames: Mapping[str, gpd.GeoDataFrame], *, source: str,
                    expected_version: str | None = None) -> dict[str, int]:
        """Add rows to layers with INSERT (COPY) in one transaction; no table is rebuilt.

        Holding the version row, the identifiers are checked against the rows present at
        commit time; a layer absent from the base is created. See
        :meth:`clspd_geo.store.gpkg.GeoPackageStore.append_many`.

        Raises
        ------
        SchemaError
            A frame breaks its schema, or reuses identifiers already in the layer.
        ConflictError
            ``expected_version`` is given and the store changed since.
        """
        from psycopg import sql

        ready = self.ready(frames)
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        with self._connect() as con, con.transaction():
            self._begin_write(con, expected_version)
            present = {r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema()").fetchall()}
            for name, gdf in ready.items():
                if name == pgi.INCIDENTS and name in present:
                    self._stage_incidents(con, gdf, mode="append")
                    continue
                if name not in present:
                    self._write_table(con, name, gdf)
                    if name == pgi.INCIDENTS:
                        pgi.refresh_atoms(con, epsg=pgi.metric_epsg(con, ready), months=None)
                    continue
                idc = schemas.schema(name).id_column
                if idc:
                    ids = [str(v) for v in gdf[idc]]
                    clash = con.execute(sql.SQL("SELECT {c}::text FROM {t} WHERE {c}::text = "
                                                "ANY(%s)").format(c=sql.Identifier(idc),
                                                                  t=sql.Identifier(name)),
                                        (ids,)).fetchall()
                    rows.check_new_ids([r[0] for r in clash], gdf, name)
                self._copy_rows(con, name, gdf, add_columns=True)
            self._finish_write(con, ready, source=source, imported_at=now)
            out = {name: int(con.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(name))).fetchone()[0]) for name in ready}
        return out

    def upsert(self, layer: str, gdf: gpd.GeoDataFrame, *, source: str,
               expected_version: str | None = None) -> int:
        """Add or replace incidents by identifier, in one transaction; return rows changed.

        The rows are COPYed into a staging table, then moved into the partitioned table
        (partitions created for the months they bring); a row identical to the stored one
        is left alone, so re-importing the same month changes nothing (neither the
        version). The atoms of the months touched are refreshed in the same transaction;
        a failure anywhere leaves the previous points and atoms.

        Raises
        ------
        SchemaError
            ``layer`` is not ``incidents``, a row breaks the schema, or a date is outside
            the supported range (:func:`clspd_geo.store.postgis_incidents.range_text`).
        ConflictError
            ``expected_version`` is given and the store changed since.
        """
        from clspd_geo.errors import SchemaError

        if layer != pgi.INCIDENTS:
            raise SchemaError(f"La mise à jour par identifiant ne concerne que les faits, pas "
                              f"la couche « {layer} ».")
        ready = self.ready({layer: gdf})
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        with self._connect() as con, con.transaction():
            self._begin_write(con, expected_version)
            if pgi.table_kind(con) is None:
                self._write_table(con, layer, ready[layer])
                pgi.refresh_atoms(con, epsg=pgi.metric_epsg(con, {}), months=None)
                changed = len(ready[layer])
            else:
                changed, _ = self._stage_incidents(con, ready[layer], mode="upsert")
            if changed:
                self._finish_write(con, [layer], source=source, imported_at=now)
        return changed

    def incident_atoms(self, *, epsg: int) -> pd.DataFrame:
        """Return the release atoms of the incidents (:mod:`clspd_geo.store.atoms`).

        Read from the atoms table kept by every import when it was computed in ``epsg``;
        otherwise counted by SQL on the fly (nothing written). No point leaves the base.
        """
        with self._connect() as con:
            kind = pgi.table_kind(con)
            if kind is None:
                return atoms.empty_atoms()
            # Only a partitioned table's imports keep the atoms table up to date.
            if kind == "partitioned" and pgi.atoms_epsg(con) == epsg and pgi.has_column(
                    con, pgi.ATOMS_TABLE, "insee_code"):
                query = (f"SELECT {', '.join(atoms.ATOM_COLUMNS)} FROM {pgi.ATOMS_TABLE}")
            else:
                query = pgi.atoms_query(commune=pgi.has_column(
                    con, pgi.INCIDENTS, "insee_code")).replace("%(epsg)s", str(int(epsg)))
            # COPY as CSV parsed by pandas: several times faster than fetching row tuples.
            buf = io.BytesIO()
            with con.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"
                                                ) as copy:
                for block in copy:
                    buf.write(block)
        if not buf.tell():
            return atoms.empty_atoms()
        buf.seek(0)
        got = pd.read_csv(buf, header=None, names=atoms.ATOM_COLUMNS,
                          dtype={"quartier_id": object, "insee_code": object,
                                 "category": object}, keep_default_na=False,
                          na_values={"quartier_id": [""], "insee_code": [""]})
        return atoms.conform_atoms(got)

    def point_read(self, layer: str, *, columns: list[str],
                   period: tuple[dt.date | dt.datetime, dt.date | dt.datetime] | None = None,
                   categories: Iterable[str] | None = None,
                   bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        """Read the points of a bounding box and period only (see :meth:`read_points`).

        The filters run in the base (partition pruning on the period, GiST on the box).
        """
        return self.read_points(layer, columns=columns, period=period, categories=categories,
                                bbox=bbox)

    def _authors(self, layer: str) -> dict[str, tuple[str, str]]:
        if ROW_EDITS_TABLE not in self.table_names():
            return {}
        with self._connect() as con:
            got = con.execute(f"SELECT row_id, edited_by, edited_at FROM {ROW_EDITS_TABLE} "
                              "WHERE layer = %s", (layer,)).fetchall()
        return {r[0]: (r[1], r[2]) for r in got}

    def edit_rows(self, edits: rows.RowEdits, *, source: str, by: str) -> None:
        """Save per-row edits with DELETE and INSERT in one transaction (see the GeoPackage).

        Raises
        ------
        RowConflictError
            A touched row changed or was deleted since the editor read it (nothing written).
        """
        from psycopg import sql

        layer = edits.layer
        upserts = (self.ready({layer: edits.upserts})[layer] if len(edits.upserts)
                   else schemas.empty(layer))
        edits = rows.RowEdits(layer, upserts, tuple(edits.deletes), dict(edits.base_versions))
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        idc = schemas.schema(layer).id_column
        with self._connect() as con, con.transaction():
            self._begin_write(con)
            # Writers are serialised by the lock above: a read now sees the latest commit.
            current = self.read(layer) if self.has(layer) else schemas.empty(layer)
            rows.check_rows(current, edits, authors=self._authors(layer))
            touched = edits.touched
            if not self.has(layer):
                self._write_table(con, layer, upserts)
            else:
                con.execute(sql.SQL("DELETE FROM {t} WHERE {c}::text = ANY(%s)").format(
                    t=sql.Identifier(layer), c=sql.Identifier(idc)), (touched,))
                if len(upserts):
                    self._copy_rows(con, layer, upserts, add_columns=True)
            con.cursor().executemany(f"INSERT INTO {ROW_EDITS_TABLE} VALUES (%s, %s, %s, %s) ON CONFLICT "
                            "(layer, row_id) DO UPDATE SET edited_by = EXCLUDED.edited_by, "
                            "edited_at = EXCLUDED.edited_at",
                            [(layer, t, by, now) for t in touched])
            if layer == pgi.INCIDENTS:
                pgi.refresh_atoms(con, epsg=pgi.metric_epsg(con, {}), months=None)
            self._finish_write(con, [layer], source=source, imported_at=now)

    @staticmethod
    def _column_types(name: str, gdf: gpd.GeoDataFrame) -> dict[str, str]:
        sch = schemas.schema(name)
        geom_col = gdf.geometry.name
        out = {}
        for c in gdf.columns:
            if c == geom_col:
                continue
            try:
                out[c] = _SQL_TYPES[sch.column(c).dtype]
            except KeyError:
                out[c] = _sql_type(gdf[c])
        return out

    @classmethod
    def _write_table(cls, con, name: str, gdf: gpd.GeoDataFrame) -> None:
        """Replace one layer's rows (in the caller's transaction).

        The incidents table is partitioned and never dropped: its rows are deleted and the
        new ones inserted through staging (an older, unpartitioned table is converted).
        Other layers' tables are dropped and rebuilt (COPY), with a GiST index.
        """
        from psycopg import sql

        if name == pgi.INCIDENTS:
            cls._replace_incidents(con, gdf)
            return
        types = cls._column_types(name, gdf)
        table = sql.Identifier(name)
        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        defs = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                                  for c, t in types.items())
        con.execute(sql.SQL("CREATE TABLE {t} ({defs}, geom geometry(Geometry, 4326))").format(
            t=table, defs=defs))
        cls._copy_rows(con, name, gdf)
        con.execute(sql.SQL("CREATE INDEX ON {} USING GIST (geom)").format(table))

    @classmethod
    def _replace_incidents(cls, con, gdf: gpd.GeoDataFrame) -> None:
        pgi.check_range(gdf)
        kind = pgi.table_kind(con)
        if kind == "plain":
            con.execute(f"DROP TABLE {pgi.INCIDENTS}")  # a store written before partitioning
            kind = None
        if kind is None:
            pgi.create_table(con, cls._column_types(pgi.INCIDENTS, gdf))
        else:
            con.execute(f"TRUNCATE {pgi.INCIDENTS}")
        cls._stage_incidents(con, gdf, mode="replace")

    @classmethod
    def _stage_incidents(cls, con, gdf: gpd.GeoDataFrame, *,
                         mode: str) -> tuple[int, set[dt.date]]:
        """COPY incidents into staging, then into the partitioned table (in the transaction).

        ``mode``: ``"replace"`` (the table was emptied), ``"append"`` (identifiers already
        present are refused) or ``"upsert"`` (rows of the same identifier are replaced).
        For appends and upserts, the atoms of the months touched are refreshed. Returns the
        rows changed and the months touched.

        Raises
        ------
        SchemaError
            A date outside the partitions' range, or (append) an identifier already present.
        """
        pgi.check_range(gdf)
        converted = pgi.table_kind(con) == "plain"
        if converted:
            pgi.convert_plain(con)  # a base written before the incidents were partitioned
        converted = pgi.add_communes(con) or converted  # atoms then recounted whole
        cls._add_missing_columns(con, pgi.INCIDENTS, gdf)
        pgi.create_staging(con)
        cls._copy_rows(con, pgi.INCIDENTS, gdf, into=pgi.STAGING_TABLE)
        if mode == "append":
            rows.check_new_ids(pgi.staged_clashes(con), gdf, pgi.INCIDENTS)
        changed, months = pgi.insert_staged(con, upsert=mode == "upsert")
        con.execute(f"DROP TABLE {pgi.STAGING_TABLE}")
        if mode != "replace" and (months or converted):
            epsg = pgi.atoms_epsg(con)
            whole = epsg is None or converted  # no atoms kept until now: all of them
            pgi.refresh_atoms(con, epsg=epsg or pgi.metric_epsg(con, {}),
                              months=None if whole else months)
        return changed, months

    @classmethod
    def _add_missing_columns(cls, con, name: str, gdf: gpd.GeoDataFrame) -> None:
        from psycopg import sql

        types = cls._column_types(name, gdf)
        have = set(pgi.column_names(con, name))
        for c in types:
            if c not in have:
                con.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                    sql.Identifier(name), sql.Identifier(c), sql.SQL(types[c])))

    @classmethod
    def _copy_rows(cls, con, name: str, gdf: gpd.GeoDataFrame, *,
                   add_columns: bool = False, into: str | None = None) -> None:
        """COPY rows into an existing table (adding the columns it lacks if asked).

        ``into`` names another table shaped like the layer's (the staging table).
        """
        from psycopg import sql

        if name == pgi.INCIDENTS and into is None:
            # COPY into a partitioned table needs the month's partitions.
            pgi.check_range(gdf)
            pgi.ensure_partitions(con, {d.date().replace(day=1) for d in pd.to_datetime(
                gdf["occurred_at"])})
        table = sql.Identifier(into or name)
        types = cls._column_types(name, gdf)
        cols = list(types)
        if add_columns:
            cls._add_missing_columns(con, name, gdf)
        geoms = shapely.set_srid(gdf.geometry.to_numpy(), 4326)
        wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
        columns = [_python_values(gdf[c]) for c in cols] + [list(wkb)]
        copy_sql = sql.SQL("COPY {t} ({cols}) FROM STDIN").format(
            t=table, cols=sql.SQL(", ").join([*map(sql.Identifier, cols), sql.Identifier("geom")]))
        with con.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)
