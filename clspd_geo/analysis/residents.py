"""Where residents live: the population of each area, and sample points weighted by it.

Three sources, the best one present is used, and every result says which:

- ``"carreaux"``: the INSEE Filosofi 200 m grid (the ``carreaux`` layer). Each cell's
  inhabitants are split among the areas it overlaps in proportion to the overlapping
  surface, and each piece of a cell is one sample point (its representative point)
  carrying those inhabitants. A quartier's population is then the sum of its pieces.
- ``"iris"``: quartiers that are IRIS with a census table joined (a ``Pyy_POP`` column,
  see :mod:`clspd_geo.importing.iris_tables`): the population is the census count of
  each IRIS, spread evenly inside it (an IRIS holds about 2,000 inhabitants).
- ``"uniforme"``: the quartiers' own ``population``, spread evenly over each quartier.

When the grid is present but leaves an area without any inhabitant while the quartier
says it has some (a grid cut to another territory), the grid is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs

PopulationSource = Literal["carreaux", "iris", "uniforme"]
SOURCE_TEXT: dict[str, str] = {
    "carreaux": "Habitants placés là où ils vivent, d'après les carreaux de 200 m de l'Insee "
                "(Filosofi, couche « carreaux »).",
    "iris": "Habitants comptés par IRIS (recensement de l'Insee) et répartis uniformément "
            "dans chaque IRIS.",
    "uniforme": "Habitants répartis uniformément dans chaque quartier (population des "
                "quartiers ; importez les carreaux Filosofi pour les placer là où ils "
                "vivent).",
}
"""French sentence naming the population source, shown under the results."""
_IRIS_POP = re.compile(r"(?i)^P\d{2}_POP$")


def is_iris_population(areas: pd.DataFrame) -> bool:
    """Return True when the areas carry a census table by IRIS (a ``Pyy_POP`` column)."""
    return any(_IRIS_POP.match(str(c)) for c in areas.columns)


def grid_pieces(areas: gpd.GeoDataFrame, carreaux: gpd.GeoDataFrame, *,
                epsg: int) -> pd.DataFrame:
    """Split the grid cells among the areas; return one row per (area, cell) piece.

    Parameters
    ----------
    areas
        Polygons (any CRS).
    carreaux
        The ``carreaux`` layer (``population``), any CRS.
    epsg
        Metric CRS the surfaces and points are computed in.

    Returns
    -------
    DataFrame
        ``area`` (position in ``areas``), ``x``, ``y`` (the piece's representative point,
        metres) and ``residents`` (the cell's population × the share of the cell's surface
        inside the area).
    """
    a = crs.to_compute(areas, epsg=epsg).geometry.to_numpy()
    c = crs.to_compute(carreaux, epsg=epsg)
    cells = c.geometry.to_numpy()
    pop = pd.to_numeric(c["population"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    tree = shapely.STRtree(cells)
    ai, ci = tree.query(a, predicate="intersects")
    empty = pd.DataFrame({"area": pd.Series(dtype=int), "x": pd.Series(dtype=float),
                          "y": pd.Series(dtype=float), "residents": pd.Series(dtype=float)})
    if ai.size == 0:
        return empty
    pieces = shapely.intersection(a[ai], cells[ci])
    share = shapely.area(pieces) / np.maximum(shapely.area(cells[ci]), 1e-9)
    keep = (share > 0) & (pop[ci] > 0)
    if not keep.any():
        return empty
    pts = shapely.point_on_surface(pieces[keep])
    return pd.DataFrame({"area": ai[keep], "x": shapely.get_x(pts), "y": shapely.get_y(pts),
                         "residents": pop[ci][keep] * share[keep]})


def sample_points(areas: gpd.GeoDataFrame, *, sample_m: float = 50.0,
                  epsg: int | None = None) -> pd.DataFrame:
    """Return a regular grid of points inside each polygon, with its share of the polygon.

    Parameters
    ----------
    areas
        Polygons (any CRS).
    sample_m
        Spacing of the points, metres.
    epsg
        Metric CRS (default: the one of ``areas``).

    Returns
    -------
    DataFrame
        ``area`` (position of the polygon in ``areas``), ``x``, ``y`` (metres) and ``weight``
        (the point's share of its polygon: they sum to 1 per polygon). A polygon too small
        for the grid gets one point, its representative point.
    """
    target = epsg if epsg is not None else crs.metric_epsg(areas)
    geoms = crs.to_compute(areas, epsg=target).geometry.to_numpy()
    rows = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        minx, miny, maxx, maxy = g.bounds
        xs = np.arange(minx + sample_m / 2, maxx, sample_m)
        ys = np.arange(miny + sample_m / 2, maxy, sample_m)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        inside = shapely.contains_xy(g, gx, gy) if gx.size else np.zeros(0, dtype=bool)
        if not inside.any():
            p = g.representative_point()
            gx, gy, inside = np.array([p.x]), np.array([p.y]), np.array([True])
        k = int(inside.sum())
        rows.append(pd.DataFrame({"area": i, "x": gx[inside], "y": gy[inside],
                                  "weight": np.full(k, 1.0 / k)}))
    if not rows:
        return pd.DataFrame({"area": pd.Series(dtype=int), "x": pd.Series(dtype=float),
                             "y": pd.Series(dtype=float), "weight": pd.Series(dtype=float)})
    return pd.concat(rows, ignore_index=True)


@dataclass(frozen=True)
class Residents:
    """Sample points of where the residents of some areas live.

    Attributes
    ----------
    points
        ``area`` (position in the areas), ``x``, ``y`` (metres) and ``weight``: the
        residents the point stands for (the share of the area when the population is
        unknown: the weights of an area then sum to 1).
    population
        Residents per area (position order); NaN when unknown.
    source
        ``"carreaux"``, ``"iris"`` or ``"uniforme"``.
    """

    points: pd.DataFrame
    population: np.ndarray
    source: PopulationSource

    @property
    def known(self) -> bool:
        """True when every area has a population and the total is positive."""
        return bool(np.isfinite(self.population).all() and self.population.sum() > 0)

    @property
    def source_text(self) -> str:
        """French sentence naming the source."""
        return SOURCE_TEXT[self.source]


def area_population(areas: gpd.GeoDataFrame, *, carreaux: gpd.GeoDataFrame | None = None,
                    epsg: int | None = None) -> tuple[np.ndarray, PopulationSource]:
    """Return the population of each area (position order) and its source.

    The grid is used when present and it places inhabitants in every area the quartiers'
    own population says is inhabited; otherwise the areas' ``population`` column.
    """
    target = epsg if epsg is not None else crs.metric_epsg(areas)
    own = (pd.to_numeric(areas["population"], errors="coerce").to_numpy(dtype=float)
           if "population" in areas.columns else np.full(len(areas), np.nan))
    fallback: PopulationSource = "iris" if is_iris_population(areas) else "uniforme"
    if carreaux is None or carreaux.empty or areas.empty:
        return own, fallback
    pieces = grid_pieces(areas, carreaux, epsg=target)
    grid = np.bincount(pieces["area"].to_numpy(dtype=int), weights=pieces["residents"],
                       minlength=len(areas)).astype(float)
    said_inhabited = ~(np.isfinite(own) & (own == 0))
    if (grid[said_inhabited] <= 0).any():
        return own, fallback
    return grid, "carreaux"


def resident_points(areas: gpd.GeoDataFrame, *, carreaux: gpd.GeoDataFrame | None = None,
                    sample_m: float = 50.0, epsg: int | None = None) -> Residents:
    """Return where the residents of ``areas`` live, from the best source present.

    Parameters
    ----------
    areas
        Polygons with a ``population`` column (any CRS).
    carreaux
        The ``carreaux`` layer, or None.
    sample_m
        Spacing of the even sample points (sources ``iris`` and ``uniforme``), metres.
    epsg
        Metric CRS (default: the one of ``areas``).
    """
    target = epsg if epsg is not None else crs.metric_epsg(areas)
    population, source = area_population(areas, carreaux=carreaux, epsg=target)
    if source == "carreaux":
        pieces = grid_pieces(areas, carreaux, epsg=target)
        pts = pieces.rename(columns={"residents": "weight"})
        return Residents(pts.reset_index(drop=True), population, source)
    pts = sample_points(areas, sample_m=sample_m, epsg=target)
    known = bool(np.isfinite(population).all() and population.sum() > 0)
    if known:
        pts = pts.assign(weight=pts["weight"].to_numpy()
                         * population[pts["area"].to_numpy(dtype=int)])
    return Residents(pts, population, source)
