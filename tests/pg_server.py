"""A throw-away PostgreSQL 15 + PostGIS server on loopback, for the tests and benchmarks.

One starter for ``tests/store/test_postgis.py``, the replica tests and
``benchmarks/bench_scale.py`` (which puts ``tests/`` on its path, as ``bench_import`` does):
``initdb`` and ``pg_ctl`` from :data:`PG_BIN`, a cluster in its own temporary folder (not
pytest's ``tmp_path``, whose parents are private to root while the server runs as
``postgres``), listening on 127.0.0.1 only, on a free port, with trust authentication (it is
reachable from this machine only, and deleted when stopped).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
TEST_SETTINGS = {"fsync": "off"}
"""Server settings of the tests: nothing to keep after a crash."""


def available() -> bool:
    """Tell whether PostgreSQL 15 and PostGIS are installed (else the callers skip)."""
    return (PG_BIN / "initdb").exists() and POSTGIS_CONTROL.exists()


def _as_postgres(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True, text=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """A running throw-away cluster: its port, folder and data directory."""

    port: int
    base: Path

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "clspd") -> str:
        """Return the URL of one of its databases."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, *, postgis: bool = True) -> str:
        """Create a database (with the PostGIS extension unless told); return its URL."""
        import psycopg

        for attempt in range(50):  # the server may still refuse the first connections
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True) as con:
                    con.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.OperationalError:
                if attempt == 49:
                    raise
                time.sleep(0.2)
        if postgis:
            with psycopg.connect(self.url(name), autocommit=True) as con:
                con.execute("CREATE EXTENSION postgis")
        return self.url(name)

    def rss_mb(self) -> float:
        """Return the RSS of the postmaster and its children, MB (shared pages counted by
        each process)."""
        pid = (self.data / "postmaster.pid").read_text().split()[0]
        out = subprocess.run(["ps", "-o", "rss=", "--ppid", pid, "-p", pid],
                             capture_output=True, text=True, check=False).stdout.split()
        return sum(int(v) for v in out) / 1024

    def stop(self, *, mode: str = "immediate") -> None:
        """Stop the server and delete its folder."""
        try:
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop"])
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start(settings: Mapping[str, str] | None = None) -> Server:
    """Start a cluster on 127.0.0.1 with these server settings (``-c name=value``)."""
    base = Path(tempfile.mkdtemp(prefix="clspd-pg-"))
    sock = base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    server = Server(_free_port(), base)
    try:
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres", "-A",
                      "trust", "--no-sync"])
        options = " ".join(f"-c {k}={v}" for k, v in {"listen_addresses": "127.0.0.1",
                                                      **(settings or {})}.items())
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(server.data), "-l",
                      str(base / "log"), "-w", "-o",
                      f"-p {server.port} -k {sock} {options}", "start"])
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server


@contextmanager
def running(settings: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Start a cluster for the ``with`` block, then stop it and delete its folder."""
    server = start(settings)
    try:
        yield server
    finally:
        server.stop()
