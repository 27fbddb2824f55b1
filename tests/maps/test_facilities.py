"""Facilities: one icon per kind, escaped tooltips, confidential ones left out."""

from __future__ import annotations

import folium

from clspd_geo.maps import base
from clspd_geo.maps import facilities as facility_layers

XSS = '<img src=x onerror="alert(1)">`${alert(2)}`'


def test_text_is_escaped_in_tooltips(tiny):
    eq = tiny["equipements"].copy()
    eq.loc[0, "name"] = XSS
    m = base.base_map(tiny["territoire"])
    facility_layers.facilities_layer(eq, m=m)
    html = m.get_root().render()
    assert "<img src=x" not in html and "${alert" not in html
    # Escaped once by safe.text, then JSON-encoded by folium (& becomes \u0026).
    assert "\\u0026lt;img src=x" in html
    # The collège's name holds markup: it is shown as text.
    assert "\\u0026lt;b\\u0026gt;Jaur" in html


def test_confidential_facilities_can_be_left_out(tiny):
    eq = tiny["equipements"]
    fac = facility_layers.facilities_layer(eq[~eq["confidential"]])
    m = folium.Map()
    m.add_child(fac.group)
    assert "Refuge" not in m.get_root().render()
    assert {i.label for i in fac.items} == {"Hôtel de ville", "Collège"}


def test_filtered_frames_keep_their_geometries(tiny):
    # A frame filtered down to rows 1 and 2 (not starting at index 0) must still draw.
    eq = tiny["equipements"].iloc[[1, 2]]
    fac = facility_layers.facilities_layer(eq)
    n = sum(len(child.data["features"]) for child in fac.group._children.values())
    assert n == 2


def test_kinds_keep_only_those_kinds_and_the_legend_title(tiny):
    fac = facility_layers.facilities_layer(tiny["equipements"], kinds=["college"],
                                           legend_title="Ressources")
    assert fac.title == "Ressources"
    assert [i.label for i in fac.items] == ["Collège"]
    assert all(i.icon for i in fac.items)


def test_icons_are_clustered_at_low_zoom_with_the_local_plugin(tiny):
    m = base.base_map(tiny["territoire"])
    facility_layers.facilities_layer(tiny["equipements"], m=m)
    html = m.get_root().render()
    assert "L.markerClusterGroup({maxClusterRadius: 45" in html
    assert f"disableClusteringAtZoom: {facility_layers.UNCLUSTER_ZOOM}" in html
    # The plugin is one of the map's local scripts and styles (no CDN).
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in html
    assert "/app/static/vendor/markercluster/MarkerCluster.Default.css" in html
