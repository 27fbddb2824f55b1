"""Tests of the greedy siting heuristic and its bounds (known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.video import siting
from clspd_geo.video.siting import greedy_solver

X0, Y0 = 650_000.0, 6_860_000.0


def test_known_answer_two_clusters_and_ranked_gains():
    # 5 points around A, 3 around B, 1 at C; two cameras of 50 m: A then B.
    xy = [(X0 + d, Y0) for d in (0, 5, 10, 15, 20)] + [(X0 + 500 + d, Y0) for d in (0, 5, 10)] \
        + [(X0 + 1000, Y0)]
    demand = siting.Demand(np.array([p[0] for p in xy]), np.array([p[1] for p in xy]),
                           np.ones(9), 2154, "test")
    sites = siting.Candidates(np.array([X0 + 10, X0 + 505, X0 + 1000]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"), np.full(3, 1.0), 2154)
    problem = siting.prepare(demand, sites, radius_m=50.0, n_new=2)
    for res in (siting.greedy(problem), siting.exact(problem)):
        assert res.sites["site_id"].tolist() == ["A", "B"]
        assert res.sites["marginal_gain"].tolist() == [5.0, 3.0]
        assert res.sites["covered_after"].tolist() == [5.0, 8.0]
        assert res.covered_after == 8.0 and res.share_after == pytest.approx(8 / 9)
        assert res.sites.crs.to_epsg() == 4326


def test_lagrangian_bound_lies_between_the_optimum_and_the_best_single_gains():
    # Three points of weight 3, 2, 2; site A sees the first two, B the last two, C the
    # first only. One camera: the optimum is 5 (A); the best single gain is also 5.
    demand = siting.Demand(np.array([X0, X0 + 40, X0 + 80]), np.full(3, Y0),
                           np.array([3.0, 2.0, 2.0]), 2154, "test")
    sites = siting.Candidates(np.array([X0 + 20, X0 + 60, X0 - 20]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"), np.ones(3), 2154)
    problem = siting.prepare(demand, sites, radius_m=25.0, n_new=1)
    lag = greedy_solver.lagrangian_bound(problem, lower=5.0, iterations=50)
    assert lag.bound == pytest.approx(5.0)
    assert lag.chosen.tolist() == [0]
    res = greedy_solver.greedy(problem)
    assert res.sites["site_id"].tolist() == ["A"] and res.status == "optimal"
    # Two cameras: A then B (adding 2), every point covered.
    res2 = greedy_solver.greedy(siting.prepare(demand, sites, radius_m=25.0, n_new=2))
    assert res2.sites["marginal_gain"].tolist() == [5.0, 2.0] and res2.covered_after == 7.0


def test_greedy_under_a_budget_buys_gain_per_euro():
    # A covers 5 for 30 000 €, B and C cover 4 each for 15 000 €: 30 000 € buys B and C.
    demand = siting.Demand(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                           np.array([5.0, 4.0, 4.0]), 2154, "test")
    sites = siting.Candidates(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"),
                              np.array([30_000.0, 15_000.0, 15_000.0]), 2154)
    res = greedy_solver.greedy(siting.prepare(demand, sites, radius_m=50.0,
                                              budget_eur=30_000.0))
    assert sorted(res.sites["site_id"]) == ["B", "C"] and res.covered_after == 8.0
    assert res.bound >= 8.0 - 1e-9
