"""Patrol sectors: checks, shape figures and a balanced redesign.

A redesign groups *building blocks* (quartiers, or square grid cells) into K contiguous,
compact sectors whose workloads are as equal as possible (target: a coefficient of variation
under 10 %). It works in three steps:

1. **Contiguity graph.** Two blocks are neighbours when they share at least
   ``min_shared_m`` metres of boundary (rook contiguity, tolerant to digitising gaps of
   ``tolerance_m``). Blocks not connected to the rest (islands) are reported, or attached to
   the nearest block when asked.
2. **Seeded growth.** K seeds come from a load-weighted k-means on the block centroids;
   sectors then grow in turn, the lightest sector taking its frontier block nearest to its
   seed. This gives contiguous, roughly balanced sectors.
3. **Improvement.** A steepest-descent local search moves one boundary block at a time to a
   neighbouring sector when that lowers ``sum(((load - mean) / mean)²) + α · compactness``
   and keeps the giving sector connected. Compactness is the normalised moment of inertia
   (1 for a disc). When the target CV is not met, α is lowered and the search goes on, so
   balance wins over shape. Any starting partition can be improved (:func:`improve`), e.g.
   one from PySAL spopt's SKATER or AZP (see ``benchmarks/bench_sectors.py``).

Why not spopt alone: spopt's regionalisers minimise attribute heterogeneity (SKATER, AZP)
or maximise the number of regions above a floor (max-p); none balances a sum across K
regions, so their CV stays far from 10 % (measured in the benchmark).

All geometry work is in the territory's metric CRS; layers are handed back in EPSG:4326.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs, vocab
from clspd_geo.analysis import cells
from clspd_geo.police import patrols
from clspd_geo.errors import EmptySelectionError, OptimisationError, SchemaError

TARGET_CV = 0.10


# -- shape figures ----------------------------------------------------------------------------

def polsby_popper(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Return the Polsby–Popper compactness ``4πA / P²`` of metric polygons (1 = disc)."""
    g = np.asarray(geoms)
    area = shapely.area(g)
    perim = shapely.length(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perim > 0, 4 * np.pi * area / perim**2, np.nan)


