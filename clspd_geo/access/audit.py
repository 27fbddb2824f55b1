"""Audit trail (who viewed which page, exported what, when) and retention purge of incidents.

The trail is an append-only SQLite table in ``journal.sqlite`` beside the store (or the
``CLSPD_AUDIT`` environment variable); when the store is a PostgreSQL base (or
``CLSPD_ACCESS_DB`` names one), the same table in that base, schema ``clspd_access``, which
every app replica then appends to (:mod:`clspd_geo.access._db`). It is not a table of the
GeoPackage because every page view writes to it: the store's version token (its file
stamp) would change at each click and empty every cache, and imports replace the store
file as a whole. Triggers
refuse any UPDATE or DELETE of the events (and TRUNCATE, on PostgreSQL), so the trail can
only grow through this module; nothing here, the retention purge included, removes events.

Retention: :func:`purge_incidents` deletes incidents older than the retention period, in
days: the ``CLSPD_RETENTION_DAYS`` environment variable, default :data:`RETENTION_DAYS`
(5 years; the CNIL asks for a uniform period set by deliberation). The app runs it once
per store version; ``python -m clspd_geo users purge`` runs it by hand.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from clspd_geo import _format, config
from clspd_geo.access import _db
from clspd_geo.errors import ClspdGeoError

AUDIT_FILE_NAME = "journal.sqlite"
RETENTION_DAYS = 5 * 365 + 1
ACTIONS: dict[str, str] = {
    "connexion": "Connexion",
    "echec_connexion": "Échec de connexion",
    "deconnexion": "Déconnexion",
    "vue": "Consultation d'une page",
    "export": "Export",
    "export_servi": "Export servi",
    "modification": "Modification des données",
    "purge": "Purge des faits anciens",
    "compte": "Gestion des comptes",
}


class TrailUnreachable(ClspdGeoError, ConnectionError):
    """The PostgreSQL base of the audit trail cannot be reached (message in French)."""


def audit_path() -> Path:
    """Return the trail file: ``CLSPD_AUDIT`` if set, else beside the store."""
    env = os.environ.get("CLSPD_AUDIT")
    return Path(env) if env else config.store_path().with_name(AUDIT_FILE_NAME)


def audit_location() -> _db.Location:
    """Return where the trail is: the file ``CLSPD_AUDIT`` if set, else the PostgreSQL base
    of ``CLSPD_ACCESS_DB`` or of the store (a URL), else :func:`audit_path`."""
    return _db.location("CLSPD_AUDIT", audit_path)


def retention_days() -> int:
    """Return the retention period of incidents, in days (``CLSPD_RETENTION_DAYS``)."""
    raw = os.environ.get("CLSPD_RETENTION_DAYS")
    if raw is None:
        return RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        msg = (f"CLSPD_RETENTION_DAYS vaut « {raw} » : indiquez un nombre entier de jours "
               "supérieur à 0 (par exemple 1826 pour cinq ans).")
        raise ClspdGeoError(msg)
    return days


def _create_tables(con: _db.Connection) -> None:
    if con.dialect == "sqlite":
        con.execute("""CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, username TEXT NOT NULL,
            role TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '')""")
        con.execute("""CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'journal en ajout seul'); END""")
        con.execute("""CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'journal en ajout seul'); END""")
        return
    con.execute("""CREATE TABLE IF NOT EXISTS events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at TEXT NOT NULL,
        username TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '')""")
    con.execute("""CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'journal en ajout seul'; END $$""")
    for name, event, each in (("events_no_update", "UPDATE", "ROW"),
                              ("events_no_delete", "DELETE", "ROW"),
                              ("events_no_truncate", "TRUNCATE", "STATEMENT")):
        if con.execute("SELECT 1 FROM pg_trigger WHERE tgname = ? AND tgrelid = "
                       "'events'::regclass", (name,)).fetchone() is None:
            con.execute(f"CREATE TRIGGER {name} BEFORE {event} ON events "
                        f"FOR EACH {each} EXECUTE FUNCTION events_append_only()")


@contextmanager
def _connect(path: _db.Location | None) -> Iterator[_db.Connection]:
    # WAL and a busy timeout (a file), or a base: concurrent sessions append without losing
    # an event.
    with _db.connect(path if path is not None else audit_location(), create=[_create_tables],
                     error=TrailUnreachable) as con:
        yield con


def record(username: str, role: str, action: str, target: str, *, detail: str = "",
           path: _db.Location | None = None, now: dt.datetime | None = None) -> None:
    """Append one event to the trail.

    Parameters
    ----------
    username, role
        Who (``"-"`` when nobody is logged in, e.g. a failed login's typed name).
    action
        One of :data:`ACTIONS`.
    target
        The page, export file name or layer concerned.
    detail
        Free technical detail (filters, rows exported); never incident data.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    with _connect(path) as con:
        con.execute("INSERT INTO events (at, username, role, action, target, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (at, username, role, action, target, detail))


def copy_events(source: Path, *, path: _db.Location | None = None) -> int:
    """Copy the events of a SQLite trail file, in their order, into a trail that has none.

    For a move from the files to a PostgreSQL base (``python -m clspd_geo users
    copy-files``): the trail stays one sequence, the copied events first. Returns the
    number of events copied.

    Raises
    ------
    ClspdGeoError
        ``source`` does not exist, or the target trail has events already.
    """
    if not Path(source).is_file():
        raise ClspdGeoError(f"Aucun fichier de journal « {source} » : rien à copier.")
    columns = ("at", "username", "role", "action", "target", "detail")
    refusal = ClspdGeoError("Le journal de la base a déjà des événements : rien n'a été "
                            "copié (le journal ne se complète qu'à la fin).")
    with _connect(Path(source)) as src, _connect(path) as con:
        return _db.copy_rows(src, con, "events", columns, order="id", refusal=refusal)


def events(*, path: _db.Location | None = None, limit: int = 1000) -> pd.DataFrame:
    """Return the latest events, newest first, with French column names."""
    with _connect(path) as con:
        rows = con.execute("SELECT at, username, role, action, target, detail FROM events "
                           "ORDER BY id DESC LIMIT ?", (int(limit),)).fetchall()
    df = pd.DataFrame(rows, columns=["Quand", "Qui", "Rôle", "Action", "Objet", "Détail"])
    df["Action"] = df["Action"].map(ACTIONS).fillna(df["Action"])
    return df


def purge_incidents(store_path: Path | str, *, retention_days_: int | None = None,
                    today: dt.date | None = None, by: str = "système",
                    audit: _db.Location | None = None) -> int:
    """Delete incidents that occurred before ``today − retention`` and log it.

    Returns
    -------
    int
        The number of incidents deleted (the store is not rewritten when it is 0).
    """
    from clspd_geo.store import open_store

    days = retention_days_ if retention_days_ is not None else retention_days()
    cutoff = pd.Timestamp(today or dt.date.today()) - pd.Timedelta(days=days)
    store = open_store(store_path)  # a GeoPackage path or a PostGIS URL
    if not store.has("incidents"):
        return 0
    # Only the rows before the cut-off are read (the store filters: a PostGIS base reads
    # none of its recent partitions), so a process checking each new version holds nothing.
    old = store.read("incidents", columns=["occurred_at"],
                     period=(dt.datetime(1900, 1, 1), cutoff.to_pydatetime()))
    if old.empty:
        return 0
    inc = store.read("incidents")
    keep = pd.to_datetime(inc["occurred_at"]) >= cutoff
    n = int((~keep).sum())
    if n == 0:
        return 0
    store.write("incidents", inc[keep.to_numpy()],
                source=f"purge de conservation ({days} jours, avant le {cutoff:%d/%m/%Y})")
    record(by, "systeme", "purge", "incidents",
           detail=f"{n} faits antérieurs au {cutoff:%d/%m/%Y} supprimés ({days} jours)",
           path=audit)
    return n


JOURNAL_COLUMNS = ["Quand", "Qui", "Rôle", "Action", "Objet", "Détail"]


def search(*, start: dt.date | None = None, end: dt.date | None = None,
           username: str | None = None, action: str | None = None,
           path: _db.Location | None = None, limit: int = 10_000) -> pd.DataFrame:
    """Return the events of a period, account and action, newest first (codes, not labels).

    Parameters
    ----------
    start, end
        First and last day (both included); None: no bound.
    username
        Only this account's events (None: every account).
    action
        Only this action, a key of :data:`ACTIONS` (None: every action).
    limit
        At most this many events.

    Returns
    -------
    DataFrame
        Columns ``at`` (ISO time stamp), ``username``, ``role``, ``action``, ``target``,
        ``detail``.
    """
    if action is not None and action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    where, args = [], []
    if start is not None:
        where.append("at >= ?")
        args.append(start.isoformat())
    if end is not None:
        where.append("at < ?")
        args.append((end + dt.timedelta(days=1)).isoformat())
    if username:
        where.append("username = ?")
        args.append(username)
    if action:
        where.append("action = ?")
        args.append(action)
    sql = ("SELECT at, username, role, action, target, detail FROM events"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
    with _connect(path) as con:
        rows = con.execute(sql, (*args, int(limit))).fetchall()
    return pd.DataFrame(rows, columns=["at", "username", "role", "action", "target", "detail"])


def journal_table(raw: pd.DataFrame, *, role_labels: dict[str, str],
                  page_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Return events of :func:`search` for reading: French dates, role, action and page names.

    Parameters
    ----------
    role_labels
        ``{role code: French name}``; a code not in it (e.g. ``"-"``) is kept.
    page_labels
        ``{page name: title}`` for the object of page views (e.g.
        :data:`clspd_geo.vocab.PAGE_TITLES`).
    """
    pages = page_labels or {}
    out = pd.DataFrame({
        "Quand": [_format.datetime_text(a) for a in raw["at"]],
        "Qui": raw["username"].astype(str),
        "Rôle": [role_labels.get(r, "aucun" if r == "-" else r) for r in raw["role"]],
        "Action": [ACTIONS.get(a, a) for a in raw["action"]],
        "Objet": [pages.get(t, t) if a == "vue" else str(t)
                  for a, t in zip(raw["action"], raw["target"], strict=True)],
        "Détail": raw["detail"].astype(str)},
        columns=JOURNAL_COLUMNS)
    return out.reset_index(drop=True)
