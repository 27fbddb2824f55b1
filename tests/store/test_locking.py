"""The writers' lock of a GeoPackage store (clspd_geo.store.locking)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clspd_geo.errors import LockTimeoutError
from clspd_geo.store import locking


def test_lock_path_beside_the_store(tmp_path: Path) -> None:
    assert locking.lock_path(tmp_path / "clspd.gpkg") == tmp_path / "clspd.gpkg.lock"


def test_exclusive_writes_the_pid_then_empties_the_lock(tmp_path: Path) -> None:
    store = tmp_path / "sub" / "clspd.gpkg"
    with locking.exclusive(store) as held:
        assert held.stale_pid is None
        assert locking.lock_path(store).read_text() == f"{os.getpid()}\n"
    assert locking.lock_path(store).read_text() == ""


def test_a_dead_writer_is_reported_and_its_temporaries_removed(tmp_path: Path) -> None:
    store = tmp_path / "clspd.gpkg"
    store.write_bytes(b"")
    locking.lock_path(store).write_text("424242\n")
    tmp = tmp_path / ".clspd.gpkg.abc.tmp.gpkg"
    tmp.write_bytes(b"x")
    other = tmp_path / "garder.tmp.gpkg"
    other.write_bytes(b"x")
    with locking.exclusive(store) as held:
        assert held.stale_pid == 424242
    assert not tmp.exists() and other.exists()


def test_second_writer_times_out_in_french(tmp_path: Path) -> None:
    store = tmp_path / "clspd.gpkg"
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with locking.exclusive(store):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(LockTimeoutError, match=rf"en cours d'écriture .*\(processus "
                           rf"{os.getpid()}\).* rien n'a été écrit"):
            with locking.exclusive(store, timeout_s=0.1):
                pass
    finally:
        release.set()
        thread.join()
    with locking.exclusive(store, timeout_s=0.1) as held:
        assert held.stale_pid is None


def test_clean_temporaries_counts_what_it_removed(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    for name in (".s.gpkg.1.tmp.gpkg", ".s.gpkg.2.tmp.gpkg", ".t.gpkg.1.tmp.gpkg"):
        (tmp_path / name).write_bytes(b"")
    assert locking.clean_temporaries(store) == 2
    assert [p.name for p in tmp_path.iterdir()] == [".t.gpkg.1.tmp.gpkg"]


def test_recover_journal_rolls_back_an_interrupted_write(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    assert not locking.recover_journal(store)
    con = sqlite3.connect(store)
    con.execute("CREATE TABLE t (v TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("a" * 500,)] * 200)
    con.commit()
    con.close()
    assert not locking.recover_journal(store)  # no journal: nothing to do
    # A writer killed mid-transaction, after SQLite spilled changed pages into the file.
    script = ("import os, sqlite3, sys; con = sqlite3.connect(sys.argv[1]); "
              "con.execute('PRAGMA cache_size=1'); con.execute('BEGIN'); "
              "con.execute(\"UPDATE t SET v = 'b'\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, str(store)], check=True)
    journal = store.with_name("s.gpkg-journal")
    assert journal.exists()
    assert locking.recover_journal(store)
    assert not journal.exists()
    con = sqlite3.connect(store)
    assert con.execute("SELECT DISTINCT v FROM t").fetchall() == [("a" * 500,)]
    con.close()
