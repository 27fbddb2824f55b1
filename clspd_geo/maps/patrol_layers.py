"""Folium layers of the police coordination page: load per shift, PN/PM overlap, proposals.

Each builder returns a :class:`clspd_geo.maps.base.MapLayer` (added to ``m`` when given),
like every builder of :mod:`clspd_geo.maps`, so they compose on
:func:`clspd_geo.maps.base.base_map`. Every text goes through :func:`clspd_geo.safe.text`;
data are reprojected to EPSG:4326.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from clspd_geo import _format, vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer
from clspd_geo.police import patrols

PROPOSAL_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                   "#a6761d", "#666666")


def _geojson_dict(gdf: gpd.GeoDataFrame, keep: list[str]) -> dict:
    return _geojson.geojson_ready(gdf, keep).__geo_interface__


def load_layer(frame: gpd.GeoDataFrame, *, shift: patrols.Shift | None,
               name: str = "Charge par secteur",
               legend_title: str = "Charge (faits pondérés)",
               m: folium.Map | None = None) -> MapLayer:
    """Return sectors coloured by their load in one shift (all day when ``shift`` is None).

    ``frame`` comes from :func:`clspd_geo.police.patrols.load_map_frame`.
    """
    col = "load_total" if shift is None else f"load_{shift.code}"
    values = frame[col].to_numpy(dtype=float)
    breaks = legend.class_breaks(values)
    fill = [c if v > 0 else legend.EMPTY_COLOR
            for c, v in zip(legend.class_colors(values, breaks), values, strict=True)]
    label = [f"{v:.0f}" for v in values]
    where = "toute la journée" if shift is None else shift.label
    data = frame.assign(fill=fill, label=label, shift_label=where,
                        force_label=frame["force"].map(vocab.FORCES).fillna(frame["force"]))
    fg = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        _geojson_dict(data, ["name", "force_label", "shift_label", "label", "fill"]),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#263238",
                                  "weight": 1.5, "fillOpacity": 0.65},
        tooltip=_geojson.tooltip(["name", "force_label", "shift_label", "label"],
                                 ["Secteur", "Force", "Vacation", "Charge (faits pondérés)"]),
    ).add_to(fg)
    items = legend.class_legend(breaks, values[values > 0], unit="(charge)")
    return MapLayer(fg, legend_title, tuple(items)).add_to(m)


def coordination_layer(co: patrols.Coordination, *, legend_title: str = "Coordination",
                       m: folium.Map | None = None) -> MapLayer:
    """Return the PN/PM overlaps, the places no sector covers and each force's gaps."""
    fg = folium.FeatureGroup(name="Coordination PN / PM", show=True)
    items: list[legend.LegendItem] = []
    if len(co.gaps_by_force):
        gaps = co.gaps_by_force.assign(
            force_label=co.gaps_by_force["force"].map(vocab.FORCES),
            area=[f"{a / 1e4:.1f} ha" for a in co.gaps_by_force["area_m2"]],
            n=co.gaps_by_force["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson_dict(gaps, ["force_label", "area", "n"]),
            style_function=lambda _f: {"fillColor": "#ff9800", "color": "#e65100",
                                       "weight": 1, "fillOpacity": 0.35, "dashArray": "4 4"},
            tooltip=_geojson.tooltip(["force_label", "area", "n"],
                                     ["Non couvert par", "Surface", "Faits"]),
        ).add_to(fg)
        items.append(legend.LegendItem("#ff9800", "Zone non couverte par une force"))
    if len(co.overlap):
        ov = co.overlap.assign(
            pair=co.overlap["sector_pn"] + " / " + co.overlap["sector_pm"],
            area=[f"{a / 1e4:.1f} ha" for a in co.overlap["area_m2"]],
            n=co.overlap["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson_dict(ov, ["pair", "area", "n"]),
            style_function=lambda _f: {"fillColor": "#7b1fa2", "color": "#4a148c",
                                       "weight": 1, "fillOpacity": 0.3},
            tooltip=_geojson.tooltip(["pair", "area", "n"],
                                     ["Secteurs PN / PM", "Surface", "Faits"]),
        ).add_to(fg)
        items.append(legend.LegendItem("#7b1fa2", "Chevauchement PN / PM"))
    if len(co.uncovered):
        un = co.uncovered.assign(area=[f"{a / 1e4:.1f} ha" for a in co.uncovered["area_m2"]],
                                 n=co.uncovered["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson_dict(un, ["area", "n"]),
            style_function=lambda _f: {"fillColor": "#d32f2f", "color": "#b71c1c",
                                       "weight": 2, "fillOpacity": 0.5},
            tooltip=_geojson.tooltip(["area", "n"], ["Couvert par aucun secteur", "Faits"]),
        ).add_to(fg)
        items.append(legend.LegendItem("#d32f2f", "Couvert par aucun secteur"))
    return MapLayer(fg, legend_title, tuple(items)).add_to(m)


def proposal_layer(proposal: gpd.GeoDataFrame, *, name: str = "Secteurs proposés",
                   legend_title: str | None = None, m: folium.Map | None = None) -> MapLayer:
    """Return proposed sectors, one colour each, with their load and compactness.

    ``legend_title`` defaults to ``name``; the legend has one line per proposed sector.
    """
    colors = [PROPOSAL_COLORS[i % len(PROPOSAL_COLORS)] for i in range(len(proposal))]
    data = proposal.assign(
        fill=colors, load=[_format.number(v) for v in proposal["workload"]],
        pp=[_format.number(v, decimals=2) for v in proposal["polsby_popper"]],
        dist=[_format.number(v / 1000, decimals=1) + " km" for v in proposal["max_distance_m"]])
    fg = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        _geojson_dict(data, ["name", "load", "pp", "dist", "fill"]),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#212121",
                                  "weight": 2, "fillOpacity": 0.45},
        tooltip=_geojson.tooltip(["name", "load", "pp", "dist"],
                                 ["Secteur", "Charge", "Compacité (Polsby-Popper)",
                                  "Plus grande traversée"]),
    ).add_to(fg)
    items = tuple(legend.LegendItem(c, str(n))
                  for c, n in zip(colors, proposal["name"], strict=True))
    return MapLayer(fg, name if legend_title is None else legend_title, items).add_to(m)
