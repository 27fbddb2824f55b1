"""In headless Chromium with no internet: the maps draw from the app's own files.

The tests start the app itself (streamlit run, on loopback) and block every request that is
not for the app (as on a closed police network). The overview's map container holds drawn
features and its layer control lists the four families; then, for every role that can log
in (one browser context per role, one served app for all), every page the role may open
(:func:`clspd_geo.access.policy.may_open`, exactly those in its navigation) is opened: no
request at all leaves the app (no tab-icon font, no CDN, no tiles), no page fails, no
English Streamlit string is drawn, and the period filter and the uploader read French.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from clspd_geo.access import policy
from conftest import ensure_test_account, log_in, serve_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    for role in policy.ROLE_CODES:
        ensure_test_account(role, demo_store)
    yield from serve_app(demo_store, tmp_path_factory.mktemp("server"))


def _offline_page(browser, base_url: str, blocked: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    app_host = urlparse(base_url).netloc

    def route(r):
        if urlparse(r.request.url).netloc == app_host or r.request.url.startswith(("data:",
                                                                                     "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def test_overview_map_draws_offline(server, browser, tmp_path):
    blocked: list[str] = []
    page = _offline_page(browser, server, blocked)
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, "test-police")
    frame_el = page.wait_for_selector("iframe[title*='st_folium']", timeout=90_000)
    frame = frame_el.content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=60_000)
    try:
        frame.wait_for_function(
            "document.querySelectorAll('path.leaflet-interactive').length > 50", timeout=60_000)
    finally:
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    n_paths = frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    n_icons = frame.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
    labels = frame.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => l.textContent.trim())")
    shot_dir = os.environ.get("CLSPD_SCREENSHOTS")
    if shot_dir:
        Path(shot_dir).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shot_dir) / "overview.png"), full_page=True)
    assert not page.errors, page.errors
    assert n_paths > 50, "aucune cellule, aucun secteur ni champ de caméra dessiné"
    assert n_icons > 10, "aucun équipement dessiné"
    joined = " | ".join(labels)
    for family in ("Faits", "Secteurs de patrouille", "Caméras", "Équipements"):
        assert family in joined, joined
    # The page asked for nothing outside the app (no CDN, no tiles with the default basemap).
    assert not [u for u in blocked if "leaflet" in u or "jquery" in u], blocked
    page.close()


# The text a user sees: text nodes of rendered elements with a non-zero font size (the
# uploader's English button text is still in the page, drawn at size 0 under French text).
VISIBLE_TEXT = """() => {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || !el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || parseFloat(cs.fontSize) === 0) continue;
    out.push(n.textContent);
  }
  return out.join("\\n");
}"""
ENGLISH = ("Date range", "Choose an option", "per file", "Upload", "Browse files",
           "Drag and drop", "January", "June", "Su Mo", "S M T W T F S")


# URL path of every page of the router (app.py), "" being the overview.
URL_PATHS = ("", "communes", "police", "videoprotection", "addictions", "jeunesse", "insertion",
             "victimes", "routier", "radicalisation", "donnees", "administration")


def _url_path(href: str) -> str:
    return urlparse(href).path.strip("/")


def test_url_paths_are_the_router_pages():
    """The list above is the router's: a page added to app.py is added to the check."""
    import ast

    tree = ast.parse(Path(__file__).resolve().parents[2].joinpath("app.py").read_text())
    files = [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") == "Page"]
    stems = {Path(f).stem for f in files}
    assert stems == {p or "overview" for p in URL_PATHS}


@pytest.mark.parametrize("role", policy.ROLE_CODES)
def test_every_page_asks_nothing_outside_the_app_and_reads_french(server, browser, role,
                                                                 tmp_path):
    blocked: list[str] = []
    page = _offline_page(browser, server, blocked)  # a new context: one per role
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, f"test-{role}")
    page.wait_for_selector("text=Connecté", timeout=120_000)
    wait_idle(page)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    hrefs = [_url_path(links.nth(i).get_attribute("href") or "") for i in range(links.count())]
    expected = [p for p in URL_PATHS if policy.may_open(role, p)]
    # The navigation lists the role's pages, no other, in the router's order; its first page
    # is the default one, served at the root (the overview, or the data page for the admin).
    assert hrefs == ["", *expected[1:]], (hrefs, expected)
    problems: dict[str, list[str]] = {}
    for i, path in enumerate(hrefs):
        links.nth(i).click()
        wait_idle(page)
        if os.environ.get("CLSPD_SCREENSHOTS"):  # to look at every page of every role
            shots = Path(os.environ["CLSPD_SCREENSHOTS"])
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{role}-{i:02d}-{path or 'accueil'}.png"),
                            full_page=True)
        text = page.evaluate(VISIBLE_TEXT)
        found = [w for w in ENGLISH if w in text]
        if page.locator('[data-testid="stException"]').count():
            found.append("exception")
        if found:
            problems[path or "accueil"] = found
            page.screenshot(path=str(tmp_path / f"{role}-{i:02d}.png"), full_page=True)
        if "Importer des fichiers" in text:  # the data page of a role that imports
            button = page.locator('[data-testid="stFileUploaderDropzone"] button').first
            after = button.evaluate("b => getComputedStyle(b, '::after').content")
            assert "Choisir des fichiers" in after, after
            assert "Mo au plus par fichier" in text
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Période" in sidebar and "Du 1er" in sidebar and "Lexique" in sidebar
    assert page.locator('[data-testid="stDateInput"]').count() == 0
    assert not page.errors, page.errors
    page.context.close()
    assert blocked == [], blocked
    assert not problems, problems
