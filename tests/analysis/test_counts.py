"""Known-answer tests of incidents counted on cells, weights and precision checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo.analysis import cells, counts
from clspd_geo.errors import EmptySelectionError, SchemaError
from tests.analysis.grid_layers import X0, Y0, points_at, square_territory


def test_square_counts_known_answer():
    xy = [(50, 50)] * 3 + [(150, 50)] * 2 + [(950, 950)] + [(500, 500)] * 30
    inc = points_at(xy, category=["cambriolage"] * 3 + ["rixe"] * 2 + ["tapage"] * 31)
    res = counts.cell_counts(inc, square_territory(), cell_size_m=100)
    assert res.n_incidents == 36
    g = res.grid
    assert res.counts[g.cell_index(np.array([X0 + 50]), np.array([Y0 + 50]))[0]] == 3
    assert res.counts[g.cell_index(np.array([X0 + 150]), np.array([Y0 + 50]))[0]] == 2
    frame = res.frame(nonzero_only=True)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["n_incidents"]) == {3, 2, 1, 30}
    assert frame["incidents_per_km2"].max() == pytest.approx(30 / 0.01)


def test_severity_weighted_counts():
    xy = [(50, 50)] * 2 + [(500, 500)] * 30
    inc = points_at(xy, category=["violences_conjugales", "tapage"] + ["tapage"] * 30)
    res = counts.cell_counts(inc, square_territory(), cell_size_m=100, weights="severity")
    frame = res.frame(nonzero_only=True).set_index("n_incidents")
    assert frame.loc[2, "weighted_total"] == 5 + 1
    assert frame.loc[30, "weighted_total"] == 30


def test_accident_severity_weights():
    acc = pd.DataFrame({"killed": [1, 0, 0], "hospitalised": [0, 2, 0],
                        "slightly_injured": [1, 0, 0]})
    np.testing.assert_allclose(counts.severity_weights(acc), [11, 8, 1])
    with pytest.raises(SchemaError, match="gravité"):
        counts.severity_weights(pd.DataFrame({"a": [1]}))


def test_hex_counts_sum_to_the_incidents():
    rng = np.random.default_rng(1)
    xy = list(zip(rng.uniform(10, 990, 200), rng.uniform(10, 990, 200), strict=True))
    res = counts.cell_counts(points_at(xy), square_territory(), cell_size_m=100, shape="hex")
    assert isinstance(res.grid, cells.HexGrid)
    # Hexagons whose centre is outside the square lose a few edge points.
    assert res.n_incidents + res.n_outside == 200
    assert res.counts.sum() == res.n_incidents
    assert res.n_incidents > 180


def test_too_few_incidents_say_not_enough_data():
    inc = points_at([(50, 50)] * 5)
    with pytest.raises(EmptySelectionError, match="Pas assez de données"):
        counts.cell_counts(inc, square_territory(), cell_size_m=100)
    with pytest.raises(EmptySelectionError, match="Aucun fait"):
        counts.cell_counts(inc.iloc[:0], square_territory(), cell_size_m=100)


def test_cell_larger_than_territory():
    inc = points_at([(50, 50)] * 40)
    with pytest.raises(EmptySelectionError, match="plus grandes que le territoire"):
        counts.cell_counts(inc, square_territory(), cell_size_m=5000)


def test_cell_finer_than_data_precision():
    rng = np.random.default_rng(2)
    lon = np.round(rng.uniform(2.30, 2.40, 100), 2)
    lat = np.round(rng.uniform(48.82, 48.88, 100), 2)
    assert counts.coordinate_precision_m(lon, lat) == pytest.approx(1113.2)
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    terr = gpd.GeoDataFrame(geometry=[box(2.29, 48.81, 2.41, 48.89)], crs=4326)
    with pytest.raises(EmptySelectionError, match="précision des positions"):
        counts.cell_counts(inc, terr, cell_size_m=200)
    assert counts.coordinate_precision_m(lon + 1e-6 * rng.random(100), lat) == 0.0
