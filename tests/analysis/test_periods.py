"""Tests of the period presets: whole months counted back from the data's end."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clspd_geo.analysis import periods

D = dt.date


def test_presets_for_day_dated_data_ending_mid_month():
    last = D(2026, 10, 15)  # October is not complete
    assert periods.resolve("douze_mois", last) == (D(2025, 11, 1), D(2026, 11, 1))
    assert periods.resolve("dernier_mois", last) == (D(2026, 9, 1), D(2026, 10, 1))
    assert periods.resolve("dernier_trimestre", last) == (D(2026, 7, 1), D(2026, 10, 1))
    assert periods.resolve("annee_civile", last) == (D(2025, 1, 1), D(2026, 1, 1))
    assert periods.resolve("depuis_janvier", last) == (D(2026, 1, 1), D(2026, 11, 1))


def test_a_month_reached_to_its_last_day_is_complete():
    last = D(2026, 12, 31)
    assert periods.resolve("dernier_mois", last) == (D(2026, 12, 1), D(2027, 1, 1))
    assert periods.resolve("dernier_trimestre", last) == (D(2026, 10, 1), D(2027, 1, 1))
    assert periods.resolve("annee_civile", last) == (D(2026, 1, 1), D(2027, 1, 1))


def test_monthly_atoms_count_their_last_month_whole():
    ts = pd.Series(pd.to_datetime(["2026-09-01", "2026-10-01"]))
    assert periods.resolution(ts) == "mois"
    assert periods.resolution(pd.Series(pd.to_datetime(["2026-10-01 08:00"]))) == "jour"
    assert periods.resolution(pd.Series([], dtype="datetime64[ns]")) == "jour"
    # Any stamp off a month's first second reads as daily data; missing stamps are ignored.
    for off in ("2026-10-02", "2026-10-01 00:01", "2026-10-01 00:00:01"):
        assert periods.resolution(pd.Series(pd.to_datetime(["2026-09-01 00:00:00", off],
                                                           format="ISO8601"))) == "jour", off
    stamps = pd.Series([pd.Timestamp("2026-09-01"), pd.NaT, pd.Timestamp("1969-12-01")])
    assert periods.resolution(stamps) == "mois"
    last = D(2026, 10, 1)
    assert periods.resolve("dernier_mois", last, res="mois") == (D(2026, 10, 1), D(2026, 11, 1))
    assert periods.resolve("dernier_mois", last) == (D(2026, 9, 1), D(2026, 10, 1))
    assert periods.resolve("douze_mois", last, res="mois") == (D(2025, 11, 1), D(2026, 11, 1))


def test_chosen_months_are_whole_and_in_either_order():
    assert periods.month_span(D(2026, 3, 15), D(2026, 1, 1)) == (D(2026, 1, 1), D(2026, 4, 1))
    assert periods.months_between(D(2025, 11, 20), D(2026, 1, 3)) == [
        D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)]
    assert periods.add_months(D(2026, 1, 31), -1) == D(2025, 12, 1)
    with pytest.raises(ValueError):
        periods.resolve("mois_choisis", D(2026, 1, 1))
