"""Tests of the siting model: the prepared problem (coverage matrix, residual demand, blocked
sites) and its French messages on bad input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_points

from clspd_geo.errors import OptimisationError
from clspd_geo.video import siting
from clspd_geo.video.siting import model

X0, Y0 = 650_000.0, 6_860_000.0


def test_coverage_matrix_known_answer():
    # Sites at 0 and 100 m; demand at 0, 40, 100 and 160 m: radius 50 m.
    m = model.coverage_matrix(np.array([0.0, 100.0]), np.zeros(2),
                              np.array([0.0, 40.0, 100.0, 160.0]), np.zeros(4), radius_m=50.0)
    assert m.shape == (2, 4)
    assert m.toarray().tolist() == [[True, True, False, False], [False, False, True, False]]
    empty = model.coverage_matrix(np.zeros(0), np.zeros(0), np.zeros(3), np.zeros(3),
                                  radius_m=50.0)
    assert empty.shape == (0, 3) and empty.nnz == 0


def test_problem_covered_by_counts_existing_and_chosen_sites():
    demand = model.Demand(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                          np.array([5.0, 4.0, 1.0]), 2154, "test")
    sites = model.Candidates(np.array([X0, X0 + 500]), np.full(2, Y0), ("A", "B"), ("a", "b"),
                             np.ones(2), 2154)
    problem = model.prepare(demand, sites, radius_m=50.0, n_new=1)
    assert problem.total_weight == 10.0 and problem.covered_before == 0.0
    assert problem.covered_by(np.array([], dtype=np.int64)) == 0.0
    assert problem.covered_by(np.array([1])) == 4.0
    assert problem.covered_by(np.array([0, 1])) == 9.0
    assert problem.cover_t.shape == (3, 2)


def test_existing_cameras_already_count_and_block_close_sites():
    demand = siting.Demand(np.array([X0, X0 + 500]), np.array([Y0, Y0]), np.array([10.0, 4.0]),
                           2154, "test")
    sites = siting.Candidates(np.array([X0 + 5, X0 + 500]), np.array([Y0, Y0]), ("near", "far"),
                              ("n", "f"), np.ones(2), 2154)
    existing = make_points([(X0, Y0)], camera_id=["e1"], bearing_deg=[np.nan],
                           fov_deg=[360.0], range_m=[30.0])
    problem = siting.prepare(demand, sites, radius_m=50.0, n_new=1, existing=existing,
                             min_distance_m=20.0)
    assert problem.covered_before == 10.0
    assert problem.blocked.tolist() == [True, False]
    res = siting.exact(problem)
    assert res.sites["site_id"].tolist() == ["far"]
    assert res.covered_before == 10.0 and res.covered_after == 14.0


def test_bad_input_gives_french_messages(random_instance):
    demand, sites = random_instance(0)
    with pytest.raises(OptimisationError, match="ne permet pas d'installer une seule caméra"):
        siting.prepare(demand, sites, budget_eur=5.0)
    with pytest.raises(OptimisationError, match="au moins 1"):
        siting.prepare(demand, sites, n_new=0)
    with pytest.raises(OptimisationError, match="nombre de nouvelles caméras ou un budget"):
        siting.prepare(demand, sites)
    with pytest.raises(OptimisationError, match="rayon"):
        siting.prepare(demand, sites, n_new=2, radius_m=-5)

