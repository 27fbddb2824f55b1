"""Where the access tables live, and what a shared PostgreSQL base gives replicas (access._db).

The tests of accounts, sessions and the trail run on both back-ends (tests/access/conftest.py);
these check the choice of the back-end, and that app processes with their own data folders
share accounts, sessions, codes and trail through the base, with the guarantees of the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from access_db import fresh_base, query
from clspd_geo.access import _db, audit, auth, sessions
from clspd_geo.errors import ClspdGeoError
from clspd_geo.store import PostGISStore

PW = "correct-horse-battery"
URL = "postgresql://clspd:s3cret-mot@127.0.0.1:5432/clspd"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("CLSPD_USERS", "CLSPD_AUDIT", "CLSPD_ACCESS_DB", "CLSPD_STORE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_files_beside_the_store_by_default(clean_env, tmp_path):
    clean_env.setenv("CLSPD_DATA_DIR", str(tmp_path))
    assert auth.users_location() == auth.users_path() == tmp_path / "comptes.sqlite"
    assert audit.audit_location() == audit.audit_path() == tmp_path / "journal.sqlite"


def test_a_postgresql_store_keeps_them_in_its_base(clean_env, tmp_path):
    clean_env.setenv("CLSPD_DATA_DIR", str(tmp_path))
    clean_env.setenv("CLSPD_STORE", URL)
    assert auth.users_location() == URL and audit.audit_location() == URL
    assert auth.users_path() == tmp_path / "comptes.sqlite"  # the file's own contract stays
    clean_env.setenv("CLSPD_USERS", str(tmp_path / "u.sqlite"))  # a file named: that file
    assert auth.users_location() == tmp_path / "u.sqlite" and audit.audit_location() == URL
    clean_env.setenv("CLSPD_ACCESS_DB", "sqlite")  # the files, whatever the store
    assert audit.audit_location() == tmp_path / "journal.sqlite"


def test_access_db_names_a_base_or_the_files(clean_env, tmp_path):
    clean_env.setenv("CLSPD_STORE", str(tmp_path / "s.gpkg"))
    clean_env.setenv("CLSPD_ACCESS_DB", URL)
    assert auth.users_location() == URL
    clean_env.setenv("CLSPD_ACCESS_DB", "mysql://x:motdepasse@h/b")
    with pytest.raises(ClspdGeoError, match="CLSPD_ACCESS_DB") as err:
        auth.users_location()
    assert "motdepasse" not in str(err.value)


def test_placeholders_are_translated_once_for_postgresql():
    con = _db.Connection(None, "postgresql")
    assert con._sql("SELECT 1 WHERE a = ? AND b LIKE '5%'") == (
        "SELECT 1 WHERE a = %s AND b LIKE '5%%'")
    assert _db.Connection(None, "sqlite")._sql("a = ?") == "a = ?"


def test_an_unreachable_base_gives_a_french_message_without_its_password(tmp_path):
    down = "postgresql://clspd:s3cret-mot@127.0.0.1:1/clspd"  # nothing listens on port 1
    with pytest.raises(auth.AccountsUnreachable, match="injoignable") as err:
        auth.login("alice", PW, path=down)
    assert isinstance(err.value, auth.AuthError) and "s3cret" not in str(err.value)
    assert "127.0.0.1" in str(err.value) and "CLSPD_ACCESS_DB" in str(err.value)
    with pytest.raises(auth.AuthError, match="injoignable"):
        auth.check_session("jeton", path=down)
    with pytest.raises(ClspdGeoError, match="injoignable") as err:
        audit.record("alice", "elu", "vue", "p", path=down)
    assert isinstance(err.value, audit.TrailUnreachable) and "s3cret" not in str(err.value)


# -- a shared base: the tables beside the store's, seen by every process ----------------------

@pytest.fixture
def base(pg_url):
    return fresh_base(pg_url)


def test_tables_are_in_their_own_schema_not_among_the_layers(base):
    auth.create_account("alice", role="elu", password=PW, path=base)
    audit.record("alice", "elu", "vue", "p", path=base)
    sessions.redeem_code("inconnu", path=base)
    tables = query(base, "SELECT table_schema, table_name FROM information_schema.tables "
                         "WHERE table_name IN ('accounts', 'sessions', 'throttle', "
                         "'session_codes', 'events') ORDER BY table_name")
    assert tables == [(_db.SCHEMA, t) for t in ("accounts", "events", "session_codes",
                                               "sessions", "throttle")]
    store = PostGISStore(base)
    assert not store.table_names() & {"accounts", "sessions", "events"}


def _replica(base: str, tmp_path: Path, name: str, script: str, arg: object = None,
             ) -> subprocess.Popen:
    """Start ``script`` in a new process set up as an app replica with its own data folder.

    The script sees ``arg`` and prints one JSON line (read by :func:`_answer`).
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("CLSPD_USERS", "CLSPD_AUDIT", "CLSPD_ACCESS_DB")}
    data_dir = tmp_path / name
    data_dir.mkdir(exist_ok=True)
    env.update(CLSPD_STORE=base, CLSPD_DATA_DIR=str(data_dir))
    head = ("import json, sys\nfrom clspd_geo.access import audit, auth, sessions\n"
            "arg = json.loads(sys.argv[1])\n")
    return subprocess.Popen([sys.executable, "-c", head + script, json.dumps(arg)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _answer(proc: subprocess.Popen):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def test_two_replicas_share_accounts_sessions_codes_and_the_trail(base, tmp_path):
    auth.create_account("alice", role="police", password=PW, path=base)
    # Replica A: the login, its cookie code and an audit event.
    token, code = _answer(_replica(base, tmp_path, "a", (
        "t = auth.login('alice', arg, address='192.0.2.7')\n"
        "audit.record('alice', 'police', 'connexion', 'connexion')\n"
        "print(json.dumps([t, sessions.issue_code(t)]))"), PW))
    # Replica B, another process with its own folder: the browser's code and cookie work.
    got = _answer(_replica(base, tmp_path, "b", (
        "tok = sessions.redeem_code(arg)\n"
        "acc = auth.check_session(tok)\n"
        "print(json.dumps([tok, acc.username, acc.role, list(audit.events()['Qui'])]))"), code))
    assert got == [token, "alice", "police", ["alice"]]
    assert sessions.redeem_code(code, path=base) is None  # once, across replicas
    auth.logout(token, path=base)  # logged out through one: gone on the other
    assert _answer(_replica(base, tmp_path, "b", (
        "print(json.dumps(auth.check_session(arg) is None))"), token)) is True
    assert not [f for f in tmp_path.rglob("*") if f.is_file()]  # no file on either replica


def test_concurrent_redeems_of_one_code_give_one_token(base):
    auth.create_account("alice", role="elu", password=PW, path=base)
    token = auth.login("alice", PW, path=base)
    for _ in range(3):
        code = sessions.issue_code(token, path=base)
        barrier = threading.Barrier(8)
        got: list[str | None] = []

        def redeem(code=code, barrier=barrier, got=got):
            barrier.wait()
            got.append(sessions.redeem_code(code, path=base))

        threads = [threading.Thread(target=redeem) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert (got.count(token), got.count(None)) == (1, 7)


def test_concurrent_first_starts_of_replicas_create_the_demo_accounts_once(base, tmp_path):
    script = "print(json.dumps(len(auth.ensure_demo_accounts())))"
    starts = [_replica(base, tmp_path, f"r{i}", script) for i in range(3)]
    assert sorted(_answer(p) for p in starts) == [0, 0, 7]
    names = [a.username for a in auth.list_accounts(path=base)]
    assert sorted(names) == sorted(auth.policy.ROLE_CODES) and len(names) == 7
    assert auth.login("police", auth.DEMO_PASSWORD.format(role="police"), path=base)


def test_a_burst_on_two_replicas_is_counted_as_one(base, tmp_path):
    # The count of an address is read and rewritten under the table's lock: attempts of one
    # address on two replicas at the same moment are counted one after the other, so
    # together they get ADDRESS_FREE tries before waiting, not ADDRESS_FREE each.
    script = ("import datetime, time\n"
              "t = datetime.datetime(2026, 11, 25, 9)\n"
              "with auth.database() as con:\n"
              "    while time.time() < arg:\n"
              "        pass\n"
              "    n = sum(auth._count_address(con, 'ip:203.0.113.9', t) for _ in range(8))\n"
              "print(json.dumps(n))")
    go = time.time() + 4  # both processes started and connected by then
    tries = [_replica(base, tmp_path, f"r{i}", script, go) for i in range(2)]
    assert sum(_answer(p) for p in tries) == auth.ADDRESS_FREE
    assert query(base, "SELECT attempts FROM throttle") == [(auth.ADDRESS_FREE,)]


def test_connections_the_base_closed_meanwhile_are_replaced(base):
    # A restart of the base, or its idle timeout, closes the connections a process keeps:
    # the next use opens a new one instead of failing.
    import psycopg

    auth.create_account("alice", role="elu", password=PW, path=base)
    token = auth.login("alice", PW, path=base)
    assert _db._idle.get(base)  # kept for the next uses
    with psycopg.connect(base, autocommit=True) as con:
        closed = con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                             "datname = current_database() AND pid <> pg_backend_pid()"
                             ).fetchall()
    assert closed
    assert auth.check_session(token, path=base).username == "alice"
