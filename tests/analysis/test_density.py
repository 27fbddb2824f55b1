"""Known-answer tests of the kernel density (binned Taylor KDE against the exact sum)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from clspd_geo.analysis import cells, density
from tests.analysis.grid_layers import X0, Y0, points_at


def test_kde_matches_the_exact_gaussian_sum():
    grid = cells.Grid(0.0, 0.0, 50.0, 120, 100, 2154)
    rng = np.random.default_rng(3)
    x = rng.normal(3000, 700, 3000)
    y = rng.normal(2500, 500, 3000)
    keep = (x > 0) & (x < 6000) & (y > 0) & (y < 5000)
    x, y = x[keep], y[keep]
    w = rng.uniform(1, 5, x.size)
    for h in (150.0, 300.0):
        ours = density.kde_grid(grid, x, y, bandwidth_m=h, weights=w)
        exact = density.exact_kde(grid, x, y, bandwidth_m=h, weights=w)
        assert np.abs(ours - exact).max() <= 1e-3 * exact.max()


def test_kde_of_one_point_integrates_to_one():
    grid = cells.Grid(0.0, 0.0, 25.0, 80, 80, 2154)
    dens = density.kde_grid(grid, np.array([1012.0]), np.array([990.0]), bandwidth_m=100)
    assert dens.sum() * 25.0**2 == pytest.approx(1.0, rel=1e-4)
    row, col = np.unravel_index(np.argmax(dens), dens.shape)
    assert (col, row) == (40, 39)


def test_edge_correction_keeps_boundary_density():
    # Uniform points over the territory: corrected density is flat up to the edge.
    rng = np.random.default_rng(4)
    n = 200_000
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    grid = cells.Grid(0.0, 0.0, 50.0, 40, 40, 2154)
    inside = np.ones(grid.n_cells, dtype=bool)
    raw = density.kde_grid(grid, x, y, bandwidth_m=200)
    corrected = density.kde_grid(grid, x, y, bandwidth_m=200, inside=inside)
    true = n / 2000**2
    assert raw[0, 0] < 0.4 * true  # a corner loses three quarters of its kernel
    np.testing.assert_allclose(corrected, true, rtol=0.05)


def test_kde_outside_the_territory_is_nan():
    inc = points_at([(300 + i, 300) for i in range(40)])
    half = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 500)], crs=2154)
    full = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=2154)
    terr = gpd.GeoDataFrame(geometry=[half.geometry[0].union(full.geometry[0]).intersection(
        half.geometry[0])], crs=2154).to_crs(4326)
    dens = density.kde(inc, terr, cell_size_m=50, bandwidth_m=100)
    flat = dens.density_per_km2.ravel()
    assert np.isnan(flat[~dens.inside]).all()
    assert np.isfinite(flat[dens.inside]).all()
    assert dens.n_incidents == 40
    frame = dens.frame(top_share=0.05)
    assert 0 < len(frame) <= int(np.ceil(0.05 * dens.inside.sum())) + 5
    assert "density_per_km2" in frame.columns


def test_default_bandwidth_rule():
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 1000, 10_000), rng.normal(0, 1000, 10_000)
    h = density.default_bandwidth_m(x, y, cell_size_m=50)
    assert h == pytest.approx(1000 * 10_000 ** (-1 / 6), rel=0.05)
    assert density.default_bandwidth_m(x[:5], y[:5], cell_size_m=5000) == 5000
    assert density.default_bandwidth_m(x, y, cell_size_m=50) < \
        density.default_bandwidth_m(x[:1000], y[:1000], cell_size_m=50)
