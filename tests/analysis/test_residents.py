"""Where residents live: grid, IRIS or even spread, with hand-made grids whose answers are known."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo.analysis import accessibility as acc, rates, residents

X0, Y0 = 700_000.0, 6_600_000.0


def _areas(boxes, population, *, qpv=None, extra=None):
    n = len(boxes)
    data = {"quartier_id": [f"Q{i}" for i in range(n)], "name": [f"Quartier {i}" for i in range(n)],
            "insee_code": "00000", "qpv": qpv or [False] * n, "population": population,
            **(extra or {})}
    return gpd.GeoDataFrame(data, geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d)
                                            for a, b, c, d in boxes], crs=2154).to_crs(4326)


def _grid(cells):
    """``cells``: ``[(x, y, population)]`` of 200 m squares (south-west corners, metres)."""
    return gpd.GeoDataFrame(
        {"cell_id": [f"C{i}" for i in range(len(cells))], "population": [p for *_, p in cells]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + 200, Y0 + y + 200) for x, y, _ in cells],
        crs=2154).to_crs(4326)


def test_grid_population_of_each_area_known_answer():
    areas = _areas([(0, 0, 400, 200), (400, 0, 800, 200)], [100, 100])
    grid = _grid([(0, 0, 90), (200, 0, 30), (400, 0, 10), (600, 0, 0)])
    pop, source = residents.area_population(areas, carreaux=grid, epsg=2154)
    assert source == "carreaux"
    np.testing.assert_allclose(pop, [120.0, 10.0], atol=1e-3)


def test_a_cell_across_two_areas_is_split_by_surface():
    areas = _areas([(0, 0, 400, 200), (400, 0, 800, 200)], [None, None])
    grid = _grid([(300, 0, 40), (0, 0, 8), (600, 0, 4)])  # 300–500: half in each
    pieces = residents.grid_pieces(areas, grid, epsg=2154)
    assert len(pieces) == 4
    np.testing.assert_allclose(pieces.groupby("area")["residents"].sum(), [28.0, 24.0], atol=1e-3)
    pop, source = residents.area_population(areas, carreaux=grid, epsg=2154)
    assert source == "carreaux"  # the quartiers had no population: the grid gives one
    np.testing.assert_allclose(pop, [28.0, 24.0], atol=1e-3)


def test_grid_that_misses_an_inhabited_area_is_not_used():
    areas = _areas([(0, 0, 400, 200), (400, 0, 800, 200)], [100, 100])
    grid = _grid([(0, 0, 90)])  # nobody in Q1, which says it has 100 inhabitants
    pop, source = residents.area_population(areas, carreaux=grid, epsg=2154)
    assert source == "uniforme" and list(pop) == [100.0, 100.0]
    assert residents.resident_points(areas, carreaux=grid, epsg=2154).source == "uniforme"


def test_iris_tables_are_named_as_source():
    areas = _areas([(0, 0, 400, 200)], [2100], extra={"P21_POP": [2100]})
    pop, source = residents.area_population(areas, epsg=2154)
    assert source == "iris" and list(pop) == [2100.0]
    assert "IRIS" in residents.SOURCE_TEXT[source]


def test_even_points_carry_the_population():
    areas = _areas([(0, 0, 400, 200)], [80])
    res = residents.resident_points(areas, sample_m=100.0, epsg=2154)
    assert res.source == "uniforme" and res.known and len(res.points) == 8
    np.testing.assert_allclose(res.points["weight"], 10.0)


def test_qpv_access_grid_and_even_spread_give_their_own_known_answers():
    # One QPV 1,000 x 200 m, 100 inhabitants, one facility at its west end; 4 min = 300 m.
    q = _areas([(0, 0, 1000, 200)], [100], qpv=[True])
    fac = gpd.GeoDataFrame({"facility_id": ["F0"], "name": ["Mission"],
                            "kind": ["mission_locale"]},
                           geometry=gpd.points_from_xy([X0], [Y0 + 100]), crs=2154).to_crs(4326)
    even = acc.qpv_access(q, fac, kinds=["mission_locale"], minutes=4.0, sample_m=100.0)
    # Points every 100 m (x = 50 … 950, y = 50, 150): x = 50, 150, 250 are within 300 m.
    assert even.population_source == "uniforme"
    assert even.table.loc[0, "Part (%)"] == pytest.approx(30.0)
    assert even.table.loc[0, "Habitants à moins de 4 min"] == 30
    assert "uniformément" in even.population_text
    grid = _grid([(0, 0, 60), (200, 0, 0), (400, 0, 40), (600, 0, 0), (800, 0, 0)])
    placed = acc.qpv_access(q, fac, kinds=["mission_locale"], minutes=4.0, sample_m=100.0,
                            carreaux=grid)
    # The 60 inhabitants of the first cell (centre 100 m away) are within reach, the 40 of
    # the third (centre 500 m away) are not.
    assert placed.population_source == "carreaux" and placed.qpv_population == 100
    assert placed.table.loc[0, "Part (%)"] == pytest.approx(60.0)
    assert placed.table.loc[0, "Habitants à moins de 4 min"] == 60
    assert placed.by_quartier.loc[0, "Part (%)"] == pytest.approx(60.0)
    assert "carreaux de 200 m" in placed.population_text


def test_rates_use_the_grid_population_known_answer():
    q = _areas([(0, 0, 400, 200), (400, 0, 800, 200)], [100, 100])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 10 + ["Q1"] * 10})
    even = rates.rates_by_quartier(inc, q, k=5)
    assert even.population_source == "uniforme"
    np.testing.assert_allclose(even.quartiers["taux_pour_1000"], [100.0, 100.0])
    grid = _grid([(0, 0, 100), (200, 0, 50), (400, 0, 40), (600, 0, 10)])
    placed = rates.rates_by_quartier(inc, q, k=5, carreaux=grid)
    assert placed.population_source == "carreaux"
    assert list(placed.quartiers["population"]) == [150, 50]
    np.testing.assert_allclose(placed.quartiers["taux_pour_1000"], [66.67, 200.0])
    assert "carreaux de 200 m de l'Insee" in placed.sentence()
    assert "carreaux" not in even.sentence()
    assert list(q["population"]) == [100, 100]  # input untouched
