"""Counting functions give the same figures on a weighted release as on one row per incident.

:meth:`clspd_geo.access.view.RoleView.counts` releases one row per atom with its count
``n``; :func:`clspd_geo.access.release.expand` turns it into one row per incident. Every
figure computed by :mod:`clspd_geo.analysis.indicators` must not depend on which is given.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo import vocab
from clspd_geo.access import release
from clspd_geo.analysis import cells, indicators
from tests.analysis.field_layers import weighted_demo

AS_OF = dt.date(2026, 3, 15)


def test_weights_and_counts_by_on_a_hand_made_table():
    df = pd.DataFrame({"quartier_id": pd.Categorical(["a", "a", "b", None]),
                       "n": [3, 11, 5, 2]})
    assert indicators.weights(df).tolist() == [3, 11, 5, 2]
    assert indicators.counts_by(df, "quartier_id").to_dict() == {"a": 14, "b": 5}
    plain = df.drop(columns="n")
    assert indicators.weights(plain).tolist() == [1, 1, 1, 1]
    assert indicators.counts_by(plain, "quartier_id").to_dict() == {"a": 2, "b": 1}
    expanded = release.expand(df)
    assert len(expanded) == 21 and "n" not in expanded.columns
    assert expanded["quartier_id"].value_counts().to_dict() == {"a": 14, "b": 5}


def test_monthly_counts_weighted():
    ts = pd.Series(pd.to_datetime(["2025-01-01", "2025-02-01", "2024-01-01"]))
    out = indicators.monthly_counts(ts, dt.date(2025, 1, 1), dt.date(2025, 3, 1),
                                    weights=np.array([4, 7, 2]))
    assert out["Période"].tolist() == [4, 7]
    assert out["Année précédente"].tolist() == [2, 0]


@pytest.fixture(scope="module")
def both():
    weighted, _, frames, epsg = weighted_demo(seed=5, n_incidents=6000, as_of=AS_OF)
    return weighted, release.expand(weighted), frames, epsg


def test_every_count_is_the_same_on_both_tables(both):
    weighted, expanded, frames, epsg = both
    assert len(weighted) < len(expanded)
    ts = expanded["occurred_at"]
    sel = indicators.Selection(dt.date(ts.max().year, 1, 1), dt.date(ts.max().year + 1, 1, 1),
                               tuple(vocab.category_codes()))
    q = frames["quartiers"]
    assert indicators.total_kpi(weighted, sel) == indicators.total_kpi(expanded, sel)
    assert indicators.count(weighted, sel) == int(indicators.mask(expanded, sel).sum()) > 0
    assert indicators.field_kpis(weighted, sel) == indicators.field_kpis(expanded, sel)
    for f in (indicators.by_quartier,):
        pd.testing.assert_frame_equal(f(weighted, q, sel), f(expanded, q, sel))
    for f in (indicators.monthly_trend, indicators.by_category):
        pd.testing.assert_frame_equal(f(weighted, sel), f(expanded, sel))
    pd.testing.assert_frame_equal(indicators.quarterly_counts(weighted, sel, k=11),
                                  indicators.quarterly_counts(expanded, sel, k=11))
    a = indicators.quartier_counts(weighted, q, sel, k=11)
    b = indicators.quartier_counts(expanded, q, sel, k=11)
    assert a["faits"].tolist() == b["faits"].tolist()
    assert a["faits_affiches"].tolist() == b["faits_affiches"].tolist()
    g = cells.grid_for(frames["territoire"], cell_size_m=200.0)
    ca = indicators.incident_cells(weighted, sel, g)
    cb = indicators.incident_cells(expanded, sel, g)
    assert ca["faits"].tolist() == cb["faits"].tolist() and len(ca) > 0
    x0, y0, x1, y1 = frames["territoire"].total_bounds
    halves = gpd.GeoDataFrame(geometry=[box(x0, y0, (x0 + x1) / 2, y1),
                                        box((x0 + x1) / 2, y0, x1, y1)], crs=4326)
    np.testing.assert_array_equal(indicators.counts_in_polygons(weighted, sel, halves, epsg=epsg),
                                  indicators.counts_in_polygons(expanded, sel, halves, epsg=epsg))
    assert indicators.share_inside(weighted, sel, halves.iloc[:1], epsg=epsg) == \
        indicators.share_inside(expanded, sel, halves.iloc[:1], epsg=epsg)


def test_per_incident_repeats_rows_by_their_count():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [4.0, 5.0, 6.0], "n": [2, 1, 3]})
    x, y = indicators.per_incident(df, "x", "y")
    assert x.tolist() == [1.0, 1.0, 2.0, 3.0, 3.0, 3.0] and y.tolist()[:3] == [4.0, 4.0, 5.0]
    expanded = release.expand(df)
    np.testing.assert_array_equal(x, expanded["x"].to_numpy())
    (plain,) = indicators.per_incident(expanded, "x")
    np.testing.assert_array_equal(plain, expanded["x"].to_numpy())


def test_per_incident_on_the_demo_release(both):
    weighted, expanded, _, _ = both
    x, when = indicators.per_incident(weighted, "x", "occurred_at")
    np.testing.assert_array_equal(x, expanded["x"].to_numpy())
    np.testing.assert_array_equal(when, expanded["occurred_at"].to_numpy())
