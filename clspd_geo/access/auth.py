"""Local accounts and sessions: scrypt hashes, lockout, expiry; roles from OIDC claims.

Accounts live in a small SQLite file beside the store, ``comptes.sqlite`` (or the
``CLSPD_USERS`` environment variable), not in the GeoPackage: the store's version token
is its file stamp, and a write at every login would empty every cache; the store is also
replaced as a whole by imports. When the store is a PostgreSQL base (or ``CLSPD_ACCESS_DB``
names one), the same tables are in that base, schema ``clspd_access``, so that app replicas
on several machines share them (:mod:`clspd_geo.access._db`). They hold, per account,
the user name, the role, the scrypt hash of the password, the state (active or disabled),
the count of recent failures and the end of a lockout; and the open sessions (random
token, account, start, last use).

Settings (module constants, overridable by environment variables read at call time):

- ``MAX_FAILURES`` = 5 failed logins in a row lock the account, the right password too, for
  ``LOCK_FIRST_MIN`` = 1 min, then 2, 4, 8 and at most ``LOCKOUT_MIN`` = 15 min for each new
  lock in a row (a success starts again at 1 min): an anonymous client locks a known account
  for a minute, not a quarter of an hour, and must wait between its guesses (below);
- per client address, every attempt counts before the password is checked; from the
  ``ADDRESS_FREE`` = 5th attempt in a row, the address waits ``ADDRESS_DELAY_S`` = 1 s before
  its next one, then 2, 4, … up to ``ADDRESS_MAX_DELAY_S`` = 900 s; a success takes back its
  own attempt, and an address is forgotten ``ADDRESS_FORGET_MIN`` = 30 min after its last one
  (``CLSPD_ADDRESS_FREE`` raises the free attempts where many users share one address, a
  police network's NAT whose shift logs in at once: logins in flight together count too);
- unknown names, wrong passwords, locked accounts and waiting addresses get one answer,
  :data:`BAD_LOGIN`, so names cannot be discovered;
- a session ends after ``IDLE_MIN`` = 30 min without interaction (``CLSPD_SESSION_IDLE_MIN``)
  and ``MAX_SESSION_H`` = 8 h in any case (``CLSPD_SESSION_MAX_H``); its last use is
  written at most once every ``TOUCH_S`` = 60 s (a run only reads it in between), so the idle
  limit holds to within a minute and the sessions' runs do not queue on the file's write lock;
- passwords have at least ``MIN_PASSWORD_LEN`` = 10 characters.

Passwords are hashed with scrypt (memory-hard, standard library): n = 2^14, r = 8, p = 1
(16 MiB per hash), 16-byte random salt, 32-byte key, compared in constant time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from clspd_geo import config
from clspd_geo.access import _db, policy
from clspd_geo.errors import ClspdGeoError

MAX_FAILURES = 5
LOCK_FIRST_MIN = 1
LOCKOUT_MIN = 15
ADDRESS_FREE = 5
ADDRESS_DELAY_S = 1
ADDRESS_MAX_DELAY_S = 900
ADDRESS_FORGET_MIN = 30
IDLE_MIN = 30
MAX_SESSION_H = 8
TOUCH_S = 60
MIN_PASSWORD_LEN = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
USERS_FILE_NAME = "comptes.sqlite"
ROLE_CLAIM = "clspd_role"
"""Default name of the identity-provider claim that carries the role (``CLSPD_ROLE_CLAIM``)."""

DEMO_PASSWORD = "demo-{role}-valbourg"
"""Password pattern of the demo accounts (one per role, user name = role code): demo only."""


class AuthError(ClspdGeoError, PermissionError):
    """A login, session or account operation that is refused (message in French)."""


class AccountsUnreachable(AuthError, ConnectionError):
    """The PostgreSQL base of the accounts cannot be reached (message in French)."""


@dataclass(frozen=True)
class Account:
    """An account as the app sees it (never the hash)."""

    username: str
    role: str
    disabled: bool
    created_at: str
    last_login: str | None


def users_path() -> Path:
    """Return the accounts file: ``CLSPD_USERS`` if set, else beside the store."""
    env = os.environ.get("CLSPD_USERS")
    return Path(env) if env else config.store_path().with_name(USERS_FILE_NAME)


def users_location() -> _db.Location:
    """Return where the accounts are: the file ``CLSPD_USERS`` if set, else the PostgreSQL
    base of ``CLSPD_ACCESS_DB`` or of the store (a URL), else :func:`users_path`."""
    return _db.location("CLSPD_USERS", users_path)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _create_tables(con: _db.Connection) -> None:
    con.execute("""CREATE TABLE IF NOT EXISTS accounts (
        username TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT, created_at TEXT NOT NULL, last_login TEXT,
        lockouts INTEGER NOT NULL DEFAULT 0)""")
    con.execute("""CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL)""")
    con.execute("""CREATE TABLE IF NOT EXISTS throttle (
        address TEXT PRIMARY KEY, attempts INTEGER NOT NULL, last_at TEXT NOT NULL,
        next_at TEXT)""")
    if "lockouts" not in con.columns("accounts"):  # a file made before lockouts were counted
        with contextlib.suppress(sqlite3.OperationalError):  # added by a concurrent run
            con.execute("ALTER TABLE accounts ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0")


@contextmanager
def _connect(path: _db.Location | None, *,
             tables: Callable[[_db.Connection], None] | None = None
             ) -> Iterator[_db.Connection]:
    create = [_create_tables] + ([tables] if tables is not None else [])
    with _db.connect(path if path is not None else users_location(), create=create,
                     error=AccountsUnreachable) as con:
        yield con


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# -- hashing -------------------------------------------------------------------------------------

def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return the scrypt hash of a password as ``scrypt$n$r$p$salt_hex$key_hex``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                         p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Return True when ``password`` matches a hash of :func:`hash_password`."""
    try:
        algo, n, r, p, salt, key = stored.split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n),
                             r=int(r), p=int(p), maxmem=64 * 1024 * 1024,
                             dklen=len(bytes.fromhex(key)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(key))


