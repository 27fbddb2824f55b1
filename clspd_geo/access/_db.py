"""One connection layer for the access databases: a SQLite file or a PostgreSQL base.

The accounts, their sessions, the one-time cookie codes, the login-attempt counts
(:mod:`clspd_geo.access.auth`, :mod:`clspd_geo.access.sessions`) and the audit trail
(:mod:`clspd_geo.access.audit`) are small tables that every server process writes. They
live in SQLite files beside the store (one machine), or in a PostgreSQL base so that app
replicas on several machines share them (``docs/replicas.md``). Their modules write their
SQL once, in the dialect both understand; :class:`Connection` adapts it:

- ``?`` placeholders become psycopg's ``%s`` (a literal ``%`` is doubled);
- :meth:`Connection.write_transaction` is SQLite's ``BEGIN IMMEDIATE`` (the one write lock
  of the file, taken first), and on PostgreSQL a transaction that first locks the table it
  reads then writes in ``SHARE ROW EXCLUSIVE`` mode (one such writer at a time, readers
  never wait), so a count read and rewritten, or a check that the table is empty, holds
  until the commit on both;
- :meth:`Connection.columns` reads ``PRAGMA table_info`` or ``information_schema``;
- the driver's integrity error becomes :class:`IntegrityError`.

On PostgreSQL the tables are in their own schema, :data:`SCHEMA`, so they never meet the
store's layers (``public``, ``clspd_meta``, ``clspd_derived``); the schema and tables are
created once per process and base, under an advisory lock, so concurrent first starts
create them once. Connections are in autocommit mode: each statement is its own
transaction, as with the SQLite files; a process keeps up to :data:`POOL_SIZE` idle ones
per base for its next uses (checked with one ``SELECT 1`` when taken again).

Where they live (:func:`location`): a file given by its own variable (``CLSPD_USERS``,
``CLSPD_AUDIT``) stays a SQLite file; else ``CLSPD_ACCESS_DB``, a ``postgresql://`` URL or
``sqlite`` (the files beside the store); else the store's base when ``CLSPD_STORE`` is a
``postgresql://`` URL; else the file beside the store.
"""

from __future__ import annotations

import atexit
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from clspd_geo import config
from clspd_geo.access import _sqlite
from clspd_geo.errors import ClspdGeoError

SCHEMA = "clspd_access"
"""PostgreSQL schema of the access tables."""
CONNECT_TIMEOUT_S = 10
_INIT_LOCK = 0x434C4143  # "CLAC": advisory lock of the schema's creation
_FILES = ("sqlite", "fichier", "fichiers")

Location = Path | str
"""A SQLite file (a path) or a PostgreSQL base (a ``postgresql://`` URL)."""


class IntegrityError(Exception):
    """A constraint of the database refused a row (a duplicate key, on either back-end)."""


def is_url(location: Location | None) -> bool:
    """Tell whether ``location`` is a PostgreSQL URL (else a SQLite file)."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """Return ``url`` with its password hidden."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def database_url() -> str | None:
    """Return the PostgreSQL base of the access tables, or None for SQLite files.

    ``CLSPD_ACCESS_DB`` when set (a ``postgresql://`` URL, or ``sqlite``), else the store's
    target when it is a ``postgresql://`` URL.

    Raises
    ------
    ClspdGeoError
        ``CLSPD_ACCESS_DB`` is neither.
    """
    env = os.environ.get("CLSPD_ACCESS_DB", "").strip()
    if env:
        if is_url(env):
            return env
        if env.lower() in _FILES:
            return None
        msg = (f"CLSPD_ACCESS_DB vaut « {redact(env)} » : indiquez une adresse "
               "postgresql://… (comptes et journal dans cette base) ou « sqlite » (fichiers "
               "à côté de la base de données).")
        raise ClspdGeoError(msg)
    target = config.store_target()
    return target if is_url(target) else None


def location(file_variable: str, default_file: Callable[[], Path]) -> Location:
    """Return where an access database is: its own file, the PostgreSQL base, or the file.

    Parameters
    ----------
    file_variable
        The variable naming its SQLite file (``CLSPD_USERS``, ``CLSPD_AUDIT``): when set,
        that file, whatever the store.
    default_file
        The file beside the store, when no PostgreSQL base is configured.
    """
    env = os.environ.get(file_variable)
    if env:
        return Path(env)
    return database_url() or default_file()


class Connection:
    """A connection to an access database, with the SQL of either back-end (autocommit)."""

    def __init__(self, raw: Any, dialect: Literal["sqlite", "postgresql"]) -> None:
        self.raw = raw
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        # The access modules' SQL has no "?" inside a string literal: every one is a value.
        if self.dialect == "sqlite":
            return sql
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; return the cursor (``fetchone``, ``fetchall``, ``rowcount``)."""
        with _integrity():
            return self.raw.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for every row."""
        with _integrity():
            if self.dialect == "sqlite":
                self.raw.executemany(sql, rows)
            else:
                with self.raw.cursor() as cur:
                    cur.executemany(self._sql(sql), rows)

    @contextmanager
    def write_transaction(self, table: str) -> Iterator[Connection]:
        """Run the block as one transaction that holds the write lock from its start.

        Committed when the block ends (a ``return`` inside it too), rolled back when it
        raises. SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: ``table`` is locked in ``SHARE ROW
        EXCLUSIVE`` mode first (concurrent writers of it wait, readers do not).
        """
        if self.dialect == "postgresql":
            with self.raw.transaction():
                self.raw.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                yield self
            return
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def columns(self, table: str) -> set[str]:
        """Return the column names of ``table``."""
        if self.dialect == "sqlite":
            return {r[1] for r in self.raw.execute(f"PRAGMA table_info({table})")}
        rows = self.raw.execute("SELECT column_name FROM information_schema.columns WHERE "
                                "table_schema = %s AND table_name = %s", (SCHEMA, table))
        return {r[0] for r in rows}


