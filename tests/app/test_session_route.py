"""The session cookie endpoint (ui/session_route.py), called with ASGI scopes directly."""

from __future__ import annotations

import asyncio

import pytest

from clspd_geo.access import auth, sessions
from ui import session_route

PW = "correct-horse-battery"


@pytest.fixture
def users(tmp_path, monkeypatch):
    path = tmp_path / "comptes.sqlite"
    monkeypatch.setenv("CLSPD_USERS", str(path))
    auth.create_account("alice", role="elu", password=PW, path=path)
    return path


def _scope(query: str, *, cookie: str = "", method: str = "GET", scheme: str = "http",
           host: str = "localhost:8501", fetch_site: str = "same-origin") -> dict:
    headers = [(b"host", host.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    if fetch_site:
        headers.append((b"sec-fetch-site", fetch_site.encode()))
    return {"type": "http", "method": method, "scheme": scheme, "path": sessions.ENDPOINT,
            "query_string": query.encode(), "headers": headers}


def _code(users) -> tuple[str, str]:
    token = auth.login("alice", PW, path=users)
    return token, sessions.issue_code(token, path=users)


def test_a_code_gives_the_cookie_and_the_asked_page(users):
    token, code = _code(users)
    status, headers = session_route.answer(_scope(f"code={code}&next=/videoprotection"))
    h = dict(headers)
    assert status == 303 and h["Location"] == "/videoprotection"
    assert h["Set-Cookie"] == sessions.cookie_header(token, secure=False)
    assert h["Cache-Control"] == "no-store"
    status, headers = session_route.answer(_scope(f"code={code}&next=/videoprotection"))
    assert status == 303 and "Set-Cookie" not in dict(headers)  # a code works once


def test_secure_over_https(users):
    _token, code = _code(users)
    _status, headers = session_route.answer(_scope(f"code={code}", scheme="https"))
    assert dict(headers)["Set-Cookie"].endswith("; Secure")


def test_logout_ends_the_token_and_clears_the_cookie(users):
    token, _code_ = _code(users)
    status, headers = session_route.answer(
        _scope("logout=1", cookie=f"other=1; {sessions.COOKIE_NAME}={token}"))
    h = dict(headers)
    assert status == 303 and h["Location"] == "/"
    assert h["Set-Cookie"].startswith(f"{sessions.COOKIE_NAME}=; Path=/; Max-Age=0;")
    assert auth.check_session(token, path=users) is None


@pytest.mark.parametrize("kw", [{"method": "POST"}, {"fetch_site": "cross-site"},
                                {"fetch_site": "same-site"}, {"host": "evil.example"}])
def test_refused_requests(users, kw):
    token, code = _code(users)
    status, headers = session_route.answer(_scope(f"code={code}", **kw))
    assert status == 403 and "Set-Cookie" not in dict(headers)
    assert sessions.redeem_code(code, path=users) == token  # the code was not spent


def test_install_serves_only_its_path_and_is_idempotent(users):
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    session_route.install()
    first = Starlette.__call__
    session_route.install()
    assert Starlette.__call__ is first
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("streamlit"))])
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    asyncio.run(app(_scope("code=faux"), receive, send))
    assert sent[0]["status"] == 303
    sent.clear()
    other = dict(_scope(""), path="/")
    asyncio.run(app(other, receive, send))
    assert sent[0]["status"] == 200 and sent[-1]["body"] == b"streamlit"


def _page_load(path: str, accept: str = "text/html,application/xhtml+xml") -> dict:
    return {"type": "http", "method": "GET", "scheme": "http", "path": path,
            "query_string": b"", "headers": [(b"host", b"localhost:8501"),
                                              (b"accept", accept.encode())]}


def test_an_unknown_page_path_goes_home_instead_of_page_not_found(monkeypatch):
    monkeypatch.setattr(session_route, "_PAGE_PATHS", set())
    assert not session_route.unknown_page(_page_load("/nimportequoi"))  # pages not known yet
    session_route.known_pages(["", "police", "jeunesse", "connexion"])
    assert session_route.unknown_page(_page_load("/nimportequoi"))
    assert session_route.unknown_page(_page_load("/nimportequoi/"))
    for known in ("/", "/police", "/jeunesse/", "/connexion", "/_stcore/health",
                  "/static/js/main.js", "/favicon.png", "/media/x", "/a/b"):
        assert not session_route.unknown_page(_page_load(known)), known
    # Not a page load: a script or an API call is left to Streamlit.
    assert not session_route.unknown_page(_page_load("/nimportequoi", accept="*/*"))

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    session_route.install()
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("streamlit"))])
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    asyncio.run(app(_page_load("/nimportequoi"), receive, send))
    assert sent[0]["status"] == 303 and (b"location", b"/") in sent[0]["headers"]
