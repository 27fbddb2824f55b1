"""Known-answer tests of victim support access."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from clspd_geo.analysis import victims
from tests.analysis.field_layers import (EPSG, MONDAY_20H, X0, Y0, facilities_at, incidents_at,
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
    assert "71 %" in s and "Quartier 2" in s and "1 quartier est à plus de 15 minutes" in s
    few = victims.support_access(inc.iloc[5:], q, support, epsg=EPSG, k=5, sample_m=100.0)
    assert "Moins de 5 faits" in few.sentence() and "%" not in few.sentence()


def _grid(cells):
    """``cells``: ``[(x, y, population)]`` of 200 m squares (south-west corners, metres)."""
    return gpd.GeoDataFrame(
        {"cell_id": [f"C{i}" for i in range(len(cells))], "population": [p for *_, p in cells]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + 200, Y0 + y + 200) for x, y, _ in cells],
        crs=2154).to_crs(4326)


def test_support_access_places_residents_by_the_grid_known_answer():
    q = quartier_strip([100, 50, 100])  # three 1 km squares side by side
    support = facilities_at([(500, 500)], ["asso_aide_victimes"])
    inc = incidents_at([(500, 500)] * 5, [MONDAY_20H] * 5, cats=["coups_et_blessures"] * 5,
                       quartiers=["Q0"] * 5)
    # Cells centred on y = 500: Q0 all at the support; Q1 all at its east end (x = 1,900,
    # 1,400 m away); Q2: 90 at x = 2,100 (1,600 m) and 10 at x = 2,900 (2,400 m).
    grid = _grid([(400, 400, 100), (1800, 400, 50), (2000, 400, 90), (2800, 400, 10)])
    res = victims.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0,
                                 carreaux=grid)
    assert res.population_source == "carreaux"
    assert "carreaux de 200 m" in res.population_text
    got = res.quartiers.set_index("quartier_id")
    np.testing.assert_allclose(got["distance_habitants_m"], [0.0, 1400.0, 1600.0], atol=0.01)
    assert list(got["eloigne"]) == [False, True, True]  # 15 min = 1,125 m
    assert got.loc["Q1", "distance_affichee"] == "1400 m, 19 min à pied"
    # Spread evenly, Q1's residents are at a median 1,000 m: not far.
    even = victims.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0)
    assert even.population_source == "uniforme" and "uniformément" in even.population_text
    assert list(even.quartiers["eloigne"]) == [False, False, True]
    # A grid that leaves an inhabited quartier empty (Q1) is not used.
    partial = victims.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0,
                                     carreaux=_grid([(400, 400, 100), (2000, 400, 90)]))
    assert partial.population_source == "uniforme"
    np.testing.assert_allclose(partial.quartiers["distance_habitants_m"],
                               even.quartiers["distance_habitants_m"])


def test_a_quartier_without_residents_has_no_residents_distance():
    q = quartier_strip([100, 0])
    support = facilities_at([(500, 500)], ["asso_aide_victimes"])
    inc = incidents_at([(500, 500)] * 5, [MONDAY_20H] * 5, cats=["coups_et_blessures"] * 5,
                       quartiers=["Q0"] * 5)
    res = victims.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0,
                                 carreaux=_grid([(400, 400, 100)]))
    got = res.quartiers.set_index("quartier_id")
    assert res.population_source == "carreaux" and np.isnan(got.loc["Q1", "distance_habitants_m"])
    assert got.loc["Q1", "distance_affichee"] == "aucun habitant" and not got.loc["Q1", "eloigne"]
