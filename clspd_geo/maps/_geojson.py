"""GeoJSON and tooltips ready for folium: the preparation every layer builder shares.

Internal to :mod:`clspd_geo.maps`: the names are public so that every layer module can use
them, the module is not. Every value that reaches the map goes through
:func:`clspd_geo.safe.text`, and geometries arrive in EPSG:4326, rounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import shapely

from clspd_geo import config, crs, safe

PRECISION = 1e-6
"""Grid of the drawn coordinates, in degrees (about 0.1 m): enough to display, half the JSON."""


def geojson_ready(gdf: gpd.GeoDataFrame, keep: Sequence[str]) -> gpd.GeoDataFrame:
    """Return only the ``keep`` columns, escaped as strings, in EPSG:4326 with rounded geometry.

    Parameters
    ----------
    gdf
        The layer to draw (any CRS).
    keep
        The columns the map needs (tooltip fields and style properties).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one string column per ``keep`` entry; empty and missing geometries dropped.
    """
    work = crs.to_storage(gdf)
    out = gpd.GeoDataFrame(
        {c: [safe.text(v) for v in work[c]] for c in keep},
        geometry=work.geometry.set_precision(PRECISION).to_numpy(), crs=config.STORAGE_CRS)
    # shapely's tests, not GeoSeries.notna(): that one warns when a geometry is empty.
    geoms = out.geometry.to_numpy()
    return out[~(shapely.is_empty(geoms) | shapely.is_missing(geoms))]


def tooltip(fields: Sequence[str], aliases: Sequence[str]) -> folium.GeoJsonTooltip:
    """Return a sticky tooltip showing ``fields`` under escaped French ``aliases``."""
    return folium.GeoJsonTooltip(fields=list(fields), aliases=[safe.text(a) for a in aliases],
                                 sticky=True)
