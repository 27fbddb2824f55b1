"""Balanced redesign of patrol sectors: K contiguous, compact sectors of equal workload.

A redesign groups *building blocks* (quartiers, or square grid cells) into K contiguous,
compact sectors whose workloads are as equal as possible (target: a coefficient of variation
under 10 %). It works in three steps:

1. **Contiguity graph.** Two blocks are neighbours when they share at least
   ``min_shared_m`` metres of boundary (rook contiguity, tolerant to digitising gaps of
   ``tolerance_m``). Blocks not connected to the rest (islands) are reported, or attached to
   the nearest block when asked (:mod:`clspd_geo.police.blocks`).
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
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, crs
from clspd_geo.errors import EmptySelectionError, OptimisationError
from clspd_geo.police.blocks import Graph, attach_islands, contiguity
from clspd_geo.police.load import NATIONAL, balance
from clspd_geo.police.sector_checks import max_distance_m, polsby_popper

TARGET_CV = 0.10


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
    return balance(loads).cv


def improve(labels: np.ndarray, graph: Graph, load: np.ndarray, area_m2: np.ndarray,
            xy: np.ndarray, *, target_cv: float = TARGET_CV, compactness_weight: float = 1.0,
            max_moves: int = 50_000) -> tuple[np.ndarray, int]:
    """Improve a contiguous partition of blocks towards equal loads and compact shapes.

    Parameters
    ----------
    labels
        Region number (0..K-1) of each block; every region must be contiguous.
    graph
        Contiguity of the blocks (:func:`clspd_geo.police.blocks.contiguity`).
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
            n = len(isolated)
            msg = (f"{_format.count(n, 'îlot')} {_format.plural(n, 'ne touche', 'ne touchent')} "
                   "aucun autre îlot du territoire "
                   f"({sample}) : un secteur d'un seul tenant ne peut pas les inclure. "
                   "Corrigez leurs limites, retirez-les, ou demandez leur rattachement à l'îlot "
                   "le plus proche.")
            raise OptimisationError(msg)
        graph = attach_islands(graph, xy)
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


def redesign(blocks: gpd.GeoDataFrame, *, k: int, force: str = NATIONAL,
             target_cv: float = TARGET_CV, seed: int | None = 0, restarts: int = 4,
             compactness_weight: float = 1.0, islands: str = "raise",
             split: np.ndarray | None = None) -> Redesign:
    """Propose ``k`` contiguous, compact sectors of balanced workload from blocks.

    Parameters
    ----------
    blocks
        Quartiers or grid cells with ``block_id`` and ``load`` (see
        :func:`clspd_geo.police.blocks.block_loads`,
        :func:`~clspd_geo.police.blocks.grid_blocks`), any CRS.
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
    bal = balance(sectors["workload"])
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