# -- accounts ------------------------------------------------------------------------------------

def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise AuthError(f"Mot de passe trop court : au moins {MIN_PASSWORD_LEN} caractères.")


def create_account(username: str, *, role: str, password: str, path: _db.Location | None = None,
                   now: dt.datetime | None = None) -> Account:
    """Create a local account.

    Raises
    ------
    AuthError
        The name is empty or taken, the role unknown, or the password too short.
    """
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AuthError("Identifiant invalide : 1 à 64 caractères, sans espace.")
    policy.role(role)
    _check_password_rules(password)
    created = _now(now).isoformat(timespec="seconds")
    with _connect(path) as con:
        try:
            con.execute("INSERT INTO accounts (username, role, pw_hash, created_at) "
                        "VALUES (?, ?, ?, ?)", (username, role, hash_password(password), created))
        except _db.IntegrityError:
            raise AuthError(f"Le compte « {username} » existe déjà.") from None
    return Account(username, role, False, created, None)


def _row_account(row: tuple) -> Account:
    return Account(row[0], row[1], bool(row[2]), row[3], row[4])


def get_account(username: str, *, path: _db.Location | None = None) -> Account | None:
    """Return the account, or None when there is none with this name."""
    with _connect(path) as con:
        row = con.execute("SELECT username, role, disabled, created_at, last_login FROM accounts "
                          "WHERE username = ?", (username,)).fetchone()
    return _row_account(row) if row else None


def list_accounts(*, path: _db.Location | None = None) -> list[Account]:
    """Return every account, by name."""
    with _connect(path) as con:
        rows = con.execute("SELECT username, role, disabled, created_at, last_login FROM "
                           "accounts ORDER BY username").fetchall()
    return [_row_account(r) for r in rows]


