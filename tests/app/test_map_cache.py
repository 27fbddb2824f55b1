"""The shared cache of rendered maps (ui.map_cache): one render per key, never across roles."""

from __future__ import annotations

import re

import folium
import pytest
from streamlit.testing.v1 import AppTest

from clspd_geo import config
from app_sections import open_page
from ui import map_cache

OVERVIEW = "pages/overview.py"


def _sample_map() -> folium.Map:
    """A map with what pages use: GeoJSON with tooltip, a colormap legend, a layer control."""
    import branca

    m = folium.Map(location=[48.85, 2.35], zoom_start=13, tiles=None)
    gj = folium.GeoJson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"n": 3},
        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}]}, name="Faits",
        tooltip=folium.GeoJsonTooltip(["n"]))
    gj.add_to(m)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=3).add_to(m)
    folium.LayerControl().add_to(m)
    m.fit_bounds([[48.84, 2.34], [48.86, 2.36]])
    return m


_ID = re.compile(r"[0-9a-f]{32}")


def _normalised(call: dict) -> dict:
    out = {}
    for k, v in call.items():
        if k in ("on_change", "key"):
            continue
        out[k] = _ID.sub("ID", v) if isinstance(v, str) else v
    return out


def test_draw_sends_the_component_what_st_folium_sends(monkeypatch):
    """Fails if streamlit_folium changes how st_folium renders a map or calls its component."""
    import streamlit_folium

    calls: list[dict] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))
    streamlit_folium.st_folium(_sample_map(), key="k", height=300, use_container_width=True,
                               returned_objects=[])
    map_cache.draw(map_cache.render(_sample_map()), key="k", height=300)
    theirs, ours = calls
    assert set(theirs) == set(ours)
    assert _normalised(theirs) == _normalised(ours)
    assert ours["key"] == streamlit_folium.generate_js_hash(ours["script"], "k", False)
    assert "Faits" in ours["script"] and ours["css_links"] and ours["js_links"]


def test_same_key_builds_once_other_key_builds_again():
    cache = map_cache.MapCache()
    builds = []

    def build():
        builds.append(1)
        return _sample_map()

    a = cache.get_or_render(("v", "police", "a"), build)
    assert cache.get_or_render(("v", "police", "a"), build) is a
    assert len(builds) == 1
    b = cache.get_or_render(("v", "elu", "a"), build)
    assert len(builds) == 2 and b is not a and len(cache) == 2


