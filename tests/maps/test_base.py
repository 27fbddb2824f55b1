"""The base map, MapLayer and finish: layer families composed on one map, local assets."""

from __future__ import annotations

import datetime as dt

import folium
import pytest

from clspd_geo import vocab
from clspd_geo.analysis import cells, indicators
from clspd_geo.maps import areas, base, legend
from clspd_geo.maps import cameras as camera_layers
from clspd_geo.maps import cells as cell_layers
from clspd_geo.maps import facilities as facility_layers
from clspd_geo.video import cameras


@pytest.fixture
def overview(tiny):
    df = indicators.prepare_incidents(tiny["incidents"], epsg=2154)
    sel = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1),
                               tuple(vocab.category_codes()))
    grid = cells.grid_for(tiny["territoire"], cell_size_m=200)
    m = base.base_map(tiny["territoire"])
    areas.quartiers_layer(tiny["quartiers"], m=m)
    faits = cell_layers.cells_layer(indicators.incident_cells(df, sel, grid), value_col="faits",
                                    name="Faits", unit="faits", m=m)
    secteurs = areas.sectors_layer(tiny["secteurs"], legend_title="Secteurs", m=m)
    camera_layers.cameras_layer(tiny["cameras"], cameras.view_polygons(tiny["cameras"]), m=m)
    fac = facility_layers.facilities_layer(tiny["equipements"], m=m)
    base.finish(m, [faits, fac, secteurs])
    return m


def test_four_layer_families_in_layer_control(overview):
    names = base.layer_names(overview)
    assert "Faits" in names
    assert "Secteurs de patrouille" in names
    assert "Caméras et champs de vision" in names
    assert "Équipements partenaires" in names
    html = overview.get_root().render()
    assert "L.control.layers" in html
    assert "clspd-legend" in html and "Police nationale" in html


def test_map_uses_only_local_assets(overview):
    for _, url in list(overview.default_js) + list(overview.default_css):
        assert url.startswith("/app/static/vendor/"), url
    html = overview.get_root().render()
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html


def test_no_tiles_by_default_and_tiles_on_request(tiny):
    assert "tile.openstreetmap" not in base.base_map(tiny["territoire"]).get_root().render()
    html = base.base_map(tiny["territoire"], basemap="plan_ign").get_root().render()
    assert "PLANIGNV2" in html


def test_add_tiles_adds_nothing_for_no_basemap():
    m = base.add_tiles(folium.Map(tiles=None), basemap="aucun")
    assert not [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    m = base.add_tiles(folium.Map(tiles=None), basemap="plan_ign")
    (tiles,) = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert not tiles.control and not tiles.overlay


def test_map_layer_is_added_only_when_a_map_is_given():
    group = folium.FeatureGroup(name="G")
    layer = base.MapLayer(group, "Titre", (legend.LegendItem("#000000", "a"),))
    assert layer.add_to(None) is layer
    m = folium.Map(tiles=None)
    layer.add_to(m)
    assert base.layer_names(m) == ["G"]
    with pytest.raises(AttributeError):
        layer.title = "autre"  # frozen


def test_finish_draws_one_section_per_titled_layer_in_order():
    m = folium.Map(tiles=None)
    layers = [base.MapLayer(folium.FeatureGroup(name="a"), "Premier",
                            (legend.LegendItem("#111111", "un"),)),
              base.MapLayer(folium.FeatureGroup(name="b")),  # no legend: not a section
              base.MapLayer(folium.FeatureGroup(name="c"), "Second",
                            (legend.LegendItem("#222222", "deux"),))]
    html = base.finish(m, layers).get_root().render()
    assert html.index("Premier") < html.index("Second")
    assert html.count('<details open data-layer-index="') == 2
    assert "L.control.layers" in html


def test_html_size_counts_bytes(tiny):
    # Rendering twice adds elements: compare two maps built alike (ids have a fixed length).
    expected = len(base.base_map(tiny["territoire"]).get_root().render().encode("utf-8"))
    assert base.html_size(base.base_map(tiny["territoire"])) == expected


def test_finish_ties_each_section_to_its_layer_hidden_when_off():
    m = folium.Map(tiles=None)
    on = folium.FeatureGroup(name="on").add_to(m)
    off = folium.FeatureGroup(name="off", show=False).add_to(m)
    layers = [base.MapLayer(on, "Allumée", (legend.LegendItem("#111111", "un"),)),
              base.MapLayer(off, "Éteinte", (legend.LegendItem("#222222", "deux"),))]
    html = base.finish(m, layers).get_root().render()
    assert legend.visible_titles(html) == ["Allumée"]
    assert '<details data-layer-index="1" hidden>' in html


def test_map_has_a_max_zoom_for_the_cluster_plugin(tiny):
    html = base.base_map(tiny["territoire"]).get_root().render()
    assert f'"maxZoom": {base.MAX_ZOOM}' in html
