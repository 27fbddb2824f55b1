"""Frames derived from one version of a PostGIS base, kept in the base for every app process.

At ten million incidents the privacy release of one role (the atoms placed at the finest
zone holding at least k facts, :mod:`clspd_geo.access.release`) takes tens of seconds to
compute from the millions of atoms, and every app process (every replica, every restart)
would compute it again. The first process to compute a derived frame of a version keeps it
in the table :data:`DERIVED_TABLE` (the frame as Parquet bytes, keyed by a text key that
holds the version); the others read it in a fraction of a second. Entries of older versions
are deleted when a newer one is kept. Nothing is kept that the base does not already hold:
the released rows are sums of the atoms table.

A process whose account may not write (a read-only replica) computes the frame itself each
time: keeping is best effort and never fails the page.
"""

from __future__ import annotations

import io

import pandas as pd

DERIVED_TABLE = "clspd_derived"
MAX_BYTES = 256 * 2**20
"""Frames larger than this (Parquet bytes) are not kept: the release of a role that sees
points is its points, already in the base."""


def _number(version: str) -> int | None:
    """Return the counter of a PostGIS version token (``pg-12`` → 12; None for another)."""
    head, _, tail = version.partition("-")
    return int(tail) if head == "pg" and tail.isdigit() else None


class DerivedFrames:
    """Mixin of :class:`clspd_geo.store.postgis.PostGISStore`: keep and read derived frames."""

    def derived(self, key: str, *, version: str) -> pd.DataFrame | None:
        """Return the frame kept under ``key`` for ``version``, or None."""
        import psycopg

        if _number(version) is None:
            return None
        try:
            with self._connect() as con:  # type: ignore[attr-defined]
                row = con.execute(f"SELECT payload FROM {DERIVED_TABLE} WHERE key = %s "
                                  "AND version = %s", (key, _number(version))).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
        return None if row is None else pd.read_parquet(io.BytesIO(bytes(row[0])))

    def keep_derived(self, key: str, frame: pd.DataFrame, *, version: str) -> bool:
        """Keep ``frame`` under ``key`` if ``version`` is still the base's; tell if kept."""
        import psycopg

        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        if buf.tell() > MAX_BYTES:
            return False
        n = _number(version)
        if n is None:
            return False
        try:
            with self._connect() as con:  # type: ignore[attr-defined]
                con.execute(f"""CREATE TABLE IF NOT EXISTS {DERIVED_TABLE} (
                    key text PRIMARY KEY, version bigint NOT NULL, payload bytea NOT NULL,
                    made_at timestamptz NOT NULL DEFAULT now())""")
                if self.version() != version:  # type: ignore[attr-defined]
                    return False  # a write landed meanwhile: the frame is already stale
                con.execute(f"DELETE FROM {DERIVED_TABLE} WHERE version < %s", (n,))
                con.execute(f"INSERT INTO {DERIVED_TABLE} (key, version, payload) "
                            "VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING",
                            (key, n, buf.getvalue()))
        except psycopg.Error:
            return False  # read-only account, or a concurrent first creation: not kept
        return True
