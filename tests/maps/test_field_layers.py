"""Layers of the action fields: ranked places by rank class, plan actions by status."""

from __future__ import annotations

import folium
import geopandas as gpd
from shapely.geometry import LineString, Point

from clspd_geo.maps import base, field_layers


def _ranked(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"rang": range(1, n + 1), "label": [f"<i>Rue {i}</i>" for i in range(1, n + 1)]},
        geometry=[LineString([(2.30, 48.85 + i * 1e-3), (2.31, 48.85 + i * 1e-3)])
                  for i in range(n)], crs=4326)


def test_ranked_layer_colours_by_class_of_three_ranks():
    layer = field_layers.ranked_layer(_ranked(7), name="Points noirs", unit="tronçon",
                                      legend_title="Points noirs (tronçons)")
    assert layer.title == "Points noirs (tronçons)"
    assert [(i.color, i.label) for i in layer.items] == [
        ("#7f0000", "rangs 1 à 3"), ("#b71c1c", "rangs 4 à 6"), ("#e53935", "rangs 7 à 9")]
    m = folium.Map(tiles=None)
    layer.add_to(m)
    html = m.get_root().render()
    # Escaped by safe.text, then JSON-encoded by folium (non-ASCII as \u escapes).
    assert "n\\u00b0 1 : \\u0026lt;i\\u0026gt;Rue 1" in html
    assert "(tron\\u00e7on)" in html


def test_empty_ranked_layer_keeps_its_title_without_lines():
    layer = field_layers.ranked_layer(_ranked(0), name="Rien", unit="cellule")
    assert layer.title == "Rien" and layer.items == ()


def _plan(statuses: list[str], geoms: list) -> gpd.GeoDataFrame:
    n = len(statuses)
    return gpd.GeoDataFrame({"title": [f"Action {i}" for i in range(n)], "status": statuses,
                             "lead_partner": ["maire"] * n}, geometry=geoms, crs=4326)


def test_actions_layer_draws_placed_actions_by_status():
    m = folium.Map(tiles=None)
    layer = field_layers.actions_layer(
        _plan(["en_cours", "prevue", "realisee"], [Point(2.3, 48.85), Point(2.31, 48.85), None]),
        name="Actions du plan (CLSPD)", m=m)
    assert base.layer_names(m) == ["Actions du plan (CLSPD)"]
    assert layer.title == "Actions du plan, par statut"
    # Statuses in the plan's order of statuses; the unplaced action has no line.
    assert [i.label for i in layer.items] == ["Prévue", "En cours"]
    html = m.get_root().render()
    assert "Action 0 \\u2014 En cours (pilote : Maire et \\u00e9lus)" in html
    assert "Action 2" not in html


def test_a_plan_with_no_placed_action_is_not_added_to_the_map():
    m = folium.Map(tiles=None)
    layer = field_layers.actions_layer(_plan(["prevue"], [None]), m=m)
    assert layer.items == () and base.layer_names(m) == []