def max_distance_m(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Return the largest straight-line distance inside each metric polygon (its diameter).

    It is the longest trip a patrol may have to make across the sector, as the crow flies.
    """
    out = np.zeros(len(geoms))
    for i, g in enumerate(np.asarray(geoms)):
        if g is None or g.is_empty:
            out[i] = np.nan
            continue
        pts = shapely.get_coordinates(shapely.convex_hull(g))
        d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
        out[i] = float(d.max())
    return out


def shape_table(sectors: gpd.GeoDataFrame, *, id_column: str = "sector_id") -> pd.DataFrame:
    """Return ``sector_id``, ``area_m2``, ``polsby_popper`` and ``max_distance_m`` per sector."""
    work = crs.to_compute(sectors)
    g = shapely.make_valid(work.geometry.to_numpy())
    return pd.DataFrame({"sector_id": sectors[id_column].astype(str).to_numpy(),
                         "area_m2": shapely.area(g), "polsby_popper": polsby_popper(g),
                         "max_distance_m": max_distance_m(g)})


# -- checks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SectorCheck:
    """Problems found in a sectors layer.

    Attributes
    ----------
    problems
        French messages, one per problem, naming the sectors and the place.
    places
        The faulty places, EPSG:4326: ``kind`` (``"chevauchement"``, ``"trou"``,
        ``"sans_fait"``), ``force``, ``sectors``, ``area_m2``.
    """

    problems: list[str]
    places: gpd.GeoDataFrame

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems


def _where(geom: shapely.Geometry, epsg: int) -> str:
    """Describe a metric place by its centre in WGS84, for a message."""
    p = shapely.point_on_surface(geom)
    lon, lat = gpd.GeoSeries([p], crs=epsg).to_crs(4326).iloc[0].coords[0]
    return f"vers {lat:.5f} N, {lon:.5f} E"


def check_sectors(sectors: gpd.GeoDataFrame, *, incidents: gpd.GeoDataFrame | None = None,
                  min_area_m2: float = 100.0) -> SectorCheck:
    """Find overlapping or gapped sectors of the same force, and sectors with no incident.

    Sectors of *different* forces may overlap (that is the PN/PM coordination question, see
    :func:`patrols.coordination`); sectors of the *same* force should not, and should leave no
    hole between them.

    Parameters
    ----------
    sectors
        ``sector_id``, ``force`` and polygons, any CRS.
    incidents
        When given, sectors in which no incident falls are reported.
    min_area_m2
        Overlaps and holes smaller than this are digitising noise and are ignored.
    """
    crs.require_crs(sectors, layer="secteurs")
    work = crs.to_compute(sectors)
    epsg = int(work.crs.to_epsg())
    ids = work["sector_id"].astype(str).to_numpy()
    forces = (work["force"].astype(str).to_numpy() if "force" in work.columns
              else np.full(len(work), ""))
    geoms = shapely.make_valid(work.geometry.to_numpy())
    problems: list[str] = []
    rows: list[dict] = []
    places: list[shapely.Geometry] = []
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    for i, j in zip(a, b):
        if i >= j or forces[i] != forces[j]:
            continue
        inter = patrols._polygonal(shapely.intersection(geoms[i], geoms[j]))
        if inter.is_empty or inter.area < min_area_m2:
            continue
        label = vocab.FORCES.get(forces[i], forces[i])
        problems.append(f"Les secteurs « {ids[i]} » et « {ids[j]} » ({label}) se chevauchent "
                        f"sur {inter.area / 1e4:.2f} ha ({_where(inter, epsg)}). Un lieu ne doit "
                        "relever que d'un secteur par force : corrigez leurs limites.")
        rows.append({"kind": "chevauchement", "force": forces[i], "sectors": f"{ids[i]}, {ids[j]}",
                     "area_m2": float(inter.area)})
        places.append(inter)
    for force in dict.fromkeys(forces):
        union = shapely.union_all(geoms[forces == force])
        for poly in shapely.get_parts(union):
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                if hole.area < min_area_m2:
                    continue
                near = [ids[k] for k in np.flatnonzero(forces == force)
                        if geoms[k].distance(hole) < 1.0]
                label = vocab.FORCES.get(force, force)
                problems.append(f"Trou de {hole.area / 1e4:.2f} ha entre les secteurs "
                                f"{', '.join(f'« {n} »' for n in near)} ({label}, "
                                f"{_where(hole, epsg)}) : aucun secteur de cette force ne "
                                "couvre ce lieu. Étendez l'un des secteurs voisins.")
                rows.append({"kind": "trou", "force": force, "sectors": ", ".join(near),
                             "area_m2": float(hole.area)})
                places.append(hole)
    if incidents is not None:
        pairs = patrols.sector_of(incidents, sectors)
        counts = np.bincount(pairs["sector"].to_numpy(), minlength=len(work))
        for k in np.flatnonzero(counts == 0):
            label = vocab.FORCES.get(forces[k], forces[k])
            problems.append(f"Aucun fait enregistré dans le secteur « {ids[k]} » ({label}) sur "
                            "la période : sa charge est nulle. Vérifiez la période choisie, ou "
                            "que les faits sont bien géolocalisés.")
            rows.append({"kind": "sans_fait", "force": forces[k], "sectors": ids[k],
                         "area_m2": float(geoms[k].area)})
            places.append(geoms[k])
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["kind", "force", "sectors", "area_m2"]),
                             geometry=gpd.GeoSeries(places, crs=epsg))
    return SectorCheck(problems, crs.to_storage(frame))


# -- building blocks ------------------------------------------------------------------------------

def block_loads(blocks: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                id_column: str, weights: Mapping[str, float] | None = None,
                default_weight: float = 1.0, category_column: str = "category",
                time_column: str = "occurred_at", shift: str | None = None,
                shifts: Sequence[patrols.Shift] = patrols.DEFAULT_SHIFTS) -> gpd.GeoDataFrame:
    """Return the blocks (EPSG:4326) with their severity-weighted workload.

    Adds ``block_id`` (from ``id_column``), ``n_incidents`` and ``load``. An incident on the
    border of two blocks counts in the first one only. ``shift`` restricts to one shift.
    """
    if id_column not in blocks.columns:
        raise SchemaError(f"La colonne « {id_column} » manque dans la couche des îlots.")
    inc = incidents
    if shift is not None:
        when = patrols.shift_of(inc[time_column], shifts=shifts)
        inc = inc[(when["shift"] == shift).to_numpy()]
    cats = (inc[category_column] if category_column in inc.columns
            else pd.Series(None, index=inc.index, dtype=object))
    w = patrols.incident_weights(cats, weights=weights, default_weight=default_weight)
    pairs = patrols.sector_of(inc, blocks).drop_duplicates("point")
    load = np.bincount(pairs["sector"].to_numpy(), weights=w[pairs["point"].to_numpy()],
                       minlength=len(blocks))
    n = np.bincount(pairs["sector"].to_numpy(), minlength=len(blocks))
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


def _attach_islands(graph: Graph, xy: np.ndarray) -> Graph:
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


# -- the redesign ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Redesign:
    """A proposed set of sectors.

    Attributes
    ----------
    sectors
        The proposal, EPSG:4326: ``sector_id``, ``name``, ``force``, ``n_blocks``,
        ``n_incidents``, ``workload``, ``area_m2``, ``polsby_popper``, ``max_distance_m``.
    assignment
        ``block_id`` → ``sector_id``.
    cv, max_over_mean
        Balance of the proposal's workloads.
    reached_target
        True when ``cv`` is below the target.
    method
        How it was obtained (French, for the README and the page).
    iterations
        Moves made by the improvement step.
    attached
        Island block ids that were attached to their nearest block.
    """

    sectors: gpd.GeoDataFrame
    assignment: pd.DataFrame
    cv: float
    max_over_mean: float
    reached_target: bool
    method: str
    iterations: int
    attached: list[str]


class _State:
    """Region statistics kept up to date as blocks move (all O(1) per move)."""

    def __init__(self, labels: np.ndarray, w: np.ndarray, a: np.ndarray, xy: np.ndarray,
                 k: int) -> None:
        self.lab = labels.copy()
        self.w, self.a, self.xy = w, a, xy
        self.q = a * (xy**2).sum(1)
        self.L = np.bincount(labels, weights=w, minlength=k)
        self.A = np.bincount(labels, weights=a, minlength=k)
        self.Sx = np.bincount(labels, weights=a * xy[:, 0], minlength=k)
        self.Sy = np.bincount(labels, weights=a * xy[:, 1], minlength=k)
        self.Q = np.bincount(labels, weights=self.q, minlength=k)
        self.size = np.bincount(labels, minlength=k)

    @staticmethod
    def compact(A: np.ndarray, Sx: np.ndarray, Sy: np.ndarray, Q: np.ndarray) -> np.ndarray:
        """Normalised moment of inertia about the centroid: 1 for a disc."""
        with np.errstate(divide="ignore", invalid="ignore"):
            inertia = Q - (Sx**2 + Sy**2) / A
            return np.where(A > 0, 2 * np.pi * inertia / A**2, 0.0)

    def move(self, i: int, s: int) -> None:
        r = self.lab[i]
        for reg, sign in ((r, -1.0), (s, 1.0)):
            self.L[reg] += sign * self.w[i]
            self.A[reg] += sign * self.a[i]
            self.Sx[reg] += sign * self.a[i] * self.xy[i, 0]
            self.Sy[reg] += sign * self.a[i] * self.xy[i, 1]
            self.Q[reg] += sign * self.q[i]
            self.size[reg] += int(sign)
        self.lab[i] = s


def _still_connected(neighbours: list[list[int]], lab: np.ndarray, i: int) -> bool:
    """Tell whether region ``lab[i]`` stays connected without block ``i``."""
    r = lab[i]
    same = [j for j in neighbours[i] if lab[j] == r]
    if len(same) <= 1:
        return True
    targets = set(same[1:])
    seen = {i, same[0]}
    queue = deque([same[0]])
    while queue and targets:
        u = queue.popleft()
        for v in neighbours[u]:
            if v not in seen and lab[v] == r:
                seen.add(v)
                targets.discard(v)
                queue.append(v)
    return not targets


def _descend(state: _State, neighbours: list[list[int]], eu: np.ndarray, ev: np.ndarray,
             target: float, alpha: float, k: int, max_moves: int) -> int:
    """Steepest descent by single boundary moves; return the number of moves made."""
    moves = 0
    w, a, xy, q = state.w, state.a, state.xy, state.q
    while moves < max_moves:
        lab = state.lab
        cand = lab[eu] != lab[ev]
        i = eu[cand]
        s = lab[ev[cand]]
        r = lab[i]
        ok = state.size[r] > 1
        i, s, r = i[ok], s[ok], r[ok]
        if i.size == 0:
            break
        Lr, Ls = state.L[r], state.L[s]
        d_bal = (((Lr - w[i] - target) ** 2 + (Ls + w[i] - target) ** 2
                  - (Lr - target) ** 2 - (Ls - target) ** 2) / target**2)
        cr_new = state.compact(state.A[r] - a[i], state.Sx[r] - a[i] * xy[i, 0],
                               state.Sy[r] - a[i] * xy[i, 1], state.Q[r] - q[i])
        cs_new = state.compact(state.A[s] + a[i], state.Sx[s] + a[i] * xy[i, 0],
                               state.Sy[s] + a[i] * xy[i, 1], state.Q[s] + q[i])
        c_old = state.compact(state.A, state.Sx, state.Sy, state.Q)
        delta = d_bal + alpha / k * (cr_new + cs_new - c_old[r] - c_old[s])
        order = np.argsort(delta, kind="stable")
        done = False
        for c in order[:64]:
            if delta[c] >= -1e-12:
                break
            if _still_connected(neighbours, lab, int(i[c])):
                state.move(int(i[c]), int(s[c]))
                moves += 1
                done = True
                break
        if not done:
            break
    return moves


def _kmeans_seeds(xy: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Return k block positions near the centres of a load-weighted k-means."""
    weight = w + max(w.mean(), 1e-9) * 0.05  # empty blocks still pull a little
    first = int(rng.choice(len(xy), p=weight / weight.sum()))
    centres = [xy[first]]
    for _ in range(1, k):
        d = np.min([((xy - c) ** 2).sum(1) for c in centres], axis=0) * weight
        centres.append(xy[int(np.argmax(d))])
    c = np.asarray(centres, dtype=float)
    for _ in range(25):
        near = np.argmin(((xy[:, None, :] - c[None]) ** 2).sum(-1), axis=1)
        for j in range(k):
            m = near == j
            if m.any():
                c[j] = (xy[m] * weight[m, None]).sum(0) / weight[m].sum()
    seeds: list[int] = []
    for j in range(k):
        d = ((xy - c[j]) ** 2).sum(1)
        d[seeds] = np.inf
        seeds.append(int(np.argmin(d)))
    return np.asarray(seeds)


def _grow(neighbours: list[list[int]], xy: np.ndarray, w: np.ndarray, seeds: np.ndarray
          ) -> np.ndarray:
    """Grow contiguous regions from seeds, the lightest region taking its nearest block."""
    n, k = len(xy), len(seeds)
    lab = np.full(n, -1)
    load = np.zeros(k)
    fronts: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    for r, sd in enumerate(seeds):
        lab[sd] = r
        load[r] = w[sd]
        for j in neighbours[sd]:
            heapq.heappush(fronts[r], (float(((xy[j] - xy[sd]) ** 2).sum()), j))
    left = n - k
    while left:
        order = np.argsort(load, kind="stable")
        for r in order:
            front = fronts[r]
            while front and lab[front[0][1]] >= 0:
                heapq.heappop(front)
            if front:
                break
        else:  # pragma: no cover - a connected graph always has a frontier
            raise OptimisationError("La croissance des secteurs s'est bloquée.")
        _, j = heapq.heappop(fronts[r])
        lab[j] = r
        load[r] += w[j]
        left -= 1
        sd = seeds[r]
        for m in neighbours[j]:
            if lab[m] < 0:
                heapq.heappush(fronts[r], (float(((xy[m] - xy[sd]) ** 2).sum()), m))
    return lab


def _cv(loads: np.ndarray) -> float:
    return patrols.balance(loads).cv


def improve(labels: np.ndarray, graph: Graph, load: np.ndarray, area_m2: np.ndarray,
            xy: np.ndarray, *, target_cv: float = TARGET_CV, compactness_weight: float = 1.0,
            max_moves: int = 50_000) -> tuple[np.ndarray, int]:
    """Improve a contiguous partition of blocks towards equal loads and compact shapes.

    Parameters
    ----------
    labels
        Region number (0..K-1) of each block; every region must be contiguous.
    graph
        Contiguity of the blocks (:func:`contiguity`).
    load, area_m2, xy
        Workload, area (m²) and centroid (metres) of each block.
    target_cv
        When the descent stops above half of it (a margin, so that the target holds on
        the incidents of the next period too), the compactness weight is divided by 4 (three
        times, then set to 0) and the search resumes: balance comes first.
    compactness_weight
        ``α`` of the objective (see the module docstring).

    Returns
    -------
    labels, moves
        The improved labels and the number of moves made.
    """
    k = int(labels.max()) + 1
    target = float(load.sum()) / k
    if target <= 0:
        raise EmptySelectionError("Aucun fait dans les îlots : la charge à répartir est nulle. "
                                  "Élargissez la période ou vérifiez les faits importés.")
    state = _State(np.asarray(labels, dtype=np.int64), np.asarray(load, dtype=float),
                   np.asarray(area_m2, dtype=float), np.asarray(xy, dtype=float), k)
    eu, ev = graph.edges
    moves = 0
    for alpha in (compactness_weight, compactness_weight / 4, compactness_weight / 16,
                  compactness_weight / 64, 0.0):
        moves += _descend(state, graph.neighbours, eu, ev, target, alpha, k, max_moves - moves)
        if _cv(state.L) < target_cv / 2:
            break
    return state.lab, moves


def partition(blocks: gpd.GeoDataFrame, *, k: int, target_cv: float = TARGET_CV,
              seed: int | None = 0, restarts: int = 4, compactness_weight: float = 1.0,
              islands: str = "raise", graph: Graph | None = None,
              start: np.ndarray | None = None) -> tuple[np.ndarray, Graph, int]:
    """Partition blocks with a ``load`` column into ``k`` contiguous, balanced regions.

    Tries ``restarts`` seedings (the best CV, then compactness, wins) unless ``start`` labels
    are given, in which case they are only improved.

    Returns
    -------
    labels, graph, moves

    Raises
    ------
    OptimisationError
        ``k`` larger than the number of blocks, or islands with ``islands="raise"``.
    """
    n = len(blocks)
    if k < 1:
        raise OptimisationError("Le nombre de secteurs demandé doit être au moins 1.")
    if k > n:
        msg = (f"{k} secteurs sont demandés mais il n'y a que {n} îlots à regrouper. Demandez "
               f"au plus {n} secteurs, ou prenez des îlots plus petits (cellules de grille).")
        raise OptimisationError(msg)
    work = crs.to_compute(blocks)
    g = work.geometry.to_numpy()
    xy = shapely.get_coordinates(shapely.centroid(g))
    area = shapely.area(g)
    load = blocks["load"].to_numpy(dtype=float)
    graph = graph if graph is not None else contiguity(blocks)
    if graph.components.max() > 0:
        if islands != "attach":
            ids = blocks["block_id"].astype(str).to_numpy()
            isolated = ids[graph.components > 0]
            sample = ", ".join(isolated[:10]) + (" …" if len(isolated) > 10 else "")
            msg = (f"{len(isolated)} îlot(s) ne touchent aucun autre îlot du territoire "
                   f"({sample}) : un secteur d'un seul tenant ne peut pas les inclure. "
                   "Corrigez leurs limites, retirez-les, ou demandez leur rattachement à l'îlot "
                   "le plus proche.")
            raise OptimisationError(msg)
        graph = _attach_islands(graph, xy)
    if start is not None:
        labels, moves = improve(np.asarray(start), graph, load, area, xy, target_cv=target_cv,
                                compactness_weight=compactness_weight)
        return labels, graph, moves
    rng = np.random.default_rng(seed)
    best: tuple[float, float, np.ndarray, int] | None = None
    for _ in range(max(1, restarts)):
        seeds = _kmeans_seeds(xy, load, k, rng)
        labels = _grow(graph.neighbours, xy, load, seeds)
        labels, moves = improve(labels, graph, load, area, xy, target_cv=target_cv,
                                compactness_weight=compactness_weight)
        cv = _cv(np.bincount(labels, weights=load, minlength=k))
        st = _State(labels, load, area, xy, k)
        shape = float(_State.compact(st.A, st.Sx, st.Sy, st.Q).mean())
        key = (max(cv, target_cv * 0.999), shape)
        if best is None or key < best[:2]:
            best = (key[0], key[1], labels, moves)
    assert best is not None
    return best[2], graph, best[3]


def dissolve(blocks: gpd.GeoDataFrame, labels: np.ndarray, *, force: str,
             prefix: str = "P") -> gpd.GeoDataFrame:
    """Merge blocks by label into sectors with their figures (EPSG:4326)."""
    work = crs.to_compute(blocks)
    epsg = int(work.crs.to_epsg())
    k = int(labels.max()) + 1
    g = shapely.make_valid(work.geometry.to_numpy())
    geoms = [shapely.union_all(g[labels == r]) for r in range(k)]
    load = np.bincount(labels, weights=blocks["load"].to_numpy(dtype=float), minlength=k)
    n_inc = np.bincount(labels, weights=blocks["n_incidents"].to_numpy(dtype=float)
                        if "n_incidents" in blocks.columns else None, minlength=k)
    arr = np.asarray(geoms, dtype=object)
    frame = gpd.GeoDataFrame({
        "sector_id": [f"{prefix}{r + 1:02d}" for r in range(k)],
        "name": [f"Secteur proposé {r + 1}" for r in range(k)],
        "force": force,
        "n_blocks": np.bincount(labels, minlength=k).astype(int),
        "n_incidents": n_inc.astype(int),
        "workload": load,
        "area_m2": shapely.area(arr),
        "polsby_popper": polsby_popper(arr),
        "max_distance_m": max_distance_m(arr),
    }, geometry=gpd.GeoSeries(geoms, crs=epsg))
    return crs.to_storage(frame)


def redesign(blocks: gpd.GeoDataFrame, *, k: int, force: str = patrols.NATIONAL,
             target_cv: float = TARGET_CV, seed: int | None = 0, restarts: int = 4,
             compactness_weight: float = 1.0, islands: str = "raise",
             split: np.ndarray | None = None) -> Redesign:
    """Propose ``k`` contiguous, compact sectors of balanced workload from blocks.

    Parameters
    ----------
    blocks
        Quartiers or grid cells with ``block_id`` and ``load`` (see :func:`block_loads`,
        :func:`grid_blocks`), any CRS.
    k
        Number of sectors wanted.
    force
        Force written in the proposal's ``force`` column.
    target_cv
        Target coefficient of variation of the workloads (default 10 %).
    seed, restarts
        Randomness of the k-means seeding, and the number of seedings tried.
    islands
        ``"raise"`` (default) reports blocks cut off from the rest; ``"attach"`` links each
        to its nearest block.
    split
        Boolean per block: when given, no proposed sector mixes ``True`` and ``False`` blocks
        (e.g. "inside the municipal police's area"), and ``k`` is shared between the two
        groups in proportion to their workload (at least one each).

    Raises
    ------
    OptimisationError
        ``k`` larger than the number of blocks; islands; a split group cut in pieces.
    """
    if blocks.empty:
        raise EmptySelectionError("Aucun îlot à regrouper : le territoire est vide.")
    if split is None:
        labels, graph, moves = partition(blocks, k=k, target_cv=target_cv, seed=seed,
                                         restarts=restarts, islands=islands,
                                         compactness_weight=compactness_weight)
        attached = [str(blocks["block_id"].iloc[i]) for i, _ in graph.attached]
    else:
        split = np.asarray(split, dtype=bool)
        groups = [np.flatnonzero(split), np.flatnonzero(~split)]
        groups = [grp for grp in groups if grp.size]
        loads = np.array([blocks["load"].to_numpy(dtype=float)[grp].sum() for grp in groups])
        if k < len(groups):
            raise OptimisationError(f"Garder la séparation demande au moins {len(groups)} "
                                    f"secteurs (un de chaque côté) ; {k} sont demandés.")
        ks = _share(k, loads)
        labels = np.zeros(len(blocks), dtype=np.int64)
        offset, moves, attached = 0, 0, []
        for grp, kg in zip(groups, ks):
            sub = blocks.iloc[grp]
            lab, graph, mv = partition(sub, k=int(kg), target_cv=target_cv, seed=seed,
                                       restarts=restarts, islands=islands,
                                       compactness_weight=compactness_weight)
            labels[grp] = lab + offset
            offset += int(kg)
            moves += mv
            attached += [str(sub["block_id"].iloc[i]) for i, _ in graph.attached]
    sectors = dissolve(blocks, labels, force=force)
    bal = patrols.balance(sectors["workload"])
    method = ("croissance équilibrée depuis des germes k-means, puis amélioration locale "
              "(déplacements d'îlots en frontière qui gardent chaque secteur d'un seul tenant)")
    if split is not None:
        method += ", séparément de part et d'autre de la limite demandée"
    assignment = pd.DataFrame({"block_id": blocks["block_id"].astype(str).to_numpy(),
                               "sector_id": sectors["sector_id"].to_numpy()[labels]})
    return Redesign(sectors, assignment, bal.cv, bal.max_over_mean, bool(bal.cv < target_cv),
                    method, int(moves), attached)


def _share(k: int, loads: np.ndarray) -> np.ndarray:
    """Share ``k`` sectors between groups in proportion to their loads (≥ 1 each)."""
    total = loads.sum()
    raw = (loads / total * k) if total > 0 else np.full(len(loads), k / len(loads))
    ks = np.maximum(1, np.floor(raw)).astype(int)
    while ks.sum() < k:
        ks[int(np.argmax(raw - ks))] += 1
    while ks.sum() > k:
        ks[int(np.argmax(np.where(ks > 1, ks - raw, -np.inf)))] -= 1
    return ks


# -- comparison and export ---------------------------------------------------------------------

def compare(current: gpd.GeoDataFrame, proposal: gpd.GeoDataFrame,
            incidents: gpd.GeoDataFrame, *, weights: Mapping[str, float] | None = None,
            default_weight: float = 1.0, category_column: str = "category") -> pd.DataFrame:
    """Compare today's sectors with a proposal on the same incidents.

    Both sets are measured the same way: each incident counts in the sector(s) it falls in.

    Returns
    -------
    DataFrame
        Index ``"actuels"``, ``"proposés"``; columns ``n_sectors``, ``cv``,
        ``max_over_mean``, ``polsby_popper_mean``, ``polsby_popper_min``,
        ``max_distance_m`` (the largest over the sectors).
    """
    rows = {}
    for label, frame in (("actuels", current), ("proposés", proposal)):
        if frame.empty:
            raise EmptySelectionError(f"Aucun secteur {label} à comparer.")
        frame = frame.reset_index(drop=True)
        cats = (incidents[category_column] if category_column in incidents.columns
                else pd.Series(None, index=incidents.index, dtype=object))
        w = patrols.incident_weights(cats, weights=weights, default_weight=default_weight)
        pairs = patrols.sector_of(incidents, frame)
        loads = np.bincount(pairs["sector"].to_numpy(), weights=w[pairs["point"].to_numpy()],
                            minlength=len(frame))
        shapes = shape_table(frame.assign(sector_id=np.arange(len(frame)).astype(str)))
        b = patrols.balance(loads)
        rows[label] = {"n_sectors": len(frame), "cv": b.cv, "max_over_mean": b.max_over_mean,
                       "polsby_popper_mean": float(shapes["polsby_popper"].mean()),
                       "polsby_popper_min": float(shapes["polsby_popper"].min()),
                       "max_distance_m": float(shapes["max_distance_m"].max())}
    return pd.DataFrame.from_dict(rows, orient="index")


def proposal_layer(result: Redesign) -> gpd.GeoDataFrame:
    """Return the proposal as a ``secteurs_proposes`` layer (EPSG:4326), ready to store."""
    cols = ["sector_id", "name", "force", "workload", "n_blocks", "polsby_popper",
            "max_distance_m"]
    return result.sectors[cols + ["geometry"]].copy()


def propose(sectors: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, k: int,
            force: str = patrols.NATIONAL, blocks: gpd.GeoDataFrame | None = None,
            block_id_column: str = "quartier_id", cell_size_m: float = 250.0,
            keep_split: bool = False, weights: Mapping[str, float] | None = None,
            target_cv: float = TARGET_CV, seed: int | None = 0,
            islands: str = "raise") -> tuple[Redesign, pd.DataFrame]:
    """Redesign a force's sectors over the area it covers today, and compare.

    Parameters
    ----------
    sectors
        Today's sectors of every force (``sector_id``, ``force``), any CRS.
    incidents
        Incidents (``category``), any CRS.
    k
        Number of sectors wanted.
    force
        Whose sectors are redesigned (its current area is the area to cut).
    blocks
        Quartiers to build from (id in ``block_id_column``); default: grid cells of
        ``cell_size_m`` metres over the force's area.
    keep_split
        Keep the national/municipal split: no proposed sector straddles the limit of the
        *other* force's area (blocks are split by whether their centre lies in it).

    Returns
    -------
    Redesign, DataFrame
        The proposal and :func:`compare`'s table (today's sectors of ``force`` against it).
    """
    mine = sectors[sectors["force"] == force]
    if mine.empty:
        label = vocab.FORCES.get(force, force)
        raise EmptySelectionError(f"Aucun secteur de la {label} dans la couche « secteurs » : "
                                  "rien à redécouper.")
    area = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(
        mine.geometry.to_numpy()))], crs=mine.crs)
    if blocks is None:
        blk = grid_blocks(area, incidents, cell_size_m=cell_size_m, weights=weights)
    else:
        work_b = crs.to_compute(blocks)
        centre = gpd.GeoDataFrame(geometry=shapely.point_on_surface(
            work_b.geometry.to_numpy()), crs=work_b.crs)
        inside = patrols.sector_of(centre, area)["point"].unique()
        blk = block_loads(blocks.iloc[np.sort(inside)], incidents, id_column=block_id_column,
                          weights=weights)
    split = None
    if keep_split:
        other = sectors[sectors["force"] != force]
        if not other.empty:
            other_area = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(
                other.geometry.to_numpy()))], crs=other.crs)
            work_b = crs.to_compute(blk)
            centre = gpd.GeoDataFrame(geometry=shapely.point_on_surface(
                work_b.geometry.to_numpy()), crs=work_b.crs)
            split = np.zeros(len(blk), dtype=bool)
            split[patrols.sector_of(centre, other_area)["point"].unique()] = True
            if split.all() or not split.any():
                split = None
    result = redesign(blk, k=k, force=force, target_cv=target_cv, seed=seed, islands=islands,
                      split=split)
    table = compare(mine, result.sectors, incidents, weights=weights)
    return result, table
