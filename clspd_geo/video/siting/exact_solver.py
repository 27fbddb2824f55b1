"""The exact camera-siting MCLP: LP relaxation, Lagrangian reduction, HiGHS branch-and-cut.

The MCLP of :mod:`clspd_geo.video.siting.model` as a mixed-integer programme: ``x_i`` (site i
chosen, binary) and ``y_j`` (demand point j covered, in [0, 1]); maximise ``sum w_j y_j`` s.t.
``y_j <= sum_{i covers j} x_i``, ``sum x_i <= n_new`` and/or ``sum cost_i x_i <= budget``,
``x_a + x_b <= 1`` for sites closer than the minimum distance. Demand already seen by the
cameras in service is left out, sites near them are left out, and demand points covered
by the same sites are merged.

Handing the whole model to HiGHS' branch-and-cut is slow on large instances for one
reason that has nothing to do with branching: HiGHS solves the root LP with its dual
simplex, which stalls on these degenerate covering LPs (measured on the 1M-incident demo,
10,000 sites, 100 cameras: 50.6 s, against 1.5 s with the primal simplex and 4.3 s with
the interior point). So, with a number of new cameras, :func:`exact` works in steps:

1. the LP relaxation, with HiGHS' primal simplex;
2. a Lagrangian bound from its duals ``l`` (clipped to ``[0, w]``): for any set ``S`` of
   at most ``p`` sites, ``f(S) <= sum_j (w_j - l_j) + sum_{i in S} s_i`` with
   ``s = A l``; so every solution that contains site ``i`` is worth at most
   ``L_i = sum_j (w_j - l_j) + s_i + (the p - 1 largest other scores)``. The bound holds
   for any ``l`` in ``[0, w]``, however accurate the LP duals are;
2b. a swap local search (:mod:`~clspd_geo.video.siting.local_search`) from the greedy answer
   and the LP rounding, kicked and restarted while it improves: a better answer, no proof;
3. a first MILP on the "kernel" (the sites the LP uses, plus the greedy ones), started
   from the greedy answer, for a share of the time: a good feasible answer, ``LB``;
4. the reduction: a site with ``L_i < LB`` is in no optimal solution, and is dropped;
5. the MILP on the sites left, started from the best answer so far.

The proven bound is the smaller of the Lagrangian bound and HiGHS' dual bound on the
reduced model (valid for the whole model, because every dropped site's solutions are worth
less than ``LB``). Under a budget alone, steps 1–4 are skipped.

HiGHS is driven through ``highspy`` (the HiGHS project's own Python interface), which,
unlike :func:`scipy.optimize.milp`, lets one choose the LP algorithm and start the MILP from
a known solution. Its core class is used directly: the ``highspy.Highs`` wrapper prints a
banner on standard output when it is created, which would break ``siting --json``.

:func:`solve` chooses between the greedy heuristic and this exact method.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse

from clspd_geo.errors import OptimisationError
from clspd_geo.video.siting.greedy_solver import greedy, lagrangian_bound
from clspd_geo.video.siting.local_search import iterated_search, swap_search
from clspd_geo.video.siting.model import Problem
from clspd_geo.video.siting.result import SitingResult, make_result, site_indices

LOCAL_SEARCH_SHARE = 0.7
"""Share of the time left after the LP given to the iterated swap search (step 2b); it
stops as soon as it reaches the LP bound, or after
:data:`~clspd_geo.video.siting.local_search.PATIENCE` kicks without a better answer. On the
demo (10,000 sites, 100 cameras) the branch-and-cut hardly moves the LP bound nor the
answer in the time left, while the search keeps improving the answer."""

KERNEL_SHARE = 0.3
"""Share of the remaining time given to the kernel MILP (step 3)."""

LARGE_SITES = 2_000
"""Above this many sites left after the reduction (and four times the kernel), when the
kernel MILP did not finish, the remaining time goes to the kernel again rather than to the
reduced model: HiGHS' root LP on such a model alone would take longer (measured on the demo,
10,000 sites, 100 cameras: the whole model never got past its root in 60 s, while the
kernel kept improving the answer)."""


@dataclass(frozen=True)
class CompactModel:
    """The compact model: usable, undominated sites and merged residual demand.

    Attributes
    ----------
    sites
        Problem indices of the usable sites (not blocked, covering some residual demand).
    cover_t
        ``(m, n)`` CSR matrix: merged demand point → usable sites covering it.
    weight
        Weight of each merged demand point.
    conflicts
        ``(k, 2)`` pairs of positions in ``sites`` closer than the minimum distance.
    cost
        Cost of each usable site, euros.
    """

    sites: np.ndarray
    cover_t: sparse.csr_array
    weight: np.ndarray
    conflicts: np.ndarray
    cost: np.ndarray


@dataclass(frozen=True)
class MipRun:
    """What one HiGHS MILP run gave, in residual weight (existing coverage excluded).

    Attributes
    ----------
    chosen
        Problem indices of the sites in the best answer found.
    value
        Residual weight that answer covers.
    upper
        HiGHS' proven upper bound on the model it was given (at least ``value``).
    optimal
        True when HiGHS proved the answer optimal.
    """

    chosen: np.ndarray
    value: float
    upper: float
    optimal: bool


def _merged_demand(cover_t: sparse.csr_array, weight: np.ndarray) -> tuple[
        sparse.csr_array, np.ndarray]:
    """Merge demand points covered by exactly the same sites (summing their weight).

    Rows are grouped by two random 64-bit hashes of their site set and their length, then
    every row is checked against its group's first row, index by index: the merge is exact
    (a hash collision, never met, falls back to grouping by the index bytes).
    """
    m = cover_t.shape[0]
    if m == 0:
        return cover_t, np.asarray(weight, dtype=float)
    cover_t.sort_indices()
    indptr, indices = cover_t.indptr, cover_t.indices
    lengths = np.diff(indptr)
    rng = np.random.default_rng(12345)
    keys = rng.integers(0, np.iinfo(np.int64).max, size=(2, cover_t.shape[1]),
                        dtype=np.int64).astype(np.uint64)
    row = np.repeat(np.arange(m), lengths)
    h1 = np.zeros(m, dtype=np.uint64)
    h2 = np.zeros(m, dtype=np.uint64)
    np.add.at(h1, row, keys[0][indices])  # wraps modulo 2**64
    np.add.at(h2, row, keys[1][indices])
    table = np.column_stack([h1, h2, lengths.astype(np.uint64)])
    _, first, group = np.unique(table, axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    rep = first[group]
    rep_pos = np.repeat(indptr[rep], lengths) + (np.arange(len(indices))
                                                  - np.repeat(indptr[:-1], lengths))
    if not np.array_equal(indices[rep_pos], indices):
        keyed: dict[bytes, int] = {}
        group = np.fromiter((keyed.setdefault(indices[indptr[i]:indptr[i + 1]].tobytes(),
                                              len(keyed)) for i in range(m)),
                            dtype=np.int64, count=m)
        first = np.full(len(keyed), -1, dtype=np.int64)
        first[group[::-1]] = np.arange(m)[::-1]
    merged_w = np.bincount(group, weights=weight, minlength=len(first))
    return cover_t[first], merged_w


def drop_dominated(model: CompactModel) -> CompactModel:
    """Drop every site whose covered demand is a subset of a site no dearer (exact).

    Such a site can be swapped for the other one in any answer without losing coverage
    or exceeding the number or the budget, so an optimal answer without it exists; of
    sites covering the same demand at the same cost one is kept. Not applied with a
    minimum distance between sites (the swap could break it).
    """
    n = model.cover_t.shape[1]
    if len(model.conflicts) or n < 2:
        return model
    a = model.cover_t.T.tocsr().astype(np.float64)
    size = np.diff(a.indptr).astype(np.float64)
    overlap = (a @ a.T).tocoo()
    i, k, v = overlap.row, overlap.col, overlap.data
    cost = model.cost
    # i inside k (i != k), k no dearer; ties (same set, same cost) keep the lower index.
    inside = (i != k) & (v >= size[i]) & (cost[k] <= cost[i])
    strict = (size[k] > size[i]) | (cost[k] < cost[i]) | (k < i)
    dominated = np.zeros(n, dtype=bool)
    dominated[np.unique(i[inside & strict])] = True
    if not dominated.any():
        return model
    return restrict(model, np.flatnonzero(~dominated))


def compact(problem: Problem) -> CompactModel:
    """The model on the usable sites (not blocked, covering some residual demand)."""
    positive = np.flatnonzero(problem.weight > 0)
    every_site = CompactModel(np.arange(len(problem.candidates)),
                        problem.cover[:, positive].T.tocsr(), problem.weight[positive],
                        problem.conflicts, problem.candidates.cost_eur)
    usable = np.flatnonzero(~problem.blocked &
                            (np.asarray(problem.cover @ problem.weight).ravel() > 0))
    return drop_dominated(restrict(every_site, usable))


def restrict(model: CompactModel, keep: np.ndarray) -> CompactModel:
    """The model on the sites at positions ``keep`` (demand merged again)."""
    keep = np.asarray(keep, dtype=np.int64)
    cover_t = model.cover_t[:, keep].tocsr()
    seen = np.diff(cover_t.indptr) > 0
    cover_t, w = _merged_demand(cover_t[seen], model.weight[seen])
    pos = np.full(len(model.sites), -1, dtype=np.int64)
    pos[keep] = np.arange(len(keep))
    conf = pos[model.conflicts] if len(model.conflicts) else model.conflicts
    conf = conf[(conf >= 0).all(axis=1)] if len(conf) else conf
    return CompactModel(model.sites[keep], cover_t, w, conf, model.cost[keep])


def _highs(model: CompactModel, problem: Problem, *, integer: bool, time_limit_s: float,
           mip_rel_gap: float = 1e-6, presolve: bool = False):
    """Load the model into a silent HiGHS instance (minimising ``-sum w_j y_j``)."""
    import highspy

    m, n = model.cover_t.shape
    rows = [sparse.hstack([-model.cover_t.astype(float), sparse.identity(m, format="csr")],
                          format="csr")]
    upper = [np.zeros(m)]
    if problem.n_new is not None:
        rows.append(sparse.csr_array(np.r_[np.ones(n), np.zeros(m)][None, :]))
        upper.append(np.array([float(problem.n_new)]))
    if problem.budget_eur is not None:
        rows.append(sparse.csr_array(np.r_[model.cost, np.zeros(m)][None, :]))
        upper.append(np.array([float(problem.budget_eur)]))
    k = len(model.conflicts)
    if k:
        a, b = model.conflicts[:, 0], model.conflicts[:, 1]
        rows.append(sparse.csr_array((np.ones(2 * k), (np.r_[np.arange(k), np.arange(k)],
                                                        np.r_[a, b])), shape=(k, n + m)))
        upper.append(np.ones(k))
    mat = sparse.vstack(rows, format="csc")
    ub = np.concatenate(upper)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + m, len(ub)
    lp.col_cost_ = np.r_[np.zeros(n), -model.weight]
    lp.col_lower_, lp.col_upper_ = np.zeros(n + m), np.ones(n + m)
    lp.row_lower_, lp.row_upper_ = np.full(len(ub), -highspy.kHighsInf), ub
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = mat.indptr, mat.indices
    lp.a_matrix_.value_ = mat.data
    if integer:
        lp.integrality_ = ([highspy.HighsVarType.kInteger] * n
                           + [highspy.HighsVarType.kContinuous] * m)
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.0))
    h.setOptionValue("presolve", "on" if presolve else "off")
    if integer:
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    else:
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal simplex (see the module docstring)
    h.passModel(lp)
    return h


def run_mip(model: CompactModel, problem: Problem, *, start: np.ndarray, time_limit_s: float,
         mip_rel_gap: float, presolve: bool) -> MipRun:
    """Run HiGHS' branch-and-cut on ``model`` from the sites ``start`` (problem indices)."""
    import highspy

    m, n = model.cover_t.shape
    h = _highs(model, problem, integer=True, time_limit_s=time_limit_s,
               mip_rel_gap=mip_rel_gap, presolve=presolve)
    x = np.isin(model.sites, start).astype(float)
    if x.any():
        sol = highspy.HighsSolution()
        sol.col_value = list(np.r_[x, np.minimum(1.0, model.cover_t @ x)])
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    ok = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit,
                    highspy.HighsModelStatus.kIterationLimit,
                    highspy.HighsModelStatus.kInterrupt)
    if not ok:
        msg = (f"Le solveur exact (HiGHS) a échoué : {h.modelStatusToString(status)}. La "
               "solution gloutonne reste valable ; réduisez le nombre de sites candidats ou "
               "relancez.")
        raise OptimisationError(msg)
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value)
    chosen = model.sites[values[:n] > 0.5] if len(values) >= n + m else np.zeros(0, np.int64)
    dual = float(info.mip_dual_bound)
    upper = -dual if np.isfinite(dual) else float(model.weight.sum())
    value = float(model.weight[(model.cover_t @ (values[:n] > 0.5).astype(float)) > 0].sum()) \
        if len(chosen) else 0.0
    return MipRun(chosen, value, max(upper, value),
                status == highspy.HighsModelStatus.kOptimal)