def _require(con: _db.Connection, username: str) -> None:
    if con.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone() is None:
        raise AuthError(f"Aucun compte « {username} ». Listez les comptes avec "
                        "« python -m clspd_geo users list ».")


def set_disabled(username: str, disabled: bool = True, *, path: _db.Location | None = None) -> None:
    """Disable (or re-enable) an account; disabling also ends its open sessions."""
    with _connect(path) as con:
        _require(con, username)
        con.execute("UPDATE accounts SET disabled = ?, failures = 0, locked_until = NULL, "
                    "lockouts = 0 WHERE username = ?", (int(disabled), username))
        if disabled:
            con.execute("DELETE FROM sessions WHERE username = ?", (username,))


def set_password(username: str, password: str, *, path: _db.Location | None = None) -> None:
    """Change a password (ends the account's sessions and clears a lockout)."""
    _check_password_rules(password)
    with _connect(path) as con:
        _require(con, username)
        con.execute("UPDATE accounts SET pw_hash = ?, failures = 0, locked_until = NULL, "
                    "lockouts = 0 WHERE username = ?", (hash_password(password), username))
        con.execute("DELETE FROM sessions WHERE username = ?", (username,))


def set_role(username: str, role: str, *, path: _db.Location | None = None) -> None:
    """Change the role of an account (takes effect at the next interaction)."""
    policy.role(role)
    with _connect(path) as con:
        _require(con, username)
        con.execute("UPDATE accounts SET role = ? WHERE username = ?", (role, username))


# -- login and sessions --------------------------------------------------------------------------

BAD_LOGIN = ("Identifiant ou mot de passe incorrect, ou compte temporairement verrouillé : "
             "vérifiez vos identifiants et réessayez dans quelques minutes.")
"""The one answer to a refused login: unknown name, wrong password, locked account or an
address that must wait (so that none of them can be told apart)."""


@functools.cache
def _dummy_hash() -> str:
    # Compared against when the account does not exist, so timing does not reveal names.
    return hash_password("compte-inexistant", salt=b"\0" * 16)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


def address_delay_s(attempts: int) -> float:
    """Return the wait, in seconds, an address owes after ``attempts`` attempts in a row."""
    free = max(1, int(_setting("CLSPD_ADDRESS_FREE", ADDRESS_FREE)))
    if attempts < free:
        return 0.0
    return float(min(ADDRESS_DELAY_S * 2 ** min(attempts - free, 32), ADDRESS_MAX_DELAY_S))


def lock_minutes(lockouts: int) -> int:
    """Return the length of the account's lock number ``lockouts + 1`` in a row, in minutes."""
    return int(min(LOCK_FIRST_MIN * 2 ** lockouts, LOCKOUT_MIN))


def _count_address(con: _db.Connection, address: str, t: dt.datetime) -> bool:
    """Count one attempt of ``address`` (False: it must still wait, nothing counted).

    One transaction holding the write lock from its start: simultaneous attempts from one
    address are counted one after the other (on every server of a shared base), so a burst
    gets at most :data:`ADDRESS_FREE` tries before waiting.
    """
    with con.write_transaction("throttle"):
        row = con.execute("SELECT attempts, last_at, next_at FROM throttle WHERE address = ?",
                          (address,)).fetchone()
        if row and row[2] and dt.datetime.fromisoformat(row[2]) > t:
            return False
        forget = t - dt.timedelta(minutes=ADDRESS_FORGET_MIN)
        fresh = row is None or dt.datetime.fromisoformat(row[1]) < forget
        attempts = 1 if fresh else row[0] + 1
        wait = address_delay_s(attempts)
        next_at = _iso(t + dt.timedelta(seconds=wait)) if wait else None
        con.execute("INSERT INTO throttle (address, attempts, last_at, next_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(address) DO UPDATE SET "
                    "attempts = excluded.attempts, last_at = excluded.last_at, "
                    "next_at = excluded.next_at", (address, attempts, _iso(t), next_at))
    return True


