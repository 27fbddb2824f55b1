"""Square grid cells over a territory, and fast point counts on them.

Counting is binned with :func:`numpy.bincount` on integer cell indices, so a million
points take a few milliseconds once projected. Everything is computed in the territory's
metric CRS (Lambert-93 in mainland France); cell polygons are handed back in EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import config, crs
from clspd_geo.errors import EmptySelectionError


@dataclass(frozen=True)
class Grid:
    """A regular square grid in a metric CRS.

    Attributes
    ----------
    x0, y0
        Lower-left corner, metres.
    cell_m
        Side of a cell, metres.
    nx, ny
        Number of columns and rows.
    epsg
        The metric CRS of ``x0``, ``y0``.
    """

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    epsg: int

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.nx * self.ny

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the flat cell index of each point (metres), -1 outside the grid."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y) - self.y0) / self.cell_m).astype(np.int64)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(ok, row * self.nx + col, -1)

    def polygons(self, flat: np.ndarray | None = None) -> np.ndarray:
        """Return shapely boxes (metres) of the given flat cell indices (all when None)."""
        idx = np.arange(self.n_cells) if flat is None else np.asarray(flat)
        row, col = np.divmod(idx, self.nx)
        xmin = self.x0 + col * self.cell_m
        ymin = self.y0 + row * self.cell_m
        return shapely.box(xmin, ymin, xmin + self.cell_m, ymin + self.cell_m)


def grid_for(area: gpd.GeoDataFrame, *, cell_size_m: float, epsg: int | None = None) -> Grid:
    """Return a grid covering ``area`` (any CRS) with square cells of ``cell_size_m`` metres.

    Raises
    ------
    EmptySelectionError
        The area is empty, or the cell is larger than the territory.
    """
    if cell_size_m <= 0:
        raise EmptySelectionError("La taille des cellules doit être strictement positive.")
    work = crs.to_compute(area, epsg=epsg)
    if work.empty:
        raise EmptySelectionError("Le territoire est vide : importez d'abord ses limites.")
    minx, miny, maxx, maxy = work.total_bounds
    extent = max(maxx - minx, maxy - miny)
    if cell_size_m > extent:
        msg = (f"Des cellules de {cell_size_m:.0f} m sont plus grandes que le territoire "
               f"({extent:.0f} m) : choisissez une taille plus petite.")
        raise EmptySelectionError(msg)
    nx = int(np.ceil((maxx - minx) / cell_size_m)) or 1
    ny = int(np.ceil((maxy - miny) / cell_size_m)) or 1
    return Grid(float(minx), float(miny), float(cell_size_m), nx, ny, int(work.crs.to_epsg()))


def count(grid: Grid, x: np.ndarray, y: np.ndarray, *,
          weights: np.ndarray | None = None) -> np.ndarray:
    """Return the (weighted) number of points per cell as a flat array of ``grid.n_cells``.

    ``x`` and ``y`` are in the grid's metric CRS; points outside the grid are ignored.
    """
    idx = grid.cell_index(x, y)
    ok = idx >= 0
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    return np.bincount(idx[ok], weights=w, minlength=grid.n_cells).astype(float)


def cells_frame(grid: Grid, values: np.ndarray, *, keep: np.ndarray | None = None,
                column: str = "count") -> gpd.GeoDataFrame:
    """Return cells as a GeoDataFrame in EPSG:4326 with their value.

    Parameters
    ----------
    values
        One value per cell (flat, ``grid.n_cells``).
    keep
        Boolean mask of the cells to return (default: non-zero values).
    column
        Name of the value column.

    Returns
    -------
    GeoDataFrame
        Columns ``cell_id`` (flat index), ``row``, ``col``, ``column``; EPSG:4326.
    """
    values = np.asarray(values)
    mask = values != 0 if keep is None else np.asarray(keep, dtype=bool)
    flat = np.flatnonzero(mask)
    row, col = np.divmod(flat, grid.nx)
    gdf = gpd.GeoDataFrame({"cell_id": flat, "row": row, "col": col, column: values[flat]},
                           geometry=grid.polygons(flat), crs=grid.epsg)
    return gdf.to_crs(config.STORAGE_CRS)


def inside_mask(grid: Grid, area: gpd.GeoDataFrame) -> np.ndarray:
    """Return a flat boolean mask of the cells whose centre lies inside ``area``."""
    work = crs.to_compute(area, epsg=grid.epsg)
    shape = shapely.union_all(work.geometry.to_numpy())
    idx = np.arange(grid.n_cells)
    row, col = np.divmod(idx, grid.nx)
    cx = grid.x0 + (col + 0.5) * grid.cell_m
    cy = grid.y0 + (row + 0.5) * grid.cell_m
    return shapely.contains_xy(shape, cx, cy)
