"""Where a role's released rows stand: the zone outline behind each row's point.

A role's release (:meth:`clspd_geo.access.view.RoleView.counts`) places each row at its own
position (``zone_level`` ``point``) or at a zone's representative point: a cell's centre
(``grille``), a quartier's point (``quartier``) or a commune's (``territoire``). A figure
measured on positions (what a camera sees, how far a support is) is true for the first kind
only; for the others, the incidents lie somewhere in the zone, and only what holds for the
whole zone (every point in, every point out) is known. This module gives each row's zone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

MARGIN_M = 50.0
"""Quartier and commune outlines are widened by this much before the test: an incident
just outside every commune is given to the nearest one within 50 m
(:mod:`clspd_geo.store.communes`), so its zone must reach it."""


def levels(rows: pd.DataFrame) -> np.ndarray:
    """Return the rows' ``zone_level`` as an array of names (from a categorical's codes);
    ``point`` for every row of a frame without that column (incidents at their positions)."""
    if "zone_level" not in rows.columns:
        return np.full(len(rows), "point", dtype=object)
    if not len(rows):
        return np.array([], dtype=object)
    col = rows["zone_level"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        names = np.append(np.asarray(col.cat.categories, dtype=object), None)
        return names[col.cat.codes.to_numpy()]  # code -1 (missing) reads None
    return col.to_numpy(dtype=object)


def outlines(rows: pd.DataFrame, level: np.ndarray, *, quartiers: gpd.GeoDataFrame,
             territoire: gpd.GeoDataFrame, epsg: int, cell_size_m: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct zone outlines of the rows in the metric CRS, and each row's
    index into them.

    Parameters
    ----------
    rows
        Released rows with ``x``/``y`` in the metric CRS (a cell's centre for ``grille``),
        ``quartier_id`` and ``insee_code``; rows at their own position should be left out.
    level
        The rows' :func:`levels`.
    quartiers, territoire
        The quartier and commune outlines (any CRS); widened by :data:`MARGIN_M`.
    cell_size_m
        Side of the cells rows of level ``grille`` stand for, metres.

    Returns
    -------
    tuple
        ``(outlines, of_row)``: an object array of polygons (None where the outline is not
        known: a quartier missing from the layer) and, per row, its index into it. A row
        of the facts outside every quartier, or of a commune, gets its commune's outline
        (the whole territory's with one commune or none known).
    """
    grid = level == "grille"
    x = rows["x"].to_numpy(dtype=float)
    y = rows["y"].to_numpy(dtype=float)
    quartier = _keys(rows, "quartier_id")
    commune = _keys(rows, "insee_code")
    by_quartier = (level == "quartier") & (quartier != "")
    # A commune's row, or a quartier row of the facts outside every quartier: its commune.
    key = np.where(grid, np.char.add(np.char.add(x.astype(str), " "), y.astype(str)),
                   np.where(by_quartier, np.char.add("q:", quartier),
                            np.char.add("c:", commune)))
    codes, uniques = pd.factorize(pd.Series(key, dtype=object))
    first = np.unique(codes, return_index=True)[1]
    out = np.full(len(uniques), None, dtype=object)
    half = cell_size_m / 2.0
    g = grid[first]
    out[g] = shapely.box(x[first[g]] - half, y[first[g]] - half, x[first[g]] + half,
                         y[first[g]] + half)
    q_outlines = _outlines(quartiers, "quartier_id", epsg)
    communes = _outlines(territoire, "insee_code", epsg)
    whole = shapely.union_all(list(communes.values())) if communes else None
    for z, i in enumerate(first):
        if grid[i]:
            continue
        if by_quartier[i]:
            out[z] = q_outlines.get(quartier[i])
        else:
            out[z] = communes.get(commune[i], whole) if len(communes) > 1 else whole
    return out, codes


def _keys(rows: pd.DataFrame, column: str) -> np.ndarray:
    """Return a zone key column as text, "" where missing."""
    if column not in rows.columns:
        return np.full(len(rows), "", dtype=str)
    values = rows[column].astype(object)
    return values.where(values.notna(), "").astype(str).to_numpy(dtype=str)


def _outlines(layer: gpd.GeoDataFrame, key: str, epsg: int) -> dict[str, shapely.Geometry]:
    """Return ``{key: outline widened by MARGIN_M}`` of a zone layer, in the metric CRS."""
    if layer is None or not len(layer) or layer.crs is None:
        return {}
    metric = layer.to_crs(epsg)
    if key not in metric.columns:
        return {"": shapely.buffer(shapely.union_all(metric.geometry.to_numpy()), MARGIN_M)}
    grouped = metric.dissolve(by=metric[key].astype(str))
    return {str(k): shapely.buffer(g, MARGIN_M) for k, g in grouped.geometry.items()}