def lp_duals(model: CompactModel, problem: Problem, *, time_limit_s: float) -> tuple[
        np.ndarray, np.ndarray] | None:
    """Solve the LP relaxation; return (site values, coverage-row duals) or None."""
    import highspy

    if time_limit_s <= 0:
        return None
    h = _highs(model, problem, integer=False, time_limit_s=time_limit_s)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = h.getSolution()
    n = model.cover_t.shape[1]
    return np.asarray(sol.col_value)[:n], np.asarray(sol.row_dual)[:model.cover_t.shape[0]]


@dataclass(frozen=True)
class SiteBounds:
    """Lagrangian bound and the bound of every solution containing each site.

    Attributes
    ----------
    bound
        Upper bound on the residual weight any ``n_new`` sites of the model can cover.
    per_site
        For each site of the model, an upper bound on every solution that contains it.
    """

    bound: float
    per_site: np.ndarray


def site_bounds(model: CompactModel, duals: np.ndarray, n_new: int) -> SiteBounds:
    """Bounds from the duals ``duals`` of the coverage rows of the LP relaxation."""
    w = model.weight
    a = model.cover_t.T.tocsr().astype(float)
    n = a.shape[0]
    p = min(n_new, n)
    # HiGHS minimises -sum w_j y_j: the duals of the rows y_j - sum a_ij x_i <= 0 are <= 0.
    lam = np.clip(-duals, 0.0, w)
    s = a @ lam
    base = float((w - lam).sum())
    order = np.argsort(-s, kind="stable")
    top = s[order[:p]]
    bound = base + float(top[top > 0].sum())
    kth = float(top[-1]) if p and top[-1] > 0 else 0.0
    per_site = np.full(n, bound)
    outside = np.ones(n, dtype=bool)
    outside[order[:p]] = False
    per_site[outside] = bound - kth + np.maximum(s[outside], 0.0)
    return SiteBounds(bound, per_site)


