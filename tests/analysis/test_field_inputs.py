"""Tests of the shared inputs of the action-field analyses (:mod:`clspd_geo.analysis._field`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from clspd_geo.analysis import _field, addictions, schools
from clspd_geo.errors import EmptySelectionError
from tests.analysis.field_layers import EPSG, X0, Y0, facilities_at, incidents_at


def test_hour_analyses_refuse_dates_without_time():
    bars = facilities_at([(0, 0)], ["debit_boissons"])
    inc = incidents_at([(10, 0)] * 6, ["2025-03-01 00:00"] * 6)  # monthly aggregates, no time
    with pytest.raises(EmptySelectionError, match="heures des faits ne sont pas disponibles"):
        addictions.alcohol_by_night_hour(inc, bars, epsg=EPSG)
    with pytest.raises(EmptySelectionError, match="heures de classe"):
        schools.school_surroundings(inc, facilities_at([(0, 0)], ["college"]), epsg=EPSG)


def test_shared_inputs_take_either_layers_or_the_prepared_table():
    pts = gpd.GeoDataFrame(geometry=[Point(X0, Y0), Point(X0 + 100.0, Y0)], crs=2154)
    assert _field.points_xy(pts.to_crs(4326), epsg=EPSG) == pytest.approx(
        np.array([[X0, Y0], [X0 + 100.0, Y0]]), abs=1e-6)
    table = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    assert _field.points_xy(table, epsg=EPSG).tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert _field.share_pct(1, 4) == 25.0 and _field.share_pct(3, 0) == 0.0
    fac = facilities_at([(0, 0), (10, 0), (20, 0)], ["college", "csapa", "college"])
    assert list(_field.sites(fac, ["college"])["facility_id"]) == ["F0", "F2"]
    assert "Collège" in str(_field.no_site(["college"]))
