"""The incidents in PostGIS: a table partitioned by month, imports through staging, atoms.

The ``incidents`` table is partitioned by RANGE on ``occurred_at``, one partition per
calendar month (``incidents_p2024_01``), created on demand for the months an import
brings; dates outside :data:`FIRST_DAY` – :data:`END_DAY` are refused with a French message.
Indexes: BRIN on ``occurred_at`` (rows arrive roughly in time order), GiST on ``geom``,
B-tree on ``category`` (and on the commune column when the table has one); the primary key
is ``(incident_id, occurred_at)``, as a partitioned table's unique keys must hold the
partition key.

Every import goes through a temporary staging table (COPY), then one INSERT … SELECT into
the partitioned table, inside the caller's transaction; no incident table is ever dropped.
The release atoms (:mod:`clspd_geo.store.atoms`) are kept in :data:`ATOMS_TABLE` and
refreshed by SQL for the months the import touched, in the same transaction, so readers
see the points and their aggregates change together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, config, crs
from clspd_geo.errors import SchemaError
from clspd_geo.store.atoms import ATOM_COLUMNS, GRID_CELL_M
from clspd_geo.store.communes import COMMUNE_TOLERANCE_M

INCIDENTS = "incidents"
ATOMS_TABLE = "clspd_incident_atoms"
STAGING_TABLE = "clspd_staging_incidents"
FIRST_DAY = dt.date(2000, 1, 1)
"""First day a partition may hold."""
END_DAY = dt.date(2050, 1, 1)
"""Day after the last one a partition may hold."""
COMMUNE_COLUMNS = ("insee_code", "commune")
"""Column names that carry an incident's commune, indexed when present."""
_KEY_COLUMNS = {"incident_id": "text NOT NULL", "occurred_at": "timestamp NOT NULL",
                "category": "text NOT NULL", "quartier_id": "text", "insee_code": "text"}


def range_text() -> str:
    """Return the supported range in French (« de janvier 2000 à décembre 2049 »)."""
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")
    last = END_DAY - dt.timedelta(days=1)
    return (f"de {months[FIRST_DAY.month - 1]} {FIRST_DAY.year} à "
            f"{months[last.month - 1]} {last.year}")


def check_range(gdf: pd.DataFrame) -> None:
    """Raise :class:`SchemaError` when an incident is dated outside the partitions' range."""
    if gdf.empty:
        return
    ts = pd.to_datetime(gdf["occurred_at"])
    bad = (ts < pd.Timestamp(FIRST_DAY)) | (ts >= pd.Timestamp(END_DAY))
    if bad.any():
        first = gdf.loc[bad.to_numpy()].iloc[0]
        n = int(bad.sum())
        msg = (f"{_format.count(n, 'fait')} {'est daté' if n < 2 else 'sont datés'} "
               "hors de la plage prise en charge par la "
               f"base PostGIS ({range_text()}), par ex. « {first['incident_id']} » du "
               f"{pd.Timestamp(first['occurred_at']):%d/%m/%Y}. Corrigez ces dates dans le "
               "fichier, puis relancez l'import ; rien n'a été écrit.")
        raise SchemaError(msg)


def partition_name(month: dt.date) -> str:
    """Return the name of a month's partition (``incidents_p2024_01``)."""
    return f"{INCIDENTS}_p{month.year:04d}_{month.month:02d}"


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def table_kind(con) -> str | None:
    """Return ``"partitioned"``, ``"plain"`` or None (absent) for the incidents table."""
    row = con.execute("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = "
                      "c.relnamespace WHERE n.nspname = current_schema() AND c.relname = %s",
                      (INCIDENTS,)).fetchone()
    if row is None:
        return None
    return "partitioned" if row[0] == "p" else "plain"


