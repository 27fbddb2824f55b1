"""Known-answer tests of the demo calendar and rhythm helpers."""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.demo import rhythms, townplan


def test_allocate_splits_by_largest_remainders_and_gives_every_share_one():
    assert rhythms.allocate(10, np.array([1.0, 1.0, 2.0])).tolist() == [3, 2, 5]
    assert rhythms.allocate(2, np.array([1.0, 1.0, 1.0, 1.0])).tolist() == [1, 1, 0, 0]
    assert rhythms.allocate(5, np.array([100.0, 1.0, 1.0])).tolist() == [3, 1, 1]


def test_calendar_knows_weekdays_holidays_school_and_market_days():
    cal = rhythms.calendar()
    assert cal.weekday.size == townplan.N_DAYS == 730
    assert cal.weekday[0] == 4 and cal.month[0] == 11  # 2024-11-01, a Friday
    assert cal.holiday[0] and not cal.school_day[0]  # Toussaint, in the school holidays
    assert cal.school_day[3]  # Monday 2024-11-04: back to school
    assert cal.market_day[1] and not cal.market_day[3]  # Saturday yes, Monday no
    assert not cal.school_day[cal.month == 8].any()


def test_hour_profiles_wrap_around_midnight_and_draw_follows_weights():
    assert rhythms.bump(0.0, 1.0)[0] == pytest.approx(1.0)
    assert rhythms.bump(0.0, 1.0)[23] == pytest.approx(np.exp(-0.5))
    rng = np.random.default_rng(0)
    assert set(rhythms.draw(rng, np.array([0.0, 1.0, 0.0]), 50).tolist()) == {1}
    assert set(rhythms.RHYTHMS) >= set(rhythms.CAMERA_CATEGORIES)
