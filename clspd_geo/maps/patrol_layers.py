"""Folium layers of the police coordination page: load per shift, PN/PM overlap, proposals.

Each builder returns a :class:`folium.FeatureGroup` and its legend lines
(:class:`clspd_geo.maps.LegendItem`), like the builders of :mod:`clspd_geo.maps`, so they
compose on :func:`clspd_geo.maps.base_map`. Every text goes through
:func:`clspd_geo.safe.text`; data are reprojected to EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np

from clspd_geo import crs, maps, safe, vocab
from clspd_geo.police import patrols

PROPOSAL_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                   "#a6761d", "#666666")


def _geojson(gdf: gpd.GeoDataFrame, keep: Sequence[str]) -> dict:
    work = crs.to_storage(gdf)
    out = gpd.GeoDataFrame({c: [safe.text(v) for v in work[c]] for c in keep},
                           geometry=work.geometry.set_precision(1e-6).to_numpy(),
                           crs=work.crs)
    return out[~out.geometry.is_empty & out.geometry.notna()].__geo_interface__


def _tooltip(fields: Sequence[str], aliases: Sequence[str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=list(fields), aliases=[safe.text(a) for a in aliases],
                                 sticky=True)


def load_layer(frame: gpd.GeoDataFrame, *, shift: patrols.Shift | None,
               name: str = "Charge par secteur") -> tuple[folium.FeatureGroup,
                                                           list[maps.LegendItem]]:
    """Return sectors coloured by their load in one shift (all day when ``shift`` is None).

    ``frame`` comes from :func:`clspd_geo.police.patrols.load_map_frame`.
    """
    col = "load_total" if shift is None else f"load_{shift.code}"
    values = frame[col].to_numpy(dtype=float)
    breaks = maps.class_breaks(values)
    cls = np.minimum(np.searchsorted(breaks, values, side="left"), len(breaks) - 1)
    offset = len(maps.CELL_COLORS) - len(breaks)
    fill = [maps.CELL_COLORS[offset + c] if v > 0 else "#f5f5f5" for c, v in zip(cls, values)]
    label = [f"{v:.0f}" for v in values]
    where = "toute la journée" if shift is None else shift.label
    data = frame.assign(fill=fill, label=label, shift_label=where,
                        force_label=frame["force"].map(vocab.FORCES).fillna(frame["force"]))
    fg = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        _geojson(data, ["name", "force_label", "shift_label", "label", "fill"]),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#263238",
                                  "weight": 1.5, "fillOpacity": 0.65},
        tooltip=_tooltip(["name", "force_label", "shift_label", "label"],
                         ["Secteur", "Force", "Vacation", "Charge (faits pondérés)"]),
    ).add_to(fg)
    return fg, maps.class_legend(breaks, values[values > 0], unit="(charge)")


def coordination_layer(co: patrols.Coordination) -> tuple[folium.FeatureGroup,
                                                          list[maps.LegendItem]]:
    """Return the PN/PM overlaps, the places no sector covers and each force's gaps."""
    fg = folium.FeatureGroup(name="Coordination PN / PM", show=True)
    legend: list[maps.LegendItem] = []
    if len(co.gaps_by_force):
        gaps = co.gaps_by_force.assign(
            force_label=co.gaps_by_force["force"].map(vocab.FORCES),
            area=[f"{a / 1e4:.1f} ha" for a in co.gaps_by_force["area_m2"]],
            n=co.gaps_by_force["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson(gaps, ["force_label", "area", "n"]),
            style_function=lambda _f: {"fillColor": "#ff9800", "color": "#e65100",
                                       "weight": 1, "fillOpacity": 0.35, "dashArray": "4 4"},
            tooltip=_tooltip(["force_label", "area", "n"],
                             ["Non couvert par", "Surface", "Faits"]),
        ).add_to(fg)
        legend.append(maps.LegendItem("#ff9800", "Zone non couverte par une force"))
    if len(co.overlap):
        ov = co.overlap.assign(
            pair=co.overlap["sector_pn"] + " / " + co.overlap["sector_pm"],
            area=[f"{a / 1e4:.1f} ha" for a in co.overlap["area_m2"]],
            n=co.overlap["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson(ov, ["pair", "area", "n"]),
            style_function=lambda _f: {"fillColor": "#7b1fa2", "color": "#4a148c",
                                       "weight": 1, "fillOpacity": 0.3},
            tooltip=_tooltip(["pair", "area", "n"], ["Secteurs PN / PM", "Surface", "Faits"]),
        ).add_to(fg)
        legend.append(maps.LegendItem("#7b1fa2", "Chevauchement PN / PM"))
    if len(co.uncovered):
        un = co.uncovered.assign(area=[f"{a / 1e4:.1f} ha" for a in co.uncovered["area_m2"]],
                                 n=co.uncovered["n_incidents"].astype(int))
        folium.GeoJson(
            _geojson(un, ["area", "n"]),
            style_function=lambda _f: {"fillColor": "#d32f2f", "color": "#b71c1c",
                                       "weight": 2, "fillOpacity": 0.5},
            tooltip=_tooltip(["area", "n"], ["Couvert par aucun secteur", "Faits"]),
        ).add_to(fg)
        legend.append(maps.LegendItem("#d32f2f", "Couvert par aucun secteur"))
    return fg, legend


def proposal_layer(proposal: gpd.GeoDataFrame, *, name: str = "Secteurs proposés"
                   ) -> tuple[folium.FeatureGroup, list[maps.LegendItem]]:
    """Return proposed sectors, one colour each, with their load and compactness."""
    colors = [PROPOSAL_COLORS[i % len(PROPOSAL_COLORS)] for i in range(len(proposal))]
    data = proposal.assign(
        fill=colors, load=[f"{v:.0f}" for v in proposal["workload"]],
        pp=[f"{v:.2f}" for v in proposal["polsby_popper"]],
        dist=[f"{v / 1000:.1f} km" for v in proposal["max_distance_m"]])
    fg = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        _geojson(data, ["name", "load", "pp", "dist", "fill"]),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#212121",
                                  "weight": 2, "fillOpacity": 0.45},
        tooltip=_tooltip(["name", "load", "pp", "dist"],
                         ["Secteur", "Charge", "Compacité (Polsby-Popper)",
                          "Plus grande traversée"]),
    ).add_to(fg)
    legend = [maps.LegendItem(c, str(n)) for c, n in zip(colors, proposal["name"])]
    return fg, legend
