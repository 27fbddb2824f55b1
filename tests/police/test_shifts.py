"""Tests of clspd_geo.police.shifts: which shift a time belongs to, and the shift settings."""

from __future__ import annotations

import pandas as pd
import pytest

from clspd_geo.errors import SchemaError
from clspd_geo.police import shifts as shifts_mod


def test_shift_of_assigns_night_hours_to_the_day_the_shift_started():
    times = pd.Series(pd.to_datetime(["2026-03-03 02:00", "2026-03-02 22:00",
                                      "2026-03-02 21:59", "2026-03-02 05:59",
                                      "2026-03-02 06:00"]))
    got = shifts_mod.shift_of(times)
    assert got["shift"].tolist() == ["nuit", "nuit", "apres_midi", "nuit", "matin"]
    # 02:00 on Tuesday and 05:59 on Monday belong to the previous day's night shift.
    assert got["shift_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-02", "2026-03-02", "2026-03-02", "2026-03-01", "2026-03-02"]
    assert got["weekday"].tolist() == [0, 0, 0, 6, 0]


def test_custom_shifts_crossing_midnight():
    shifts = shifts_mod.make_shifts([("jour", 7, 19), ("nuit", 19, 7)])
    times = pd.Series(pd.to_datetime(["2026-03-02 06:59", "2026-03-02 07:00",
                                      "2026-03-02 19:00"]))
    got = shifts_mod.shift_of(times, shifts=shifts)
    assert got["shift"].tolist() == ["nuit", "jour", "nuit"]
    assert shifts[1].hours == 12 and shifts[1].crosses_midnight


@pytest.mark.parametrize(("bounds", "pattern"), [
    ([("a", 6, 14), ("b", 13, 22), ("c", 22, 6)], "se chevauchent.*13 h – 14 h"),
    ([("a", 6, 14), ("b", 14, 22)], "aucune vacation ne couvre 22 h – 06 h"),
    ([("a", 6, 14), ("a", 14, 6)], "en double"),
    ([("a", 6, 30)], "hors de 0 h – 24 h"),
    ([], "Aucune vacation"),
])


def test_bad_shift_settings_are_named(bounds, pattern):
    with pytest.raises(SchemaError, match=pattern):
        shifts_mod.make_shifts(bounds)


def test_a_single_24_hour_shift_is_valid():
    (day,) = shifts_mod.make_shifts([("jour", 0, 0)])
    assert day.hours == 24


def test_format_hour_and_generated_labels():
    assert shifts_mod.format_hour(6) == "06 h"
    assert shifts_mod.format_hour(22.5) == "22 h 30"
    assert shifts_mod.format_hour(24) == "00 h"
    (jour, soir) = shifts_mod.make_shifts([("jour", 6.25, 18), ("soir", 18, 6.25)])
    assert jour.label == "Jour (06 h 15 – 18 h)" and soir.label == "Soir (18 h – 06 h 15)"
