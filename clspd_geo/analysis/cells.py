"""Square and hexagonal grid cells over a territory, and fast point counts on them.

Counting is binned with :func:`numpy.bincount` on integer cell indices, so a million
points take a few milliseconds once projected. Everything is computed in the territory's
metric CRS (Lambert-93 in mainland France); cell polygons are handed back in EPSG:4326.

Both grids (:class:`Grid`, :class:`HexGrid`) store their cells as a ``ny`` × ``nx`` array
(flat index ``row * nx + col``), offer ``cell_index``, ``polygons``, ``centres`` and
``window_sum`` (the sum over a cell and its neighbours, used by Gi*), so the hotspot code
works on either.
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

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: the shape of the cell array."""
        return (self.ny, self.nx)

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell, square metres."""
        return self.cell_m**2

    def centres(self, flat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return the x, y of the cell centres (metres) of the flat indices (all when None)."""
        idx = np.arange(self.n_cells) if flat is None else np.asarray(flat)
        row, col = np.divmod(idx, self.nx)
        return self.x0 + (col + 0.5) * self.cell_m, self.y0 + (row + 0.5) * self.cell_m

    def window_sum(self, values: np.ndarray, *, radius_cells: int = 1) -> np.ndarray:
        """Sum ``values`` (``ny`` × ``nx``) over each cell's queen neighbourhood, self included.

        The window is the (2r + 1) × (2r + 1) square of cells centred on each cell; cells
        beyond the grid count as zero. The last axes of ``values`` are the grid; any leading
        axes (time slices) are carried through.
        """
        return _box_sum(np.asarray(values, dtype=float), radius_cells)


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


def inside_mask(grid: Grid | HexGrid, area: gpd.GeoDataFrame) -> np.ndarray:
    """Return a flat boolean mask of the cells whose centre lies inside ``area``."""
    work = crs.to_compute(area, epsg=grid.epsg)
    shape = shapely.union_all(work.geometry.to_numpy())
    cx, cy = grid.centres()
    return shapely.contains_xy(shape, cx, cy)


