"""Tests of the exact MCLP pipeline: brute-force and plain-MILP optima, Lagrangian site bounds,
reduction, budget and time limit, and a silent solver (``siting --json --exact`` stays valid
JSON)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy import optimize, sparse

from clspd_geo import demo
from clspd_geo.cli import main as cli
from clspd_geo.video import siting
from clspd_geo.video.siting import exact_solver
from clspd_geo.store import open_store

X0, Y0 = 650_000.0, 6_860_000.0


def _clustered_instance(seed: int, *, n_sites: int = 120, n_demand: int = 600):
    """Demand in a few hot clusters over a background; sites on random points."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, (6, 2))
    k = n_demand // 2
    hot = centres[rng.integers(0, 6, k)] + rng.normal(0, 120, (k, 2))
    cold = rng.uniform(0, 3000, (n_demand - k, 2))
    xy = np.vstack([hot, cold])
    w = np.r_[rng.integers(5, 30, k), rng.integers(1, 4, n_demand - k)].astype(float)
    demand = siting.Demand(X0 + xy[:, 0], Y0 + xy[:, 1], w, 2154, "test")
    sxy = rng.uniform(0, 3000, (n_sites, 2))
    sites = siting.Candidates(X0 + sxy[:, 0], Y0 + sxy[:, 1],
                              tuple(f"S{i}" for i in range(n_sites)),
                              tuple(f"site {i}" for i in range(n_sites)),
                              np.full(n_sites, 1.0), 2154)
    return demand, sites


def _plain_milp(problem: siting.Problem) -> float:
    """The whole model handed to HiGHS through scipy (the reference; no reduction)."""
    a = problem.cover.T.tocsr().astype(float)
    m, n = a.shape
    rows = [sparse.hstack([-a, sparse.identity(m)], format="csr"),
            sparse.csr_array(np.r_[np.ones(n), np.zeros(m)][None, :])]
    hi = [np.zeros(m), [problem.n_new]]
    for i, j in problem.conflicts:
        r = np.zeros(n + m)
        r[[i, j]] = 1
        rows.append(sparse.csr_array(r[None, :]))
        hi.append([1.0])
    upper = np.r_[np.where(problem.blocked, 0.0, 1.0), np.ones(m)]
    res = optimize.milp(np.r_[np.zeros(n), -problem.weight],
                        constraints=optimize.LinearConstraint(sparse.vstack(rows),
                                                              -np.inf, np.concatenate(hi)),
                        integrality=np.r_[np.ones(n), np.zeros(m)],
                        bounds=optimize.Bounds(0, upper),
                        options={"mip_rel_gap": 1e-9, "time_limit": 120})
    assert res.status == 0
    return problem.covered_before - float(res.fun)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("n_new", "min_d", "radius_m"),
                         [(6, 0.0, 200.0), (15, 0.0, 200.0), (10, 150.0, 200.0),
                          (12, 0.0, 450.0), (25, 0.0, 350.0)])
def test_exact_equals_the_plain_milp_on_the_whole_model(seed, n_new, min_d, radius_m):
    demand, sites = _clustered_instance(seed)
    problem = siting.prepare(demand, sites, radius_m=radius_m, n_new=n_new,
                             min_distance_m=min_d)
    ref = _plain_milp(problem)
    res = siting.exact(problem, time_limit_s=60)
    assert res.status == "optimal"
    assert res.covered_after == pytest.approx(ref, rel=1e-6)
    assert res.bound == pytest.approx(ref, rel=1e-6)
    assert len(res.sites) <= n_new


def _brute_force(problem: siting.Problem) -> float:
    c = problem.candidates
    best = problem.covered_before
    k = problem.n_new if problem.n_new is not None else len(c)
    for r in range(1, k + 1):
        for combo in itertools.combinations(range(len(c)), r):
            pick = list(combo)
            if problem.blocked[pick].any():
                continue
            if problem.budget_eur is not None and c.cost_eur[pick].sum() > problem.budget_eur:
                continue
            if problem.min_distance_m > 0 and any(
                    np.hypot(c.x[a] - c.x[b], c.y[a] - c.y[b]) < problem.min_distance_m
                    for a, b in itertools.combinations(pick, 2)):
                continue
            best = max(best, problem.covered_by(np.array(pick)))
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n_new", "budget", "min_d"),
                         [(3, None, 0.0), (3, None, 250.0), (None, 50.0, 0.0), (2, 40.0, 150.0)])
