"""The access layer's SQLite files open in WAL mode even when many threads open them at once."""

from __future__ import annotations

import threading

from clspd_geo.access import _sqlite


def _open_together(path, n=16):
    barrier = threading.Barrier(n)
    errors, modes = [], []

    def one():
        barrier.wait()
        try:
            con = _sqlite.connect(path)
            modes.append(con.execute("PRAGMA journal_mode").fetchone()[0])
            con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            con.execute("INSERT INTO t VALUES (1)")
            con.close()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors, modes


def test_fresh_file_opened_by_many_threads_at_once(tmp_path):
    for i in range(10):
        path = tmp_path / f"f{i}.sqlite"
        errors, modes = _open_together(path)
        assert errors == []
        assert modes == ["wal"] * 16
        con = _sqlite.connect(path)
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 16
        con.close()
