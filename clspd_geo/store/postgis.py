"""The PostGIS store, for deployments that outgrow one GeoPackage file.

Same interface as :class:`clspd_geo.store.gpkg.GeoPackageStore` (the
:class:`clspd_geo.store.base.Store` protocol: list, read with filters, fast point read,
atomic multi-layer write, provenance, version); the listing, validation and provenance
lookup come from :class:`clspd_geo.store.base.BaseStore`. One table per layer with a
``geom`` column in EPSG:4326 and a GiST index; a write replaces the layers' tables inside one
transaction, so readers see either the old or the new layers, never a mix, and a failure
rolls everything back. A counter in ``clspd_meta`` gives the version token the app's caches
are keyed on. The database must have the PostGIS extension (``CREATE EXTENSION postgis``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import config, schemas
from clspd_geo.errors import DataFileError
from clspd_geo.store.base import PROVENANCE_COLUMNS, PROVENANCE_TABLE, BaseStore

META_TABLE = "clspd_meta"
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


class PostGISStore(BaseStore):
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

    def read_points(self, layer: str, *, columns: list[str]) -> pd.DataFrame:
        """Read a point layer as a plain frame with ``lon``/``lat`` (see GeoPackageStore)."""
        from psycopg import sql

        self.require(layer)
        query = sql.SQL("SELECT ST_X(geom), ST_Y(geom){cols} FROM {t}").format(
            cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c in columns),
            t=sql.Identifier(layer))
        with self._connect() as con:
            rows = con.execute(query).fetchall()
        arr = list(zip(*rows, strict=True)) if rows else [[] for _ in range(2 + len(columns))]
        out: dict[str, object] = {"lon": np.asarray(arr[0], dtype=float),
                                  "lat": np.asarray(arr[1], dtype=float)}
        for i, col in enumerate(columns):
            values = pd.Series(arr[2 + i], dtype=object)
            if len(values) and isinstance(values.dropna().iloc[0] if values.notna().any()
                                          else None, dt.datetime):
                out[col] = pd.to_datetime(values).to_numpy()
            else:
                out[col] = pd.Categorical(values)
        return pd.DataFrame(out)

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
    def write_checked(self, ready: Mapping[str, gpd.GeoDataFrame], *, source: str,
                      imported_at: str) -> None:
        """Write validated layers in one transaction (called by :meth:`write_many`).

        In one transaction, each layer's table is dropped and rebuilt (COPY), indexed, its
        provenance recorded and the version counter bumped. Any failure rolls the whole
        transaction back.
        """
        with self._connect() as con, con.transaction():
            con.execute(f"CREATE TABLE IF NOT EXISTS {PROVENANCE_TABLE} (layer text PRIMARY KEY, "
                        "source text, imported_at text, rows bigint)")
            con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, "
                        "value bigint)")
            for name, gdf in ready.items():
                self._write_table(con, name, gdf)
                con.execute(f"INSERT INTO {PROVENANCE_TABLE} VALUES (%s, %s, %s, %s) ON CONFLICT "
                            "(layer) DO UPDATE SET source = EXCLUDED.source, imported_at = "
                            "EXCLUDED.imported_at, rows = EXCLUDED.rows",
                            (name, source, imported_at, len(gdf)))
            con.execute(f"INSERT INTO {META_TABLE} VALUES ('version', 1) ON CONFLICT (key) "
                        f"DO UPDATE SET value = {META_TABLE}.value + 1")

    @staticmethod
    def _write_table(con, name: str, gdf: gpd.GeoDataFrame) -> None:
        from psycopg import sql

        sch = schemas.schema(name)
        geom_col = gdf.geometry.name
        cols = [c for c in gdf.columns if c != geom_col]
        types = []
        for c in cols:
            try:
                types.append(_SQL_TYPES[sch.column(c).dtype])
            except KeyError:
                types.append(_sql_type(gdf[c]))
        table = sql.Identifier(name)
        con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        defs = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                                  for c, t in zip(cols, types, strict=True))
        con.execute(sql.SQL("CREATE TABLE {t} ({defs}, geom geometry(Geometry, 4326))").format(
            t=table, defs=defs))
        geoms = shapely.set_srid(gdf.geometry.to_numpy(), 4326)
        wkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
        columns = [_python_values(gdf[c]) for c in cols] + [list(wkb)]
        copy_sql = sql.SQL("COPY {t} ({cols}) FROM STDIN").format(
            t=table, cols=sql.SQL(", ").join([*map(sql.Identifier, cols), sql.Identifier("geom")]))
        with con.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
        con.execute(sql.SQL("CREATE INDEX ON {} USING GIST (geom)").format(table))


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)