def create_table(con, types: dict[str, str]) -> None:
    """Create the partitioned incidents table and its indexes (no partition yet).

    ``types`` maps the frame's columns to SQL types; the data-model columns always come.
    """
    from psycopg import sql

    cols = dict(_KEY_COLUMNS)
    for c, t in types.items():
        cols.setdefault(c, t)
    defs = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                              for c, t in cols.items())
    con.execute(sql.SQL("CREATE TABLE {t} ({defs}, geom geometry(Geometry, 4326), "
                        "PRIMARY KEY (incident_id, occurred_at)) "
                        "PARTITION BY RANGE (occurred_at)").format(
        t=sql.Identifier(INCIDENTS), defs=defs))
    con.execute(f"CREATE INDEX {INCIDENTS}_time_brin ON {INCIDENTS} USING BRIN (occurred_at)")
    con.execute(f"CREATE INDEX {INCIDENTS}_geom_gist ON {INCIDENTS} USING GIST (geom)")
    con.execute(f"CREATE INDEX {INCIDENTS}_category ON {INCIDENTS} (category)")
    for c in COMMUNE_COLUMNS:
        if c in cols:
            con.execute(sql.SQL("CREATE INDEX {i} ON {t} ({c})").format(
                i=sql.Identifier(f"{INCIDENTS}_{c}"), t=sql.Identifier(INCIDENTS),
                c=sql.Identifier(c)))


def convert_plain(con) -> None:
    """Turn an unpartitioned incidents table (a base written before) into the partitioned one.

    In the caller's transaction: the old table is renamed, the partitioned one created with
    the same columns, the partitions of its months made, its rows copied, and it is dropped.

    Raises
    ------
    SchemaError
        A stored incident is dated outside the partitions' range.
    """
    from psycopg import sql

    old = "clspd_incidents_unpartitioned"
    con.execute(f"ALTER TABLE {INCIDENTS} RENAME TO {old}")
    got = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE "
                      "table_schema = current_schema() AND table_name = %s AND column_name "
                      "<> 'geom' ORDER BY ordinal_position", (old,)).fetchall()
    types = {c: ("timestamp" if t.startswith("timestamp") else t) for c, t in got}
    create_table(con, types)
    bad = con.execute(f"SELECT count(*) FROM {old} WHERE occurred_at < %s OR occurred_at >= %s",
                      (FIRST_DAY, END_DAY)).fetchone()[0]
    if bad:
        msg = (f"{_format.count(bad, 'fait')} de la base "
               f"{'est daté' if bad < 2 else 'sont datés'} hors de la plage prise en charge "
               f"({range_text()}) : corrigez-les ou supprimez-les avant d'importer ; rien n'a "
               "été écrit.")
        raise SchemaError(msg)
    ensure_partitions(con, [r[0] for r in con.execute(
        f"SELECT DISTINCT date_trunc('month', occurred_at)::date FROM {old}").fetchall()])
    names = sql.SQL(", ").join(sql.Identifier(c) for c in [*types, "geom"])
    con.execute(sql.SQL("INSERT INTO {t} ({n}) SELECT {n} FROM {o}").format(
        t=sql.Identifier(INCIDENTS), n=names, o=sql.Identifier(old)))
    con.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(old)))
    if "insee_code" not in types:
        _fill_from_territory(con)


def add_communes(con) -> bool:
    """Give an incidents table written before the communes its ``insee_code``, filled from
    the territory (in the transaction); return True when it had none."""
    if has_column(con, INCIDENTS, "insee_code"):
        return False
    con.execute(f"ALTER TABLE {INCIDENTS} ADD COLUMN insee_code text")
    _fill_from_territory(con)
    return True


def _fill_from_territory(con) -> None:
    if con.execute("SELECT to_regclass('territoire')").fetchone()[0] is not None:
        refill_communes(con, INCIDENTS, epsg=metric_epsg(con, {}))


def ensure_partitions(con, months: Iterable[dt.date]) -> None:
    """Create the partitions of these months (first days) that do not exist yet."""
    from psycopg import sql

    for month in sorted(set(months)):
        if not (FIRST_DAY <= month < END_DAY):
            msg = (f"Le mois {month:%m/%Y} est hors de la plage prise en charge par la base "
                   f"PostGIS ({range_text()}) ; rien n'a été écrit.")
            raise SchemaError(msg)
        con.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {p} PARTITION OF {t} FOR VALUES FROM "
                            "({a}) TO ({b})").format(
            p=sql.Identifier(partition_name(month)), t=sql.Identifier(INCIDENTS),
            a=sql.Literal(dt.datetime(month.year, month.month, 1)),
            b=sql.Literal(dt.datetime.combine(_next_month(month), dt.time()))))


