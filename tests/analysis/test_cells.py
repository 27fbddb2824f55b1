"""Known-answer tests of the square and hexagonal grids of cells."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from clspd_geo.analysis import cells
from tests.analysis.grid_layers import square_territory


def test_hex_points_fall_in_their_hexagon():
    grid = cells.HexGrid(0.0, 0.0, 100.0, 20, 20, 2154)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1500, 5000), rng.uniform(0, 1500, 5000)
    idx = grid.cell_index(x, y)
    assert (idx >= 0).all()
    assert shapely.contains_xy(grid.polygons(idx), x, y).all()
    assert grid.polygons([0])[0].area == pytest.approx(grid.cell_area_m2)
    assert grid.cell_area_m2 == pytest.approx(np.sqrt(3) / 2 * 100**2)


def test_hex_window_sum_is_the_six_nearest_plus_self():
    grid = cells.HexGrid(0.0, 0.0, 100.0, 9, 9, 2154)
    cx, cy = grid.centres()
    for flat in (4 * 9 + 4, 5 * 9 + 3):  # an even and an odd row
        one = np.zeros(grid.n_cells)
        one[flat] = 1.0
        got = np.flatnonzero(grid.window_sum(one.reshape(grid.shape)).ravel())
        dist = np.hypot(cx - cx[flat], cy - cy[flat])
        expected = np.flatnonzero(dist < 100.0 + 1e-6)
        assert sorted(got) == sorted(expected)
        assert len(got) == 7


def test_square_window_sum_matches_a_loop():
    grid = cells.Grid(0.0, 0.0, 10.0, 6, 5, 2154)
    vals = np.arange(30, dtype=float).reshape(5, 6)
    for r in (1, 2, 3):
        got = grid.window_sum(vals, radius_cells=r)
        exp = np.zeros_like(vals)
        for i in range(5):
            for j in range(6):
                exp[i, j] = vals[max(0, i - r):i + r + 1, max(0, j - r):j + r + 1].sum()
        np.testing.assert_allclose(got, exp)


def test_hex_grid_covers_the_territory():
    terr = square_territory(1000)
    grid = cells.hex_grid_for(terr, cell_size_m=100)
    inside = cells.inside_mask(grid, terr)
    area = inside.sum() * grid.cell_area_m2
    assert area == pytest.approx(1e6, rel=0.1)