def _local_search(model: CompactModel, problem: Problem, x_lp: np.ndarray,
                  start: np.ndarray, upper: float, time_limit_s: float) -> tuple[
                      np.ndarray, float]:
    """Better answer by swaps, from the best one and from the LP rounding (step 2b).

    Returns (problem indices of the sites, residual weight they cover, recomputed on
    the model). Swaps keep the number of sites, the budget and the minimum distances;
    kicks (:func:`~clspd_geo.video.siting.local_search.iterated_search`) are only used
    with a number of sites alone.
    """
    cover = model.cover_t.T.tocsr()
    p = int(problem.n_new)
    start_pos = np.flatnonzero(np.isin(model.sites, start))
    rounding = np.argsort(-x_lp, kind="stable")[:p]
    if problem.budget_eur is None and len(model.conflicts) == 0:
        found, value = iterated_search(
            cover, model.weight, [start_pos, rounding], pool=np.flatnonzero(x_lp > 1e-6),
            time_limit_s=time_limit_s, target=upper)
    else:
        found, value = swap_search(
            cover, model.weight, start_pos, cost=model.cost, budget=problem.budget_eur,
            conflicts=model.conflicts, time_limit_s=time_limit_s)
    return model.sites[found], value


def exact(problem: Problem, *, time_limit_s: float = 60.0, mip_rel_gap: float = 1e-6,
          fallback: SitingResult | None = None, presolve: bool = False,
          local_search_share: float = LOCAL_SEARCH_SHARE) -> SitingResult:
    """Solve the MCLP exactly with HiGHS, within ``time_limit_s`` seconds.

    LP relaxation, Lagrangian reduction of the candidate sites, then branch-and-cut on the
    sites left (see the module docstring for the steps). When the time runs out, the best
    answer found (at least the greedy one) is kept with the best proven bound.

    Parameters
    ----------
    time_limit_s
        Time limit for all steps together, seconds.
    mip_rel_gap
        Relative gap at which HiGHS stops and calls the answer optimal.
    fallback
        A greedy result to start from and to keep when nothing better is found in time;
        computed when not given.
    presolve
        HiGHS presolve in the MILP runs. Off by default: on these covering models it
        removes almost nothing and costs time.
    local_search_share
        Share of the time left after the LP given to the swap local search (0: none).

    Raises
    ------
    OptimisationError
        HiGHS fails for another reason than the time limit (French message).
    """
    t0 = time.perf_counter()
    base = fallback if fallback is not None else greedy(problem)

    def left() -> float:
        return time_limit_s - (time.perf_counter() - t0)

    model = compact(problem)
    if len(model.sites) == 0:
        return make_result(problem, np.zeros(0, dtype=np.int64), method="exact",
                           status="optimal", bound=problem.covered_before,
                           seconds=time.perf_counter() - t0,
                           note="Aucun site ne couvre de demande supplémentaire.")
    base_sites = site_indices(problem, base)
    best_sites, best = base_sites, base.covered_after - problem.covered_before
    upper = base.bound - problem.covered_before
    kept = model
    heuristic_only: CompactModel | None = None
    proven = False
    n_new = problem.n_new
    if n_new is not None and len(model.sites) > n_new:
        lp = lp_duals(model, problem, time_limit_s=left())
        if lp is not None:
            x_lp, duals = lp
            lag = site_bounds(model, duals, n_new)
            upper = min(upper, lag.bound)
            if local_search_share > 0 and best < upper - 1e-9 * max(abs(upper), 1.0):
                found, value = _local_search(model, problem, x_lp, best_sites, upper,
                                             local_search_share * left())
                if value > best + 1e-9:
                    best_sites, best = found, value
            kernel = np.flatnonzero((x_lp > 1e-6) | np.isin(model.sites, base_sites))
            kernel_run = None
            if len(kernel) < len(model.sites) and left() > 0.1:
                kernel_model = restrict(model, kernel)
                kernel_run = run_mip(kernel_model, problem, start=best_sites,
                                     time_limit_s=KERNEL_SHARE * left(),
                                     mip_rel_gap=mip_rel_gap, presolve=presolve)
                if kernel_run.value > best:
                    best_sites, best = kernel_run.chosen, kernel_run.value
            tol = 1e-9 * max(abs(lag.bound), 1.0)
            keep = np.flatnonzero(lag.per_site >= best - tol)
            if len(keep) < len(model.sites):
                kept = restrict(model, keep)
            if best >= upper - tol:
                proven = True
            elif kernel_run is not None and kernel_run.optimal and np.isin(keep, kernel).all():
                # Every site left is in the kernel, whose optimum is proven.
                upper, proven = min(upper, kernel_run.upper), True
            elif (kernel_run is not None and not kernel_run.optimal
                  and len(kept.sites) > max(LARGE_SITES, 4 * len(kernel))):
                heuristic_only = kernel_model
    if not proven and left() > 0.1:
        target = heuristic_only if heuristic_only is not None else kept
        run = run_mip(target, problem, start=best_sites, time_limit_s=left(),
                      mip_rel_gap=mip_rel_gap, presolve=presolve)
        if run.value > best:
            best_sites, best = run.chosen, run.value
        if heuristic_only is None:
            # Sites dropped by the reduction only carry solutions worth less than `best`,
            # so the reduced model's bound holds for the whole model.
            upper = min(upper, run.upper)
            proven = run.optimal
        proven = proven or best >= upper - 1e-9 * max(abs(upper), 1.0)
    seconds = time.perf_counter() - t0
    bound = problem.covered_before + max(upper, best)
    if proven:
        return make_result(problem, best_sites, method="exact", status="optimal",
                           bound=bound, seconds=seconds)
    if n_new is not None and upper >= base.bound - problem.covered_before:
        # The LP did not finish in time: a subgradient run still gives a proven bound.
        lag = lagrangian_bound(problem, lower=best, iterations=400,
                               time_limit_s=max(left(), 0.1 * time_limit_s))
        upper = min(upper, lag.bound)
        bound = problem.covered_before + max(upper, best)
        seconds = time.perf_counter() - t0
    note = (f"Le solveur exact a atteint sa limite de {time_limit_s:g} s avant de prouver "
            "l'optimum : l'instance est trop grande pour ce délai.")
    if best > base.covered_after - problem.covered_before:
        return make_result(problem, best_sites, method="exact", status="limite_de_temps",
                           bound=bound, seconds=seconds,
                           note=note + " Meilleure solution trouvée conservée.")
    return make_result(problem, base_sites, method="glouton", status="limite_de_temps",
                       bound=bound, seconds=seconds,
                       note=note + " La solution gloutonne est conservée, avec sa borne.")


def solve(problem: Problem, *, method: Literal["glouton", "exact"] = "glouton",
          time_limit_s: float = 60.0) -> SitingResult:
    """Solve with the greedy method, or exactly (keeping the greedy answer as fallback)."""
    if method == "glouton":
        return greedy(problem)
    if method == "exact":
        return exact(problem, time_limit_s=time_limit_s)
    raise OptimisationError(f"Méthode inconnue « {method} » (glouton ou exact).")