def create_staging(con) -> None:
    """Create the transaction's staging table, shaped like the incidents table."""
    con.execute(f"CREATE TEMP TABLE {STAGING_TABLE} (LIKE {INCIDENTS}) ON COMMIT DROP")


def staged_months(con) -> list[dt.date]:
    """Return the months (first days) the staged rows fall in."""
    rows = con.execute(f"SELECT DISTINCT date_trunc('month', occurred_at)::date FROM "
                       f"{STAGING_TABLE}").fetchall()
    return [r[0] for r in rows]


def staged_clashes(con) -> list[str]:
    """Return the staged identifiers already present in the incidents table."""
    rows = con.execute(f"SELECT s.incident_id FROM {STAGING_TABLE} s JOIN {INCIDENTS} i "
                       "USING (incident_id)").fetchall()
    return [r[0] for r in rows]


def column_names(con, table: str = INCIDENTS) -> list[str]:
    """Return the columns of a table of the current schema, in order."""
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema "
                       "= current_schema() AND table_name = %s ORDER BY ordinal_position",
                       (table,)).fetchall()
    return [r[0] for r in rows]


def insert_staged(con, *, upsert: bool) -> tuple[int, set[dt.date]]:
    """Move the staged rows into the incidents table; return (rows changed, months touched).

    With ``upsert``, a staged row replaces the row of the same identifier: moved to another
    date, it is deleted from its old partition first; at the same date, it is updated only
    when a column or the geometry differs. A row identical to the stored one changes
    nothing, so importing the same month twice leaves the table, its atoms and the version
    as they were. Without ``upsert``, rows are inserted (the caller checked identifiers).
    """
    from psycopg import sql

    ensure_partitions(con, staged_months(con))
    cols = column_names(con)
    names = sql.SQL(", ").join(map(sql.Identifier, cols))
    months: set[dt.date] = set()
    changed = 0
    if upsert:
        moved = con.execute(
            f"DELETE FROM {INCIDENTS} i USING {STAGING_TABLE} s WHERE i.incident_id = "
            "s.incident_id AND i.occurred_at <> s.occurred_at RETURNING "
            "date_trunc('month', i.occurred_at)::date").fetchall()
        months |= {r[0] for r in moved}
        changed += len(moved)
        others = [c for c in cols if c not in ("incident_id", "occurred_at")]
        sets = sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                                  for c in others)
        old = sql.SQL(", ").join(
            sql.SQL("ST_AsEWKB(i.geom)") if c == "geom" else sql.SQL("i.{}").format(
                sql.Identifier(c)) for c in others)
        new = sql.SQL(", ").join(
            sql.SQL("ST_AsEWKB(EXCLUDED.geom)") if c == "geom" else sql.SQL("EXCLUDED.{}")
            .format(sql.Identifier(c)) for c in others)
        query = sql.SQL(
            "INSERT INTO {t} AS i ({names}) SELECT {names} FROM {s} ON CONFLICT "
            "(incident_id, occurred_at) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM "
            "({new}) RETURNING date_trunc('month', i.occurred_at)::date").format(
            t=sql.Identifier(INCIDENTS), s=sql.Identifier(STAGING_TABLE), names=names,
            sets=sets, old=old, new=new)
    else:
        query = sql.SQL("INSERT INTO {t} ({names}) SELECT {names} FROM {s} RETURNING "
                        "date_trunc('month', occurred_at)::date").format(
            t=sql.Identifier(INCIDENTS), s=sql.Identifier(STAGING_TABLE), names=names)
    with con.cursor() as cur:
        cur.execute(query)
        got = cur.fetchall()
    months |= {r[0] for r in got}
    changed += len(got)
    return changed, months


