"""Warm-up of a new store version (ui.warm): in the background, per role, never across roles."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import pytest

from app_sections import open_page
from clspd_geo import config
from clspd_geo.store import GeoPackageStore
from ui import map_cache, warm, widgets

ROOT = Path(__file__).resolve().parents[2]
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


def test_each_version_is_warmed_once_the_first_too_and_never_when_turned_off(
        monkeypatch, tmp_path):
    monkeypatch.setenv("CLSPD_STORE", str(tmp_path / "absent.gpkg"))
    monkeypatch.setenv("CLSPD_WARM", "0")
    assert warm.notice("v0") is None
    monkeypatch.setenv("CLSPD_STORE", str(tmp_path / "other.gpkg"))
    monkeypatch.setattr(warm, "_warm", lambda *a: None)  # the thread, not its work
    monkeypatch.setenv("CLSPD_WARM", "1")
    first = warm.notice("v1")  # the server starting: warmed while the first user logs in
    assert first is not None
    first.join()
    assert warm.notice("v1") is None  # seen: not again
    assert warm.notice("v2") is not None


def test_the_login_page_warms_the_store_before_anyone_logs_in(monkeypatch, demo_store,
                                                              tmp_path, fresh_cache):
    from streamlit.testing.v1 import AppTest

    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_store, store)
    monkeypatch.setenv("CLSPD_STORE", str(store))
    monkeypatch.setenv("CLSPD_USERS", str(tmp_path / "comptes.sqlite"))
    monkeypatch.setenv("CLSPD_WARM", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert at.get("text_input") and not at.exception  # the login form, nobody logged in
    for thread in _warm_threads():
        thread.join(timeout=120)
    assert set(_overview_maps(fresh_cache)) == set(ROLES)


def test_a_role_that_logs_in_is_warmed_next(monkeypatch):
    from clspd_geo.access.view import RoleView

    monkeypatch.setattr(warm, "_preferred", [])
    pending = list(RoleView.roles())
    last = pending[-1]
    warm.prefer(last)
    warm.prefer("elu")
    assert warm._next_role(pending) == "elu"  # the newest login first
    assert warm._next_role(pending) == last
    assert "elu" not in pending and last not in pending
    rest = [r for r in RoleView.roles() if r not in ("elu", last)]
    assert [warm._next_role(pending) for _ in rest] == rest  # then the usual order


def test_the_warm_up_waits_while_a_session_runs(monkeypatch):
    monkeypatch.setattr(warm, "IDLE_POLL_S", 0.005)
    started = time.monotonic()
    gave_way = []
    with warm.session_run():
        waiter = threading.Thread(target=lambda: gave_way.append(warm._give_way(started)))
        waiter.start()
        time.sleep(0.2)
        assert waiter.is_alive() and not gave_way  # a run is going on: the warm-up waits
    waiter.join(timeout=5)
    assert gave_way == [True]  # the run is over: it goes on
    assert warm._give_way(time.monotonic() - warm.MAX_SECONDS - 1) is False  # time is up


def test_the_police_page_finds_its_first_analysis_warmed(monkeypatch, demo_store, tmp_path,
                                                          fresh_cache):
    from clspd_geo.police import patrols
    from ui import data

    store = tmp_path / "demo.gpkg"
    shutil.copy(demo_store, store)
    monkeypatch.setenv("CLSPD_STORE", str(store))
    target = config.store_target()
    view = data.cached_view(target, GeoPackageStore(store).version(), "police",
                            dt.date.today())
    calls = []
    real = patrols.workload
    monkeypatch.setattr(patrols, "workload",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    warm.warm_role(view, target=target)
    assert calls == [1]  # warmed: the workload of the default shifts and weights
    at = open_page("police", "pages/police.py", store, monkeypatch)
    assert not at.exception
    assert any("Charge par secteur" in m.value for m in at.markdown)  # the page shows it…
    assert calls == [1]  # …from the warm-up, not computed again
