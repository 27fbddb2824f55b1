"""The roads layer: main roads in grey, railway lines in black dashes."""

from __future__ import annotations

import folium
import geopandas as gpd

from clspd_geo.maps import _geojson
from clspd_geo.maps.base import MapLayer


def roads_layer(voies: gpd.GeoDataFrame, *, name: str = "Voies principales", show: bool = True,
                m: folium.Map | None = None) -> MapLayer:
    """Return main roads (grey) and railway lines (black dashes), without a legend section.

    ``voies`` has ``name`` and ``kind`` (``principale``, ``voie_ferree``…), any CRS.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    data = _geojson.geojson_ready(voies, ["name", "kind"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": "#212121" if f["properties"]["kind"] == "voie_ferree" else "#78909c",
            "weight": 4 if f["properties"]["kind"] == "principale" else 2,
            "dashArray": "6 4" if f["properties"]["kind"] == "voie_ferree" else None},
        tooltip=_geojson.tooltip(["name"], ["Voie"]),
    ).add_to(fg)
    return MapLayer(fg).add_to(m)
