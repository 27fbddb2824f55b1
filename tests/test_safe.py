"""Text from data in a folium map: no markup, no JS template, no server-side Jinja."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
from shapely.geometry import box

from clspd_geo import safe
from clspd_geo.maps import areas, base


def _quartiers(name: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"quartier_id": ["q1"], "name": [name], "insee_code": ["75056"],
                             "qpv": [True], "population": [100]},
                            geometry=[box(2.30, 48.85, 2.31, 48.86)], crs=4326)


def test_raw_folium_evaluates_jinja_in_feature_properties():
    """The upstream behaviour the escaping guards against (folium 0.20 / branca 0.8):
    the rendered script of a GeoJson element is compiled as a Jinja template once more,
    so a property holding {{ … }} runs on the server."""
    m = folium.Map()
    folium.GeoJson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "AA{{ 6 * 7 }}BB"},
        "geometry": {"type": "Point", "coordinates": [2.0, 48.0]}}]}).add_to(m)
    assert re.findall(r"AA.{0,30}BB", m.get_root().render()) == ["AA42BB"]


def test_braces_in_our_layers_are_not_evaluated():
    m = base.base_map(_quartiers("x"))
    areas.quartiers_layer(_quartiers("AA{{ 6 * 7 }}BB{% if true %}CC{% endif %}DD"), m=m)
    found = re.findall(r"AA.{0,120}DD", m.get_root().render())
    assert found and all("42" not in f and "6 * 7" in f and "if true" in f for f in found)


def test_text_escapes_markup_templates_and_braces():
    out = safe.text("<img src=x onerror=alert(1)> ${x} `y` {{z}} {%w%} \\")
    for bad in ("<", ">", "${", "`", "{", "}", "\\"):
        assert bad not in out


def test_safe_text_neutralises_js_template_literals():
    out = safe.text("`${document.cookie}`")
    assert "`" not in out and "${" not in out
