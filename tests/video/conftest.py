"""Fixtures shared by the camera-siting tests: a small random MCLP instance."""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.video import siting

X0, Y0 = 650_000.0, 6_860_000.0


def _random_instance(seed: int, *, n_demand: int = 50, n_sites: int = 11):
    rng = np.random.default_rng(seed)
    demand = siting.Demand(X0 + rng.uniform(0, 1000, n_demand), Y0 + rng.uniform(0, 1000, n_demand),
                           rng.integers(1, 10, n_demand).astype(float), 2154, "test")
    sites = siting.Candidates(X0 + rng.uniform(0, 1000, n_sites),
                              Y0 + rng.uniform(0, 1000, n_sites),
                              tuple(f"S{i}" for i in range(n_sites)),
                              tuple(f"site {i}" for i in range(n_sites)),
                              rng.choice([10.0, 20.0, 30.0], n_sites), 2154)
    return demand, sites


@pytest.fixture
def random_instance():
    """Return the builder of a random instance: ``random_instance(seed, n_demand=, n_sites=)``
    gives (demand, candidates) in a 1 km square, Lambert-93, costs 10, 20 or 30."""
    return _random_instance
