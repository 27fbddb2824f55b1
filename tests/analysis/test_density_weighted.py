"""Kernel density of points standing for several incidents is that of the repeated points.

A weighted release (:meth:`clspd_geo.access.view.RoleView.counts`) gives one point per atom
with its number of incidents ``n``; :func:`clspd_geo.analysis.density.density_xy` with
``n=`` must give the surface, bandwidth and count of the points repeated ``n`` times.
"""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.analysis import cells, density
from tests.analysis.grid_layers import X0, Y0, square_territory


@pytest.fixture
def rows():
    """60 positions in a 1 km square, each standing for 1 to 9 incidents, with a weight."""
    rng = np.random.default_rng(3)
    x = X0 + rng.uniform(0, 1000, 60)
    y = Y0 + rng.uniform(0, 1000, 60)
    n = rng.integers(1, 10, 60)
    return x, y, n, rng.choice([1.0, 2.5, 4.0], 60)


@pytest.mark.parametrize("q", [[75, 25], [0, 100], [50], [33.3, 99.9]])
def test_repeated_percentiles_are_numpys(rows, q):
    x, _, n, _ = rows
    np.testing.assert_allclose(density._repeated_percentiles(x, n, q),
                               np.percentile(np.repeat(x, n), q), rtol=0, atol=1e-6)


def test_bandwidth_of_repeated_points(rows):
    x, y, n, w = rows
    ex, ey = np.repeat(x, n), np.repeat(y, n)
    assert density.default_bandwidth_m(x, y, cell_size_m=10, n=n) == pytest.approx(
        density.default_bandwidth_m(ex, ey, cell_size_m=10), rel=1e-12)
    # Weights of rows are their incidents' weights added up.
    assert density.default_bandwidth_m(x, y, cell_size_m=10, weights=w * n, n=n) == \
        pytest.approx(density.default_bandwidth_m(ex, ey, cell_size_m=10,
                                                  weights=np.repeat(w, n)), rel=1e-12)
    # Without n, rows are points of their own: a narrower spread of fewer points.
    assert density.default_bandwidth_m(x, y, cell_size_m=10) != pytest.approx(
        density.default_bandwidth_m(ex, ey, cell_size_m=10), rel=1e-3)
    assert density.default_bandwidth_m(x[:1], y[:1], cell_size_m=10, n=np.array([1])) == 10


def test_density_of_repeated_points(rows):
    x, y, n, w = rows
    terr = square_territory(1000.0)
    g = cells.grid_for(terr, cell_size_m=50.0)
    inside = cells.inside_mask(g, terr)
    a = density.density_xy(g, x, y, inside=inside, weights=w * n, n=n)
    b = density.density_xy(g, np.repeat(x, n), np.repeat(y, n), inside=inside,
                           weights=np.repeat(w, n))
    assert a.n_incidents == b.n_incidents == int(n.sum())
    assert a.bandwidth_m == pytest.approx(b.bandwidth_m, rel=1e-12)
    np.testing.assert_allclose(a.density_per_km2, b.density_per_km2, rtol=1e-9)
    c = density.density_xy(g, x, y, inside=inside, n=n)
    d = density.density_xy(g, np.repeat(x, n), np.repeat(y, n), inside=inside)
    np.testing.assert_allclose(c.density_per_km2, d.density_per_km2, rtol=1e-9)
