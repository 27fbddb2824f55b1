"""Layers of areas: quartiers, patrol sectors, and zones (rings, walking reach, hotspots).

Every builder returns a :class:`clspd_geo.maps.base.MapLayer` and, given ``m``, adds it to
that map. Data may come in any CRS (drawn in EPSG:4326); every text goes through
:func:`clspd_geo.safe.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np

from clspd_geo import _format, safe, vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer

RING_COLORS = ("#e65100", "#ffb74d", "#ffe0b2")
"""Colours of concentric rings, nearest first (e.g. the surroundings of schools)."""


def quartiers_layer(quartiers: gpd.GeoDataFrame, *, show: bool = False,
                    m: folium.Map | None = None) -> MapLayer:
    """Return the quartiers outlines (QPV hatched in red) with their names as tooltip.

    The layer has no legend section (the layer name says what red means).
    """
    fg = folium.FeatureGroup(name="Quartiers (QPV en rouge)", show=show)
    data = _geojson.geojson_ready(
        quartiers.assign(qpv_label=np.where(quartiers["qpv"], "oui", "non")),
        ["name", "qpv_label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": "#c62828" if f["properties"]["qpv_label"] == "oui" else "#546e7a",
            "weight": 1.5, "dashArray": "4 4", "fillOpacity": 0.04},
        tooltip=_geojson.tooltip(["name", "qpv_label"], ["Quartier", "QPV"]),
    ).add_to(fg)
    return MapLayer(fg).add_to(m)


def values_by_quartier_layer(quartiers: gpd.GeoDataFrame, *, value_col: str, label_col: str,
                             name: str, unit: str, legend_title: str | None = None,
                             show: bool = True, m: folium.Map | None = None) -> MapLayer:
    """Return quartiers coloured by a value (e.g. a suppressed count), with a text label.

    Parameters
    ----------
    quartiers
        Quartiers with a numeric ``value_col`` (missing reads 0: not coloured).
    label_col
        What the tooltip shows, so that a suppressed count reads "< 5".
    unit
        The unit in the tooltip and the legend.
    legend_title
        The legend section's title; ``name`` when not given.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    values = quartiers[value_col].fillna(0).to_numpy(dtype=float)
    breaks = legend.class_breaks(values)
    fill = [c if v > 0 else legend.EMPTY_COLOR
            for c, v in zip(legend.class_colors(values, breaks), values, strict=True)]
    data = _geojson.geojson_ready(quartiers.assign(fill=fill), ["name", label_col, "fill"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#424242",
                                  "weight": 1, "fillOpacity": 0.6},
        tooltip=_geojson.tooltip(["name", label_col], ["Quartier", unit]),
    ).add_to(fg)
    items = [legend.LegendItem(legend.EMPTY_COLOR, f"aucun ou effectif masqué ({unit})"),
             *legend.class_legend(breaks, values[values > 0], unit=unit)]
    return MapLayer(fg, name if legend_title is None else legend_title,
                    tuple(items)).add_to(m)


def sector_legend(secteurs: gpd.GeoDataFrame) -> list[legend.LegendItem]:
    """Return the legend lines of the forces present in a sectors layer."""
    forces = [f for f in vocab.FORCES if f in set(secteurs["force"])]
    return [legend.LegendItem(vocab.FORCE_COLORS[f], vocab.FORCES[f], shape="line")
            for f in forces]


