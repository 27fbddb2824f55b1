"""The greedy siting heuristic, with its proven upper bounds.

:func:`greedy` adds the site with the largest marginal gain (gain per euro under a budget)
until done, in milliseconds. Coverage is submodular, so for any set ``S``,
``OPT <= f(S) + (sum of the k largest marginal gains w.r.t. S)``; the smallest such value met
along the way is a proven upper bound, reported with the greedy gap. With a number of new
cameras, :func:`lagrangian_bound` tightens it by subgradient optimisation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from clspd_geo.video.siting.csr import rows_of
from clspd_geo.video.siting.model import Problem
from clspd_geo.video.siting.result import SitingResult, make_result


def _knapsack_bound(gains: np.ndarray, costs: np.ndarray, budget: float) -> float:
    """Fractional knapsack: the most gain a budget can buy if sites could be split."""
    pos = gains > 0
    if not pos.any():
        return 0.0
    g, cst = gains[pos], costs[pos]
    free = cst <= 0
    total = float(g[free].sum())
    g, cst = g[~free], cst[~free]
    order = np.argsort(-g / cst, kind="stable")
    cum = np.cumsum(cst[order])
    full = cum <= budget
    total += float(g[order][full].sum())
    nxt = int(full.sum())
    if nxt < len(order):
        left = budget - (cum[nxt - 1] if nxt else 0.0)
        total += float(g[order][nxt] * left / cst[order][nxt])
    return total


def _step_bound(gains: np.ndarray, problem: Problem, n_left: int | None,
                budget_left: float | None) -> float:
    """Upper bound on what any completion could still add (see module docstring)."""
    g = np.where(problem.blocked, 0.0, gains)
    bounds = []
    if n_left is not None:
        k = min(max(n_left, 0), len(g))
        bounds.append(float(np.partition(g, len(g) - k)[len(g) - k:].sum()) if k else 0.0)
    if budget_left is not None:
        bounds.append(_knapsack_bound(g, problem.candidates.cost_eur, max(budget_left, 0.0)))
    return min(bounds)


def greedy(problem: Problem, *, bound_iterations: int = 40) -> SitingResult:
    """Choose sites one by one by largest marginal gain (per euro under a budget).

    Returns the chosen sites with a proven upper bound, the smallest of: for every set
    ``S`` met along the way, ``f(S)`` plus the best marginal gains any feasible choice
    could add to ``S`` (the ``n_new`` largest, or a fractional knapsack under the budget);
    and, with a number of cameras, a Lagrangian bound refined by ``bound_iterations``
    subgradient steps (see :func:`lagrangian_bound`). With a budget, the best single
    affordable site replaces the greedy set when it alone covers more.
    """
    t0 = time.perf_counter()
    cover = problem.cover
    cover_t = problem.cover_t
    residual = problem.weight.copy()
    gains = np.asarray(cover @ residual).ravel().astype(float)
    cost = problem.candidates.cost_eur
    allowed = ~problem.blocked
    conflicts = _conflict_matrix(problem)
    n_max = problem.n_new if problem.n_new is not None else len(gains)
    budget = problem.budget_eur
    spent = 0.0
    chosen: list[int] = []
    steps: list[float] = []
    covered = 0.0
    best_bound = _step_bound(gains, problem, problem.n_new, budget)
    by_ratio = budget is not None
    while len(chosen) < n_max:
        ok = allowed & (gains > 1e-12)
        if budget is not None:
            ok &= cost <= budget - spent + 1e-9
        if not ok.any():
            break
        score = gains / np.maximum(cost, 1e-9) if by_ratio else gains
        j = int(np.argmax(np.where(ok, score, -np.inf)))
        chosen.append(j)
        steps.append(float(gains[j]))
        covered += float(gains[j])
        spent += float(cost[j])
        allowed[j] = False
        if conflicts is not None:
            allowed[conflicts.indices[conflicts.indptr[j]:conflicts.indptr[j + 1]]] = False
        newly = cover.indices[cover.indptr[j]:cover.indptr[j + 1]]
        newly = newly[residual[newly] > 0]
        if len(newly):
            # Every site covering a newly covered point loses that point's weight.
            sites, row = rows_of(cover_t.indptr, cover_t.indices, newly)
            gains -= np.bincount(sites, weights=residual[newly][row], minlength=len(gains))
            residual[newly] = 0.0
        # OPT <= f(S) + the best gains any feasible set could add to S: the full
        # n_new / budget, since the optimal set need not contain S.
        best_bound = min(best_bound, covered + _step_bound(gains, problem, problem.n_new, budget))
    order = np.asarray(chosen, dtype=np.int64)
    step_gains = np.asarray(steps)
    if budget is not None:
        single = np.where(~problem.blocked & (cost <= budget),
                          np.asarray(cover @ problem.weight).ravel(), -np.inf)
        j = int(np.argmax(single))
        if np.isfinite(single[j]) and single[j] > covered:
            order, step_gains, covered = np.array([j]), np.array([single[j]]), float(single[j])
    best_bound = min(best_bound, float(problem.weight.sum()))
    if problem.n_new is not None and bound_iterations > 0:
        lag = lagrangian_bound(problem, lower=covered, iterations=bound_iterations)
        best_bound = min(best_bound, lag.bound)
    best_bound += problem.covered_before
    seconds = time.perf_counter() - t0
    status = "optimal" if best_bound - (problem.covered_before + covered) <= 1e-9 * max(
        best_bound, 1.0) else "heuristique"
    return make_result(problem, order, method="glouton", status=status, bound=best_bound,
                       seconds=seconds, gains=step_gains)


def _conflict_matrix(problem: Problem) -> sparse.csr_array | None:
    """Return the symmetric sparse matrix of sites too close to each other, or None."""
    if len(problem.conflicts) == 0:
        return None
    n = len(problem.candidates)
    a, b = problem.conflicts[:, 0], problem.conflicts[:, 1]
    return sparse.csr_array((np.ones(2 * len(a), dtype=bool), (np.r_[a, b], np.r_[b, a])),
                            shape=(n, n))


# -- Lagrangian bound --------------------------------------------------------------------

@dataclass(frozen=True)
class LagrangianBound:
    """A Lagrangian upper bound on the weight new sites can add (existing coverage excluded).

    Attributes
    ----------
    bound
        Proven upper bound on the weight any ``n_new`` sites can newly cover.
    scores
        Lagrangian score of each candidate at the best multipliers.
    kth, next_score
        The ``n_new``-th and ``(n_new + 1)``-th largest scores (zero when absent).
    chosen
        Candidates in the Lagrangian solution (the ``n_new`` best positive scores).
    """

    bound: float
    scores: np.ndarray
    kth: float
    next_score: float
    chosen: np.ndarray


def lagrangian_bound(problem: Problem, *, lower: float, iterations: int = 300,
                     time_limit_s: float | None = None) -> LagrangianBound:
    """Bound the MCLP by relaxing the coverage constraints (subgradient optimisation).

    With multipliers ``0 <= l_j <= w_j`` on ``y_j <= sum_{i covers j} x_i``, the
    relaxation splits: ``L(l) = sum_j (w_j - l_j) + (sum of the n_new largest site scores
    s_i = sum_{j covered by i} l_j)``, and every ``L(l)`` bounds the optimum from above
    (minimum distances are relaxed too, which keeps the bound valid). The multipliers
    start at ``l = w`` (the bound "sum of the n_new best single gains") and follow
    Polyak steps towards ``lower`` (a known feasible value, e.g. the greedy one).

    Only for a number of new cameras (``problem.n_new``); the existing coverage is not
    included in the bound. With ``time_limit_s``, the iterations stop when it is spent
    (the bound stays valid: it is the best one met).
    """
    t0 = time.perf_counter()
    k = int(problem.n_new or 0)
    w = problem.weight.astype(float)
    a = problem.cover[~problem.blocked] if problem.blocked.any() else problem.cover
    idx = np.flatnonzero(~problem.blocked)
    n = a.shape[0]
    if n == 0 or k == 0 or w.sum() <= 0:
        return LagrangianBound(0.0, np.zeros(len(problem.candidates)), 0.0, 0.0,
                               np.zeros(0, dtype=np.int64))
    a = a.astype(float)
    coverable = np.bincount(a.indices, minlength=len(w)) > 0
    lam = w.astype(float).copy()  # uncoverable demand keeps l = w: it contributes nothing
    best = np.inf
    best_lam = lam.copy()
    theta = 2.0
    stall = 0
    kk = min(k, n)
    for _ in range(max(1, iterations)):
        s = a @ lam
        top = np.argpartition(-s, kk - 1)[:kk] if kk < n else np.arange(n)
        top = top[s[top] > 0]
        value = float((w - lam).sum() + s[top].sum())
        if value < best - 1e-9:
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 8:
                theta, stall = theta / 2, 0
        if best - lower <= 1e-9 * max(best, 1.0) or theta < 1e-4:
            break
        if time_limit_s is not None and time.perf_counter() - t0 > time_limit_s:
            break
        # y_j - sum of chosen x_i covering j (only the n_new chosen rows are read).
        hit, _ = rows_of(a.indptr, a.indices, top)
        g = (w - lam > 0).astype(float) - np.bincount(hit, minlength=len(w))
        g[~coverable] = 0.0
        g = np.where(((lam <= 0) & (g < 0)) | ((lam >= w) & (g > 0)), 0.0, g)
        norm = float(g @ g)
        if norm == 0:
            break
        step = theta * max(value - lower, 1e-9 * max(value, 1.0)) / norm
        lam = np.clip(lam + step * g, 0.0, w)
    s = a @ best_lam
    order = np.argsort(-s, kind="stable")
    kth = float(s[order[kk - 1]]) if kk <= n and s[order[kk - 1]] > 0 else 0.0
    nxt = float(s[order[kk]]) if kk < n else 0.0
    chosen = order[:kk][s[order[:kk]] > 0]
    scores = np.zeros(len(problem.candidates))
    scores[idx] = s
    return LagrangianBound(float(best), scores, kth, max(nxt, 0.0), idx[chosen])
