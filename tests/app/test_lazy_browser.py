"""In headless Chromium: a folded section opens, computes, and reruns alone (issue 13).

The app is served (loopback); a police session opens the overview, then the « Quand ? »
section: its heatmap appears, and the page's main map is the same element as before (the
run was the section's fragment, not the page). A widget inside a section (the addictions
page's slider) reruns that section only: the page's KPIs and map stay in place.
"""

from __future__ import annotations

import pytest

from conftest import TEST_PASSWORD, ensure_test_account, serve_app, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    ensure_test_account("police", demo_store)
    yield from serve_app(demo_store, tmp_path_factory.mktemp("server"))


def _main_map_marker(page) -> None:
    """Tag the first map iframe, so a full rerun that redraws it can be told apart."""
    page.locator("iframe[title*='st_folium']").first.evaluate("el => el.dataset.seen = '1'")


def test_section_opens_computes_and_reruns_alone(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_label("Identifiant").fill("test-police", timeout=90_000)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_selector("iframe[title*='st_folium']", timeout=90_000)
    wait_idle(page)
    _main_map_marker(page)
    section = page.locator("[data-testid='stExpander']", has_text="Quand ? Jour de la semaine")
    assert section.locator("[data-testid='stDataFrame']").count() == 0  # nothing computed
    section.locator("summary").click()
    section.locator("[data-testid='stDataFrame']").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("iframe[title*='st_folium'][data-seen='1']").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("link", name="3. Conduites addictives").click()
    page.wait_for_selector("iframe[title*='st_folium']", timeout=90_000)
    wait_idle(page)
    _main_map_marker(page)
    night = page.locator("[data-testid='stExpander']", has_text="Alcool la nuit")
    night.wait_for(timeout=90_000)
    wait_idle(page)
    night.locator("summary").click()
    slider = night.get_by_role("slider")
    slider.wait_for(timeout=150_000)
    wait_idle(page)
    slider.focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    assert "125" in night.inner_text()
    assert page.locator("iframe[title*='st_folium'][data-seen='1']").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()