def test_exact_finds_brute_force_optimum_and_greedy_is_within_its_bound(seed, n_new, budget,
                                                                         min_d, random_instance):
    demand, sites = random_instance(seed)
    problem = siting.prepare(demand, sites, radius_m=250.0, n_new=n_new, budget_eur=budget,
                             min_distance_m=min_d)
    best = _brute_force(problem)
    exact = siting.exact(problem, time_limit_s=20)
    assert exact.status == "optimal"
    assert exact.covered_after == pytest.approx(best)
    assert exact.bound >= best - 1e-9 and exact.gap == pytest.approx(0.0, abs=1e-6)
    g = siting.greedy(problem)
    assert g.covered_after <= best + 1e-9
    assert g.bound >= best - 1e-9
    assert g.gap >= 0
    # Constraints hold on both answers.
    for res in (exact, g):
        if n_new is not None:
            assert len(res.sites) <= n_new
        if budget is not None:
            assert res.sites["cost_eur"].sum() <= budget
        if min_d > 0 and len(res.sites) > 1:
            xy = res.sites.to_crs(2154).get_coordinates().to_numpy()
            d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            assert d[np.triu_indices(len(xy), 1)].min() >= min_d - 1e-6


def test_budget_buys_cheap_sites():
    demand = siting.Demand(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                           np.array([5.0, 4.0, 4.0]), 2154, "test")
    sites = siting.Candidates(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"),
                              np.array([30_000.0, 15_000.0, 15_000.0]), 2154)
    problem = siting.prepare(demand, sites, radius_m=50.0, budget_eur=30_000.0)
    res = siting.exact(problem)
    assert sorted(res.sites["site_id"]) == ["B", "C"] and res.covered_after == 8.0


def test_time_limit_keeps_greedy_answer_with_its_bound(random_instance):
    demand, sites = random_instance(3, n_demand=400, n_sites=300)
    problem = siting.prepare(demand, sites, radius_m=120.0, n_new=15)
    g = siting.greedy(problem)
    res = siting.exact(problem, time_limit_s=0.0, fallback=g)
    assert res.status == "limite_de_temps"
    assert "limite" in res.message and "0 s" in res.message
    assert res.covered_after >= g.covered_after
    assert res.bound <= g.bound + 1e-9


def _bounds(seed: int, *, n_sites: int, n_demand: int, radius_m: float, n_new: int):
    """An instance, its compact model and the Lagrangian bounds from its LP duals."""
    demand, sites = _clustered_instance(seed, n_sites=n_sites, n_demand=n_demand)
    problem = siting.prepare(demand, sites, radius_m=radius_m, n_new=n_new)
    model = exact_solver.compact(problem)
    _, duals = exact_solver.lp_duals(model, problem, time_limit_s=30)
    return problem, model, exact_solver.site_bounds(model, duals, n_new)


def test_lagrangian_site_bounds_hold_for_every_set_containing_the_site():
    _, model, lag = _bounds(7, n_sites=12, n_demand=200, radius_m=400.0, n_new=3)
    a = model.cover_t.T.tocsr()
    best = 0.0
    for combo in itertools.combinations(range(len(model.sites)), 3):
        hit = np.asarray(a[list(combo)].sum(axis=0)).ravel() > 0
        value = float(model.weight[hit].sum())
        best = max(best, value)
        for i in combo:
            assert value <= lag.per_site[i] + 1e-6
    assert lag.bound >= best - 1e-6
    # The LP bound is tight enough here to rule some sites out of every optimal answer.
    assert (lag.per_site < best - 1e-6).any()


