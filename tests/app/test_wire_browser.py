"""What each role receives on the wire, in headless Chromium: nothing its matrix row forbids.

The app is started on a demo store (streamlit run, loopback). For the administrator, an
elected official, the public and the video-protection planners, a browser logs in through
the form and opens every page of its navigation. Everything the browser receives is
recorded: every websocket frame (the page's texts, tables as Arrow, metrics, downloads'
metadata) and the HTML of every map iframe. Then:

- no camera id (existing or planned) reaches a role that does not see cameras;
- no confidential facility (victims' shelter) reaches a role that does not see them;
- no exact incident coordinate is in any map of a role that sees incidents aggregated;
- the administrator's « Données » page says the incidents are not visible to its role and
  carries neither their count nor their dates.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pandas as pd
import pytest

from clspd_geo.access import policy
from clspd_geo.store import GeoPackageStore
from conftest import ensure_test_account, log_in, serve_app, wait_idle

pytestmark = pytest.mark.browser
ROLES = ("admin", "elu", "public", "videoprotection")
_NUMBER = re.compile(rb"-?\d+\.\d{5,}")


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    for role in ROLES:
        ensure_test_account(role, demo_store)
    yield from serve_app(demo_store, tmp_path_factory.mktemp("wire"))


@pytest.fixture(scope="module")
def truth(demo_store):
    s = GeoPackageStore(demo_store)
    inc = s.read("incidents")
    cams = s.read("cameras")
    eq = s.read("equipements")
    conf = eq[policy.confidential_mask(eq)]
    dates = pd.to_datetime(inc["occurred_at"])
    return {
        "coords": {repr(float(v)).encode() for v in inc.geometry.x}
        | {repr(float(v)).encode() for v in inc.geometry.y},
        "cameras": {str(c).encode() for c in cams["camera_id"]},
        "confidential": {str(n).encode() for n in conf["name"]},
        "n_incidents": len(inc),
        "first_day": dates.min().strftime("%Y-%m-%d").encode(),
    }


def _received(browser, url: str, role: str, shots: Path) -> tuple[list[bytes], dict[str, bytes]]:
    """Log in as ``role``, open every page; return the websocket frames and map HTML."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    frames: list[bytes] = []

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    page.on("websocket", on_ws)
    page.goto(url, wait_until="domcontentloaded")
    log_in(page, f"test-{role}")
    page.wait_for_selector("text=Connecté", timeout=120_000)
    wait_idle(page)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    titles = [links.nth(i).inner_text() for i in range(links.count())]
    per_page: dict[str, bytes] = {}
    for i, title in enumerate(titles):
        start = len(frames)
        page.locator('[data-testid="stSidebarNavLink"]').nth(i).click()
        wait_idle(page)
        maps = b""
        for el in page.query_selector_all("iframe[title*='st_folium']"):
            frame = el.content_frame()
            if frame is not None:
                try:
                    maps += frame.content().encode()
                except Exception:  # a frame that navigated away meanwhile
                    continue
        assert page.locator('[data-testid="stException"]').count() == 0, (role, title)
        per_page[title] = b"".join(frames[start:]) + maps
        page.screenshot(path=str(shots / f"{role}-{i:02d}.png"), full_page=True)
    page.close()
    return frames, per_page


@pytest.mark.parametrize("role", ROLES)
def test_each_role_receives_nothing_its_row_forbids(server, browser, truth, role, tmp_path):
    frames, per_page = _received(browser, server, role, tmp_path)
    assert per_page, "aucune page ouverte"
    wire = b"".join(per_page.values()) + b"".join(frames)
    row = policy.MATRIX[role]
    if row["cameras"].access != "exact" and row["cameras_projet"].access != "exact":
        leaked = sorted(c.decode() for c in truth["cameras"] if b'"' + c + b'"' in wire
                        or c + b"\x12" in wire or c + b"\x1a" in wire)
        assert not leaked, (role, leaked[:5])
    if row["equipements_confidentiels"].access != "exact":
        leaked = sorted(n.decode() for n in truth["confidential"] if n in wire)
        assert not leaked, (role, leaked[:5])
    if row["points"].access != "exact":
        numbers = set(_NUMBER.findall(wire))
        assert not numbers & truth["coords"], (role, "coordonnées exactes de faits")


def test_administrator_data_page_shows_no_incident_count_or_date(server, browser, truth,
                                                                 tmp_path):
    _, per_page = _received(browser, server, "admin", tmp_path)
    data_page = next(v for k, v in per_page.items() if "Données et sources" in k)
    assert "non visible pour votre rôle".encode() in data_page
    n = truth["n_incidents"]
    # Neither as text nor as an Arrow integer (int64 or float64, little-endian).
    for token in (str(n).encode(), f"{n:,}".replace(",", "\u202f").encode(),
                  struct.pack("<q", n), struct.pack("<d", float(n))):
        assert token not in data_page, token
    assert truth["first_day"] not in data_page
