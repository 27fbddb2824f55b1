"""Tests of the time tables and of the change test between two periods."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo.analysis import temporal
from clspd_geo.errors import EmptySelectionError
from tests.conftest import make_points

X0, Y0 = 650_000.0, 6_860_000.0


def test_hour_weekday_known_answer():
    times = pd.to_datetime(["2024-01-01 08:15", "2024-01-01 08:45", "2024-01-07 23:59",
                            "2024-01-03 00:30", None])
    res = temporal.hour_weekday(pd.DataFrame({"occurred_at": times}))
    assert res.n_incidents == 4
    assert res.table.shape == (7, 24)
    assert res.table.loc["lundi", 8] == 2
    assert res.table.loc["dimanche", 23] == 1
    assert res.table.loc["mercredi", 0] == 1
    assert res.table.to_numpy().sum() == 4
    assert res.hours_known
    assert "lundi entre 8 h et 9 h" in res.peak()


def test_dates_without_hours_are_flagged():
    times = pd.to_datetime(["2016-08-01", "2016-08-02", "2016-08-02"])
    res = temporal.hour_weekday(pd.DataFrame({"occurred_at": times}))
    assert not res.hours_known
    assert "mardi" in res.peak() and "heures non renseignées" in res.peak()
    with pytest.raises(EmptySelectionError):
        temporal.hour_weekday(pd.DataFrame({"occurred_at": pd.to_datetime([None, None])}))


def test_monthly_trend_with_last_year():
    times = (["2023-03-10"] * 4 + ["2024-03-05"] * 6 + ["2024-02-01"] * 2)
    df = pd.DataFrame({"occurred_at": pd.to_datetime(times)})
    tr = temporal.monthly_trend(df, end=pd.Timestamp("2024-04-01").date(), months=3)
    assert list(tr["label"]) == ["janv. 2024", "févr. 2024", "mars 2024"]
    assert list(tr["n_incidents"]) == [0, 2, 6]
    assert list(tr["n_incidents_last_year"]) == [0, 0, 4]
    assert tr["change_pct"].iloc[2] == pytest.approx(50.0)
    assert np.isnan(tr["change_pct"].iloc[1])
    assert list(tr["complete_last_year"]) == [False, False, True]


def test_change_test_tells_chance_from_change():
    res = temporal.change_test(np.array([20, 10, 0, 30]), np.array([22, 60, 0, 8]),
                               days_before=30, days_after=30)
    assert list(res["verdict"]) == ["variation compatible avec le hasard",
                                    "hausse significative", "aucun fait",
                                    "baisse significative"]
    # Exact binomial test by hand for the first zone.
    p = pytest.importorskip("scipy.stats").binomtest(22, 42, 0.5).pvalue
    assert res["p_value"].iloc[0] == pytest.approx(p)


def test_change_test_compares_per_day():
    # 10 in 10 days then 30 in 30 days: the same rate.
    res = temporal.change_test(np.array([10]), np.array([30]), days_before=10, days_after=30)
    assert res["expected_after"].iloc[0] == 30
    assert res["change_pct"].iloc[0] == pytest.approx(0.0)
    assert not res["significant"].iloc[0]


def test_period_change_by_quartier():
    zones = gpd.GeoDataFrame({"quartier_id": ["A", "B"]},
                             geometry=[box(X0, Y0, X0 + 500, Y0 + 500),
                                       box(X0 + 500, Y0, X0 + 1000, Y0 + 500)],
                             crs=2154).to_crs(4326)
    xy = [(X0 + 100, Y0 + 100)] * 40 + [(X0 + 700, Y0 + 100)] * 20
    times = ["2024-01-15"] * 5 + ["2024-02-15"] * 35 + ["2024-01-15"] * 10 + ["2024-02-15"] * 10
    inc = make_points(xy, occurred_at=pd.to_datetime(times))
    out = temporal.period_change(inc, zones, before=("2024-01-01", "2024-02-01"),
                                 after=("2024-02-01", "2024-03-01"), zone_id="quartier_id")
    a = out.set_index("quartier_id")
    assert a.loc["A", "n_before"] == 5 and a.loc["A", "n_after"] == 35
    assert a.loc["A", "verdict"] == "hausse significative"
    assert a.loc["B", "verdict"] == "variation compatible avec le hasard"
    assert out.crs.to_epsg() == 4326
    with pytest.raises(EmptySelectionError, match="commence avant"):
        temporal.period_change(inc, zones, before=("2024-02-01", "2024-03-01"),
                               after=("2024-01-01", "2024-02-01"), zone_id="quartier_id")


def test_small_counts_are_masked():
    times = pd.to_datetime(["2024-01-01 08:15"] * 2 + ["2024-01-02 10:00"] * 7)
    res = temporal.hour_weekday(pd.DataFrame({"occurred_at": times}))
    shown = res.suppressed(k=5)
    assert shown.loc["lundi", 8] == "< 5"
    assert shown.loc["mardi", 10] == "7"
    assert shown.loc["mercredi", 3] == "0"