def sectors_layer(secteurs: gpd.GeoDataFrame, *, name: str = "Secteurs de patrouille",
                  legend_title: str | None = None, show: bool = True,
                  m: folium.Map | None = None) -> MapLayer:
    """Return patrol sectors outlined in their force's colour, with the legend of forces.

    ``legend_title`` defaults to ``name``.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    data = _geojson.geojson_ready(secteurs.assign(force_label=secteurs["force"].map(vocab.FORCES)),
                                  ["sector_id", "name", "force", "force_label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": vocab.FORCE_COLORS.get(f["properties"]["force"], "#455a64"),
            "weight": 3 if f["properties"]["force"] == "police_nationale" else 2,
            "dashArray": None if f["properties"]["force"] == "police_nationale" else "8 6",
            "fillOpacity": 0.05},
        tooltip=_geojson.tooltip(["name", "force_label"], ["Secteur", "Force"]),
    ).add_to(fg)
    return MapLayer(fg, name if legend_title is None else legend_title,
                    tuple(sector_legend(secteurs))).add_to(m)


def zones_layer(zones: gpd.GeoDataFrame, *, name: str, label_col: str = "label",
                colors: Sequence[str] | None = None, line_color: str | None = None,
                line_weight: float = 1.2, fill_opacity: float = 0.25,
                tooltip_alias: str | None = None, legend_title: str | None = None,
                show: bool = True, m: folium.Map | None = None) -> MapLayer:
    """Return zones (polygons), one colour per row, labelled by ``label_col``.

    One builder for every family of zones: rings around schools, walking reach, and the
    hotspot zones of :mod:`clspd_geo.analysis.hotspots` (which carry a ``color`` column).
    The layer's name is escaped too (Leaflet's layer control shows it as HTML), as the
    hotspot layer always did.

    Parameters
    ----------
    zones
        Polygons in any CRS, drawn in their order; may be empty (an empty layer, no legend).
    colors
        Colours given to the rows in turn; ``None`` reads each row's ``color`` column.
    line_color
        Outline colour; ``None`` outlines each zone in its fill colour.
    tooltip_alias
        The tooltip's heading; ``name`` when not given.
    legend_title
        The legend section's title; ``name`` when not given. It lists one line per zone.
    """
    fg = folium.FeatureGroup(name=safe.text(name), show=show)
    title = name if legend_title is None else legend_title
    if zones.empty:
        return MapLayer(fg, title).add_to(m)
    if colors is None:
        fill = [str(c) for c in zones["color"]]
    else:
        fill = [colors[i % len(colors)] for i in range(len(zones))]
    data = _geojson.geojson_ready(zones.assign(fill=fill, label=zones[label_col].astype(str)),
                                  ["fill", "label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"],
                                  "color": line_color or f["properties"]["fill"],
                                  "weight": line_weight, "fillOpacity": fill_opacity},
        tooltip=_geojson.tooltip(["label"], [name if tooltip_alias is None else tooltip_alias]),
    ).add_to(fg)
    items = tuple(legend.LegendItem(c, str(lbl))
                  for c, lbl in zip(fill, zones[label_col], strict=True))
    return MapLayer(fg, title, items).add_to(m)


def quartier_choropleth_layer(quartiers: gpd.GeoDataFrame, *, per_1000: bool, k: int,
                              what: str = "faits", name: str = "Faits par quartier",
                              show: bool = True, m: folium.Map | None = None) -> MapLayer:
    """Return the quartiers coloured by their total, with a legend that says it in words.

    For the roles that see quartier totals (not points): each colour is a whole quartier's
    figure over the period, never a place inside it.

    Parameters
    ----------
    quartiers
        :attr:`clspd_geo.analysis.rates.QuartierRates.quartiers` (``valeur``: the rate per
        1,000 inhabitants or the count, 0 where nothing is published; ``affiche`` and
        ``faits_affiches``: their text, « < k » for a suppressed count).
    per_1000
        ``valeur`` is a rate per 1,000 inhabitants (else a count).
    k
        The role's small-count threshold (counts from 1 to k−1 are not shown).
    what
        What is counted, in French (« faits »).
    """
    fg = folium.FeatureGroup(name=safe.text(name), show=show)
    values = quartiers["valeur"].fillna(0).to_numpy(dtype=float)
    shown = values[values > 0]
    breaks = legend.class_breaks(values)
    fill = [c if v > 0 else legend.EMPTY_COLOR
            for c, v in zip(legend.class_colors(values, breaks), values, strict=True)]
    unit = f"{what} pour 1 000 habitants" if per_1000 else what
    data = _geojson.geojson_ready(quartiers.assign(fill=fill),
                                  ["name", "affiche", "faits_affiches", "fill"])
    fields, aliases = ["name", "faits_affiches"], ["Quartier", what.capitalize()]
    if per_1000:
        fields.append("affiche")
        aliases.append("Pour 1 000 habitants")
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#424242",
                                  "weight": 1, "fillOpacity": 0.6},
        tooltip=_geojson.tooltip(fields, aliases),
    ).add_to(fg)
    decimals = 1 if per_1000 else 0
    items = [legend.LegendItem(legend.EMPTY_COLOR,
                               f"quartier sans chiffre publié (aucun fait, ou moins de {k} : masqué)")]
    offset = len(legend.CELL_COLORS) - len(breaks)
    previous = None
    for i, upper in enumerate(breaks if shown.size else []):
        hi = _format.number(float(upper), decimals=decimals)
        if previous is None:
            lo = _format.number(float(shown.min()), decimals=decimals)
            span = hi if lo == hi else f"de {lo} à {hi}"
        elif per_1000:
            span = f"plus de {_format.number(previous, decimals=decimals)} à {hi}"
        else:
            lo = _format.number(previous + 1, decimals=0)
            span = hi if lo == hi else f"de {lo} à {hi}"
        items.append(legend.LegendItem(legend.CELL_COLORS[offset + i],
                                       f"quartier entier : {span} {unit} sur la période"))
        previous = float(upper)
    return MapLayer(fg, name, tuple(items)).add_to(m)
