"""The commune of every point row: filled by the store's writers from the territory.

A store may hold several communes (an intercommunal CISPD): the ``territoire`` layer has one
polygon per commune, keyed by ``insee_code``. Every writer of both back-ends fills the
``insee_code`` column of the point layers (:data:`POINT_LAYERS`) the same way, before
writing (:func:`fill_communes`): the commune whose polygon covers the point, measured in the
territory's metric CRS; a point just outside every polygon (a border drawn differently by
two sources) goes to the nearest commune within :data:`COMMUNE_TOLERANCE_M`; further away,
it has no commune (``None``). With a single commune, every row belongs to it (the importer
already refused points far from the territory).

The importer refuses, with their lines, the incidents that have no commune in a territory
of several communes (:func:`clspd_geo.importing.incidents.build`), so an incident written by
an import always carries its commune.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs

POINT_LAYERS = ("incidents", "accidents", "equipements", "cameras")
"""Layers whose rows get the ``insee_code`` of their commune when written."""

COMMUNE_TOLERANCE_M = 50.0
"""A point outside every commune but this close (metres) to one belongs to the nearest."""


def assign_communes(points: gpd.GeoDataFrame, territoire: gpd.GeoDataFrame, *,
                    tolerance_m: float = COMMUNE_TOLERANCE_M) -> pd.Series:
    """Return the INSEE code of the commune of each point.

    Parameters
    ----------
    points
        Point layer, in any CRS.
    territoire
        The communes (``insee_code`` and polygons), in any CRS.
    tolerance_m
        A point outside every polygon goes to the nearest commune within this distance
        (metres, in the territory's metric CRS).

    Returns
    -------
    pandas.Series
        Indexed like ``points``, named ``insee_code``: the commune covering the point (on a
        shared border, the first commune in ``territoire`` order), else the nearest within
        ``tolerance_m``, else ``None`` (and ``None`` for a missing geometry). With a single
        commune, every row gets its code.
    """
    out = np.full(len(points), None, dtype=object)

    def series() -> pd.Series:
        return pd.Series(out, index=points.index, name="insee_code", dtype=object)

    if len(territoire) == 1:
        out[:] = str(territoire["insee_code"].iloc[0])
        return series()
    if points.empty or territoire.empty:
        return series()
    epsg = crs.metric_epsg(territoire)
    xy = _metric_xy(points, epsg=epsg)
    present = np.isfinite(xy).all(axis=1)
    if present.any():
        out[present] = communes_at(xy[present, 0], xy[present, 1], territoire, epsg=epsg,
                                   tolerance_m=tolerance_m)
    return series()


def communes_at(x: np.ndarray, y: np.ndarray, territoire: gpd.GeoDataFrame, *, epsg: int,
                tolerance_m: float = COMMUNE_TOLERANCE_M) -> np.ndarray:
    """Return the INSEE code of the commune at each coordinate (metres in ``epsg``).

    The rule of :func:`assign_communes`, on coordinate arrays: the commune covering the
    point (on a shared border, the first in ``territoire`` order), else the nearest within
    ``tolerance_m``, else ``None``; with a single commune, every point gets its code.

    Returns
    -------
    ndarray
        Object array of INSEE codes (str) or None, one per coordinate.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    codes = territoire["insee_code"].astype(str).to_numpy(dtype=object)
    values = np.full(len(x), None, dtype=object)
    if len(codes) == 1:
        values[:] = codes[0]
        return values
    if not len(x) or territoire.empty:
        return values
    polys = territoire.geometry.to_crs(epsg).to_numpy()
    pos = np.full(len(x), -1, dtype=np.int64)
    # Last commune first, so that the first in layer order wins on a shared border; a
    # bounding-box test first leaves GEOS only the points near each commune.
    for i in range(len(polys) - 1, -1, -1):
        poly = polys[i]
        if poly is None or poly.is_empty:
            continue
        minx, miny, maxx, maxy = poly.bounds
        near = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if near.size:
            shapely.prepare(poly)
            pos[near[shapely.intersects_xy(poly, x[near], y[near])]] = i
    rest = np.flatnonzero(pos < 0)
    if rest.size and tolerance_m > 0:
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[rest], y[rest]), crs=epsg)
        zones = gpd.GeoDataFrame({"_pos": np.arange(len(codes))}, geometry=polys, crs=epsg)
        hit = gpd.sjoin_nearest(pts, zones, how="inner", max_distance=tolerance_m)
        if len(hit):
            first = hit.groupby(level=0)["_pos"].min()
            pos[rest[first.index.to_numpy()]] = first.to_numpy()
    values[pos >= 0] = codes[pos[pos >= 0]]
    return values


def _metric_xy(points: gpd.GeoDataFrame, *, epsg: int) -> np.ndarray:
    """Return the ``(n, 2)`` metric x, y of the points (NaN where missing).

    Stored points (EPSG:4326) are projected as coordinate arrays, several times faster
    than reprojecting their geometries; anything else goes through :func:`crs.metric_xy`.
    """
    arr = np.asarray(points.geometry.array, dtype=object)
    if points.crs is None or points.crs.to_epsg() != 4326 or not (
            shapely.get_type_id(arr) <= 0).all():  # -1: missing, 0: point
        return crs.metric_xy(points, epsg=epsg)
    ok = (shapely.get_type_id(arr) == 0) & ~shapely.is_empty(arr)
    lonlat = np.full((len(arr), 2), np.nan)
    if ok.any():
        lonlat[ok] = shapely.get_coordinates(arr[ok])
    x, y = crs.project_xy(lonlat[:, 0], lonlat[:, 1], epsg=epsg)
    return np.column_stack([x, y])


def fill_communes(frames: Mapping[str, gpd.GeoDataFrame],
                  territoire: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame]:
    """Return the frames with ``insee_code`` filled on the point layers (new frames).

    Parameters
    ----------
    frames
        ``{layer: frame}`` about to be written (conformed to their schemas).
    territoire
        The communes of the store (the frame being written, else the store's); ``None`` or
        empty leaves the frames as they are.
    """
    out = dict(frames)
    if territoire is None or territoire.empty or "insee_code" not in territoire.columns:
        return out
    for name, gdf in frames.items():
        if name not in POINT_LAYERS:
            continue
        filled = gdf.copy()
        filled["insee_code"] = assign_communes(gdf, territoire).to_numpy(dtype=object)
        out[name] = filled
    return out
