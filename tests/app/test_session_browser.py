"""In headless Chromium: the session cookie, reload, logout, expiry, deep link, login race.

The app is served by ``streamlit run`` on loopback (tests/conftest.py ``serve_app``). The
session token goes to the browser through ``/_clspd/session`` (ui/session_route.py) as an
``HttpOnly; SameSite=Strict`` cookie; the app reads it back at each new Streamlit session.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clspd_geo.access import auth, sessions
from conftest import TEST_PASSWORD, ensure_test_account, log_in, serve_app, wait_idle

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"Page not found|not found|You have requested|Please log in|Running",
                     re.IGNORECASE)


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    for role in ("police", "videoprotection", "elu"):
        ensure_test_account(role, demo_store)
    yield from serve_app(demo_store, tmp_path_factory.mktemp("server"))


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield ctx
    ctx.close()


def _logged_in(page) -> None:
    page.get_by_role("button", name="Se déconnecter").wait_for(timeout=180_000)
    wait_idle(page)


def _login_shown(page) -> None:
    page.get_by_label("Identifiant").wait_for(timeout=120_000)
    wait_idle(page)
    assert page.get_by_role("button", name="Se déconnecter").count() == 0


def _session_cookie(context) -> dict | None:
    found = [c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME]
    return found[0] if found else None


def test_reload_keeps_the_session_and_the_cookie_is_httponly_strict(server, context):
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, "test-police", timeout_ms=180_000)
    _logged_in(page)
    cookie = _session_cookie(context)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http on loopback; Secure over https
    assert page.evaluate("document.cookie").find(sessions.COOKIE_NAME) == -1  # no script sees it
    assert "code=" not in page.url  # the one-time code is not left in the address bar
    page.reload(wait_until="domcontentloaded")
    _logged_in(page)
    assert page.get_by_text("Connecté : test-police").count() == 1


def test_logout_then_reload_shows_the_login(server, context, demo_store):
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, "test-police", timeout_ms=180_000)
    _logged_in(page)
    token = _session_cookie(context)["value"]
    page.get_by_role("button", name="Se déconnecter").click()
    _login_shown(page)
    users = demo_store.with_name(auth.USERS_FILE_NAME)
    assert auth.check_session(token, path=users) is None  # ended on the server
    assert _session_cookie(context) is None  # and removed from the browser
    page.reload(wait_until="domcontentloaded")
    _login_shown(page)


def test_an_expired_or_forged_token_is_refused(server, context, demo_store):
    users = demo_store.with_name(auth.USERS_FILE_NAME)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    idle = auth.login("test-police", TEST_PASSWORD, path=users,
                      now=now - dt.timedelta(minutes=auth.IDLE_MIN + 1))
    for value in (idle, "jeton-fabrique-par-un-attaquant"):
        context.add_cookies([{"name": sessions.COOKIE_NAME, "value": value,
                              "url": server + "/"}])
        page = context.new_page()
        page.goto(server, wait_until="domcontentloaded")
        _login_shown(page)
        assert page.get_by_text("Votre session a expiré").count() == 1
        page.close()


def test_a_deep_link_shows_the_french_login_then_the_asked_page(server, context):
    page = context.new_page()
    page.goto(server + "/videoprotection", wait_until="domcontentloaded")
    _login_shown(page)
    assert page.get_by_role("heading", name="Connexion").count() == 1
    text = page.inner_text("body")
    assert not ENGLISH.search(text), text
    log_in(page, "test-videoprotection", timeout_ms=180_000)
    _logged_in(page)
    page.get_by_text("Ce que voient les caméras en service").wait_for(timeout=180_000)
    assert page.url.rstrip("/").endswith("/videoprotection"), page.url
    assert not ENGLISH.search(page.inner_text("body"))


def test_a_page_the_role_may_not_open_is_refused_in_french_at_its_address(server, context):
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, "test-elu", timeout_ms=180_000)
    _logged_in(page)
    page.goto(server + "/videoprotection", wait_until="domcontentloaded")
    _logged_in(page)
    page.get_by_role("heading", name="Page non ouverte à votre rôle").wait_for(timeout=120_000)
    text = page.inner_text("body")
    assert "La page « 2. Vidéoprotection » n'est pas ouverte au rôle « Élu »" in text, text
    assert not ENGLISH.search(text), text
    assert "Ce que voient les caméras en service" not in text


def test_a_forged_code_or_foreign_site_gets_no_cookie(server, context):
    page = context.new_page()
    # The endpoint is added when the app's script first runs (as it does before any real
    # login): show the login first, so that this test does not depend on the ones before.
    page.goto(server, wait_until="domcontentloaded")
    _login_shown(page)
    resp = page.goto(server + sessions.ENDPOINT + "?code=faux&next=https://evil.example/",
                     wait_until="domcontentloaded")
    assert resp.ok and page.url.rstrip("/") == server  # back to the app, not elsewhere
    assert _session_cookie(context) is None
    refused = context.request.get(server + sessions.ENDPOINT + "?code=faux",
                                  headers={"Sec-Fetch-Site": "cross-site"}, max_redirects=0)
    assert refused.status == 403


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """A server on a store that does not exist yet: its first run builds the demo."""
    folder = tmp_path_factory.mktemp("fresh")
    yield from serve_app(folder / "neuf.gpkg", folder)


def test_login_submitted_during_the_first_run_works(fresh_server, browser):
    """Two people open the app while its first run builds the demo and its accounts;
    each submits the form as soon as it shows, with the documented password."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        pages = [ctx.new_page() for ctx in contexts]
        for page in pages:
            page.goto(fresh_server, wait_until="commit")
        for page, role in zip(pages, ("police", "elu")):
            log_in(page, role, auth.DEMO_PASSWORD.format(role=role), timeout_ms=180_000)
        for page, role in zip(pages, ("police", "elu")):
            _logged_in(page)
            assert page.get_by_text(f"Connecté : {role}").count() == 1
            assert page.get_by_text("incorrect").count() == 0
    finally:
        for ctx in contexts:
            ctx.close()