def login(username: str, password: str, *, address: str | None = None,
          path: _db.Location | None = None, now: dt.datetime | None = None) -> str:
    """Check a password and open a session; return its token (keep it server-side).

    Parameters
    ----------
    address
        The client's address (IP): its attempts are counted and slowed down (see the
        module's settings). None (command line, tests) counts only per account.

    Raises
    ------
    AuthError
        :data:`BAD_LOGIN` for an unknown name, a wrong password, an account locked after
        :data:`MAX_FAILURES` failures (even with the right password) or an address that
        must wait; a disabled account is named only after its right password.
    """
    t = _now(now)
    stamp_now = _iso(t)
    with _connect(path) as con:
        if address is not None and not _count_address(con, f"ip:{address}", t):
            raise AuthError(BAD_LOGIN)  # no hash: waiting addresses cost no CPU
        row = con.execute("SELECT pw_hash, disabled, locked_until, lockouts FROM accounts "
                          "WHERE username = ?", (username,)).fetchone()
        if row is None:
            verify_password(password, _dummy_hash())
            raise AuthError(BAD_LOGIN)
        pw_hash, disabled, locked_until, lockouts = row
        if locked_until and dt.datetime.fromisoformat(locked_until) > t:
            verify_password(password, _dummy_hash())  # same time as a checked password
            raise AuthError(BAD_LOGIN)
        # Count the attempt as a failure before checking the password, in one atomic
        # statement: N simultaneous wrong guesses count N, and a lockout that expired
        # starts a new count. A right password then resets the count.
        counted = con.execute(
            "UPDATE accounts SET failures = CASE WHEN locked_until IS NOT NULL THEN 1 "
            "ELSE failures + 1 END, locked_until = NULL WHERE username = ? AND "
            "(locked_until IS NULL OR locked_until <= ?) RETURNING failures",
            (username, stamp_now)).fetchall()  # fetchall: the statement completes, commits
        if not counted:  # locked by a concurrent attempt meanwhile
            verify_password(password, _dummy_hash())
            raise AuthError(BAD_LOGIN)
        if not verify_password(password, pw_hash):
            if counted[0][0] >= MAX_FAILURES:
                lock = _iso(t + dt.timedelta(minutes=lock_minutes(lockouts)))
                con.execute("UPDATE accounts SET locked_until = ?, lockouts = lockouts + 1 "
                            "WHERE username = ? AND locked_until IS NULL", (lock, username))
            raise AuthError(BAD_LOGIN)
        if address is not None:  # a success takes back its own attempt, no more
            con.execute("UPDATE throttle SET attempts = CASE WHEN attempts > 0 THEN "
                        "attempts - 1 ELSE 0 END WHERE address = ?", (f"ip:{address}",))
        if disabled:
            raise AuthError("Ce compte est désactivé. Adressez-vous à l'administrateur.")
        con.execute("UPDATE accounts SET failures = 0, locked_until = NULL, lockouts = 0, "
                    "last_login = ? WHERE username = ?", (stamp_now, username))
        token = secrets.token_urlsafe(32)
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                    (_token_hash(token), username, stamp_now, stamp_now))
    return token


