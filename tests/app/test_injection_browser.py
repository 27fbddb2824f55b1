"""Script-injection corpus in every text field of every layer: nothing runs in Chromium.

A demo store is rewritten so that every free text (names, identifiers shown in tooltips,
addresses, action titles, places and indicators) holds a payload of the corpus. The app is
started on it (streamlit run, loopback), a police session (the role that sees the most
layers) and a public session log in and open every page of their navigation; on each page
every overlay of every map is switched on and every feature gets a mouseover and a click
(tooltips and popups are built then). No dialog may open, no payload may set its flag on
the page or in any frame, and the page must raise no script error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clspd_geo import demo, schemas
from clspd_geo.access import auth
from clspd_geo.store import GeoPackageStore, open_store
from conftest import log_in, serve_app, wait_idle

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

# Each payload, if it ran, would open a dialog and set window.top.__xss (the component
# iframe is same-origin, so top is reachable).
FLAG = "(window.top.__xss=(window.top.__xss||0)+1)"
CORPUS = (
    f'<img src=x onerror="alert(1);{FLAG}">',
    f"<script>alert(2);{FLAG}</script>",
    "${alert(3)}${" + FLAG + "}",
    "a`+alert(4)+" + FLAG + "+`",
    f'"><svg onload="alert(5);{FLAG}">',
    f"</script><script>alert(6);{FLAG}</script>",
    f"';alert(7);{FLAG};//",
    f'<iframe src="javascript:alert(8);{FLAG}"></iframe>',
    f'<details open ontoggle="alert(9);{FLAG}">',
    f"{{{{constructor.constructor('alert(10);{FLAG}')()}}}}",
    f'<a href="javascript:alert(11);{FLAG}">lien</a>',
    "\\u003cimg src=x onerror=alert(12)\\u003e",
)
# Text columns that hold free text or identifiers shown to users; join keys stay intact.
SKIP = {"insee_code", "quartier_id", "user_types", "incident_id", "partners"}


def poisoned_frames(path: Path) -> dict:
    """Return every layer of the store with the corpus in each free-text column."""
    s = GeoPackageStore(path)
    frames = {}
    for name in s.layers():
        sch = schemas.LAYERS.get(name)
        if sch is None or name == "incidents":
            continue
        gdf = s.read(name)
        cols = [c.name for c in sch.columns if c.dtype == "str" and not c.allowed
                and c.name not in SKIP and c.name in gdf.columns]
        if not cols or gdf.empty:
            continue
        out = gdf.copy()
        for j, col in enumerate(cols):
            out[col] = [f"{CORPUS[(i + j) % len(CORPUS)]} {i}" for i in range(len(out))]
        frames[name] = out
    return frames


@pytest.fixture(scope="module")
def poisoned_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xss") / "xss.gpkg"
    demo.install(open_store(path, create=True), seed=2, n_incidents=2_000)
    frames = poisoned_frames(path)
    assert {"cameras", "equipements", "quartiers", "secteurs"} <= set(frames)
    GeoPackageStore(path).write_many(frames, source="corpus d'injection (test)")
    users = path.with_name(auth.USERS_FILE_NAME)
    for role in ("police", "public"):
        auth.create_account(f"xss-{role}", role=role, password="mot-de-passe-xss", path=users)
    return path


@pytest.fixture(scope="module")
def server(poisoned_store, tmp_path_factory):
    yield from serve_app(poisoned_store, tmp_path_factory.mktemp("server"))


# Switch every overlay on, then fire mouseover and click on every feature of every map of
# the frame (tooltips and popups are built from feature properties at that moment).
_EXERCISE_MAPS = """() => {
  document.querySelectorAll('.leaflet-control-layers-overlays input[type=checkbox]')
    .forEach(cb => { if (!cb.checked) cb.click(); });
  let n = 0;
  for (const key of Object.keys(window)) {
    const m = window[key];
    if (!key.startsWith('map_') || !m || typeof m.eachLayer !== 'function') continue;
    m.eachLayer(layer => {
      let ll = null;
      try {
        ll = layer.getLatLng ? layer.getLatLng()
           : (layer.getBounds && layer.getBounds().isValid() ? layer.getBounds().getCenter()
              : null);
      } catch (e) { ll = null; }
      if (!ll) return;
      for (const type of ['mouseover', 'click']) {
        try { layer.fire(type, {latlng: ll}, true); n += 1; } catch (e) {}
      }
      try { if (layer.getTooltip && layer.getTooltip()) layer.openTooltip(ll); } catch (e) {}
      try { if (layer.getPopup && layer.getPopup()) layer.openPopup(ll); } catch (e) {}
    });
  }
  return n;
}"""


def _log_in(page, url: str, role: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    log_in(page, f"xss-{role}", "mot-de-passe-xss")
    page.wait_for_selector("text=Connecté", timeout=120_000)
    wait_idle(page)


def _flags(page) -> int:
    total = 0
    for frame in page.frames:
        try:
            total += int(frame.evaluate("() => window.__xss || 0"))
        except Exception:  # a frame that navigated away meanwhile
            continue
    return total


@pytest.mark.parametrize("role", ["police", "public"])
def test_injection_corpus_runs_nowhere(server, browser, role):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, server, role)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    titles = [links.nth(i).inner_text() for i in range(links.count())]
    assert len(titles) >= 8 if role == "police" else len(titles) >= 6, titles
    exercised = 0
    for i, title in enumerate(titles):
        page.locator('[data-testid="stSidebarNavLink"]').nth(i).click()
        wait_idle(page)
        try:  # pages without a map (Données, Administration) have no such frame
            page.wait_for_selector("iframe[title*='st_folium']", timeout=30_000)
            page.wait_for_timeout(2000)
        except Exception:
            pass
        for el in page.query_selector_all("iframe[title*='st_folium']"):
            frame = el.content_frame()
            if frame is None:
                continue
            try:
                frame.wait_for_selector(".leaflet-container", timeout=60_000)
            except Exception:
                continue
            exercised += frame.evaluate(_EXERCISE_MAPS)
        page.wait_for_timeout(800)
        # A page that crashed on hostile text would hide its maps from the check.
        crashed = page.locator('[data-testid="stException"]').count()
        assert not crashed, (role, title, page.inner_text("body")[-1500:])
        assert not dialogs, (role, title, dialogs)
        assert _flags(page) == 0, (role, title)
    assert exercised > 100, "aucune entité de carte n'a été survolée ni cliquée"
    assert not [e for e in errors if re.search(r"alert|__xss", e)], errors
    page.close()
