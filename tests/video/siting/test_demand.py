"""Tests of the siting demand: weights by category, recency and severity; exact positions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import make_points

from clspd_geo.errors import EmptySelectionError
from clspd_geo.video import siting
from clspd_geo.video.siting import demand

X0, Y0 = 650_000.0, 6_860_000.0


def test_demand_weights_by_category_and_recency():
    inc = make_points([(X0, Y0), (X0 + 1, Y0), (X0 + 500, Y0)],
                      category=["rixe", "tapage", "rixe"],
                      occurred_at=pd.to_datetime(["2024-01-31", "2024-01-31", "2024-01-01"]))
    w = siting.incident_weights(inc, category_weights="gravite", half_life_days=30)
    # rixe severity 4, tapage 1; the third is 30 days older: half weight.
    np.testing.assert_allclose(w, [4.0, 1.0, 2.0])
    d = siting.demand_from_incidents(inc, category_weights={"rixe": 2.0}, epsg=2154)
    # tapage weighs 0 and is left out; the two rixes stay two points, 1 m apart would
    # have shared a 50 m cell before: nothing is aggregated now.
    assert d.total == pytest.approx(4.0) and d.units == 2 and d.n_source == 2
    np.testing.assert_allclose(np.sort(d.x), [X0, X0 + 500])
    with pytest.raises(EmptySelectionError, match="Aucun fait dans la période"):
        siting.demand_from_incidents(inc.iloc[0:0])


def test_demand_merges_only_points_at_the_same_position():
    inc = make_points([(X0, Y0), (X0, Y0), (X0 + 0.5, Y0), (X0, Y0)],
                      category=["rixe", "rixe", "rixe", "tapage"])
    d = siting.demand_from_incidents(inc, epsg=2154)
    assert d.units == 2 and d.n_source == 4
    order = np.argsort(d.x)
    np.testing.assert_allclose(d.x[order], [X0, X0 + 0.5])
    np.testing.assert_allclose(d.weight[order], [3.0, 1.0])
    assert "4 faits en 2 positions distinctes" in d.description


def test_demand_from_accidents_weights_victims_by_severity():
    acc = make_points([(X0, Y0), (X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0)],
                      killed=[1, 0, 0, 0], hospitalised=[0, 2, 0, 0],
                      slightly_injured=[1, 1, 3, 0])
    np.testing.assert_allclose(siting.accident_weights(acc), [11.0, 7.0, 3.0, 1.0])
    d = siting.demand_from_accidents(acc, epsg=2154)
    order = np.argsort(d.x)
    np.testing.assert_allclose(d.weight[order], [18.0, 3.0, 1.0])
    assert d.total == 22.0 and d.n_source == 4
    assert "pondérés par la gravité" in d.description
    assert siting.ACCIDENT_WEIGHTS == {"killed": 10.0, "hospitalised": 3.0,
                                       "slightly_injured": 1.0}
    with pytest.raises(EmptySelectionError, match="Aucun accident dans la période"):
        siting.demand_from_accidents(acc.iloc[0:0])


def test_demand_from_surface_keeps_positive_cells_at_their_centroids():
    surface = gpd.GeoDataFrame({"value": [3.0, 0.0, 2.0]},
                               geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                                         shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
                                         shapely.box(X0 + 200, Y0, X0 + 300, Y0 + 100)],
                               crs=2154)
    d = demand.demand_from_surface(surface, column="value", epsg=2154)
    np.testing.assert_allclose(d.x, [X0 + 50, X0 + 250])
    np.testing.assert_allclose(d.y, [Y0 + 50, Y0 + 50])
    assert d.weight.tolist() == [3.0, 2.0] and d.total == 5.0 and d.epsg == 2154
    with pytest.raises(EmptySelectionError, match="pas de colonne « autre »"):
        demand.demand_from_surface(surface, column="autre")


def test_demand_says_how_many_incidents_stand_at_a_zone_centre():
    rows = pd.DataFrame({"x": [0.0, 100.0, 300.0], "y": [0.0, 0.0, 0.0], "n": [1, 4, 6],
                         "zone_level": ["point", "grille", "quartier"],
                         "category": ["cambriolage"] * 3})
    d = siting.demand_from_incidents(rows, epsg=2154)
    assert d.n_source == 11
    assert d.description.startswith("11 faits") and ", dont 10 publiés par zone" in d.description
    assert "indicatifs" in d.description
    exact = siting.demand_from_incidents(rows.assign(zone_level="point"), epsg=2154)
    assert "zone" not in exact.description
