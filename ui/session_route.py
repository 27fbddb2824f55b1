"""The session cookie endpoint, added to Streamlit's HTTP server at startup.

The script of the app talks to the browser over a websocket, so it can read cookies
(``st.context.cookies``, sent with the websocket's opening request) but cannot set an
``HttpOnly`` one. Streamlit 1.67 serves the app with Starlette; custom routes are only
offered through ``st.App`` (another entry point than ``streamlit run app.py``). So
:func:`install`, called by ``app.py`` like :mod:`ui.server_guard`, wraps the Starlette
application class's ``__call__`` once: one path, :data:`clspd_geo.access.sessions.ENDPOINT`,
is answered here; ``/media/`` requests go through :func:`ui.media_guard.serve` (an export's
file only to the session that made it); every other request goes to Streamlit untouched.

- ``GET /_clspd/session?code=…&next=/page``: redeems the login's one-time code
  (:func:`clspd_geo.access.sessions.redeem_code`), answers ``303`` to ``next`` (a path of
  the app only) with the ``Set-Cookie`` of the session token;
- ``GET /_clspd/session?logout=1``: ends the session of the cookie on the server and
  removes the cookie, then ``303`` to the home page.

Requests another site's page starts (``Sec-Fetch-Site`` other than ``same-origin`` or
``none``) are refused, so a foreign page cannot log a browser into another account; so are
requests whose ``Host`` is not in ``server.allowedHosts`` (as Streamlit's websocket does).
"""

from __future__ import annotations

import asyncio
import logging
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from clspd_geo.access import auth, sessions
from ui import media_guard

_LOG = logging.getLogger("clspd_geo.session_route")
_MARK = "_clspd_session_route"
_PAGE_PATHS: set[str] = set()
"""The url paths of the app's pages (:func:`known_pages`); empty: no path is redirected."""


def known_pages(url_paths) -> None:
    """Record the pages' url paths: a browser asking for another page goes home.

    Streamlit answers an unknown path (``/nimportequoi``) with the app and an English
    « Page not found » dialog that has no setting to translate it; a page load of a
    one-segment path that is no page is redirected (``303``) to the home page instead.
    """
    _PAGE_PATHS.clear()
    _PAGE_PATHS.update(p for p in url_paths if p)


def unknown_page(scope) -> bool:
    """Return True for a browser's page load of a one-segment path that is no page."""
    if scope.get("type") != "http" or scope.get("method") != "GET" or not _PAGE_PATHS:
        return False
    path = str(scope.get("path") or "")
    base = _base_path()
    if not path.startswith(base + "/"):
        return False
    rest = path[len(base) + 1:].rstrip("/")
    if not rest or "/" in rest or "." in rest or rest.startswith(("_", "~")):
        return False
    if rest in _PAGE_PATHS or rest in ("static", "media", "component", "app", "healthz"):
        return False
    return "text/html" in _header(scope, b"accept")


def _base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _is_https(scope) -> bool:
    from streamlit import config

    proto = _header(scope, b"x-forwarded-proto").split(",")[0].strip().lower()
    return (scope.get("scheme") == "https" or proto == "https"
            or bool(config.get_option("server.sslCertFile")))


def _cookie_token(scope) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(_header(scope, b"cookie"))
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    morsel = jar.get(sessions.COOKIE_NAME)
    return morsel.value if morsel is not None and morsel.value else None


def _host_allowed(host: str | None) -> bool:
    # The same DNS-rebinding check as Streamlit's websocket (server.allowedHosts).
    from streamlit.web.server.starlette.starlette_websocket import is_host_allowed

    return is_host_allowed(host)


def answer(scope) -> tuple[int, list[tuple[str, str]]]:
    """Return the status and headers of the endpoint's answer to a request ``scope``.

    Blocking (it reads the accounts file): run it off the event loop.
    """
    base = _base_path()
    home = base + "/"
    fetch_site = _header(scope, b"sec-fetch-site").lower()
    if (scope.get("method") != "GET" or fetch_site not in ("", "same-origin", "none")
            or not _host_allowed(_header(scope, b"host") or None)):
        return 403, [("Content-Type", "text/plain; charset=utf-8")]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    secure = _is_https(scope)
    headers = [("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer")]
    if query.get("logout"):
        auth.logout(_cookie_token(scope))
        headers += [("Set-Cookie", sessions.clear_cookie_header(secure=secure, base_path=home)),
                    ("Location", home)]
        return 303, headers
    token = sessions.redeem_code((query.get("code") or [None])[0])
    target = sessions.safe_next((query.get("next") or [None])[0], base_path=base)
    if token is None:  # spent, expired or forged: the app shows its login form
        return 303, headers + [("Location", target)]
    headers += [("Set-Cookie", sessions.cookie_header(token, secure=secure, base_path=home)),
                ("Location", target)]
    return 303, headers


async def _serve(scope, receive, send) -> None:
    try:
        status, headers = await asyncio.to_thread(answer, scope)
    except Exception:  # the accounts file cannot be read: never a traceback to the browser
        _LOG.exception("Point d'entrée de session en erreur.")
        status, headers = 500, [("Content-Type", "text/plain; charset=utf-8")]
    body = {403: "Requête refusée.".encode(), 500: "Erreur du serveur.".encode()}.get(status, b"")
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1"))
                            for k, v in headers]
                + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def install() -> None:
    """Answer :data:`~clspd_geo.access.sessions.ENDPOINT` in Streamlit's server (idempotent)."""
    from starlette.applications import Starlette

    media_guard.install()
    original = Starlette.__call__
    if getattr(original, _MARK, False):
        return

    async def call(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("path") == _base_path() + sessions.ENDPOINT:
            await _serve(scope, receive, send)
            return
        if unknown_page(scope):
            home = _base_path() + "/"
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", home.encode("latin-1")),
                                    (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if scope.get("type") == "http" and scope.get("path", "").startswith(_base_path()
                                                                            + "/media/"):
            await media_guard.serve(scope, receive, send,
                                    lambda *a: original(self, *a))  # exports: their session only
            return
        await original(self, scope, receive, send)

    setattr(call, _MARK, True)
    Starlette.__call__ = call
