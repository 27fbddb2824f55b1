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


def _released(rows):
    """A role's release, by hand: ``(level, x, y, quartier, n)`` in metres from (X0, Y0)."""
    import pandas as pd

    level, x, y, q, n = zip(*rows)
    return pd.DataFrame({"zone_level": list(level), "x": [X0 + v for v in x],
                         "y": [Y0 + v for v in y], "quartier_id": list(q), "insee_code": None,
                         "n": list(n), "category": "coups_et_blessures",
                         "occurred_at": MONDAY_20H})


def test_rows_released_by_zone_give_the_share_within_reach_as_bounds():
    q = quartier_strip([1000, 1000, 1000])  # Q0 [0, 1000], Q1 [1000, 2000], Q2 [2000, 3000]
    support = facilities_at([(500, 500)], ["asso_aide_victimes"])  # reach: 1,125 m
    rows = _released([
        ("point", 500, 500, "Q0", 5),      # at the support: within
        ("point", 2500, 500, "Q2", 1),     # 2 km away: not within
        ("grille", 500, 700, "Q0", 3),     # a 200 m cell around the support: surely
        ("grille", 1500, 500, "Q1", 2),    # a cell 900 to 1,100 m away... all within: surely
        ("grille", 1700, 500, "Q1", 4),    # 1,100 to 1,300 m: possibly
        ("quartier", 1500, 500, "Q1", 6),  # Q1 spans 500 to 1,500 m: possibly
        ("quartier", 2500, 500, "Q2", 7),  # Q2 starts 1,500 m away: no
    ])
    res = victims.support_access(rows, q, support, epsg=EPSG, k=1, sample_m=100.0)
    assert res.n_incidents == 28 and res.n_zoned == 22
    assert res.share_low_pct == pytest.approx(100 * 10 / 28)
    assert res.share_high_pct == pytest.approx(100 * 20 / 28)
    assert not res.is_exact
    s = res.sentence()
    assert s.startswith("Entre 36 % et 71 % des 28 faits") and "22 faits publiés" in s
    # Distances are those of the rows at their own place only.
    got = res.quartiers.set_index("quartier_id")
    assert got.loc["Q0", "distance_faits_m"] == pytest.approx(0.0, abs=0.01)
    assert np.isnan(got.loc["Q1", "distance_faits_m"])  # only rows placed by zone
    # The same rows, each at its own place: one share.
    exact = victims.support_access(rows.assign(zone_level="point"), q, support, epsg=EPSG, k=1,
                                   sample_m=100.0)
    assert exact.is_exact and exact.n_zoned == 0


@pytest.mark.parametrize("cell_m", [100.0, 200.0])
def test_on_random_points_gathered_into_cells_the_true_share_lies_between_the_bounds(cell_m):
    import pandas as pd

    rng = np.random.default_rng(int(cell_m))
    q = quartier_strip([1000, 1000, 1000])
    support = facilities_at([(500, 500), (2600, 300)], ["asso_aide_victimes"] * 2)
    x, y = rng.uniform(0, 3000, 5000), rng.uniform(0, 1000, 5000)
    pts = pd.DataFrame({"x": X0 + x, "y": Y0 + y, "n": 1, "quartier_id": None,
                        "category": "coups_et_blessures", "occurred_at": MONDAY_20H})
    truth = victims.support_access(pts, q, support, epsg=EPSG, k=1, sample_m=200.0)
    cx, cy = np.floor((X0 + x) / cell_m), np.floor((Y0 + y) / cell_m)
    cells = pd.DataFrame({"cx": cx, "cy": cy}).value_counts().rename("n").reset_index()
    rows = pd.DataFrame({"zone_level": "grille", "x": (cells["cx"] + 0.5) * cell_m,
                         "y": (cells["cy"] + 0.5) * cell_m, "quartier_id": None, "n": cells["n"],
                         "category": "coups_et_blessures", "occurred_at": MONDAY_20H})
    res = victims.support_access(rows, q, support, epsg=EPSG, k=1, sample_m=200.0,
                                 cell_size_m=cell_m)
    assert res.n_incidents == truth.n_incidents == 5000
    assert res.share_low_pct <= truth.share_within_pct <= res.share_high_pct
    assert res.share_low_pct < res.share_high_pct


def test_a_release_by_quartier_only_says_the_share_cannot_be_measured():
    q = quartier_strip([1000, 1000, 1000])
    support = facilities_at([(1000, 500)], ["asso_aide_victimes"])  # on the Q0 / Q1 border
    rows = _released([("quartier", 500, 500, "Q0", 12), ("quartier", 1500, 500, "Q1", 9)])
    res = victims.support_access(rows, q, support, epsg=EPSG, k=5, sample_m=100.0)
    assert (res.share_low_pct, res.share_high_pct) == (0.0, 100.0)
    assert "n'est pas mesurable pour votre rôle" in res.sentence()
    assert "%" not in res.sentence().split(":")[0]
