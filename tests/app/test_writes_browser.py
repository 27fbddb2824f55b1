"""Two editors at once, and an export's URL, in headless Chromium against the app on loopback.

- Issue 19 item 3: two browser contexts logged in as two editors open the same action of
  the plan and change the same cell; the first saves, the second then gets « modifiée
  entre-temps par … » with both versions, and what the second typed is kept (saving again
  writes it, knowingly).
- Issue 20 item 5: an export has no URL before the click; Chromium downloads it on the
  click; its URL answers 404 to a client without a cookie and to another session's cookie;
  the owner's cookie gets it at most 3 times; « Export » and « Export servi » are in the
  audit trail.
"""

from __future__ import annotations

import io
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from clspd_geo.access import audit
from clspd_geo.store import GeoPackageStore
from conftest import ensure_test_account, log_in, serve_app, wait_idle

pytestmark = pytest.mark.browser

FIELD_PAGE = "3. Conduites addictives"


@pytest.fixture(scope="module")
def store(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("writes") / "clspd.gpkg"
    shutil.copyfile(demo_store, path)
    for role in ("police", "elu"):
        ensure_test_account(role, path)
    return path


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    yield from serve_app(store, tmp_path_factory.mktemp("server"))


def _open(browser, url: str, role: str, page_title: str):
    context = browser.new_context(viewport={"width": 1500, "height": 1100},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    log_in(page, f"test-{role}")
    page.wait_for_selector("text=Connecté", timeout=120_000)
    wait_idle(page)
    page.locator('[data-testid="stSidebarNavLink"]', has_text=page_title).click()
    wait_idle(page)
    return context, page


def _type_title(page, text: str) -> None:
    """Type ``text`` as the title of the editor's first action (a canvas grid: by position)."""
    page.get_by_text("Modifier les actions de ce champ").click()
    wait_idle(page)
    grid = page.locator('[data-testid="stExpander"]', has_text="Modifier les actions") \
        .locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=60_000)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    # Columns: row marker (~30 px), N° (~130 px), then the title; rows of 35 px under a
    # 35 px header.
    editor = page.locator("textarea.gdg-input")  # the grid's overlay editor (DOM)
    for _ in range(5):
        page.mouse.dblclick(box["x"] + 300, box["y"] + 35 + 17)
        try:
            editor.wait_for(state="visible", timeout=3000)
            break
        except Exception:  # the grid was not drawn yet: click again
            page.wait_for_timeout(1000)
    editor.fill(text)
    page.keyboard.press("Enter")
    editor.wait_for(state="hidden", timeout=10_000)


def _save(page) -> None:
    button = page.get_by_role("button", name="Enregistrer le plan d'action")
    if not button.is_visible():  # the message above the editor folded its expander
        page.get_by_text("Modifier les actions de ce champ").click()
        wait_idle(page)  # opening it reruns the section: a click before then can be lost
        button.wait_for(state="visible", timeout=60_000)
    button.click()
    wait_idle(page)


def test_second_editor_gets_the_conflict_with_both_versions(server, browser, store):
    first_ctx, first = _open(browser, server, "police", FIELD_PAGE)
    second_ctx, second = _open(browser, server, "elu", FIELD_PAGE)
    try:
        _type_title(first, "Titre saisi par la police")
        _type_title(second, "Titre saisi par l'élu")
        _save(first)
        first.wait_for_selector("text=Plan d'action enregistré", timeout=60_000)
        titles = set(GeoPackageStore(store).read("actions")["title"])
        assert "Titre saisi par la police" in titles
        _save(second)
        second.wait_for_selector("text=modifiée entre-temps par test-police", timeout=60_000)
        table = second.locator('[data-testid="stTable"]').inner_text()
        assert "Votre version" in table and "Version enregistrée entre-temps" in table
        assert "Titre saisi par l'élu" in table and "Titre saisi par la police" in table, table
        stored = GeoPackageStore(store).read("actions")
        assert "Titre saisi par l'élu" not in set(stored["title"])  # nothing overwritten
        assert "Titre saisi par la police" in set(stored["title"])
        # What the second typed is still in the editor: saving again now writes it.
        _save(second)
        second.wait_for_selector("text=Plan d'action enregistré", timeout=60_000)
        titles = set(GeoPackageStore(store).read("actions")["title"])
        assert "Titre saisi par l'élu" in titles and "Titre saisi par la police" not in titles
    finally:
        first_ctx.close()
        second_ctx.close()


def _fetch(url: str, cookie: str | None = None) -> int:
    """GET ``url`` outside the browser (with ``cookie`` as the Cookie header); its status."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_an_export_is_served_only_to_its_session_and_recorded(server, browser, store):
    ctx, page = _open(browser, server, "police", "1. Coordination police")
    other_ctx, _other = _open(browser, server, "elu", FIELD_PAGE)
    try:
        page.get_by_text("Fiche de patrouille", exact=True).click()
        wait_idle(page)
        button = page.locator('[data-testid="stDownloadButton"]',
                              has_text="Télécharger la fiche de patrouille (PDF")
        button.wait_for(timeout=120_000)
        hrefs = page.eval_on_selector_all("a[href*='/media/']", "els => els.map(e => e.href)")
        assert hrefs == []  # before the click no export is at any URL
        with page.expect_download(timeout=60_000) as info:
            button.locator("button").click()
        download = info.value
        assert download.failure() is None  # Streamlit's check fetch did not use up the URL
        assert "/media/" in download.url
        content = Path(download.path()).read_bytes()
        assert content[:5] == b"%PDF-" and b"%%EOF" in content[-1024:]
        assert len(PdfReader(io.BytesIO(content)).pages) == 1
        mine = {c["name"]: c["value"] for c in ctx.cookies()}["clspd_session"]
        theirs = {c["name"]: c["value"] for c in other_ctx.cookies()}["clspd_session"]
        assert mine != theirs
        assert _fetch(download.url) == 404  # no cookie
        assert _fetch(download.url, f"clspd_session={theirs}") == 404  # another session
        # The owner's browser used 2 of the 3 fetches (Streamlit's check, the download).
        assert _fetch(download.url, f"clspd_session={mine}") == 200
        assert _fetch(download.url, f"clspd_session={mine}") == 404
        ev = audit.events(path=store.with_name(audit.AUDIT_FILE_NAME), limit=50)
        for action in ("export", "export_servi"):
            rows = ev[ev["Action"] == audit.ACTIONS[action]]
            assert list(rows["Qui"]) == ["test-police"], action
            assert list(rows["Rôle"]) == ["police"]
            assert rows["Objet"].iloc[0] == download.suggested_filename
            assert rows["Objet"].iloc[0].startswith("fiche_")
    finally:
        ctx.close()
        other_ctx.close()
