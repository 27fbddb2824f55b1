"""Swap local search for the MCLP: a better incumbent than the greedy answer, fast.

From a feasible set ``S`` of sites, a *swap* takes one chosen site out and puts the best
non-chosen one in. The search keeps, on the sparse site × point incidence matrix:

- ``count[j]``: how many chosen sites cover point ``j``;
- ``gain[k]``: the weight site ``k`` would add (the points it covers with ``count == 0``).

Taking site ``i`` out uncovers the points it alone covers (``count == 1``): their weight is
what ``i`` is worth (its *loss*), and every site covering one of them gains that weight. So
the best swap for ``i`` is ``argmax_k (gain[k] + extra_i[k]) - loss_i``, computed with one
sparse gather per chosen site. The search applies the best improving swap over all chosen
sites, until no swap improves or the time is spent; a swap keeps the number of sites, the
budget and the minimum distances. The answer is a local optimum, not a proof: the proof
(the bound) comes from the LP, the Lagrangian or the branch-and-cut.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from clspd_geo.video.siting.csr import rows_of


PATIENCE = 300
"""Kicks in a row without a better answer after which :func:`iterated_search` stops
(measured on the demo, 10,000 sites, 100 cameras: improvements still come after 250
kicks; on small instances 300 kicks take a fraction of a second)."""


def swap_search(cover: sparse.csr_array, weight: np.ndarray, start: np.ndarray, *,
                cost: np.ndarray | None = None, budget: float | None = None,
                conflicts: np.ndarray | None = None, allowed: np.ndarray | None = None,
                time_limit_s: float = 5.0, max_swaps: int = 100_000) -> tuple[
                    np.ndarray, float]:
    """Improve the set ``start`` by best-improvement swaps; return (sites, covered weight).

    Parameters
    ----------
    cover
        ``(n_sites, n_points)`` sparse incidence: site ``i`` covers point ``j``.
    weight
        Weight of each point (zero for points already covered by existing cameras).
    start
        Positions of the starting sites (a feasible answer).
    cost, budget
        Cost of each site and the budget the swapped set must stay within (optional).
    conflicts
        ``(k, 2)`` pairs of sites that may not both be chosen (optional).
    allowed
        Sites that may be chosen (default: all).
    time_limit_s, max_swaps
        Stop after this time or this many swaps (the answer stays feasible).
    """
    t0 = time.perf_counter()
    cover = sparse.csr_array(cover)
    n, m = cover.shape
    cover_t = cover.T.tocsr()
    w = np.asarray(weight, dtype=float)
    chosen = np.zeros(n, dtype=bool)
    chosen[np.asarray(start, dtype=np.int64)] = True
    ok = np.ones(n, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool).copy()
    conf = None
    if conflicts is not None and len(conflicts):
        a, b = np.asarray(conflicts)[:, 0], np.asarray(conflicts)[:, 1]
        conf = sparse.csr_array((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])),
                                shape=(n, n))
    sel = np.flatnonzero(chosen)
    count = np.bincount(rows_of(cover.indptr, cover.indices, sel)[0], minlength=m)
    gain = np.asarray(cover @ (w * (count == 0))).ravel()
    blocked = np.zeros(n, dtype=np.int64)  # chosen neighbours too close
    if conf is not None:
        blocked = np.asarray(conf @ chosen.astype(float)).ravel().astype(np.int64)
    spent = float(cost[sel].sum()) if cost is not None else 0.0
    value = float(w[count > 0].sum())
    tol = 1e-9 * max(value, 1.0)
    swaps = 0
    # Chosen site -> (its loss, what its removal adds to each site's gain): valid while
    # no count changes on its points.
    cache: dict[int, tuple[float, np.ndarray | None]] = {}
    while swaps < max_swaps and time.perf_counter() - t0 < time_limit_s:
        best_delta, best_move = tol, None
        free_now = ok & ~chosen
        for i in np.flatnonzero(chosen):
            if i not in cache:
                pts = cover.indices[cover.indptr[i]:cover.indptr[i + 1]]
                alone = pts[count[pts] == 1]
                loss = float(w[alone].sum())
                extra = None
                if loss > 0:
                    sites, row = rows_of(cover_t.indptr, cover_t.indices, alone)
                    extra = np.bincount(sites, weights=w[alone][row], minlength=n)
                cache[i] = (loss, extra)
            loss, extra = cache[i]
            extra_gain = gain if extra is None else gain + extra
            can = free_now
            if conf is not None:
                near_i = conf.indices[conf.indptr[i]:conf.indptr[i + 1]]
                free = blocked.copy()
                free[near_i] -= 1
                can = can & (free == 0)
            if budget is not None and cost is not None:
                can = can & (spent - cost[i] + cost <= budget + 1e-9)
            if not can.any():
                continue
            k = int(np.argmax(np.where(can, extra_gain, -np.inf)))
            delta = float(extra_gain[k]) - loss
            if delta > best_delta:
                best_delta, best_move = delta, (int(i), k)
        if best_move is None:
            break
        i, k = best_move
        # Out with i: points it alone covered become uncovered.
        pts = cover.indices[cover.indptr[i]:cover.indptr[i + 1]]
        count[pts] -= 1
        freed = pts[count[pts] == 0]
        if len(freed):
            sites, row = rows_of(cover_t.indptr, cover_t.indices, freed)
            gain += np.bincount(sites, weights=w[freed][row], minlength=n)
        # In with k: points it newly covers are no longer a gain for anyone.
        pts = cover.indices[cover.indptr[k]:cover.indptr[k + 1]]
        newly = pts[count[pts] == 0]
        count[pts] += 1
        if len(newly):
            sites, row = rows_of(cover_t.indptr, cover_t.indices, newly)
            gain -= np.bincount(sites, weights=w[newly][row], minlength=n)
        chosen[i], chosen[k] = False, True
        touched = np.union1d(cover.indices[cover.indptr[i]:cover.indptr[i + 1]], pts)
        for site in np.unique(rows_of(cover_t.indptr, cover_t.indices, touched)[0]):
            cache.pop(int(site), None)
        if conf is not None:
            blocked[conf.indices[conf.indptr[i]:conf.indptr[i + 1]]] -= 1
            blocked[conf.indices[conf.indptr[k]:conf.indptr[k + 1]]] += 1
        if cost is not None:
            spent += float(cost[k] - cost[i])
        value += best_delta
        swaps += 1
    sel = np.flatnonzero(chosen)
    hit = np.bincount(rows_of(cover.indptr, cover.indices, sel)[0], minlength=m) > 0
    return sel, float(w[hit].sum())


def iterated_search(cover: sparse.csr_array, weight: np.ndarray, starts: list[np.ndarray], *,
                    pool: np.ndarray | None = None, time_limit_s: float = 5.0,
                    target: float = np.inf, kick: tuple[int, int] = (4, 10),
                    patience: int = PATIENCE, seed: int = 0) -> tuple[np.ndarray, float]:
    """Iterated swap search: local optima of :func:`swap_search`, kicked and searched again.

    Each start is improved by swaps; then, until ``time_limit_s`` is spent or ``target``
    (e.g. a proven upper bound) is reached, the current answer is *kicked* (a random number
    of sites in ``kick``, taken out and replaced by random sites of ``pool``, e.g. the sites
    the LP relaxation uses) and searched again; the new local optimum becomes the current
    answer when it covers at least as much. The search also stops after ``patience``
    kicks in a row that did not improve the best answer. Only for a number of sites without
    minimum distance (a kick keeps the number of sites and nothing else).

    Returns the best answer met (positions of the sites) and the weight it covers.
    """
    t0 = time.perf_counter()
    cover = sparse.csr_array(cover)
    n = cover.shape[0]
    rng = np.random.default_rng(seed)
    best, best_v = np.zeros(0, dtype=np.int64), -np.inf
    for s in starts:
        left = time_limit_s - (time.perf_counter() - t0)
        s, v = swap_search(cover, weight, s, time_limit_s=max(left, 0.0))
        if v > best_v:
            best, best_v = s, v
    pool = np.arange(n) if pool is None else np.unique(np.asarray(pool, dtype=np.int64))
    cur, cur_v = best, best_v
    tol = 1e-9 * max(abs(target) if np.isfinite(target) else 1.0, 1.0)
    idle = 0
    while (time.perf_counter() - t0 < time_limit_s and best_v < target - tol
           and len(cur) > 1 and idle < patience):
        idle += 1
        q = int(rng.integers(kick[0], kick[1] + 1))
        q = min(q, len(cur) - 1)
        keep = np.delete(cur, rng.choice(len(cur), q, replace=False))
        free = np.setdiff1d(pool, keep)
        if len(free) < q:
            free = np.setdiff1d(np.arange(n), keep)
        s = np.r_[keep, rng.choice(free, q, replace=False)]
        left = time_limit_s - (time.perf_counter() - t0)
        s, v = swap_search(cover, weight, s, time_limit_s=max(left, 0.0))
        if v >= cur_v:
            cur, cur_v = s, v
        if v > best_v + tol:
            best, best_v, idle = s, v, 0
    return best, float(best_v)