def copy_rows(source: Connection, target: Connection, table: str, columns: Sequence[str], *,
              order: str, refusal: Exception) -> int:
    """Copy every row of ``table`` from ``source`` into the same, empty table of ``target``.

    One transaction on the target, holding its write lock from its start: when the target
    table has a row already, ``refusal`` is raised and nothing is copied (concurrent copies
    copy once). Rows are inserted in ``order``. Returns the number of rows copied.
    """
    names = ", ".join(columns)
    rows = source.execute(f"SELECT {names} FROM {table} ORDER BY {order}").fetchall()
    with target.write_transaction(table):
        if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
            raise refusal
        target.executemany(f"INSERT INTO {table} ({names}) VALUES "
                           f"({', '.join('?' * len(columns))})", rows)
    return len(rows)


@contextmanager
def _integrity() -> Iterator[None]:
    """Raise :class:`IntegrityError` for either driver's integrity error."""
    try:
        yield
    except sqlite3.IntegrityError as err:
        raise IntegrityError(str(err)) from err
    except Exception as err:
        import psycopg

        if isinstance(err, psycopg.IntegrityError):
            raise IntegrityError(str(err)) from err
        raise


# (url, table creators) whose tables exist, checked once per process
_ready: set[tuple[str, tuple[str, ...]]] = set()
_ready_lock = threading.Lock()


def forget_tables() -> None:
    """Make the next connections check their tables again (after a test drops them)."""
    with _ready_lock:
        _ready.clear()


@contextmanager
def connect(where: Location, *, create: Sequence[Callable[[Connection], None]],
            error: type[Exception] = ClspdGeoError) -> Iterator[Connection]:
    """Open an access database, create its tables if needed, close it after the block.

    Parameters
    ----------
    where
        A SQLite file (created with its folder, then made readable by its owner only) or a
        ``postgresql://`` URL.
    create
        Functions that create tables with ``CREATE … IF NOT EXISTS`` on the connection, in
        order: at every opening of a file, once per process on a base.
    error
        Raised, with a French message, when the base cannot be reached.
    """
    if is_url(where):
        with _pg(str(where), create=create, error=error) as con:
            yield con
        return
    p = Path(where)
    p.parent.mkdir(parents=True, exist_ok=True)
    # WAL: readers never wait for a writer, and every statement is its own transaction,
    # retried for up to 10 s when busy.
    con = Connection(_sqlite.connect(p), "sqlite")
    try:
        for make in create:
            make(con)
        yield con
    finally:
        con.raw.close()
    try:
        os.chmod(p, 0o600)
    except OSError:
        pass


@contextmanager
def _pg(url: str, *, create: Sequence[Callable[[Connection], None]],
        error: type[Exception]) -> Iterator[Connection]:
    import psycopg

    try:
        raw = _checkout(url)
    except psycopg.Error as err:
        raise error(_unreachable(url, err)) from None
    try:
        con = Connection(raw, "postgresql")
        key = (url, tuple(f"{make.__module__}.{make.__qualname__}" for make in create))
        if key not in _ready:
            with raw.transaction():
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (_INIT_LOCK,))
                if raw.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                               (SCHEMA,)).fetchone() is None:
                    raw.execute(f"CREATE SCHEMA {SCHEMA}")
                for make in create:
                    make(con)
            with _ready_lock:
                _ready.add(key)
        yield con
    except psycopg.OperationalError as err:
        if raw.broken or raw.closed:  # the base went away meanwhile
            raise error(_unreachable(url, err)) from None
        raise
    finally:
        _checkin(url, raw)


POOL_SIZE = 4
"""Idle connections a process keeps per base, for the next uses (a new one costs a few ms
on the same machine, tens over a network with TLS)."""
_idle: dict[str, list[Any]] = {}
_idle_lock = threading.Lock()


def _checkout(url: str) -> Any:
    """Return an open connection to ``url`` (autocommit, search path on :data:`SCHEMA`)."""
    import psycopg

    with _idle_lock:
        stack = _idle.get(url)
        raw = stack.pop() if stack else None
    if raw is not None:
        try:
            raw.execute("SELECT 1")  # one the server closed meanwhile (a restart) is dropped
            return raw
        except psycopg.Error:
            raw.close()
    raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    raw.execute(f"SET search_path TO {SCHEMA}")
    return raw


def _checkin(url: str, raw: Any) -> None:
    """Keep ``raw`` for the next use when it is sound and idle, else close it."""
    from psycopg.pq import TransactionStatus

    if not (raw.closed or raw.broken) and raw.info.transaction_status == TransactionStatus.IDLE:
        with _idle_lock:
            stack = _idle.setdefault(url, [])
            if len(stack) < POOL_SIZE:
                stack.append(raw)
                return
    raw.close()


@atexit.register
def close_idle() -> None:
    """Close the idle connections of every base (at exit, or after a test stops a server)."""
    with _idle_lock:
        stacks = list(_idle.values())
        _idle.clear()
    for raw in (r for stack in stacks for r in stack):
        raw.close()


def _unreachable(url: str, err: Exception) -> str:
    """Return the French message of a base that cannot be reached (no password in it)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    reason = lines[0] if lines else type(err).__name__
    password = urlsplit(url).password
    if password:
        for secret in {password, unquote(password)}:
            reason = reason.replace(secret, "***")
    return (f"La base des comptes et du journal « {redact(url)} » est injoignable ({reason}). "
            "Vérifiez l'adresse, le port, le nom de la base et le mot de passe (CLSPD_STORE ou "
            "CLSPD_ACCESS_DB), puis rechargez la page.")
