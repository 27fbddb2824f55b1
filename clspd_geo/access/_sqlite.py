"""One way to open the small SQLite files of the access layer (accounts, audit trail).

Both files are written by every server process and thread at once. They run in WAL mode
with a busy timeout, so a writer waits for another instead of failing. Switching a
database to WAL takes an exclusive lock, and SQLite answers ``database is locked`` at once,
without waiting on the busy timeout, when several connections make the switch together on
a fresh file: the first run of a server that many sessions reach at the same moment. The
switch is therefore made only when the file is not yet in WAL (the mode is stored in the
file), and retried with a short back-off until the timeout.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

TIMEOUT_S = 10.0


def connect(path: Path, *, timeout_s: float = TIMEOUT_S) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode, WAL journal, busy timeout of ``timeout_s``."""
    con = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                con.execute("PRAGMA journal_mode=WAL")
            return con
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() + delay > deadline:
                con.close()
                raise
            time.sleep(delay)
            delay = min(2 * delay, 0.2)
