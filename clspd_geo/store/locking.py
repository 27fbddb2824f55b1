"""The writers' lock of a GeoPackage store, and what a writer that died leaves behind.

A writer holds an exclusive ``flock`` on ``<store>.lock`` for the whole of a write, the read
it depends on included. The kernel releases a ``flock`` when its process dies, so a lock is
never held by a dead process; but the writer also writes its pid in the lock file and
empties it when it is done, so the next writer knows when the previous one died midway
(``kill -9``, power cut) and cleans up after it, holding the lock: temporary files of an
interrupted rebuild, and the SQLite rollback journal of an interrupted in-place write
(rolled back, so the store holds exactly its old content).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clspd_geo.errors import LockTimeoutError

LOCK_TIMEOUT_S = 120.0
"""How long a writer waits for another one before giving up (``CLSPD_LOCK_TIMEOUT_S``)."""


@dataclass(frozen=True)
class Held:
    """What a writer learnt when it took the lock.

    Attributes
    ----------
    stale_pid
        The pid of a writer that died holding the lock (``None``: the last one finished).
    """

    stale_pid: int | None


def lock_path(store: Path) -> Path:
    """Return the lock file of a store file."""
    return store.with_name(store.name + ".lock")


def _timeout() -> float:
    try:
        return float(os.environ.get("CLSPD_LOCK_TIMEOUT_S", LOCK_TIMEOUT_S))
    except ValueError:
        return LOCK_TIMEOUT_S


def _holder(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", "replace").split()
    try:
        return int(text[0]) if text else None
    except ValueError:
        return None


def recover_journal(store: Path) -> bool:
    """Roll back the journal an interrupted in-place write left; return True if there was one.

    Call it holding the lock, or when no writer of this library can be running: SQLite
    deems a journal « hot » only when no connection holds the database's write lock, and
    rolls it back on the first read of a read-write connection.
    """
    journal = store.with_name(store.name + "-journal")
    if not journal.exists() or not store.exists():
        return False
    con = sqlite3.connect(store, timeout=30, isolation_level=None)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if journal.exists():
            # Not hot, so not rolled back (a writer killed while writing its header): once
            # no connection can be writing (BEGIN IMMEDIATE), it is garbage.
            con.execute("BEGIN IMMEDIATE")
            try:
                with contextlib.suppress(FileNotFoundError):
                    journal.unlink()
            finally:
                con.execute("ROLLBACK")
    finally:
        con.close()
    return True


def clean_temporaries(store: Path) -> int:
    """Delete the temporary files of an interrupted rebuild; return how many (hold the lock)."""
    prefix = f".{store.name}."
    n = 0
    for stale in store.parent.iterdir():
        if stale.name.startswith(prefix) and ".tmp.gpkg" in stale.name:
            with contextlib.suppress(OSError):
                stale.unlink()
                n += 1
    return n


@contextlib.contextmanager
def exclusive(store: Path, *, timeout_s: float | None = None) -> Iterator[Held]:
    """Hold the store's writers' lock; clean up after a writer that died.

    Raises
    ------
    LockTimeoutError
        Another writer (a live process) held the lock for ``timeout_s`` seconds.
    OSError
        The lock file cannot be created (read-only folder, full disk).
    """
    store.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(store)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + (_timeout() if timeout_s is None else timeout_s)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    pid = _holder(fd)
                    who = f" (processus {pid})" if pid else ""
                    msg = (f"La base « {store} » est en cours d'écriture par un autre "
                           f"import ou une autre saisie{who} depuis trop longtemps : "
                           "réessayez dans un moment ; rien n'a été écrit.")
                    raise LockTimeoutError(msg) from None
                time.sleep(0.02)
        try:
            stale = _holder(fd)
            if stale is not None:
                clean_temporaries(store)
                recover_journal(store)
                if not store.with_name(store.name + "-journal").exists():
                    # The super-journal of a transaction over two databases (ATTACH) is
                    # garbage once the store's own journal is gone.
                    for mj in store.parent.glob(f"{glob.escape(store.name)}-mj*"):
                        with contextlib.suppress(OSError):
                            mj.unlink()
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            yield Held(stale)
        finally:
            # Not reached when the process is killed: the pid then stays, for the next writer.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
