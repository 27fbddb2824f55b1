"""Incident load: the forces, severity weights, which sector an incident falls in, balance.

The workload of a sector is the number of incidents that fall in it, each weighted by the
severity of its category (weights from :func:`clspd_geo.vocab.severity_weights`, editable
through :func:`weight_table`). Balance is read with two figures over the sectors of one
force: the ratio of the largest load to the mean (``max_over_mean``, 1 is perfect) and the
coefficient of variation (``cv``, population standard deviation over the mean, 0 is perfect).

Points are matched to sectors in the sectors' metric CRS (:func:`crs.to_compute`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import config, crs, vocab
from clspd_geo.analysis import indicators
from clspd_geo.errors import SchemaError

NATIONAL = "police_nationale"
MUNICIPAL = "police_municipale"


@dataclass(frozen=True)
class Balance:
    """Balance of a set of loads.

    Attributes
    ----------
    mean, max
        Mean and largest load.
    max_over_mean
        ``max / mean`` (1 = perfectly balanced; NaN when the mean is 0).
    cv
        Coefficient of variation: population standard deviation / mean (0 = balanced).
    """

    mean: float
    max: float
    max_over_mean: float
    cv: float


def balance(loads: Sequence[float] | np.ndarray | pd.Series) -> Balance:
    """Return the balance indicators of loads (one per sector)."""
    v = np.asarray(loads, dtype=float)
    if v.size == 0:
        return Balance(float("nan"), float("nan"), float("nan"), float("nan"))
    mean = float(v.mean())
    mx = float(v.max())
    if mean == 0:
        return Balance(0.0, mx, float("nan"), float("nan"))
    return Balance(mean, mx, mx / mean, float(v.std(ddof=0) / mean))


def incident_weights(categories: pd.Series, *, weights: Mapping[str, float] | None = None,
                     default_weight: float = 1.0) -> np.ndarray:
    """Return the workload weight of each incident from its category.

    ``weights`` defaults to the severities of the vocabulary; a category it does not list
    weighs ``default_weight``.
    """
    table = vocab.severity_weights() if weights is None else dict(weights)
    bad = {k: v for k, v in table.items() if not np.isfinite(v) or v < 0}
    if bad:
        sample = ", ".join(f"{k} = {v}" for k, v in list(bad.items())[:5])
        raise SchemaError(f"Poids de gravité invalides ({sample}) : un poids doit être un "
                          "nombre positif ou nul.")
    w = categories.map(table).astype(float)
    return w.fillna(default_weight).to_numpy()


def row_loads(incidents: pd.DataFrame, *, weights: Mapping[str, float] | None = None,
              default_weight: float = 1.0, category_column: str = "category"
              ) -> tuple[np.ndarray, np.ndarray]:
    """Return how many incidents each row stands for, and its workload.

    A row of a weighted release (:meth:`clspd_geo.access.view.RoleView.counts`) stands for
    its ``n`` incidents (:func:`clspd_geo.analysis.indicators.weights`; one per row
    otherwise); its load is that number times its category's weight
    (:func:`incident_weights`; a frame without ``category_column`` weighs
    ``default_weight`` per incident).

    Returns
    -------
    n, load
        Two arrays, one value per row: incidents (integers) and workload (floats).
    """
    cats = (incidents[category_column] if category_column in incidents.columns
            else pd.Series(None, index=incidents.index, dtype=object))
    n = indicators.weights(incidents)
    return n, n * incident_weights(cats, weights=weights, default_weight=default_weight)


def released_points(rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return released rows as the points the police analyses read (EPSG:4326).

    ``rows``: rows of :meth:`clspd_geo.access.view.RoleView.counts` (or any table with
    ``occurred_at``, ``category``, ``lon`` and ``lat``). Columns ``occurred_at``,
    ``category`` (code) and ``n``, the incidents each row stands for
    (:func:`clspd_geo.analysis.indicators.weights`), which every count here weighs.
    """
    return gpd.GeoDataFrame({"occurred_at": rows["occurred_at"].to_numpy(),
                             "category": rows["category"].astype(str).to_numpy(),
                             "n": indicators.weights(rows)},
                            geometry=gpd.points_from_xy(rows["lon"], rows["lat"]),
                            crs=config.STORAGE_CRS)


