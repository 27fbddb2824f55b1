"""ui.media_guard: an export's URL serves its file only to the session that made it."""

from __future__ import annotations

import asyncio
import time

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from clspd_geo.access import audit
from ui import media_guard

OWNER = "jeton-de-la-session-qui-exporte"


@pytest.fixture
def manager(monkeypatch, tmp_path):
    monkeypatch.setenv("CLSPD_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setattr(media_guard, "_GRANTS", {})
    media_guard.install()
    return MediaFileManager(MemoryMediaFileStorage("/media"))


def _click(mgr, payload: bytes, *, secret: str | None = OWNER, name="export.csv") -> str:
    def generate():
        if secret is not None:
            media_guard.claim(secret=secret, account="test-police", role="police",
                              file_name=name)
        return payload
    deferred = mgr.add_deferred(generate, "text/csv", "coord-1", file_name=name)
    return mgr.execute_deferred(deferred)


def _get(url: str, cookie: str | None = None, *, method: str = "GET"):
    """Send one request through media_guard.serve; return (status, body, headers)."""
    sent, reached = [], []
    headers = [(b"cookie", cookie.encode())] if cookie else []

    async def app(scope, receive, send):  # Streamlit's media route, as far as the guard sees
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"contenu"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": url, "headers": headers}
    asyncio.run(media_guard.serve(scope, receive, send, app))
    start = sent[0]
    return start["status"], sent[1]["body"], dict(start["headers"]), reached


def test_file_id_of_a_media_url():
    assert media_guard.file_id("/media/abc123.csv") == "abc123"


def test_the_owner_gets_the_file_a_cookie_less_client_and_another_session_get_404(manager):
    url = _click(manager, b"id;nom\n1;x\n")
    assert _get(url)[0] == 404  # no cookie
    assert _get(url, "clspd_session=jeton-d-une-autre-session")[0] == 404
    status, body, headers, reached = _get(url, f"theme=clair; clspd_session={OWNER}")
    assert (status, body, reached) == (200, b"contenu", [url])
    assert headers[b"cache-control"] == b"no-store"


def test_the_owner_gets_max_fetches_then_404(manager):
    url = _click(manager, b"une fois")
    cookie = f"clspd_session={OWNER}"
    # Streamlit's check fetch, the browser's download, one retry.
    assert [_get(url, cookie)[0] for _ in range(media_guard.MAX_FETCHES + 1)] == \
        [200] * media_guard.MAX_FETCHES + [404]


def test_the_first_fetch_served_is_recorded_once(manager):
    url = _click(manager, b"trace", name="sites_cameras.csv")
    _get(url)  # refused: not recorded
    cookie = f"clspd_session={OWNER}"
    _get(url, cookie)
    _get(url, cookie)
    ev = audit.events(limit=10)
    served = ev[ev["Action"] == audit.ACTIONS["export_servi"]]
    assert list(served["Qui"]) == ["test-police"] and list(served["Rôle"]) == ["police"]
    assert list(served["Objet"]) == ["sites_cameras.csv"]


def test_an_export_not_fetched_in_time_is_refused(manager):
    before = time.monotonic()
    url = _click(manager, b"trop tard")
    fid = media_guard.file_id(url)
    late = time.monotonic() + media_guard.TTL_S + 0.1
    assert media_guard.take(fid, {"clspd_session": OWNER}, now=late) is None
    assert media_guard.take(fid, {"clspd_session": OWNER},
                            now=before + media_guard.TTL_S - 0.1) is not None


def test_the_ttl_is_a_parameter(manager):
    media_guard.bind("f1", media_guard.Grant(media_guard.owner_key(OWNER), "a", "police",
                                            "x.csv", 0.0), now=100.0, ttl_s=5.0)
    assert media_guard.take("f1", {"clspd_session": OWNER}, now=104.9) is not None
    assert media_guard.take("f1", {"clspd_session": OWNER}, now=105.1) is None


def test_two_sessions_making_the_same_file_each_get_it(manager):
    url1 = _click(manager, b"meme contenu")
    url2 = _click(manager, b"meme contenu", secret="jeton-d-une-autre-session")
    assert url1 == url2
    assert _get(url1, f"clspd_session={OWNER}")[0] == 200
    assert _get(url1, "clspd_session=jeton-d-une-autre-session")[0] == 200
    assert _get(url1, "clspd_session=troisieme")[0] == 404


def test_a_file_made_without_a_claim_is_served_to_no_one(manager):
    url = _click(manager, b"sans proprietaire", secret=None)
    assert _get(url, f"clspd_session={OWNER}")[0] == 404


def test_an_identity_provider_session_is_known_by_its_streamlit_cookie(manager):
    url = _click(manager, b"oidc", secret="cookie-signe-oidc")
    assert _get(url, f"clspd_session={OWNER}")[0] == 404
    assert _get(url, "_streamlit_user=cookie-signe-oidc")[0] == 200


def test_other_media_are_served_as_before(manager):
    url = manager.add(b"\x89PNG image", "image/png", "coord-4")
    for _ in range(5):
        status, _body, _h, reached = _get(url)
        assert status == 200 and reached == [url]
