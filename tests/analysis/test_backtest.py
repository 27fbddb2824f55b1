"""Tests of the rolling-origin backtest helpers (folds, PAI/PEI, blend weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clspd_geo.analysis import backtest


def test_is_calendar_month_and_unit():
    assert backtest.is_calendar_month(("2026-02-01", "2026-03-01"))
    assert not backtest.is_calendar_month(("2026-02-01", "2026-03-02"))
    assert not backtest.is_calendar_month(("2026-02-02", "2026-03-02"))
    assert backtest.fold_unit(("2025-02-01", "2026-02-01"),
                              test=("2026-02-01", "2026-03-01")) == "mois"
    assert backtest.fold_unit(("2016-08-01", "2016-08-22"),
                              test=("2016-08-22", "2016-08-29")) == "découpages"


def test_pai_pei_known_answer():
    scores = np.array([3.0, 2.0, 1.0, 0.0] + [0.0] * 16)
    test = np.zeros(20)
    test[[0, 2]] = [4, 6]  # 10 incidents
    # 5 % of 20 cells = 1 cell: the top cell catches 4 of 10 -> rate .4, PAI .4/.05 = 8;
    # the best single cell holds 6 -> PEI 4/6.
    pai, pei = backtest.pai_pei(scores, test, fraction=0.05)
    assert pai == pytest.approx(8.0)
    assert pei == pytest.approx(4 / 6)
    assert np.isnan(backtest.pai_pei(scores, np.zeros(20), fraction=0.05)[0])


def test_simplex_rows_sum_to_one_and_start_with_counts():
    grid = backtest.simplex(4, step=0.25)
    assert len(grid) == 35  # C(4 + 3, 3)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    np.testing.assert_array_equal(grid[0], [1, 0, 0, 0])
    assert (grid >= 0).all()


def test_choose_blend_finds_the_informative_component():
    rng = np.random.default_rng(0)
    n = 200
    truth = rng.gamma(0.5, size=n)
    tests = [rng.poisson(truth * 20).astype(float) for _ in range(4)]
    useful = backtest.normalised(truth)
    noise = backtest.normalised(rng.random(n))
    comps = [np.vstack([noise, useful]) for _ in range(4)]
    w, pai, pei = backtest.choose_blend(comps, tests, fraction=0.05, step=0.5)
    np.testing.assert_array_equal(w, [0.0, 1.0])
    # Leave-one-fold-out: each fold scored with weights from the others (same here).
    for f in range(4):
        assert pai[f] == pytest.approx(backtest.pai_pei(useful, tests[f], fraction=0.05)[0])
    assert (pei <= 1 + 1e-9).all()


def test_blend_label():
    assert backtest.blend_label((0.6, 0.0, 0.4, 0.0)) == \
        "60 % faits de toute la période, 40 % surface lissée fine"


def test_folds_need_history_as_long_as_the_slice():
    f = backtest.folds(("2016-08-01", "2016-08-05"), test=("2016-08-05", "2016-08-06"))
    # 4 days of training, 1-day slices: origins 4, 3, 2, 1 days in, each with >= 1 day before.
    assert [pd.Timestamp(p[1][0]).day for p in f] == [4, 3, 2]
    assert backtest.folds(("2016-08-01", "2016-08-01"), test=("2016-08-01", "2016-08-02")) == []
