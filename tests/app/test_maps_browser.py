"""In headless Chromium with no internet: the overview map is readable.

Facility icons grouped into numbered bubbles (Leaflet.markercluster served by the app), the
street background from the store's ``voies`` under every layer, a legend that lists only
the layers switched on (and follows the layer control), and no request outside the app.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import ensure_test_account, log_in, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    ensure_test_account("elu", demo_store)
    yield from serve_app(demo_store, tmp_path_factory.mktemp("server"))


def _offline_page(browser, base_url: str, blocked: list[str]):
    """A page that lets through only the app's own requests (the others are recorded)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    app_host = urlparse(base_url).netloc

    def route(r):
        url = r.request.url
        if urlparse(url).netloc == app_host or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            # Only what the maps ask for (their iframes): the page shell is checked elsewhere.
            if "st_folium" in r.request.frame.url:
                blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def _legend_titles(frame) -> list[str]:
    return frame.evaluate(
        "Array.from(document.querySelectorAll('.clspd-legend details[data-layer-index]'))"
        ".filter(d => !d.hidden).map(d => d.querySelector('summary').textContent.trim())")


def test_overview_map_is_readable_offline(server, browser):
    blocked: list[str] = []
    page = _offline_page(browser, server, blocked)
    page.goto(server, wait_until="domcontentloaded")
    log_in(page, "test-elu")
    # The overview map is the page's first map (the hotspot panel may add another).
    frame = page.wait_for_selector("iframe[title*='st_folium']", state="attached",
                                   timeout=90_000).content_frame()
    frame.wait_for_selector(".leaflet-container", timeout=60_000)
    frame.wait_for_function("document.querySelectorAll('.marker-cluster').length > 0",
                            timeout=60_000)
    shots = os.environ.get("CLSPD_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / "overview_map.png"), full_page=False)
    # Icons grouped at the default zoom; the roads drawn in their pane under the overlays.
    assert frame.evaluate("document.querySelectorAll('.marker-cluster').length") > 0
    n_roads = frame.evaluate(
        "document.querySelectorAll('.leaflet-clspdStreets-pane path').length")
    assert n_roads > 5
    z = frame.evaluate("getComputedStyle(document.querySelector('.leaflet-clspdStreets-pane'))"
                       ".zIndex")
    assert int(z) < 400
    # The legend lists the layers switched on; switching one off takes its section away.
    before = _legend_titles(frame)
    labels = frame.locator(".leaflet-control-layers-overlays label")
    labels.filter(has_text="Équipements partenaires").locator("input").uncheck()
    frame.wait_for_timeout(300)
    after = _legend_titles(frame)
    assert "Équipements" in before and "Équipements" not in after
    assert [t for t in before if t != "Équipements"] == after
    # Folds away.
    frame.locator(".clspd-legend-box > summary").click()
    assert not frame.evaluate("document.querySelector('.clspd-legend-box').open")
    assert not page.errors, page.errors
    assert not blocked, blocked
    page.close()
