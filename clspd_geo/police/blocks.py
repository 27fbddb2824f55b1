"""Building blocks of a sector redesign: blocks with their workload, and their contiguity.

Blocks are quartiers or square grid cells, each with its severity-weighted workload
(:func:`block_loads`, :func:`grid_blocks`). Two blocks are neighbours when they share at least
``min_shared_m`` metres of boundary (rook contiguity, tolerant to digitising gaps of
``tolerance_m``, :func:`contiguity`); blocks not connected to the rest (islands) can be
attached to the nearest block (:func:`attach_islands`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import crs
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError, SchemaError
from clspd_geo.police.load import row_loads, sector_of
from clspd_geo.police.shifts import DEFAULT_SHIFTS, Shift, shift_of


def block_loads(blocks: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                id_column: str, weights: Mapping[str, float] | None = None,
                default_weight: float = 1.0, category_column: str = "category",
                time_column: str = "occurred_at", shift: str | None = None,
                shifts: Sequence[Shift] = DEFAULT_SHIFTS) -> gpd.GeoDataFrame:
    """Return the blocks (EPSG:4326) with their severity-weighted workload.

    Adds ``block_id`` (from ``id_column``), ``n_incidents`` and ``load``. An incident on the
    border of two blocks counts in the first one only. ``shift`` restricts to one shift. A
    row with an ``n`` column stands for ``n`` incidents
    (:func:`clspd_geo.police.load.row_loads`).
    """
    if id_column not in blocks.columns:
        raise SchemaError(f"La colonne « {id_column} » manque dans la couche des îlots.")
    inc = incidents
    if shift is not None:
        when = shift_of(inc[time_column], shifts=shifts)
        inc = inc[(when["shift"] == shift).to_numpy()]
    count, w = row_loads(inc, weights=weights, default_weight=default_weight,
                         category_column=category_column)
    pairs = sector_of(inc, blocks).drop_duplicates("point")
    block, point = pairs["sector"].to_numpy(), pairs["point"].to_numpy()
    load = np.bincount(block, weights=w[point], minlength=len(blocks))
    n = np.bincount(block, weights=count[point], minlength=len(blocks))
    out = crs.to_storage(blocks).copy()
    out["block_id"] = out[id_column].astype(str)
    out["n_incidents"] = n.astype(int)
    out["load"] = load.astype(float)
    return out


def grid_blocks(area: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, cell_size_m: float,
                weights: Mapping[str, float] | None = None, default_weight: float = 1.0,
                category_column: str = "category") -> gpd.GeoDataFrame:
    """Return square cells whose centre lies in ``area``, with their workload (EPSG:4326).

    Columns ``block_id`` (``"c<flat index>"``), ``row``, ``col``, ``n_incidents``, ``load``.
    """
    grid = cells.grid_for(area, cell_size_m=cell_size_m)
    keep = cells.inside_mask(grid, area)
    if not keep.any():
        raise EmptySelectionError(f"Aucune cellule de {cell_size_m:.0f} m n'a son centre dans "
                                  "le territoire : choisissez des cellules plus petites.")
    frame = cells.cells_frame(grid, np.zeros(grid.n_cells), keep=keep)
    frame["block_id"] = "c" + frame["cell_id"].astype(str)
    frame = frame.drop(columns=["count"])
    return block_loads(frame, incidents, id_column="block_id", weights=weights,
                       default_weight=default_weight, category_column=category_column)


@dataclass(frozen=True)
class Graph:
    """Contiguity of the blocks.

    Attributes
    ----------
    neighbours
        For each block (positional), the positions of its neighbours.
    components
        Component number of each block (0 = the largest).
    attached
        ``(island block, block it was attached to)`` positions, when islands were attached.
    """

    neighbours: list[list[int]]
    components: np.ndarray
    attached: list[tuple[int, int]] = field(default_factory=list)

    @property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every edge, as two position arrays."""
        u = [i for i, nb in enumerate(self.neighbours) for _ in nb]
        v = [j for nb in self.neighbours for j in nb]
        return np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)


def _components(neighbours: list[list[int]]) -> np.ndarray:
    n = len(neighbours)
    comp = np.full(n, -1)
    c = 0
    for s in range(n):
        if comp[s] >= 0:
            continue
        comp[s] = c
        queue = deque([s])
        while queue:
            i = queue.popleft()
            for j in neighbours[i]:
                if comp[j] < 0:
                    comp[j] = c
                    queue.append(j)
        c += 1
    sizes = np.bincount(comp)
    order = np.argsort(-sizes, kind="stable")
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    return remap[comp]


def contiguity(blocks: gpd.GeoDataFrame, *, tolerance_m: float = 1.0,
               min_shared_m: float = 10.0) -> Graph:
    """Return the rook contiguity graph of polygons (any CRS; measured in metres).

    Two blocks are neighbours when at least ``min_shared_m`` metres of the boundary of one lie
    within ``tolerance_m`` of the other: blocks that only touch at a corner are not.
    """
    work = crs.to_compute(blocks)
    g = shapely.make_valid(work.geometry.to_numpy())
    buf = shapely.buffer(g, tolerance_m)
    a, b = shapely.STRtree(g).query(buf, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(g[b]), buf[a]))
    ok = shared >= min_shared_m
    neighbours: list[list[int]] = [[] for _ in range(len(g))]
    for i, j in zip(a[ok], b[ok]):
        neighbours[i].append(int(j))
        neighbours[j].append(int(i))
    return Graph(neighbours, _components(neighbours))


def attach_islands(graph: Graph, xy: np.ndarray) -> Graph:
    """Link each smaller component to the main one through its closest pair of centroids."""
    neighbours = [list(nb) for nb in graph.neighbours]
    comp = graph.components.copy()
    attached: list[tuple[int, int]] = []
    while comp.max() > 0:
        main = np.flatnonzero(comp == 0)
        other = np.flatnonzero(comp == 1)
        d = ((xy[other, None, :] - xy[None, main, :]) ** 2).sum(-1)
        oi, mi = np.unravel_index(np.argmin(d), d.shape)
        i, j = int(other[oi]), int(main[mi])
        neighbours[i].append(j)
        neighbours[j].append(i)
        attached.append((i, j))
        comp = _components(neighbours)
    return Graph(neighbours, comp, attached)
