"""Roads: main roads grey and thick, railways dashed black, no legend section."""

from __future__ import annotations

import folium
import geopandas as gpd
from shapely.geometry import LineString

from clspd_geo.maps import base
from clspd_geo.maps import roads as road_layers


def test_roads_layer_styles_roads_and_railways():
    voies = gpd.GeoDataFrame(
        {"name": ["Avenue A", "Ligne B"], "kind": ["principale", "voie_ferree"]},
        geometry=[LineString([(2.30, 48.85), (2.31, 48.85)]),
                  LineString([(2.30, 48.86), (2.31, 48.86)])], crs=4326)
    m = folium.Map(tiles=None)
    layer = road_layers.roads_layer(voies, m=m)
    assert layer.title is None
    assert base.layer_names(m) == ["Voies principales"]
    html = m.get_root().render()
    assert '"color": "#78909c"' in html and '"weight": 4' in html
    assert '"dashArray": "6 4"' in html and '"color": "#212121"' in html