def _token_hash(token: str) -> str:
    # Only a hash of the token is stored: a copy of the file does not open sessions.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_session(token: str | None, *, path: _db.Location | None = None,
                  now: dt.datetime | None = None) -> Account | None:
    """Return the account of a live session and mark it used (once a minute), or None.

    None when the token is unknown, the session idle for more than ``IDLE_MIN`` minutes
    or older than ``MAX_SESSION_H`` hours (it is then deleted), or the account is
    disabled, deleted or has an unknown role. Call it on every run of the app.
    """
    if not token:
        return None
    t = _now(now)
    idle = dt.timedelta(minutes=_setting("CLSPD_SESSION_IDLE_MIN", IDLE_MIN))
    most = dt.timedelta(hours=_setting("CLSPD_SESSION_MAX_H", MAX_SESSION_H))
    th = _token_hash(token)
    with _connect(path) as con:
        row = con.execute(
            "SELECT s.created_at, s.last_seen, a.username, a.role, a.disabled, a.created_at, "
            "a.last_login FROM sessions s JOIN accounts a ON a.username = s.username "
            "WHERE s.token_hash = ?", (th,)).fetchone()
        if row is None:
            return None
        created, seen = dt.datetime.fromisoformat(row[0]), dt.datetime.fromisoformat(row[1])
        if row[4] or t - seen > idle or t - created > most or row[3] not in policy.ROLE_CODES:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (th,))
            return None
        if t - seen >= dt.timedelta(seconds=TOUCH_S):  # a write (a disk sync) once a minute
            con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                        (t.isoformat(timespec="seconds"), th))
    return _row_account(row[2:])


def logout(token: str | None, *, path: _db.Location | None = None) -> None:
    """End a session (nothing happens for an unknown token)."""
    if token:
        with _connect(path) as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def ensure_demo_accounts(*, path: _db.Location | None = None) -> dict[str, str]:
    """Create one demo account per role when the accounts file has no account at all.

    The user name is the role code and the password :data:`DEMO_PASSWORD` (documented in
    ``docs/roles.md``): for the fictitious demo territory only. All of them are written in
    one transaction, after a check that the file is still empty inside it: a concurrent
    reader sees no demo account or all of them, never part of the set, and two sessions
    starting at once create them once. Returns ``{name: password}`` of the accounts
    created (empty when accounts already existed).
    """
    if list_accounts(path=path):
        return {}
    # Hash first (16 MiB and tens of ms each), outside the write lock.
    made = {code: DEMO_PASSWORD.format(role=code) for code in policy.ROLE_CODES}
    rows = [(code, code, hash_password(pw)) for code, pw in made.items()]
    created = _now(None).isoformat(timespec="seconds")
    with _connect(path) as con, con.write_transaction("accounts"):
        if con.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None:
            return {}
        con.executemany("INSERT INTO accounts (username, role, pw_hash, created_at) "
                        "VALUES (?, ?, ?, ?)", [(*r, created) for r in rows])
    return made


def copy_accounts(source: Path, *, path: _db.Location | None = None) -> int:
    """Copy every account of a SQLite accounts file into an accounts database that has none.

    For a move from the files to a PostgreSQL base (``python -m clspd_geo users
    copy-files``): names, roles, password hashes, states and lockouts are copied as they
    are, in one transaction; open sessions are not (their users log in again). Returns the
    number of accounts copied.

    Raises
    ------
    AuthError
        ``source`` does not exist, or the target has accounts already.
    """
    if not Path(source).is_file():
        raise AuthError(f"Aucun fichier de comptes « {source} » : rien à copier.")
    columns = ("username", "role", "pw_hash", "disabled", "failures", "locked_until",
               "created_at", "last_login", "lockouts")
    refusal = AuthError("La base a déjà des comptes : rien n'a été copié. Gérez-les avec "
                        "« python -m clspd_geo users list ».")
    with _connect(Path(source)) as src, _connect(path) as con:
        return _db.copy_rows(src, con, "accounts", columns, order="username", refusal=refusal)


def database(path: _db.Location | None = None, *,
             tables: Callable[[_db.Connection], None] | None = None):
    """Return a context manager giving a connection to the accounts' database (autocommit).

    For the modules that keep their own tables beside the accounts (session cookie
    codes: :mod:`clspd_geo.access.sessions`): a :class:`clspd_geo.access._db.Connection`,
    whose SQL is the same on a SQLite file and on a PostgreSQL base. ``tables`` creates
    theirs (``CREATE TABLE IF NOT EXISTS``), with the accounts' own.
    """
    return _connect(path, tables=tables)


# -- identity provider (OIDC through st.login) --------------------------------------------------

