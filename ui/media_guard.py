"""Export files of the Streamlit server: served only to the session that made them.

Streamlit serves a download button's file at ``/media/<hash>.<ext>``, to any client, with no
cookie, as long as a session shows the button. :func:`ui.session.download_button` passes a
callable (Streamlit 1.67's deferred downloads), so nothing is at a URL before the click; the
callable runs on the click and calls :func:`claim` with the session's cookie, account, role
and file name. This module then binds the file's URL to that cookie:

- the HTTP request for the URL must carry the cookie of the session that made the file (the
  ``clspd_session`` HttpOnly cookie, or Streamlit's ``_streamlit_user`` one for an identity
  provider's login); any other client gets 404, and so does everyone after :data:`TTL_S`
  seconds or :data:`MAX_FETCHES` requests;
- the first request served records « Export servi » (account, role, file name) in the audit
  trail; « Export » was recorded when the file was made.

Why several requests: on a click, Streamlit's frontend first ``fetch()``-es the URL to check
it answers (``checkSourceUrlResponse``), then clicks a link to it, which is the browser's
download: two GETs with the cookie (a capture of the browser's requests showed both; a
single-use URL gave the check the file and cancelled the download).

:func:`install` patches the media file manager (to learn each file's owner);
:func:`serve` is called by :mod:`ui.session_route`'s wrapper of the HTTP server for every
``/media/`` request.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie

from clspd_geo.access import audit, sessions

TTL_S = float(os.environ.get("CLSPD_EXPORT_TTL_S") or 60.0)
"""Seconds an export made on click may be fetched at its URL (``CLSPD_EXPORT_TTL_S``)."""
MAX_FETCHES = 3
"""Requests served per click: Streamlit's check, the browser's download, one retry."""
OWNER_COOKIES = (sessions.COOKIE_NAME, "_streamlit_user")
"""Cookies that identify a session, in order (password login, identity provider)."""

_LOG = logging.getLogger("clspd_geo.media_guard")
_LOCK = threading.Lock()
_CLAIM = threading.local()
_MARK = "_clspd_bound_exports"


@dataclass
class Grant:
    """One click's right to fetch a file: who made it, until when, how many times."""

    owner: str | None
    account: str
    role: str
    file_name: str
    expires: float
    left: int = MAX_FETCHES
    served: int = 0


_GRANTS: dict[str, list[Grant]] = {}
"""file id -> the grants of the clicks that made it (two clicks may make the same file)."""


def owner_key(secret: str | None) -> str | None:
    """Return the key a session cookie's value is known by here (its hash), or None."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest() if secret else None


def file_id(url: str) -> str:
    """Return the media file id of a ``/media/<id>.<ext>`` URL."""
    return os.path.splitext(url.rsplit("/", 1)[-1])[0]


def claim(*, secret: str | None, account: str, role: str, file_name: str) -> None:
    """Say that the file being made in this thread belongs to the session of ``secret``.

    Called by the export's callable (in the thread where Streamlit runs it); ``secret`` is
    the value of the session's cookie (one of :data:`OWNER_COOKIES`).
    """
    _CLAIM.grant = Grant(owner_key(secret), account, role, file_name, 0.0)


def bind(fid: str, grant: Grant, *, now: float | None = None, ttl_s: float | None = None) -> None:
    """Register ``grant`` for the file ``fid``, valid ``ttl_s`` (default :data:`TTL_S`) s."""
    t = time.monotonic() if now is None else now
    grant.expires = t + (TTL_S if ttl_s is None else ttl_s)
    with _LOCK:
        live = [g for g in _GRANTS.get(fid, []) if g.expires > t and g.left > 0]
        _GRANTS[fid] = live + [grant]


def is_bound(fid: str) -> bool:
    """Whether ``fid`` is the file of an export (then only its owner may fetch it)."""
    with _LOCK:
        return fid in _GRANTS


def take(fid: str, cookies: dict[str, str], *, now: float | None = None) -> Grant | None:
    """Use one fetch of the export ``fid`` for a request with ``cookies``; None: refuse.

    Only a live grant (not expired, fetches left) whose owner is one of the request's
    session cookies is used. Refusals use nothing.
    """
    t = time.monotonic() if now is None else now
    keys = [owner_key(cookies.get(name)) for name in OWNER_COOKIES]
    with _LOCK:
        for grant in _GRANTS.get(fid, []):
            if (grant.owner is not None and grant.expires > t and grant.left > 0
                    and any(k is not None and hmac.compare_digest(k, grant.owner)
                            for k in keys)):
                grant.left -= 1
                grant.served += 1
                return grant
    return None


def _cookies(scope) -> dict[str, str]:
    raw = ";".join(v.decode("latin-1") for k, v in scope.get("headers") or ()
                   if k.lower() == b"cookie")
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header: as if there were none
        return {}
    return {k: m.value for k, m in jar.items()}


async def _refuse(send) -> None:
    body = "Fichier introuvable ou expiré : téléchargez-le à nouveau depuis la page.".encode()
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def serve(scope, receive, send, app) -> None:
    """Answer a ``/media/`` request: exports only to their session, other media as before."""
    fid = file_id(scope.get("path", ""))
    if not is_bound(fid):
        await app(scope, receive, send)
        return
    grant = take(fid, _cookies(scope))
    if grant is None:
        await _refuse(send)
        return

    async def no_store(message):
        if message.get("type") == "http.response.start":
            message = dict(message, headers=list(message.get("headers") or [])
                           + [(b"cache-control", b"no-store")])
        await send(message)

    await app(scope, receive, no_store)
    if grant.served == 1:
        try:
            await asyncio.to_thread(audit.record, grant.account, grant.role, "export_servi",
                                    grant.file_name, detail=scope.get("method", ""))
        except Exception:  # the trail cannot be written: the file was served, say so
            _LOG.exception("Export servi non enregistré : %s", grant.file_name)


def install() -> None:
    """Bind each deferred download's file to the session that made it (idempotent)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    if getattr(MediaFileManager, _MARK, False):
        return
    execute = MediaFileManager.execute_deferred

    def execute_deferred(self, deferred_id: str) -> str:
        _CLAIM.grant = None
        try:
            url = execute(self, deferred_id)
            grant = _CLAIM.grant
        finally:
            _CLAIM.grant = None
        # A file made without a claim belongs to no one: it is never served.
        bind(file_id(url), grant or Grant(None, "-", "-", "", 0.0))
        return url

    MediaFileManager.execute_deferred = execute_deferred
    setattr(MediaFileManager, _MARK, True)
