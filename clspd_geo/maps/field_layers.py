"""Layers of the action-field analyses: ranked places (hotspots, black spots) and the plan.

Same rules as every builder of :mod:`clspd_geo.maps`: each returns a
:class:`clspd_geo.maps.base.MapLayer` (added to ``m`` when given), receives any CRS (drawn
in EPSG:4326), and every text goes through :func:`clspd_geo.safe.text`. Nothing here draws
an incident: only aggregated places (cells, road sections) and the actions of the plan.
The zones around facilities are :func:`clspd_geo.maps.areas.zones_layer`.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from clspd_geo import vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer
from clspd_geo.plan import actions as actions_mod

RANK_COLORS = ("#7f0000", "#b71c1c", "#e53935", "#ef9a9a")
STATUS_COLORS = {"prevue": "#ff8f00", "en_cours": "#1565c0", "realisee": "#2e7d32",
                 "suspendue": "#757575"}
_RANK_LABELS = {0: "rangs 1 à 3", 1: "rangs 4 à 6", 2: "rangs 7 à 9", 3: "rangs 10 et plus"}


def ranked_layer(places: gpd.GeoDataFrame, *, name: str, unit: str,
                 legend_title: str | None = None, show: bool = True,
                 m: folium.Map | None = None) -> MapLayer:
    """Return ranked places (``rang``, ``label``; lines or polygons), darker for the first.

    Ranks 1–3, 4–6, 7–9 and the rest get one colour each; lines are drawn thick.
    ``legend_title`` defaults to ``name``; an empty frame gives an empty layer.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    title = name if legend_title is None else legend_title
    if places.empty:
        return MapLayer(fg, title).add_to(m)
    cls = np.minimum((places["rang"].to_numpy() - 1) // 3, len(RANK_COLORS) - 1)
    fill = [RANK_COLORS[c] for c in cls]
    text = [f"n° {r} : {lbl} ({unit})" for r, lbl in zip(places["rang"], places["label"],
                                                          strict=True)]
    data = _geojson.geojson_ready(places.assign(fill=fill, text=text), ["fill", "text"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"color": f["properties"]["fill"],
                                  "fillColor": f["properties"]["fill"], "weight": 6,
                                  "opacity": 0.9, "fillOpacity": 0.45},
        tooltip=_geojson.tooltip(["text"], [name]),
    ).add_to(fg)
    items = tuple(legend.LegendItem(RANK_COLORS[c], _RANK_LABELS[c], shape="line")
                  for c in sorted(set(cls)))
    return MapLayer(fg, title, items).add_to(m)


def actions_layer(plan: gpd.GeoDataFrame, *, name: str = "Actions du plan",
                  legend_title: str = "Actions du plan, par statut", show: bool = True,
                  m: folium.Map | None = None) -> MapLayer:
    """Return the placed actions of the plan as circles coloured by status.

    Actions without a point are not drawn (the page lists them in its table). When none is
    placed, the layer has no legend line and is not added to ``m``.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    placed = plan[~plan.geometry.isna() & ~plan.geometry.is_empty] if len(plan) else plan
    if placed.empty:
        return MapLayer(fg, legend_title)
    text = [f"{t} — {actions_mod.STATUSES.get(s, s)} (pilote : {vocab.partner(p).label})"
            for t, s, p in zip(placed["title"], placed["status"], placed["lead_partner"],
                               strict=True)]
    data = _geojson.geojson_ready(placed.assign(text=text, status=placed["status"]),
                                  ["text", "status"])
    folium.GeoJson(
        data.__geo_interface__,
        marker=folium.CircleMarker(radius=8, fill=True, fill_opacity=0.9),
        style_function=lambda f: {"color": "#ffffff", "weight": 2,
                                  "fillColor": STATUS_COLORS.get(f["properties"]["status"],
                                                                 "#455a64")},
        tooltip=_geojson.tooltip(["text"], ["Action"]),
    ).add_to(fg)
    present = [s for s in actions_mod.STATUSES if s in set(placed["status"])]
    items = tuple(legend.LegendItem(STATUS_COLORS[s], actions_mod.STATUSES[s], shape="circle")
                  for s in present)
    # A status outside the vocabulary has no legend line: such a layer is not drawn either.
    return MapLayer(fg, legend_title, items).add_to(m if items else None)