def refill_communes(con, table: str, *, epsg: int) -> None:
    """Fill ``insee_code`` of a point table again from the territory, by SQL (in the
    transaction), as :func:`clspd_geo.store.communes.assign_communes` does: the commune
    covering the point (first in the territory's order on a border), else the nearest within
    :data:`~clspd_geo.store.communes.COMMUNE_TOLERANCE_M`, else none; with one commune,
    every row."""
    from psycopg import sql

    con.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS insee_code text").format(
        sql.Identifier(table)))
    con.execute(sql.SQL(
        "UPDATE {t} p SET insee_code = CASE WHEN (SELECT count(*) FROM territoire) = 1 "
        "THEN (SELECT insee_code FROM territoire) ELSE (SELECT c.insee_code FROM territoire c "
        "WHERE ST_DWithin(ST_Transform(c.geom, %(epsg)s), ST_Transform(p.geom, %(epsg)s), "
        "%(tol)s) ORDER BY NOT ST_Intersects(c.geom, p.geom), ST_Distance(ST_Transform("
        "c.geom, %(epsg)s), ST_Transform(p.geom, %(epsg)s)), c.ctid LIMIT 1) END").format(
        t=sql.Identifier(table)), {"epsg": epsg, "tol": COMMUNE_TOLERANCE_M})


# -- atoms ---------------------------------------------------------------------------------

def _ensure_atoms_table(con) -> bool:
    """Create the atoms table, or add the commune to one made before; True if either."""
    if con.execute("SELECT to_regclass(%s)", (ATOMS_TABLE,)).fetchone()[0] is not None:
        if has_column(con, ATOMS_TABLE, "insee_code"):
            return False
        con.execute(f"ALTER TABLE {ATOMS_TABLE} ADD COLUMN insee_code text")
        return True
    con.execute(f"CREATE TABLE {ATOMS_TABLE} (cell_x integer NOT NULL, "
                "cell_y integer NOT NULL, quartier_id text, insee_code text, "
                "category text NOT NULL, month date NOT NULL, n integer NOT NULL)")
    con.execute(f"CREATE INDEX {ATOMS_TABLE}_month ON {ATOMS_TABLE} (month)")
    return True


def has_column(con, table: str, column: str) -> bool:
    """Tell whether a table of the current schema has a column."""
    return column in column_names(con, table)


ATOMS_SELECT = (
    "SELECT floor(ST_X(p) / {cell})::integer AS cell_x, floor(ST_Y(p) / {cell})::integer "
    "AS cell_y, quartier_id, insee_code, category, month, count(*)::integer AS n FROM "
    "(SELECT ST_Transform(geom, %(epsg)s) AS p, quartier_id, {commune} AS insee_code, "
    "category, date_trunc('month', occurred_at)::date AS month FROM " + INCIDENTS
    + "{where}) s GROUP BY 1, 2, 3, 4, 5, 6")
"""The atoms of the incidents, by SQL (``{where}`` filters the incidents)."""


# Columns named: a table made before the communes has insee_code last.
_INSERT_ATOMS = f"INSERT INTO {ATOMS_TABLE} ({', '.join(ATOM_COLUMNS)}) "


def atoms_query(*, where: str = "", commune: bool = True) -> str:
    """Return the SQL of the atoms (``%(epsg)s`` and the ``where`` parameters to bind).

    ``commune=False`` for an incidents table written before the communes (no
    ``insee_code`` column): the atoms then have no commune.
    """
    return ATOMS_SELECT.format(cell=float(GRID_CELL_M), where=where,
                               commune="insee_code" if commune else "NULL::text")


def refresh_atoms(con, *, epsg: int, months: Iterable[dt.date] | None) -> None:
    """Recompute the atoms of these months (all months when None), in the transaction.

    An atoms table made before the communes is recomputed whole.
    """
    if _ensure_atoms_table(con):
        months = None
    con.execute("INSERT INTO clspd_meta VALUES ('atoms_epsg', %s) ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value", (epsg,))
    if months is None:
        con.execute(f"TRUNCATE {ATOMS_TABLE}")
        if table_kind(con) is not None:
            con.execute(_INSERT_ATOMS + atoms_query(
                commune=has_column(con, INCIDENTS, "insee_code")), {"epsg": epsg})
        return
    for month in sorted(set(months)):
        con.execute(f"DELETE FROM {ATOMS_TABLE} WHERE month = %s", (month,))
        # One month at a time: the period filter prunes every other partition.
        con.execute(_INSERT_ATOMS + atoms_query(
            where=" WHERE occurred_at >= %(a)s AND occurred_at < %(b)s",
            commune=has_column(con, INCIDENTS, "insee_code")),
            {"epsg": epsg, "a": dt.datetime(month.year, month.month, 1),
             "b": dt.datetime.combine(_next_month(month), dt.time())})


