"""The camera layer: cameras as points with their view cones, coloured by status.

Returns a :class:`clspd_geo.maps.base.MapLayer` (added to ``m`` when given); data may come
in any CRS, every text goes through :func:`clspd_geo.safe.text`.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from shapely import affinity

from clspd_geo import crs, vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer

CAMERA_STATUS_COLORS = {"en_service": "#1565c0", "en_panne": "#9e9e9e", "projet": "#ff8f00"}
CONE_FILL_OPACITY = 0.55
"""Fill opacity of the view cones."""
MIN_DRAWN_RANGE_M = 70.0
"""Shortest cone drawn, metres: at the default zoom (13, about 15 m a pixel) a 30 m cone
is two pixels long and hides under its camera's dot, so shorter cones are drawn stretched
to this length from their camera (same bearing and angle; the tooltip and every
computation keep the real range)."""


def drawn_views(cameras: gpd.GeoDataFrame, views: gpd.GeoDataFrame, *,
                min_range_m: float = MIN_DRAWN_RANGE_M) -> gpd.GeoDataFrame:
    """Return the view polygons as drawn: cones shorter than ``min_range_m`` stretched.

    Each view shorter than ``min_range_m`` (its ``range_m``) is scaled about its camera
    (matched by ``camera_id``) so that it reaches ``min_range_m``; the others are unchanged.
    Returned in EPSG:4326.
    """
    if views.empty or "range_m" not in views.columns or "camera_id" not in views.columns:
        return views.to_crs(4326)
    work = crs.to_compute(views)
    where = crs.to_compute(cameras).to_crs(work.crs).set_index(
        cameras["camera_id"].astype(str).to_numpy()).geometry
    geoms = []
    for cid, rng, geom in zip(work["camera_id"].astype(str), work["range_m"], work.geometry,
                              strict=True):
        r = float(rng) if rng is not None and rng == rng else 0.0
        if 0 < r < min_range_m and cid in where.index and geom is not None:
            f = min_range_m / r
            geom = affinity.scale(geom, xfact=f, yfact=f, origin=where.loc[cid])
        geoms.append(geom)
    return work.set_geometry(geoms).to_crs(4326)


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
    shown = drawn_views(cameras, views)
    v = _geojson.geojson_ready(shown.assign(status=shown["status"]), ["status"])
    folium.GeoJson(
        v.__geo_interface__,
        style_function=lambda f: {
            "color": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0"),
            "weight": 2, "opacity": 1.0, "fillOpacity": CONE_FILL_OPACITY},
    ).add_to(fg)
    pts = _geojson.geojson_ready(cams, ["camera_id", "name", "kind_label", "status_label",
                                        "operator_label", "status"])
    folium.GeoJson(
        pts.__geo_interface__,
        marker=folium.CircleMarker(radius=3, fill=True, fill_opacity=1.0),
        style_function=lambda f: {
            "color": "#ffffff", "weight": 1,
            "fillColor": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0")},
        tooltip=_geojson.tooltip(
            ["camera_id", "name", "kind_label", "status_label", "operator_label"],
            ["Caméra", "Lieu", "Type", "État", "Exploitant"]),
    ).add_to(fg)
    items = tuple(camera_legend()) if legend_title is not None else ()
    short = pd.to_numeric(views.get("range_m", pd.Series(dtype=float)), errors="coerce")
    if items and bool(((short > 0) & (short < MIN_DRAWN_RANGE_M)).any()):
        items += (legend.LegendItem(
            "#90caf9", f"champ de vision de moins de {MIN_DRAWN_RANGE_M:.0f} m : dessiné à "
                       f"{MIN_DRAWN_RANGE_M:.0f} m pour rester visible"),)
    return MapLayer(fg, legend_title, items).add_to(m)
