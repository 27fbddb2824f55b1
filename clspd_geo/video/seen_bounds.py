"""What the cameras see of incidents released by zone: sure and possible, never a guess.

A role that reads incidents by 200 m cell, quartier or commune (the visibility matrix) gets
each released row at its zone's representative point. Testing that point against the
cameras' views says nothing true about the incidents: on the 20,000-incident demo the
video-protection role, whose rows are cells, quartiers and communes, read 4.1 % of its
facts « in the field of a camera » where the points say 19.6 %. Where the incidents of a
row lie inside its zone is not known, so the share seen is known only between two bounds:

- **surely seen**: rows released at their own position inside a view, and rows whose whole
  zone lies inside the union of the views (wherever its incidents are, a camera sees them);
- **possibly seen**: those, and every row whose zone touches a view.

Both bounds hold whatever the incidents' positions inside their zones. They are computed
on the view polygons of :func:`clspd_geo.video.cameras.view_polygons`, whose arcs are
inscribed in the true sectors: a zone inside the polygons is inside the views; for the
upper bound the polygons are widened by the arcs' largest gap (and a metre) first. A zone
whose outline is not known (a quartier missing from the layer) counts as possibly seen and
never as surely seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import vocab
from clspd_geo.analysis import indicators, release_zones

@dataclass(frozen=True)
class SeenBounds:
    """The share of incidents the cameras see, between what is sure and what is possible.

    Attributes
    ----------
    incidents
        Incidents of the selection (rows weighed by ``n``).
    exact
        Of them, those released at their own position.
    low
        Incidents surely seen (at their position in a view, or in a zone inside the views).
    high
        Incidents possibly seen (``low`` and those in a zone that touches a view).
    """

    incidents: int
    exact: int
    low: int
    high: int

    @property
    def is_exact(self) -> bool:
        """True when the bounds meet: the share is known exactly."""
        return self.low == self.high

    @property
    def low_share(self) -> float:
        """Share surely seen, 0–1 (0 with no incident)."""
        return self.low / self.incidents if self.incidents else 0.0

    @property
    def high_share(self) -> float:
        """Share possibly seen, 0–1 (0 with no incident)."""
        return self.high / self.incidents if self.incidents else 0.0


def row_bounds(rows: pd.DataFrame, *, seen: np.ndarray, views: gpd.GeoDataFrame,
               quartiers: gpd.GeoDataFrame, territoire: gpd.GeoDataFrame, epsg: int,
               cell_size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each released row, whether its incidents are surely and possibly seen.

    Parameters
    ----------
    rows
        Released rows (:meth:`clspd_geo.access.view.RoleView.counts`): ``zone_level``
        (``point``, ``grille``, ``quartier``, ``territoire``), ``x``/``y`` in the metric CRS
        (a cell's centre for ``grille``), ``quartier_id``, ``insee_code``.
    seen
        Per row, whether its position is in a camera's view (``Coverage.seen``): the answer
        for rows released at their own position.
    views
        View polygons of the cameras in service (any CRS).
    quartiers, territoire
        The quartier and commune outlines (any CRS), for rows released by quartier or commune.
    epsg
        The metric CRS of ``x``/``y``.
    cell_size_m
        Side of the grid cells rows of level ``grille`` stand for, metres.

    Returns
    -------
    tuple
        ``(sure, possible)``: boolean arrays, ``sure`` implying ``possible``.
    """
    level = release_zones.levels(rows)
    seen = np.asarray(seen, dtype=bool)
    sure = np.where(level == "point", seen, False)
    possible = sure.copy()
    zoned = np.flatnonzero(level != "point")
    if not len(zoned) or not len(views):
        return sure, possible
    polys = views.to_crs(epsg).geometry.to_numpy()
    inner = shapely.union_all(polys)
    outer = shapely.union_all(shapely.buffer(polys, _arc_gap_m(views)))
    shapely.prepare(inner)
    shapely.prepare(outer)
    # Many rows share a zone (months, categories): test each zone once.
    zones, of_row = release_zones.outlines(rows.iloc[zoned], level[zoned], quartiers=quartiers,
                                           territoire=territoire, epsg=epsg,
                                           cell_size_m=cell_size_m)
    known = ~shapely.is_missing(zones)
    zone_sure = np.zeros(len(zones), dtype=bool)
    zone_possible = np.ones(len(zones), dtype=bool)  # an unknown outline may touch a view
    zone_sure[known] = shapely.contains(inner, zones[known])
    zone_possible[known] = shapely.intersects(outer, zones[known])
    sure[zoned] = zone_sure[of_row]
    possible[zoned] = zone_possible[of_row]
    return sure, possible | sure


def bounds_by(rows: pd.DataFrame, sure: np.ndarray, possible: np.ndarray, *,
              by: str = "total") -> pd.DataFrame:
    """Return the bounds per group: ``total`` (one row) or ``category``.

    Returns
    -------
    DataFrame
        ``group``, ``label``, ``incidents``, ``exact``, ``low``, ``high``, ``low_share``,
        ``high_share`` (0–1); categories in the vocabulary's order.
    """
    n = indicators.weights(rows).astype(np.int64)
    exact = release_zones.levels(rows) == "point"
    frame = pd.DataFrame({"incidents": n, "exact": n * exact, "low": n * np.asarray(sure),
                          "high": n * np.asarray(possible)})
    if by == "total":
        out = frame.sum().to_frame().T.assign(group="total")
        labels = {"total": "Tous les faits"}
    else:
        key = rows["category"].to_numpy()
        out = frame.groupby(key, sort=False).sum().rename_axis("group").reset_index()
        out["group"] = out["group"].astype(str)
        order = {c: i for i, c in enumerate(vocab.category_codes())}
        out = out.sort_values("group", key=lambda s: s.map(order).fillna(len(order)),
                              kind="stable").reset_index(drop=True)
        labels = vocab.category_labels()
    out = out[["group", "incidents", "exact", "low", "high"]]
    out.insert(1, "label", out["group"].map(labels).fillna(out["group"]))
    total = out["incidents"].where(out["incidents"] > 0)
    out["low_share"] = (out["low"] / total).fillna(0.0)
    out["high_share"] = (out["high"] / total).fillna(0.0)
    return out


def total(rows: pd.DataFrame, sure: np.ndarray, possible: np.ndarray) -> SeenBounds:
    """Return the bounds of the whole selection."""
    n = indicators.weights(rows).astype(np.int64)
    return SeenBounds(int(n.sum()), int(n[release_zones.levels(rows) == "point"].sum()),
                      int(n[np.asarray(sure, dtype=bool)].sum()),
                      int(n[np.asarray(possible, dtype=bool)].sum()))


def _arc_gap_m(views: gpd.GeoDataFrame) -> float:
    """Return how far inside the true sectors the polygons' arcs may run, plus a metre.

    :func:`clspd_geo.video.cameras.view_polygons` draws an arc with at least 24 vertices
    over at most 360°: a chord of at most 15° falls short of the circle by
    ``r (1 - cos 7.5°)``.
    """
    ranges = pd.to_numeric(views.get("range_m", pd.Series(dtype=float)), errors="coerce")
    r = float(ranges.max()) if ranges.notna().any() else 0.0
    return r * (1.0 - math.cos(math.radians(7.5))) + 1.0