def atoms_epsg(con) -> int | None:
    """Return the metric CRS the stored atoms were computed in (None: no atoms table)."""
    if con.execute("SELECT to_regclass(%s)", (ATOMS_TABLE,)).fetchone()[0] is None:
        return None
    row = con.execute("SELECT value FROM clspd_meta WHERE key = 'atoms_epsg'").fetchone()
    return int(row[0]) if row else None


def metric_epsg(con, ready: Mapping[str, gpd.GeoDataFrame]) -> int:
    """Return the territory's metric CRS (of the atoms' cells): of the frame being written,
    else of the base, else the default computing CRS."""
    if "territoire" in ready:
        return crs.metric_epsg(ready["territoire"])
    if con.execute("SELECT to_regclass('territoire')").fetchone()[0] is not None:
        got = con.execute("SELECT ST_AsBinary(geom) FROM territoire").fetchall()
        geoms = shapely.from_wkb(np.array([r[0] for r in got], dtype=object))
        return crs.metric_epsg(gpd.GeoDataFrame(geometry=geoms, crs=config.STORAGE_CRS))
    return int(config.COMPUTE_CRS.split(":")[1])


# -- point reads -----------------------------------------------------------------------------

READ_CHUNK_BYTES = 64 * 2**20
"""CSV bytes parsed at a time by :func:`read_points_csv` (bounds the text held at once)."""


def read_points_csv(con, query, params: Mapping | Iterable | None, columns: list[str], *,
                    dated: set[str]) -> dict[str, object]:
    """Run ``SELECT lon, lat, columns…`` as a CSV ``COPY`` and return the columns as arrays.

    Parsed chunk by chunk (:data:`READ_CHUNK_BYTES`) by Arrow's CSV reader, text columns
    dictionary-encoded as they are read: ten million rows fetched as Python tuples would
    take gigabytes and minutes. ``lon``/``lat`` are floats, the ``dated`` columns
    ``datetime64``, the others categoricals of text (``"00000"`` stays text).
    """
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg import sql

    names = ["lon", "lat", *columns]
    types = {"lon": pa.float64(), "lat": pa.float64(),
             **{c: pa.timestamp("us") if c in dated else pa.dictionary(pa.int32(), pa.string())
                for c in columns}}
    options = (pacsv.ReadOptions(column_names=names),
               pacsv.ConvertOptions(column_types=types, strings_can_be_null=True))
    tables: list = []

    def parse(buf: io.BytesIO) -> None:
        if buf.tell():
            tables.append(pacsv.read_csv(pa.BufferReader(buf.getbuffer()),
                                         read_options=options[0], convert_options=options[1]))

    buf = io.BytesIO()
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv)").format(query)
    with con.cursor() as cur, cur.copy(statement, params) as copy:
        for block in copy:
            buf.write(block)
            if buf.tell() >= READ_CHUNK_BYTES:
                parse(buf)
                buf = io.BytesIO()
    parse(buf)
    table = (pa.concat_tables(tables) if tables else
             pa.table({c: pa.array([], type=t) for c, t in types.items()}))
    out: dict[str, object] = {}
    for c in names:
        col = table.column(c)
        if c in dated:
            out[c] = col.to_numpy().astype("datetime64[ns]")
        elif c in ("lon", "lat"):
            out[c] = col.to_numpy().astype(float)
        else:  # one dictionary for every chunk, then a pandas categorical of text
            values = col.unify_dictionaries().combine_chunks() if col.num_chunks else col
            cat = pd.Categorical(values.to_pandas()) if len(values) else pd.Categorical([])
            out[c] = pd.Categorical.from_codes(cat.codes, categories=pd.Index(
                cat.categories.astype(str), dtype=object))
    return out
