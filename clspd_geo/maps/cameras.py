"""The camera layer: cameras as points with their view cones, coloured by status.

Returns a :class:`clspd_geo.maps.base.MapLayer` (added to ``m`` when given); data may come
in any CRS, every text goes through :func:`clspd_geo.safe.text`.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from clspd_geo import vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer

CAMERA_STATUS_COLORS = {"en_service": "#1565c0", "en_panne": "#9e9e9e", "projet": "#ff8f00"}
CONE_FILL_OPACITY = 0.45
"""Fill opacity of the view cones: a 30 m cone stays visible at the default zoom (13)."""


def camera_legend() -> list[legend.LegendItem]:
    """Return the legend lines of camera statuses."""
    return [legend.LegendItem(CAMERA_STATUS_COLORS[s], lbl)
            for s, lbl in vocab.CAMERA_STATUSES.items()]


def cameras_layer(cameras: gpd.GeoDataFrame, views: gpd.GeoDataFrame, *,
                  name: str = "Caméras et champs de vision",
                  legend_title: str | None = "Caméras",
                  m: folium.Map | None = None) -> MapLayer:
    """Return cameras as points with their view cones, coloured by status.

    Parameters
    ----------
    cameras
        The cameras layer (``camera_id``, ``name``, ``kind``, ``status``, ``operator``).
    views
        Their view polygons (e.g. :func:`clspd_geo.video.cameras.view_polygons`), ``status``.
    legend_title
        The title of the legend of statuses; ``None`` gives the layer no legend section
        (a second camera layer on the same map).
    """
    fg = folium.FeatureGroup(name=name, show=True)
    cams = cameras.assign(
        kind_label=cameras["kind"].map(vocab.CAMERA_KINDS),
        status_label=cameras["status"].map(vocab.CAMERA_STATUSES),
        operator_label=cameras["operator"].map(vocab.CAMERA_OPERATORS))
    v = _geojson.geojson_ready(views.assign(status=views["status"]), ["status"])
    folium.GeoJson(
        v.__geo_interface__,
        style_function=lambda f: {
            "color": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0"),
            "weight": 1.2, "opacity": 0.9, "fillOpacity": CONE_FILL_OPACITY},
    ).add_to(fg)
    pts = _geojson.geojson_ready(cams, ["camera_id", "name", "kind_label", "status_label",
                                        "operator_label", "status"])
    folium.GeoJson(
        pts.__geo_interface__,
        marker=folium.CircleMarker(radius=4, fill=True, fill_opacity=1.0),
        style_function=lambda f: {
            "color": "#ffffff", "weight": 1,
            "fillColor": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0")},
        tooltip=_geojson.tooltip(
            ["camera_id", "name", "kind_label", "status_label", "operator_label"],
            ["Caméra", "Lieu", "Type", "État", "Exploitant"]),
    ).add_to(fg)
    items = tuple(camera_legend()) if legend_title is not None else ()
    return MapLayer(fg, legend_title, items).add_to(m)
