"""Tests of the siting demand: weights by category and recency, aggregation into cells."""

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
    d = siting.demand_from_incidents(inc, category_weights={"rixe": 2.0}, cell_size_m=50.0,
                                     epsg=2154)
    assert d.total == pytest.approx(4.0) and len(d.x) == 2
    with pytest.raises(EmptySelectionError, match="Aucun fait dans la période"):
        siting.demand_from_incidents(inc.iloc[0:0])


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