FEW_SECTORS = 64
"""Up to this many sectors, points are tested against each sector's polygon in turn."""


def sector_of(points: gpd.GeoDataFrame, sectors: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the (point, sector) pairs where a point lies in a sector.

    A point lies in several sectors where sectors overlap (a PN and a PM sector, typically):
    it then appears once per sector. Points in no sector do not appear. A point on a
    sector's boundary lies in it (``intersects``).

    Points against a few sectors (:data:`FEW_SECTORS`) are tested by their metric
    coordinates against each prepared polygon (``shapely.intersects_xy``): no point
    geometry is projected and no tree is built, a million points cost a fraction of a
    second. Other geometries, or many sectors, go through an STRtree; both give the same
    pairs.

    Returns
    -------
    DataFrame
        ``point`` (positional index into ``points``) and ``sector`` (positional index into
        ``sectors``), sorted by point then sector.
    """
    crs.require_crs(points, layer="incidents")
    crs.require_crs(sectors, layer="secteurs")
    work_s = crs.to_compute(sectors)
    epsg = work_s.crs.to_epsg()
    polys = shapely.make_valid(work_s.geometry.to_numpy())
    geoms = points.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(valid)
    if len(polys) <= FEW_SECTORS and (shapely.get_type_id(geoms[idx]) == 0).all():
        xy = crs.metric_xy(points, epsg=epsg)[idx]
        p, s = _points_in(xy[:, 0], xy[:, 1], polys)
    else:
        work_p = crs.to_compute(points, epsg=epsg)
        tree = shapely.STRtree(polys)
        p, s = tree.query(work_p.geometry.to_numpy()[idx], predicate="intersects")
    order = np.lexsort((s, p))
    return pd.DataFrame({"point": idx[p[order]], "sector": np.asarray(s)[order]})


def _points_in(x: np.ndarray, y: np.ndarray,
               polys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (point, polygon) index pairs where ``(x, y)`` intersects a polygon."""
    found_p, found_s = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for j, poly in enumerate(polys):
        if poly is None or shapely.is_empty(poly):
            continue
        shapely.prepare(poly)
        minx, miny, maxx, maxy = shapely.bounds(poly)
        near = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        hit = near[shapely.intersects_xy(poly, x[near], y[near])]
        found_p.append(hit)
        found_s.append(np.full(len(hit), j, dtype=np.int64))
    return np.concatenate(found_p), np.concatenate(found_s)


# -- editable weights (for a page's data editor) ---------------------------------------------

WEIGHT_COLUMNS = {"code": "Code", "label": "Catégorie", "weight": "Poids"}


def weight_table(weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return severity weights as an editable table (every category of the vocabulary)."""
    table = vocab.severity_weights() if weights is None else dict(weights)
    return pd.DataFrame({WEIGHT_COLUMNS["code"]: [c.code for c in vocab.INCIDENT_CATEGORIES],
                         WEIGHT_COLUMNS["label"]: [c.label for c in vocab.INCIDENT_CATEGORIES],
                         WEIGHT_COLUMNS["weight"]: [float(table.get(c.code, c.severity))
                                                    for c in vocab.INCIDENT_CATEGORIES]})


def weight_items(table: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Return sorted ``(category, weight)`` pairs from an edited :func:`weight_table`.

    Raises
    ------
    SchemaError
        A weight is empty or negative.
    """
    w = pd.to_numeric(table[WEIGHT_COLUMNS["weight"]], errors="coerce")
    if w.isna().any() or (w < 0).any():
        raise SchemaError("Chaque poids de gravité doit être un nombre positif ou nul.")
    return tuple(sorted(zip(table[WEIGHT_COLUMNS["code"]].astype(str), w.astype(float))))