def test_size_bound_is_respected():
    cache = map_cache.MapCache(max_entries=2)
    for k in "abc":
        cache.get_or_render(k, _sample_map)
    assert len(cache) == 2 and "a" not in cache and "c" in cache
    cache.get_or_render("b", _sample_map)  # b is now the most recent
    cache.get_or_render("d", _sample_map)
    assert "c" not in cache and "b" in cache and "d" in cache
    one = map_cache.render(_sample_map()).size
    small = map_cache.MapCache(max_chars=int(one * 1.5))
    small.get_or_render("x", _sample_map)
    small.get_or_render("y", _sample_map)
    assert len(small) == 1 and "y" in small
    tiny = map_cache.MapCache(max_chars=one // 2)
    assert tiny.get_or_render("z", _sample_map).size == one and len(tiny) == 0


def test_notes_said_while_building_are_said_again_on_a_hit(monkeypatch):
    said = []
    monkeypatch.setattr(map_cache, "_say", lambda kind, text: said.append((kind, text)))
    cache = map_cache.MapCache()

    def build():
        map_cache.note("caption", "Agrégats par quartier.")
        return _sample_map()

    for _ in range(2):
        map_cache.say_notes(cache.get_or_render("k", build))
    assert said == [("caption", "Agrégats par quartier.")] * 2


def _overview(monkeypatch, demo_store, role: str) -> AppTest:
    return open_page(role, OVERVIEW, demo_store, monkeypatch)


def _overview_entries(cache: map_cache.MapCache) -> dict:
    return {k: r for k, r in cache._items.items() if "overview.map" in k}


def test_a_warm_rerun_of_the_overview_does_not_rebuild_its_map(monkeypatch, demo_store,
                                                              fresh_cache):
    renders = []
    real = map_cache.render
    monkeypatch.setattr(map_cache, "render", lambda m: renders.append(1) or real(m))
    at = _overview(monkeypatch, demo_store, "police")
    n = len(renders)
    assert n >= 1 and len(_overview_entries(fresh_cache)) == 1
    captions = [c.value for c in at.caption]
    at.run()
    assert not at.exception, at.exception
    assert len(renders) == n  # neither layers nor render ran again
    assert [c.value for c in at.caption] == captions
    # Another session of the same role is served the same rendered map.
    _overview(monkeypatch, demo_store, "police")
    assert len(renders) == n


def test_roles_never_share_a_map(monkeypatch, demo_store, fresh_cache):
    _overview(monkeypatch, demo_store, "police")
    _overview(monkeypatch, demo_store, "elu")
    entries = _overview_entries(fresh_cache)
    assert len(entries) == 2
    by_role = {k[1].split("|")[1]: r for k, r in entries.items()}
    assert set(by_role) == {"police", "elu"}
    fine = f"cellules de {config.HOTSPOT_CELL_M:.0f} m)"
    assert fine in by_role["police"].script
    assert fine not in by_role["elu"].script  # élu: aggregates only, no incident points
    assert "par quartier" in by_role["elu"].script


@pytest.mark.parametrize(("page", "map_key"), [("pages/videoprotection.py", "video.map"),
                                                ("pages/police.py", "police.map")])
def test_a_warm_rerun_of_a_field_page_neither_builds_nor_renders_its_map(
        monkeypatch, demo_store, fresh_cache, page, map_key):
    from ui import panels

    builds = []
    real = panels.field_map
    monkeypatch.setattr(panels, "field_map", lambda *a: builds.append(1) or real(*a))
    at = _overview(monkeypatch, demo_store, "police")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    n = len(builds)
    assert n == 1 and any(map_key in k for k in fresh_cache._items)
    at.run()
    assert not at.exception, at.exception
    assert len(builds) == n


def _shown(at: AppTest) -> list:
    """What a page says: its figures, sentences, captions and notes."""
    return ([(m.label, m.value) for m in at.metric] + [e.value for e in at.markdown]
            + [e.value for e in at.caption] + [e.value for e in at.info])


def _count_calls(monkeypatch, module: str, name: str) -> list:
    """Replace ``module.name`` by a spy; return the list its calls are appended to."""
    import importlib

    lib = importlib.import_module(module)
    real, calls = getattr(lib, name), []
    monkeypatch.setattr(lib, name, lambda *a, **kw: calls.append(1) or real(*a, **kw))
    return calls


def _in_script(layer_name: str, r: map_cache.RenderedMap) -> bool:
    """Tell whether a layer of this name is in a rendered map (JSON-escaped in the script)."""
    import json

    return json.dumps(layer_name)[1:-1].replace("'", "\\u0027") in r.script


def _warm_rerun_builds_nothing(at: AppTest, cache: map_cache.MapCache, map_key: str,
                               spies: list[list], layer_name: str | None = None) -> None:
    """Check that ``at`` built the map ``map_key`` (with that layer), and that a rerun and
    another session of the same role build no layer and show the same figures."""
    assert not at.exception, at.exception
    assert all(spies), "the layer builders were not called on a miss"
    (entry,) = [r for k, r in cache._items.items() if k[3] == map_key]
    assert layer_name is None or _in_script(layer_name, entry)
    shown = _shown(at)
    for calls in spies:
        calls.clear()
    at.run()  # a warm rerun: the map is in the cache
    assert not at.exception, at.exception
    assert not any(spies)
    assert _shown(at) == shown


# Per page: a library layer function only its map calls, and that layer's name in the map.
FIELD_MAPS = {
    "pages/addictions.py": ("clspd_geo.maps.field_layers", "ranked_layer",
                            "Points chauds des stupéfiants"),
    "pages/jeunesse.py": ("clspd_geo.maps.areas", "zones_layer", "Abords des écoles"),
    "pages/insertion.py": ("clspd_geo.maps.areas", "zones_layer", "À 15 min à pied"),
    "pages/victimes.py": ("clspd_geo.maps.areas", "values_by_quartier_layer",
                          "Distance des habitants à l'aide la plus proche"),
    "pages/routier.py": ("clspd_geo.maps.field_layers", "ranked_layer",
                         "Points noirs (les plus graves)"),
    "pages/radicalisation.py": ("clspd_geo.maps.areas", "values_by_quartier_layer",
                                "Ressources et actions par quartier"),
}


@pytest.mark.parametrize("page", list(FIELD_MAPS))
def test_a_map_cache_hit_builds_no_layer_and_shows_the_same_figures(
        monkeypatch, demo_store, fresh_cache, page):
    module, name, layer_name = FIELD_MAPS[page]
    at = _overview(monkeypatch, demo_store, "police")
    spies = [_count_calls(monkeypatch, module, name),
             _count_calls(monkeypatch, "clspd_geo.maps.base", "finish")]
    at.switch_page(page).run()
    assert len(spies[1]) == 1  # one map built: the page's (its sections are folded)
    map_key = page.removeprefix("pages/").removesuffix(".py") + ".map"
    _warm_rerun_builds_nothing(at, fresh_cache, map_key, spies, layer_name)
    # Another session of the same role: served the same map, same figures, no layer built.
    shown = _shown(at)
    other = _overview(monkeypatch, demo_store, "police")
    other.switch_page(page).run()
    assert not any(spies) and _shown(other) == shown


# Maps in folded sections: (page, how to show the map, map key, layer builder it calls).
SECTION_MAPS = {
    "hotspots": ("pages/overview.py", {"overview.open.hotspots": True},
                 "overview.hotspot_map", ("clspd_geo.maps.areas", "zones_layer")),
    "load": ("pages/police.py", {}, "police.load_map",
             ("clspd_geo.maps.patrol_layers", "load_layer")),
    "coordination": ("pages/police.py", {"police.section": "coordination"},
                     "police.coord_map", ("clspd_geo.maps.patrol_layers", "coordination_layer")),
    "proposal": ("pages/police.py", {"police.section": "redecoupage", "police.propose": True},
                 "police.proposal_map", ("clspd_geo.maps.patrol_layers", "proposal_layer")),
    "siting": ("pages/videoprotection.py", {"video.open.siting": True}, "video.site_map",
               ("clspd_geo.maps.cameras", "cameras_layer")),
}


@pytest.mark.parametrize("case", list(SECTION_MAPS))
def test_a_map_in_a_section_is_shared_too(monkeypatch, demo_store, fresh_cache, case):
    page, state, map_key, (module, name) = SECTION_MAPS[case]
    at = _overview(monkeypatch, demo_store, "police")
    at.switch_page(page).run()
    spies = [_count_calls(monkeypatch, module, name)]
    for key, value in state.items():
        at.session_state[key] = value
    if not state:  # the section shown first: clear its map to see it built
        fresh_cache.clear()
    at.run()
    _warm_rerun_builds_nothing(at, fresh_cache, map_key, spies)
