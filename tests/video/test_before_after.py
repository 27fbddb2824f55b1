"""Tests of the before/after comparison (weighted displacement difference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_points

from clspd_geo.video import before_after
from clspd_geo.errors import EmptySelectionError

X0, Y0 = 650_000.0, 6_860_000.0


def _camera(date="2024-01-01"):
    return make_points([(X0, Y0)], camera_id=["c1"], name=["Place"], bearing_deg=[np.nan],
                       fov_deg=[360.0], range_m=[50.0],
                       commissioned_on=pd.to_datetime([date]))


def _incidents(counts):
    """counts: {(area, period): n}; area in view/ring/control, period in before/after."""
    where = {"view": (X0 + 10, Y0), "ring": (X0 + 100, Y0), "control": (X0 + 2000, Y0)}
    xy, when = [], []
    for (area, period), n in counts.items():
        start = pd.Timestamp("2023-01-01" if period == "before" else "2024-01-01")
        days = np.linspace(0, 364, n) if n > 1 else np.array([100.0])
        xy += [where[area]] * n
        when += [start + pd.Timedelta(days=float(d)) for d in days]
    return make_points(xy, category=["rixe"] * len(xy), occurred_at=pd.to_datetime(when))


def test_weighted_displacement_difference_known_answer():
    inc = _incidents({("view", "before"): 30, ("view", "after"): 10,
                      ("ring", "before"): 10, ("ring", "after"): 12,
                      ("control", "before"): 100, ("control", "after"): 100})
    row = before_after.before_after(_camera(), inc).iloc[0]
    assert row["days"] == 365
    assert (row["target_before"], row["target_after"]) == (30, 10)
    assert (row["ring_before"], row["ring_after"]) == (10, 12)
    assert (row["control_before"], row["control_after"]) == (100, 100)
    assert row["wdd"] == pytest.approx(-18.0)
    assert row["z"] == pytest.approx(-18.0 / np.sqrt(82.0))
    assert row["wdq"] == pytest.approx(-0.1)
    assert row["enough"]
    assert row["verdict"].startswith("Baisse nette significative")


def test_control_trend_is_taken_out():
    # Everything doubles everywhere: no effect of the camera.
    inc = _incidents({("view", "before"): 20, ("view", "after"): 40,
                      ("ring", "before"): 10, ("ring", "after"): 20,
                      ("control", "before"): 100, ("control", "after"): 200})
    row = before_after.before_after(_camera(), inc).iloc[0]
    assert row["wdd"] == pytest.approx(0.0)
    assert row["verdict"].startswith("Pas de changement significatif")


def test_small_counts_get_a_caution():
    inc = _incidents({("view", "before"): 4, ("view", "after"): 1,
                      ("control", "before"): 50, ("control", "after"): 50})
    row = before_after.before_after(_camera(), inc).iloc[0]
    assert not row["enough"]
    assert "trop faibles pour conclure" in row["verdict"]


def test_window_is_shortened_to_the_data_on_both_sides():
    inc = _incidents({("view", "before"): 30, ("view", "after"): 30,
                      ("control", "before"): 50, ("control", "after"): 50})
    row = before_after.before_after(_camera("2024-03-01"), inc).iloc[0]
    # Data ends on 2024-12-30: 305 days after 1 March, so 305 days on each side.
    assert row["days"] == 305


def test_cameras_without_date_are_a_french_error():
    cam = _camera().assign(commissioned_on=pd.NaT)
    with pytest.raises(EmptySelectionError, match="date de mise en service"):
        before_after.before_after(cam, _incidents({("view", "before"): 3}))
