"""In headless Chromium with no internet: the overview map draws from the app's own files.

The test starts the app itself (streamlit run, on loopback), blocks every request that is
not for the app (as on a closed police network), opens the overview and checks that the
map container holds drawn features and that the layer control lists the four families.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import TEST_PASSWORD, ensure_test_account, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    ensure_test_account("police", demo_store)
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


def _log_in(page, role: str) -> None:
    """Log in through the app's form with the test account of ``role``."""
    page.get_by_label("Identifiant").fill(f"test-{role}", timeout=90_000)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def test_overview_map_draws_offline(server, browser, tmp_path):
    blocked: list[str] = []
    page = _offline_page(browser, server, blocked)
    page.goto(server, wait_until="domcontentloaded")
    _log_in(page, "police")
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
