"""Warm-up of a new store version (ui.warm): in the background, per role, never across roles."""

from __future__ import annotations

import datetime as dt
import shutil
import threading

import pytest

from app_sections import open_page
from clspd_geo import config
from clspd_geo.store import GeoPackageStore
from ui import map_cache, warm, widgets

OVERVIEW = "pages/overview.py"
ROLES = ["public", "partenaire", "elu", "groupe_travail", "police", "videoprotection"]


@pytest.mark.parametrize("role", ["police", "elu", "public"])
def test_the_warm_up_uses_the_sidebar_default_filters(monkeypatch, demo_store, role):
    from ui import data

    at = open_page(role, OVERVIEW, demo_store, monkeypatch)
    view = data.cached_view(config.store_target(), GeoPackageStore(demo_store).version(),
                            role, dt.date.today())
    assert warm.default_filters(view) == at.session_state[widgets.FILTERS_KEY]


def _overview_maps(cache: map_cache.MapCache) -> dict[str, map_cache.RenderedMap]:
    return {k[1].split("|")[1]: r for k, r in cache._items.items() if k[3] == "overview.map"}


def _warm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == warm.THREAD_NAME]


def test_a_new_version_is_warmed_for_every_role_and_served_to_its_own_role_only(
        monkeypatch, demo_store, tmp_path, fresh_cache):
    from ui import panels

    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_store, store)
    open_page("police", OVERVIEW, store, monkeypatch)  # the version this process has seen
    assert not _warm_threads()
    fresh_cache.clear()
    s = GeoPackageStore(store)
    s.write("equipements", s.read("equipements"), source="test : nouvelle version")
    monkeypatch.setenv("CLSPD_WARM", "1")
    importer = open_page("police", OVERVIEW, store, monkeypatch)  # sees the new version
    for thread in _warm_threads():
        thread.join(timeout=120)
    assert not importer.exception
    maps = _overview_maps(fresh_cache)
    assert set(maps) == set(ROLES)  # the administrator opens no overview
    fine = f"cellules de {config.HOTSPOT_CELL_M:.0f} m)"
    assert fine in maps["police"].script
    assert fine not in maps["elu"].script and "par quartier" in maps["elu"].script
    # A session of a warmed role lands on its own warmed map: nothing is built.
    builds = []
    real = panels.overview_map
    monkeypatch.setattr(panels, "overview_map", lambda *a, **kw: builds.append(1) or real(
        *a, **kw))
    for role in ("elu", "groupe_travail"):
        at = open_page(role, OVERVIEW, store, monkeypatch)
        assert not at.exception
    assert builds == []
    assert len(_overview_maps(fresh_cache)) == len(ROLES)


def test_no_warm_up_for_the_first_version_seen_nor_when_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("CLSPD_STORE", str(tmp_path / "absent.gpkg"))
    monkeypatch.setenv("CLSPD_WARM", "1")
    assert warm.notice("v1") is None  # the server starting: its first session does it
    assert warm.notice("v1") is None
    monkeypatch.setenv("CLSPD_WARM", "0")
    assert warm.notice("v2") is None
