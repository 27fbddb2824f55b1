"""Folium layers of the action-field analyses: zones, road sections, and the action plan.

Same rules as :mod:`clspd_geo.maps`: builders return a :class:`folium.FeatureGroup` and its
legend items, receive EPSG:4326 (they reproject if needed), and every text goes through
:func:`clspd_geo.safe.text`. Nothing here draws an incident: only zones around facilities,
aggregated places (cells, road sections) and the actions of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np

from clspd_geo.plan import actions as actions_mod
from clspd_geo import maps, vocab
from clspd_geo.maps import LegendItem

RING_COLORS = ("#e65100", "#ffb74d", "#ffe0b2")
RANK_COLORS = ("#7f0000", "#b71c1c", "#e53935", "#ef9a9a")
STATUS_COLORS = {"prevue": "#ff8f00", "en_cours": "#1565c0", "realisee": "#2e7d32",
                 "suspendue": "#757575"}


def zones_layer(zones: gpd.GeoDataFrame, *, label_col: str, colors: Sequence[str], name: str,
                show: bool = True, fill_opacity: float = 0.25
                ) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return polygons, one colour per row (in order), with ``label_col`` as tooltip/legend."""
    fg = folium.FeatureGroup(name=name, show=show)
    if zones.empty:
        return fg, []
    fill = [colors[i % len(colors)] for i in range(len(zones))]
    data = maps._geojson_ready(zones.assign(fill=fill, label=zones[label_col].astype(str)),
                               ["fill", "label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"],
                                  "color": f["properties"]["fill"], "weight": 1.2,
                                  "fillOpacity": fill_opacity},
        tooltip=maps._tooltip(["label"], [name]),
    ).add_to(fg)
    legend = [LegendItem(c, str(lbl)) for c, lbl in zip(fill, zones[label_col], strict=True)]
    return fg, legend


def ranked_layer(places: gpd.GeoDataFrame, *, name: str, unit: str,
                 show: bool = True) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return ranked places (``rang``, ``label``; lines or polygons), darker for the first.

    Ranks 1–3, 4–6, 7–9 and the rest get one colour each; lines are drawn thick.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    if places.empty:
        return fg, []
    cls = np.minimum((places["rang"].to_numpy() - 1) // 3, len(RANK_COLORS) - 1)
    fill = [RANK_COLORS[c] for c in cls]
    text = [f"n° {r} : {lbl} ({unit})" for r, lbl in zip(places["rang"], places["label"],
                                                          strict=True)]
    data = maps._geojson_ready(places.assign(fill=fill, text=text), ["fill", "text"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"color": f["properties"]["fill"],
                                  "fillColor": f["properties"]["fill"], "weight": 6,
                                  "opacity": 0.9, "fillOpacity": 0.45},
        tooltip=maps._tooltip(["text"], [name]),
    ).add_to(fg)
    shown = sorted(set(cls))
    labels = {0: "rangs 1 à 3", 1: "rangs 4 à 6", 2: "rangs 7 à 9", 3: "rangs 10 et plus"}
    return fg, [LegendItem(RANK_COLORS[c], labels[c], shape="line") for c in shown]


def actions_layer(plan: gpd.GeoDataFrame, *, name: str = "Actions du plan",
                  show: bool = True) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return the placed actions of the plan as circles coloured by status.

    Actions without a point are not drawn (the page lists them in its table).
    """
    fg = folium.FeatureGroup(name=name, show=show)
    placed = plan[~plan.geometry.isna() & ~plan.geometry.is_empty] if len(plan) else plan
    if placed.empty:
        return fg, []
    text = [f"{t} — {actions_mod.STATUSES.get(s, s)} (pilote : {vocab.partner(p).label})"
            for t, s, p in zip(placed["title"], placed["status"], placed["lead_partner"],
                               strict=True)]
    data = maps._geojson_ready(placed.assign(text=text, status=placed["status"]),
                               ["text", "status"])
    folium.GeoJson(
        data.__geo_interface__,
        marker=folium.CircleMarker(radius=8, fill=True, fill_opacity=0.9),
        style_function=lambda f: {"color": "#ffffff", "weight": 2,
                                  "fillColor": STATUS_COLORS.get(f["properties"]["status"],
                                                                 "#455a64")},
        tooltip=maps._tooltip(["text"], ["Action"]),
    ).add_to(fg)
    present = [s for s in actions_mod.STATUSES if s in set(placed["status"])]
    return fg, [LegendItem(STATUS_COLORS[s], actions_mod.STATUSES[s], shape="circle")
                for s in present]