def test_a_site_ruled_out_by_its_bound_is_not_needed():
    """Dropping the sites whose bound is below a known answer keeps the optimum."""
    problem, model, lag = _bounds(3, n_sites=150, n_demand=800, radius_m=200.0, n_new=8)
    g = siting.greedy(problem)
    keep = np.flatnonzero(lag.per_site >= g.covered_after - problem.covered_before - 1e-6)
    assert len(keep) < len(model.sites)
    reduced = exact_solver.restrict(model, keep)
    run = exact_solver.run_mip(reduced, problem, start=np.zeros(0, np.int64), time_limit_s=60,
                               mip_rel_gap=1e-9, presolve=False)
    assert run.optimal
    assert problem.covered_before + run.value == pytest.approx(_plain_milp(problem), rel=1e-6)


def test_time_limit_on_a_large_instance_keeps_a_valid_answer_and_bound():
    demand, sites = _clustered_instance(11, n_sites=900, n_demand=3000)
    problem = siting.prepare(demand, sites, radius_m=250.0, n_new=40)
    g = siting.greedy(problem)
    res = siting.exact(problem, time_limit_s=0.5, fallback=g)
    assert res.covered_after >= g.covered_after - 1e-9
    assert res.covered_after <= res.bound <= g.bound + 1e-9
    if res.status != "optimal":
        assert "limite de 0.5 s" in res.message


def test_exact_siting_json_is_not_polluted_by_the_solver(tmp_path, capfd):
    path = tmp_path / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=3, n_incidents=3000)
    code = cli.main(["siting", "--store", str(path), "--new", "4", "--json", "--exact",
                     "--candidates", "grille", "--grid-m", "150", "--time-limit-s", "30"])
    out = capfd.readouterr().out
    assert code == 0
    data = json.loads(out)
    methods = [r["methode"] for r in data["resultats"]]
    assert "exact" in methods


def test_merged_demand_sums_rows_with_the_same_sites_only():
    # Rows (points) → sites: {0, 2}, {1}, {0, 2}, {2, 0} (same set), {0}.
    rows = [[0, 2], [1], [0, 2], [2, 0], [0]]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    cover_t = sparse.csr_array((np.ones(indptr[-1], dtype=bool),
                                np.concatenate(rows), indptr), shape=(5, 3))
    merged, w = exact_solver._merged_demand(cover_t, np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    got = {tuple(merged.indices[merged.indptr[i]:merged.indptr[i + 1]]): w[i]
           for i in range(merged.shape[0])}
    assert got == {(0, 2): 8.0, (1,): 2.0, (0,): 5.0}


def test_drop_dominated_keeps_one_of_equal_sites_and_the_larger_set():
    # Site 0 sees {a}, 1 sees {a, b}, 2 sees {a, b} too (same cost), 3 sees {c} dearer
    # than nothing else: 0 is inside 1, 2 duplicates 1; 3 stays.
    cols = {0: [0], 1: [0, 1], 2: [0, 1], 3: [2]}
    r = np.concatenate([cols[k] for k in range(4)])
    c = np.concatenate([[k] * len(cols[k]) for k in range(4)])
    cover_t = sparse.csr_array((np.ones(len(r), dtype=bool), (r, c)), shape=(3, 4))
    model = exact_solver.CompactModel(np.arange(4), cover_t, np.array([1.0, 1.0, 1.0]),
                                      np.zeros((0, 2), dtype=np.int64), np.full(4, 5.0))
    kept = exact_solver.drop_dominated(model)
    assert kept.sites.tolist() == [1, 3]
    # A cheaper subset is not dominated (under a budget it may be the better buy).
    cheap = exact_solver.CompactModel(model.sites, cover_t, model.weight, model.conflicts,
                                      np.array([1.0, 5.0, 5.0, 5.0]))
    assert exact_solver.drop_dominated(cheap).sites.tolist() == [0, 1, 3]
    # With a minimum distance (conflicts) nothing is dropped.
    conf = exact_solver.CompactModel(model.sites, cover_t, model.weight,
                                     np.array([[1, 2]]), model.cost)
    assert exact_solver.drop_dominated(conf).sites.tolist() == [0, 1, 2, 3]
