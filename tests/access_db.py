"""Where the access tables of a test are, on both back-ends (tests/access/conftest.py).

A SQLite file or a PostgreSQL base (schema ``clspd_access``, :mod:`clspd_geo.access._db`):
the tests of accounts, sessions, cookie codes and the audit trail run on both, through the
same ``path=`` argument. The helpers read or change the tables behind the library's back
(a tampered role, the counts after a burst), with the SQL of the library.
"""

from __future__ import annotations

from pathlib import Path

from clspd_geo.access import _db


def fresh_base(url: str) -> str:
    """Empty the access schema of the base ``url`` (its tables are made again); return it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {_db.SCHEMA} CASCADE")
    _db.forget_tables()
    return url


def query(where: _db.Location, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement (``?`` placeholders) on the tables at ``where``; return its rows."""
    with _db.connect(where, create=[]) as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else []


def dump(where: _db.Location) -> bytes:
    """Return everything stored at ``where``: the file's bytes, or every row as text."""
    if not _db.is_url(where):
        return b"".join(p.read_bytes() for p in Path(where).parent.glob(Path(where).name + "*"))
    tables = query(where, "SELECT table_name FROM information_schema.tables WHERE "
                          "table_schema = ?", (_db.SCHEMA,))
    rows = [r for (t,) in tables for r in query(where, f"SELECT CAST(t AS TEXT) FROM {t} t")]
    assert rows  # something was written
    return "\n".join(r[0] for r in rows).encode()
