"""The graduated cells layer: a choropleth of counts on a square grid.

Incidents are never drawn one marker per incident: they are aggregated into cells (see
:mod:`clspd_geo.analysis.cells`), which keeps the map small at a million incidents.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from clspd_geo import _format
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer


def cells_layer(cells: gpd.GeoDataFrame, *, value_col: str, name: str, unit: str,
                legend_title: str | None = None, show: bool = True,
                m: folium.Map | None = None) -> MapLayer:
    """Return graduated cells (a choropleth of counts) with the legend of its classes.

    Parameters
    ----------
    cells
        Cells with a numeric ``value_col`` (e.g. from
        :func:`clspd_geo.analysis.indicators.incident_cells`), any CRS.
    unit
        The unit in tooltips and legend ("faits", "victimes"…).
    legend_title
        The legend section's title; ``name`` when not given.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    values = cells[value_col].to_numpy(dtype=float)
    breaks = legend.class_breaks(values)
    colors = legend.class_colors(values, breaks)
    label = [f"{_format.number(v, decimals=0 if float(v).is_integer() else 1)} {unit}"
             for v in values]
    data = _geojson.geojson_ready(cells.assign(fill=colors, label=label), ["fill", "label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#7f0000",
                                  "weight": 0.2, "fillOpacity": 0.65},
        tooltip=_geojson.tooltip(["label"], ["Nombre"]),
    ).add_to(fg)
    return MapLayer(fg, name if legend_title is None else legend_title,
                    tuple(legend.class_legend(breaks, values, unit=unit))).add_to(m)
