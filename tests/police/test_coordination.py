"""Tests of clspd_geo.police.coordination: PN/PM overlap, uncovered places, gaps by force."""

from __future__ import annotations

import pytest

from clspd_geo.police import coordination


def test_coordination_overlap_and_gaps(two_pn_one_pm, incidents, layer, square):
    territory = layer([square(0, 0, 3000, 1000)], insee_code=["99999"], name=["Test"])
    co = coordination.coordination(two_pn_one_pm, incidents, territory=territory)
    # M overlaps A on [500,1000]x[0,1000] and B on [1000,1500]x[0,1000]: 0.5 km² each.
    ov = co.overlap.set_index("sector_pn")
    assert ov.loc["A", "area_m2"] == pytest.approx(500_000, rel=1e-6)
    assert ov.loc["B", "area_m2"] == pytest.approx(500_000, rel=1e-6)
    assert co.overlap_area_m2 == pytest.approx(1_000_000, rel=1e-6)
    assert ov.loc["A", "n_nuit"] == 1 and ov.loc["B", "n_nuit"] == 1
    shifts = co.overlap_by_shift.set_index("shift")
    assert shifts.loc["nuit", "n_incidents"] == 2
    assert shifts.loc["nuit", "load"] == 9
    assert shifts.loc["matin", "n_incidents"] == 0
    # Nobody covers [2000,3000]x[0,1000]; PM leaves [0,500] and [1500,3000] uncovered.
    assert co.uncovered["area_m2"].sum() == pytest.approx(1_000_000, rel=1e-6)
    gaps = co.gaps_by_force.set_index("force")
    assert gaps.loc["police_municipale", "area_m2"] == pytest.approx(2_000_000, rel=1e-6)
    assert gaps.loc["police_municipale", "n_incidents"] == 3
    assert co.uncovered.crs.to_epsg() == 4326