def _box_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Sum over a (2r+1)² window along the last two axes, zero beyond the edges."""
    if radius < 0:
        raise ValueError("radius_cells must be >= 0")
    if radius <= 2:
        # Small windows: shifted slices of a zero-padded copy (cheaper than cumulative sums).
        ny, nx = values.shape[-2:]
        pad = np.pad(values, [(0, 0)] * (values.ndim - 2) + [(radius, radius)] * 2)
        rows = pad[..., 0:ny, :].copy()
        for k in range(1, 2 * radius + 1):
            rows += pad[..., k:k + ny, :]
        out = rows[..., :, 0:nx].copy()
        for k in range(1, 2 * radius + 1):
            out += rows[..., :, k:k + nx]
        return out
    out = values
    for axis in (-2, -1):
        n = out.shape[axis]
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius + 1, radius)
        cum = np.cumsum(np.pad(out, pad), axis=axis)
        hi = np.take(cum, np.arange(2 * radius + 1, 2 * radius + 1 + n), axis=axis)
        lo = np.take(cum, np.arange(0, n), axis=axis)
        out = hi - lo
    return out


_SQRT3 = float(np.sqrt(3.0))


@dataclass(frozen=True)
class HexGrid:
    """A regular grid of pointy-top hexagons in a metric CRS ("odd-r" offset layout).

    Row ``r`` holds the hexagons whose centres are at ``y0 + r * 1.5 * side``; odd rows
    are shifted right by half a cell. ``cell_m`` is the distance between the centres of two
    neighbouring hexagons (the width across flats), so a hexagon covers
    ``sqrt(3) / 2 * cell_m**2`` square metres (87 % of a square cell of the same size).

    Attributes
    ----------
    x0, y0
        Centre of the hexagon at row 0, column 0, metres.
    cell_m
        Width across flats, metres.
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

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: the shape of the cell array."""
        return (self.ny, self.nx)

    @property
    def side_m(self) -> float:
        """Side of a hexagon (= distance from centre to a corner), metres."""
        return self.cell_m / _SQRT3

    @property
    def cell_area_m2(self) -> float:
        """Area of one hexagon, square metres."""
        return _SQRT3 / 2 * self.cell_m**2

    def centres(self, flat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return the x, y of the hexagon centres (metres) of the flat indices (all when None)."""
        idx = np.arange(self.n_cells) if flat is None else np.asarray(flat)
        row, col = np.divmod(idx, self.nx)
        cx = self.x0 + (col + 0.5 * (row & 1)) * self.cell_m
        cy = self.y0 + row * 1.5 * self.side_m
        return cx, cy

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the flat index of the hexagon holding each point (metres), -1 outside."""
        s = self.side_m
        px = np.asarray(x, dtype=float) - self.x0
        py = np.asarray(y, dtype=float) - self.y0
        # Axial coordinates, then cube rounding (the standard exact point-in-hexagon test).
        q = (_SQRT3 / 3 * px - py / 3) / s
        r = (2 / 3 * py) / s
        cz = -q - r
        rq, rr, rz = np.rint(q), np.rint(r), np.rint(cz)
        dq, dr, dz = np.abs(rq - q), np.abs(rr - r), np.abs(rz - cz)
        fix_q = (dq > dr) & (dq > dz)
        fix_r = ~fix_q & (dr > dz)
        rq = np.where(fix_q, -rr - rz, rq)
        rr = np.where(fix_r, -rq - rz, rr)
        row = rr.astype(np.int64)
        col = (rq + (row - (row & 1)) // 2).astype(np.int64)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(ok, row * self.nx + col, -1)

    def polygons(self, flat: np.ndarray | None = None) -> np.ndarray:
        """Return shapely hexagons (metres) of the given flat cell indices (all when None)."""
        cx, cy = self.centres(flat)
        angles = np.deg2rad(30 + 60 * np.arange(7))
        xs = cx[:, None] + self.side_m * np.cos(angles)[None, :]
        ys = cy[:, None] + self.side_m * np.sin(angles)[None, :]
        return shapely.polygons(np.stack([xs, ys], axis=-1))

    def window_sum(self, values: np.ndarray, *, radius_cells: int = 1) -> np.ndarray:
        """Sum ``values`` (``ny`` × ``nx``) over each hexagon and its 6 neighbours.

        Only ``radius_cells=1`` (the first ring) is supported. Leading axes (time slices)
        are carried through; cells beyond the grid count as zero.
        """
        if radius_cells != 1:
            raise ValueError("HexGrid.window_sum supports radius_cells=1 only")
        a = np.asarray(values, dtype=float)
        p = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(1, 1), (1, 1)])
        ny, nx = a.shape[-2:]

        def at(dr: int, dc: int) -> np.ndarray:
            return p[..., 1 + dr:1 + dr + ny, 1 + dc:1 + dc + nx]

        out = at(0, 0) + at(0, -1) + at(0, 1)
        odd = (np.arange(ny) & 1).astype(bool)[:, None]
        # Odd-r layout: the rows above and below hold (c-1, c) on even rows, (c, c+1) on odd.
        vertical = at(-1, 0) + at(1, 0)
        out = out + vertical + np.where(odd, at(-1, 1) + at(1, 1), at(-1, -1) + at(1, -1))
        return out


def hex_grid_for(area: gpd.GeoDataFrame, *, cell_size_m: float,
                 epsg: int | None = None) -> HexGrid:
    """Return a hexagonal grid covering ``area`` (any CRS); ``cell_size_m`` across flats.

    Raises
    ------
    EmptySelectionError
        The area is empty, or the cell is larger than the territory.
    """
    square = grid_for(area, cell_size_m=cell_size_m, epsg=epsg)
    side = cell_size_m / _SQRT3
    width = square.nx * cell_size_m
    height = square.ny * cell_size_m
    # One spare hexagon on every side so every point of the bounding box falls in a cell.
    nx = int(np.ceil(width / cell_size_m)) + 3
    ny = int(np.ceil(height / (1.5 * side))) + 3
    return HexGrid(square.x0 - cell_size_m, square.y0 - 1.5 * side, float(cell_size_m),
                   nx, ny, square.epsg)
