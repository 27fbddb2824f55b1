"""The accounts and trail of the files an earlier version kept, moved into the PostgreSQL base.

Before the access tables could live in the base (:mod:`clspd_geo.access._db`), a deployment
on PostgreSQL kept its accounts and audit trail in SQLite files of its data folder
(``comptes.sqlite``, ``journal.sqlite``). After the upgrade the app reads the base, which
has no account yet: nobody could log in. :func:`adopt_files` runs when a server starts
(:class:`clspd_geo.access.gateway.Gateway`), before any login form is drawn: when the base
holds no account and the file holds some, it copies them in (one transaction), then the
trail's events when the base's trail has none, and records it in the trail. The files are
left as they were. ``python -m clspd_geo users copy-files`` does the same by hand.
"""

from __future__ import annotations

from clspd_geo.access import _db, audit, auth
from clspd_geo.errors import ClspdGeoError


def adopt_files() -> str | None:
    """Copy the files' accounts and trail into the base when it has no account yet.

    Returns the French sentence of what was copied, or None when nothing was to be copied:
    the accounts are in files, the base has accounts already, or there is no file with an
    account. Several servers starting together copy once (the copy holds the accounts
    table's write lock and refuses a base that has accounts).
    """
    if not _db.is_url(auth.users_location()):
        return None
    source = auth.users_path()
    if not source.is_file() or not auth.list_accounts(path=source):
        return None
    if auth.list_accounts():
        return None
    try:
        n = auth.copy_accounts(source)
    except auth.AuthError:  # another server copied them meanwhile
        return None
    trail = audit.audit_path()
    m, kept = 0, ""
    if _db.is_url(audit.audit_location()) and trail.is_file():
        try:
            m = audit.copy_events(trail)
        except ClspdGeoError:  # the base's trail has events: the file keeps its own
            kept = f" ; les événements du fichier {trail.name} y restent (journal déjà commencé)"
    said = (f"{n} comptes et {m} événements du journal copiés depuis les fichiers de "
            f"{source.parent}{kept}")
    audit.record("système", "admin", "compte", "base", detail=said)
    return said
