"""The one selection type (clspd_geo.analysis.selection)."""

from __future__ import annotations

import datetime as dt

from clspd_geo.analysis import indicators, selection


def test_previous_year_and_categories():
    sel = selection.Selection(dt.date(2024, 2, 29), dt.date(2025, 3, 1), quartiers=("Q1",))
    assert sel.categories == ()
    prev = sel.previous_year()
    assert (prev.start, prev.end) == (dt.date(2023, 2, 28), dt.date(2024, 3, 1))
    assert prev.quartiers == ("Q1",)
    cats = sel.with_categories(["tapage", "vol_vehicule"])
    assert cats.categories == ("tapage", "vol_vehicule") and cats.quartiers == ("Q1",)
    assert cats.days == 366


def test_indicators_use_the_same_type():
    assert indicators.Selection is selection.Selection
