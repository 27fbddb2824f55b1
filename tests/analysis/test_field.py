"""Shared inputs of the action-field analyses (clspd_geo.analysis._field)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import make_points

from clspd_geo.analysis import _field
from clspd_geo.errors import EmptySelectionError


def test_points_xy_from_geometry_or_prepared_columns() -> None:
    pts = make_points([(652000.0, 6862000.0), (652100.0, 6862050.0)])
    assert _field.points_xy(pts, epsg=2154) == pytest.approx(
        np.array([[652000.0, 6862000.0], [652100.0, 6862050.0]]), abs=1e-3)
    prepared = pd.DataFrame({"x": [1, 2], "y": [3.5, 4]})
    out = _field.points_xy(prepared, epsg=2154)
    assert out.dtype == float and out.tolist() == [[1.0, 3.5], [2.0, 4.0]]


def test_occurred_at_reindexed_datetimes() -> None:
    frame = pd.DataFrame({"occurred_at": ["2024-03-01 22:10", "2024-03-02 00:00"]}, index=[7, 9])
    out = _field.occurred_at(frame)
    assert out.index.tolist() == [0, 1]
    assert out.tolist() == [pd.Timestamp("2024-03-01 22:10"), pd.Timestamp("2024-03-02")]


def test_require_hours_refuses_only_all_midnight() -> None:
    midnight = pd.Series(pd.to_datetime([f"2024-03-0{d}" for d in range(1, 6)]))
    with pytest.raises(EmptySelectionError, match="heures des faits ne sont pas disponibles"
                       ".*la comparaison est impossible"):
        _field.require_hours(midnight, what="la comparaison")
    _field.require_hours(midnight.iloc[:4], what="x")  # too few to tell
    one_hour = midnight.copy()
    one_hour.iloc[2] = pd.Timestamp("2024-03-03 14:00")
    _field.require_hours(one_hour, what="x")


def test_sites_and_no_site() -> None:
    fac = gpd.GeoDataFrame({"facility_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                            "kind": ["college", "mairie", "college"]},
                           geometry=gpd.points_from_xy([2.35, 2.36, 2.37], [48.85] * 3),
                           crs=4326)
    out = _field.sites(fac, ["college"])
    assert out["facility_id"].tolist() == ["a", "c"] and out.index.tolist() == [0, 1]
    err = _field.no_site(["college"])
    assert isinstance(err, EmptySelectionError)
    assert str(err).startswith("Aucun équipement (Collège) n'est chargé")


@pytest.mark.parametrize(("part", "whole", "pct"), [(1, 4, 25.0), (3, 3, 100.0), (5, 0, 0.0)])
def test_share_pct(part: float, whole: float, pct: float) -> None:
    assert _field.share_pct(part, whole) == pct