def role_from_claims(claims: Mapping[str, object], *, claim: str | None = None) -> str:
    """Return the role carried by identity-provider claims (``st.user``).

    The claim (``CLSPD_ROLE_CLAIM``, default :data:`ROLE_CLAIM`) holds a role code, or a
    list of groups among which exactly one is a role code (optionally written
    ``clspd:<role>``).

    Raises
    ------
    AuthError
        No role, several roles, or an unknown one: the identity provider must be fixed.
    """
    name = claim or os.environ.get("CLSPD_ROLE_CLAIM", ROLE_CLAIM)
    value = claims.get(name)
    values = value if isinstance(value, (list, tuple)) else [value]
    found = {str(v).removeprefix("clspd:") for v in values if v is not None}
    roles = sorted(found & set(policy.ROLE_CODES))
    if len(roles) != 1:
        seen = ", ".join(sorted(found)) or "aucune valeur"
        raise AuthError(f"Le fournisseur d'identité n'a pas donné un rôle clspd-geo unique dans "
                        f"la revendication « {name} » ({seen}). Rôles : "
                        + ", ".join(policy.ROLE_CODES) + ".")
    return roles[0]


def oidc_account(claims: Mapping[str, object], *, path: _db.Location | None = None) -> Account:
    """Return the account of an identity-provider login, re-checked at every run.

    The role comes from the claim (:func:`role_from_claims`). A provider that carries no
    role claim at all (ProConnect, for instance) relies on a server-side allow-list: a
    local account named by the person's e-mail (or ``sub``) gives the role. A local
    account with that name that is disabled blocks access even when the provider still
    vouches for the person.
    """
    name = str(claims.get("email") or claims.get("sub") or "")
    if not name:
        raise AuthError("Le fournisseur d'identité n'a transmis ni e-mail ni identifiant.")
    local = get_account(name, path=path)
    if local is not None and local.disabled:
        raise AuthError("Ce compte est désactivé. Adressez-vous à l'administrateur.")
    claim = os.environ.get("CLSPD_ROLE_CLAIM", ROLE_CLAIM)
    if claims.get(claim) is None and local is not None:
        return Account(name, policy.role(local.role).code, False, local.created_at,
                       local.last_login)
    return Account(name, role_from_claims(claims), False, "", None)


# -- administration: reset, unlock, lock states ----------------------------------------------

TEMP_PASSWORD_LEN = 14
"""Length of a password made by :func:`reset_password` (above :data:`MIN_PASSWORD_LEN`)."""
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def reset_password(username: str, *, path: _db.Location | None = None) -> str:
    """Give an account a new random password and return it (to hand over once).

    The account's sessions end and a lockout is cleared, as with :func:`set_password`.

    Raises
    ------
    AuthError
        No such account.
    """
    password = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(TEMP_PASSWORD_LEN))
    set_password(username, password, path=path)
    return password


def unlock(username: str, *, path: _db.Location | None = None) -> bool:
    """Lift the lockout of an account and reset its failure count.

    Returns whether the account was locked (or had failures counted).

    Raises
    ------
    AuthError
        No such account.
    """
    with _connect(path) as con:
        _require(con, username)
        changed = con.execute(
            "UPDATE accounts SET failures = 0, locked_until = NULL WHERE username = ? AND "
            "(failures > 0 OR locked_until IS NOT NULL)", (username,)).rowcount
    return bool(changed)


def locked_until(*, path: _db.Location | None = None, now: dt.datetime | None = None
                 ) -> dict[str, dt.datetime]:
    """Return ``{account: end of its lockout}`` for the accounts locked at ``now`` (UTC)."""
    t = _now(now)
    with _connect(path) as con:
        rows = con.execute("SELECT username, locked_until FROM accounts WHERE locked_until "
                           "IS NOT NULL ORDER BY username").fetchall()
    ends = {u: dt.datetime.fromisoformat(v) for u, v in rows}
    return {u: end for u, end in ends.items() if end > t}
