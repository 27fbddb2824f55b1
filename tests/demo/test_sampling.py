"""Known-answer tests of the demo sampling helpers (local metres of the town plan)."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from clspd_geo.demo import sampling, townplan


def test_inside_town_keeps_the_centre_and_drops_far_points():
    town = townplan.town()
    got = sampling.inside_town(town, np.array([0.0, 10_000.0, 0.0]), np.array([0.0, 0.0, -9e3]))
    assert got.tolist() == [True, False, False]


def test_around_without_spread_returns_the_centres():
    town = townplan.town()
    x, y = sampling.around(town, np.random.default_rng(1), np.array([[100.0, 200.0]]), 5,
                           sd_m=0.0)
    assert x.tolist() == [100.0] * 5 and y.tolist() == [200.0] * 5


def test_uniform_in_stays_in_the_polygon():
    town = townplan.town()
    x, y = sampling.uniform_in(town, np.random.default_rng(2), box(0.0, 0.0, 100.0, 100.0), 200)
    assert x.size == y.size == 200
    assert ((x >= 0) & (x <= 100) & (y >= 0) & (y <= 100)).all()


def test_bearings_are_clockwise_from_north_and_roads_are_found_by_id():
    assert [sampling.bearing_deg(dx, dy) for dx, dy in ((0, 1), (1, 0), (0, -1), (-1, 0))] == [
        0.0, 90.0, 180.0, 270.0]
    bearing, name = sampling.road_direction(townplan.town(), 0.0, 25.0, road_id="V08")
    assert name == "Rue de la République"
    assert bearing == pytest.approx(98.0, abs=10.0)  # the street runs east, slightly south
