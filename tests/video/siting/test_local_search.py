"""Tests of the swap local search: hand-made instances where the greedy answer is not
optimal and one swap reaches the optimum, constraints kept, brute-force checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from clspd_geo.video import siting
from clspd_geo.video.siting import local_search

X0, Y0 = 650_000.0, 6_860_000.0


def _cover(rows: list[list[int]], m: int) -> sparse.csr_array:
    dense = np.zeros((len(rows), m), dtype=bool)
    for i, pts in enumerate(rows):
        dense[i, pts] = True
    return sparse.csr_array(dense)


# Site A covers points 0-3, B covers 0, 1, 4 and C covers 2, 3, 5 (weights 1): with two
# sites the greedy takes A (4) then B (+1) = 5, while B + C cover all six points.
TRAP = _cover([[0, 1, 2, 3], [0, 1, 4], [2, 3, 5]], 6)


def _value(cover: sparse.csr_array, w: np.ndarray, sites: np.ndarray) -> float:
    hit = np.asarray(cover[np.asarray(sites)].sum(axis=0)).ravel() > 0
    return float(w[hit].sum())


def test_one_swap_turns_the_greedy_trap_into_the_optimum():
    w = np.ones(6)
    sites, value = local_search.swap_search(TRAP, w, np.array([0, 1]))
    assert sorted(sites.tolist()) == [1, 2]
    assert value == 6.0


def test_a_local_optimum_is_left_as_it_is():
    w = np.ones(6)
    sites, value = local_search.swap_search(TRAP, w, np.array([1, 2]))
    assert sorted(sites.tolist()) == [1, 2] and value == 6.0


def test_swaps_keep_the_budget_and_the_minimum_distances():
    w = np.ones(6)
    # C costs too much to replace A: the greedy pair stays.
    sites, value = local_search.swap_search(TRAP, w, np.array([0, 1]),
                                            cost=np.array([1.0, 1.0, 3.0]), budget=2.0)
    assert sorted(sites.tolist()) == [0, 1] and value == 5.0
    # B and C too close: no swap may put both in.
    sites, value = local_search.swap_search(TRAP, w, np.array([0, 1]),
                                            conflicts=np.array([[1, 2]]))
    assert sorted(sites.tolist()) == [0, 1] and value == 5.0
    # C not allowed (e.g. blocked near an existing camera).
    sites, _ = local_search.swap_search(TRAP, w, np.array([0, 1]),
                                        allowed=np.array([True, True, False]))
    assert 2 not in sites


def _brute(cover: sparse.csr_array, w: np.ndarray, p: int) -> float:
    return max(_value(cover, w, np.array(c)) for c in itertools.combinations(
        range(cover.shape[0]), p))


@pytest.mark.parametrize("seed", range(8))
def test_search_never_loses_and_never_beats_the_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    n, m, p = 12, 40, 3
    cover = sparse.csr_array(rng.random((n, m)) < 0.15)
    w = rng.integers(1, 6, m).astype(float)
    start = rng.choice(n, p, replace=False)
    opt = _brute(cover, w, p)
    sites, value = local_search.swap_search(cover, w, start)
    assert len(sites) == p and len(set(sites.tolist())) == p
    assert value == pytest.approx(_value(cover, w, sites))
    assert _value(cover, w, start) <= value <= opt
    best, best_v = local_search.iterated_search(cover, w, [start], time_limit_s=0.5,
                                                target=opt, seed=seed)
    assert len(best) == p and best_v == pytest.approx(_value(cover, w, best))
    assert value <= best_v <= opt


def test_iterated_search_stops_at_its_target():
    w = np.ones(6)
    _, value = local_search.iterated_search(TRAP, w, [np.array([0, 1])], time_limit_s=30.0,
                                            target=6.0)
    assert value == 6.0  # returned at once (the test would hang 30 s otherwise)


def test_exact_answer_beats_the_greedy_trap_on_the_map():
    # The trap laid out on the ground: A between two pairs of points, B and C at the pairs.
    px = X0 + np.array([0.0, 10.0, 200.0, 210.0, -90.0, 300.0])
    demand = siting.Demand(px, np.full(6, Y0), np.array([2.0, 2.0, 2.0, 2.0, 1.0, 1.0]),
                           2154, "test")
    sites = siting.Candidates(X0 + np.array([105.0, -40.0, 250.0]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"), np.ones(3), 2154)
    problem = siting.prepare(demand, sites, radius_m=106.0, n_new=2)
    assert problem.cover.toarray().astype(int).tolist() == [[1, 1, 1, 1, 0, 0],
                                                            [1, 1, 0, 0, 1, 0],
                                                            [0, 0, 1, 1, 0, 1]]
    g = siting.greedy(problem)
    assert g.covered_after == 9.0
    res = siting.exact(problem, time_limit_s=10)
    assert res.status == "optimal" and res.covered_after == 10.0
    assert sorted(res.sites["site_id"]) == ["B", "C"]
