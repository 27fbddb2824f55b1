"""Session cookies: the one-time codes that hand a session token to the browser as a cookie.

A session opened by :func:`clspd_geo.access.auth.login` is a random token whose SHA-256
hash is stored with its account, start and last use (30 min idle, 8 h in all, ended at
logout, when the account is disabled or its password changed: see
:mod:`clspd_geo.access.auth`). For the session to survive a browser reload, the browser
keeps the token in an ``HttpOnly; SameSite=Strict`` cookie (``Secure`` over https). The
app's script cannot set such a cookie (it talks to the browser over a websocket), so the
login issues a **one-time code** (:func:`issue_code`) that the browser brings to a small
HTTP endpoint of the server (``ui/session_route.py``); the endpoint redeems it
(:func:`redeem_code`) and answers with the ``Set-Cookie`` header and a redirect.

The code lives :data:`CODE_TTL_S` seconds and works once: of two requests bringing it at
once, on one server or on two sharing a PostgreSQL base, one gets the token. The accounts'
database holds only its SHA-256 hash and the token sealed with a key derived from the code
(SHAKE-256 keystream): a copy of the database, even taken during those seconds, gives
neither code nor token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from clspd_geo.access import _db, auth

COOKIE_NAME = "clspd_session"
"""Name of the cookie that carries the session token."""
CODE_TTL_S = 60
"""Seconds a one-time code stays valid."""
ENDPOINT = "/_clspd/session"
"""Path of the server endpoint that turns a code into the cookie (``ui/session_route.py``)."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _code_hash(code: str) -> str:
    return hashlib.sha256(b"code:" + code.encode("utf-8")).hexdigest()


def _keystream(code: str, n: int) -> bytes:
    return hashlib.shake_256(b"seal:" + code.encode("utf-8")).digest(n)


def _create_table(con: _db.Connection) -> None:
    blob = "BYTEA" if con.dialect == "postgresql" else "BLOB"
    con.execute(f"""CREATE TABLE IF NOT EXISTS session_codes (
        code_hash TEXT PRIMARY KEY, sealed {blob} NOT NULL, expires_at TEXT NOT NULL)""")


def issue_code(token: str, *, path: _db.Location | None = None,
               now: dt.datetime | None = None) -> str:
    """Return a one-time code that :func:`redeem_code` turns back into ``token``.

    Parameters
    ----------
    token
        The token of a live session (from :func:`clspd_geo.access.auth.login`).

    Raises
    ------
    AuthError
        The token is not a live session's.
    """
    if auth.check_session(token, path=path, now=now) is None:
        raise auth.AuthError("Session expirée : reconnectez-vous.")
    t = _now(now)
    code = secrets.token_urlsafe(32)
    raw = token.encode("utf-8")
    sealed = bytes(a ^ b for a, b in zip(raw, _keystream(code, len(raw))))
    expires = (t + dt.timedelta(seconds=CODE_TTL_S)).isoformat(timespec="seconds")
    with auth.database(path, tables=_create_table) as con:
        con.execute("DELETE FROM session_codes WHERE expires_at < ?",
                    (t.isoformat(timespec="seconds"),))
        con.execute("INSERT INTO session_codes VALUES (?, ?, ?)",
                    (_code_hash(code), sealed, expires))
    return code


def redeem_code(code: str | None, *, path: _db.Location | None = None,
                now: dt.datetime | None = None) -> str | None:
    """Return the session token of a one-time code and forget the code, or None.

    None when the code is unknown, already used, expired, or its session ended meanwhile.
    """
    if not code or len(code) > 128:
        return None
    t = _now(now)
    with auth.database(path, tables=_create_table) as con:
        # One statement: two simultaneous requests with the same code, only one gets it.
        row = con.execute("DELETE FROM session_codes WHERE code_hash = ? RETURNING sealed, "
                          "expires_at", (_code_hash(code),)).fetchall()
    if not row:
        return None
    sealed, expires = row[0]
    if dt.datetime.fromisoformat(expires) < t:
        return None
    token = bytes(a ^ b for a, b in zip(sealed, _keystream(code, len(sealed)))).decode(
        "utf-8", errors="replace")
    if auth.check_session(token, path=path, now=now) is None:
        return None
    return token


def cookie_header(token: str, *, secure: bool, base_path: str = "/") -> str:
    """Return the ``Set-Cookie`` value that gives the browser the session token.

    ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends
    it), ``Secure`` when served over https, and a ``Max-Age`` of the absolute session
    length (the server checks idle and absolute expiry at every run anyway).
    """
    if not token or any(c in token for c in ";, \t\r\n\"\\"):
        raise auth.AuthError("Jeton de session invalide.")
    max_age = int(auth.MAX_SESSION_H * 3600)
    return (f"{COOKIE_NAME}={token}; Path={base_path or '/'}; Max-Age={max_age}; HttpOnly; "
            f"SameSite=Strict" + ("; Secure" if secure else ""))


def clear_cookie_header(*, secure: bool, base_path: str = "/") -> str:
    """Return the ``Set-Cookie`` value that removes the session cookie from the browser."""
    return (f"{COOKIE_NAME}=; Path={base_path or '/'}; Max-Age=0; "
            "Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict"
            + ("; Secure" if secure else ""))


def safe_next(target: str | None, *, base_path: str = "") -> str:
    """Return where to send the browser after the cookie is set: a path of this app only.

    Anything that is not a plain absolute path of the app (another site, ``//host``,
    a scheme, backslashes, control characters) gives the app's home page.
    """
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    home = base + "/"
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    if any(c in target for c in "\\\r\n\t") or ":" in target.split("?")[0] or len(target) > 512:
        return home
    if base and not (target == base or target.startswith(base + "/")):
        return home
    return target


def same_token(a: str | None, b: str | None) -> bool:
    """Tell whether two tokens are the same (constant time; False when one is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
