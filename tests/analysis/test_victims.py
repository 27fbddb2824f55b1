"""Known-answer tests of victim support access."""

from __future__ import annotations

import numpy as np
import pytest

from clspd_geo.analysis import victims
from tests.analysis.field_layers import (EPSG, MONDAY_20H, facilities_at, incidents_at,
                                         quartier_strip)


def test_support_access_per_quartier_and_far_quartiers():
    q = quartier_strip([1000, 1000, 1000])  # three 1 km squares side by side
    support = facilities_at([(500, 500)], ["asso_aide_victimes"])
    inc = incidents_at([(500, 500)] * 5 + [(2500, 500)] * 2,
                       [MONDAY_20H] * 7, cats=["coups_et_blessures"] * 7,
                       quartiers=["Q0"] * 5 + ["Q2"] * 2)
    res = victims.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0)
    got = res.quartiers.set_index("quartier_id")
    assert list(got["faits_affiches"]) == ["5", "0", "< 5"]
    assert got.loc["Q0", "distance_faits_m"] == pytest.approx(0.0, abs=0.01)
    assert np.isnan(got.loc["Q2", "distance_faits_m"])  # fewer than k incidents
    # Median distance of a quartier's residents to the support (centre of Q0).
    assert got.loc["Q1", "distance_habitants_m"] == pytest.approx(1000, rel=0.06)
    assert got.loc["Q2", "distance_habitants_m"] == pytest.approx(2000, rel=0.03)
    assert list(got["eloigne"]) == [False, False, True]  # 15 min = 1,125 m
    assert res.share_within_pct == pytest.approx(100 * 5 / 7)
    s = res.sentence()
    assert "71 %" in s and "Quartier 2" in s and "1 quartier(s)" in s
    few = victims.support_access(inc.iloc[5:], q, support, epsg=EPSG, k=5, sample_m=100.0)
    assert "Moins de 5 faits" in few.sentence() and "%" not in few.sentence()
