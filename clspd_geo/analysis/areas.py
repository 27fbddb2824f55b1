"""Areas: which quartier a point falls in, and whether it lies in the territory.

Both functions are vectorised (no Python loop over points) so that an import of a
million incidents is assigned in well under a second: the polygons go into a shapely
``STRtree`` and every point is tested against the few polygons whose bounding box holds
it, with GEOS prepared geometries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs

# Below this many polygons, testing every polygon on the points of its bounding box is
# faster than an STRtree query (no candidate pairs to build and sort).
_FEW_POLYGONS = 32


def _point_xy(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return x and y arrays of shapely geometries (NaN for null, empty or non-points)."""
    x = np.full(len(values), np.nan)
    y = np.full(len(values), np.nan)
    is_point = shapely.get_type_id(values) == 0  # -1 for None, 0 for Point
    ok = is_point & ~shapely.is_empty(values)
    if ok.any():
        xy = shapely.get_coordinates(values[ok])
        x[ok] = xy[:, 0]
        y[ok] = xy[:, 1]
    return x, y


def _polygon_index(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Return, for each point, the position of the first polygon covering it (-1 if none).

    A point on the shared edge of two polygons goes to the first of them, in frame order.
    """
    values = np.asarray(points.geometry.array, dtype=object)
    x, y = _point_xy(values)
    out = np.full(len(x), -1, dtype=np.int64)
    finite = np.isfinite(x) & np.isfinite(y)
    geoms = np.asarray(polygons.geometry.array, dtype=object)
    usable = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    if not finite.any() or not usable.any():
        return out
    shapely.prepare(geoms[usable])
    if int(usable.sum()) <= _FEW_POLYGONS:
        # Reverse order, so that the first polygon in frame order wins on shared edges.
        for pos in np.flatnonzero(usable)[::-1]:
            geom = geoms[pos]
            minx, miny, maxx, maxy = geom.bounds
            cand = np.flatnonzero(finite & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
            if cand.size:
                hit = shapely.intersects_xy(geom, x[cand], y[cand])
                out[cand[hit]] = pos
        return out
    tree = shapely.STRtree(np.where(usable, geoms, None))
    idx = np.flatnonzero(finite)
    pairs = tree.query(values[idx], predicate="intersects")
    if pairs.shape[1]:
        # Keep the smallest polygon position per point: sort by point then polygon.
        order = np.lexsort((pairs[1], pairs[0]))
        pt_pos, poly_pos = pairs[0][order], pairs[1][order]
        first = np.r_[True, pt_pos[1:] != pt_pos[:-1]]
        out[idx[pt_pos[first]]] = poly_pos[first]
    return out


def assign_quartier(points: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame, *,
                    id_column: str = "quartier_id") -> pd.Series:
    """Return the quartier of each point.

    Parameters
    ----------
    points
        Point layer, in any CRS (the same as ``quartiers``).
    quartiers
        Polygon layer with an ``id_column``.
    id_column
        Column of ``quartiers`` holding the identifier to return.

    Returns
    -------
    pandas.Series
        Indexed like ``points``, named ``quartier_id``: the identifier of the quartier whose
        polygon covers the point (a point on a shared edge goes to the first quartier in
        frame order), ``None`` outside every quartier or for a missing geometry.

    Raises
    ------
    CrsError
        The two layers have no CRS or different CRSs.
    KeyError
        ``quartiers`` has no ``id_column``.
    """
    crs.require_same_crs(points, quartiers, names=("points", "quartiers"))
    ids = quartiers[id_column].to_numpy(dtype=object)
    pos = _polygon_index(points, quartiers)
    values = np.full(len(pos), None, dtype=object)
    hit = pos >= 0
    values[hit] = ids[pos[hit]]
    return pd.Series(values, index=points.index, name="quartier_id", dtype=object)


def inside_territory(points: gpd.GeoDataFrame, territoire: gpd.GeoDataFrame) -> np.ndarray:
    """Tell which points lie in the territory (its boundary counts as inside).

    Parameters
    ----------
    points
        Point layer, in the same CRS as ``territoire``.
    territoire
        Polygon layer of the commune(s); all its polygons together form the territory.

    Returns
    -------
    numpy.ndarray
        Boolean array, one value per point; ``False`` for missing or empty geometries.

    Raises
    ------
    CrsError
        The two layers have no CRS or different CRSs.
    """
    crs.require_same_crs(points, territoire, names=("points", "territoire"))
    return _polygon_index(points, territoire) >= 0
