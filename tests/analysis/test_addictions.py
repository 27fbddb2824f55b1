"""Known-answer tests of the addictions analyses (alcohol at night, dense cells, care)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from clspd_geo.analysis import addictions, indicators
from clspd_geo.errors import EmptySelectionError
from tests.analysis.field_layers import (EPSG, MONDAY_20H, X0, Y0, demo_layers, facilities_at,
                                         incidents_at)


def test_alcohol_incidents_by_hour_of_night_near_licensed_premises():
    bars = facilities_at([(0, 0), (2000, 0)], ["debit_boissons", "debit_boissons"])
    inc = incidents_at([(50, 0), (0, 90), (500, 0), (2000, 20), (50, 0)],
                       ["2025-03-08 23:10", "2025-03-09 01:30", "2025-03-09 01:45",
                        "2025-03-09 01:00", "2025-03-08 12:00"])
    res = addictions.alcohol_by_night_hour(inc, bars, epsg=EPSG, radius_m=100)
    t = res.table.set_index("Heure")
    assert list(t.index[:2]) == ["18 h", "19 h"] and t.index[-1] == "5 h"
    assert t.loc["23 h", "Près d'un débit de boissons"] == 1
    assert t.loc["1 h", "Près d'un débit de boissons"] == 2
    assert t.loc["1 h", "Ailleurs"] == 1
    assert int(t.to_numpy().sum()) == 4  # the noon incident is not at night
    assert "75 %" in res.sentence() and "1 h" in res.sentence()


def test_dense_cells_rank_the_cells_holding_most_incidents():
    terr = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=2154).to_crs(4326)
    inc = incidents_at([(50, 50)] * 4 + [(750, 750)] * 6 + [(450, 450)] * 2,
                       [MONDAY_20H] * 12)
    cells = addictions.dense_cells(inc, terr, epsg=EPSG, cell_m=200, top=5, min_count=3)
    assert list(cells["faits"]) == [6, 4]
    assert list(cells["rang"]) == [1, 2]
    c = cells.to_crs(2154).geometry.centroid
    assert c.iloc[0].x == pytest.approx(X0 + 700, abs=1) and c.iloc[1].x == pytest.approx(
        X0 + 100, abs=1)
    with pytest.raises(EmptySelectionError, match="Aucune cellule"):
        addictions.dense_cells(inc, terr, epsg=EPSG, cell_m=200, min_count=10)


def test_distance_from_each_hotspot_to_the_nearest_care_site():
    spots = gpd.GeoDataFrame(
        {"rang": [1, 2], "faits": [6, 4]},
        geometry=[box(X0 + 600, Y0 + 600, X0 + 800, Y0 + 800),
                  box(X0, Y0 + 4000, X0 + 200, Y0 + 4200)],
        crs=2154).to_crs(4326)
    care = facilities_at([(700, 1000), (100, 2100), (0, 0)], ["csapa", "caarud", "mairie"],
                         ["CSAPA", "CAARUD", "Mairie"])
    res = addictions.distance_to_care(spots, care)
    t = res.table
    assert list(t["Lieu de soins le plus proche"]) == ["CSAPA", "CAARUD"]
    assert list(t["Distance (m)"]) == [300.0, 2000.0]
    assert t["À pied (min)"].iloc[1] == pytest.approx(26.7, abs=0.05)
    s = res.sentence()
    assert "300 m" in s and "1 des 2 points chauds" in s


def test_demo_alcohol_incidents_are_mostly_near_bars_late_at_night(demo_layers):
    df = indicators.prepare_incidents(demo_layers["incidents"], epsg=EPSG)
    res = addictions.alcohol_by_night_hour(df[df["category"] == "ivresse_publique"],
                                           demo_layers["equipements"], epsg=EPSG)
    near = res.table.set_index("Heure")["Près d'un débit de boissons"]
    assert near.sum() > res.table["Ailleurs"].sum()
    assert near.idxmax() in ("0 h", "1 h", "2 h", "3 h")


def test_released_cells_rank_the_role_s_own_cells_and_never_a_zone_s_point():
    import pandas as pd

    # X0, Y0 are multiples of 200 m: the release grid's cells start there.
    rows = pd.DataFrame({
        "zone_level": ["grille", "grille", "point", "point", "quartier", "territoire"],
        "x": [X0 + 100, X0 + 500, X0 + 510, X0 + 590, X0 + 100, X0 + 100],
        "y": [Y0 + 100, Y0 + 100, Y0 + 120, Y0 + 190, Y0 + 100, Y0 + 100],
        "n": [4, 3, 1, 1, 40, 90], "category": "trafic_stupefiants"})
    cells, outside = addictions.released_cells(rows, epsg=EPSG, cell_size_m=200.0,
                                               min_count=3)
    # The quartier's 40 facts and the commune's 90 stand at the first cell's centre: they
    # are not in it.
    assert list(cells["faits"]) == [5, 4] and outside == 130
    assert list(cells["rang"]) == [1, 2]
    b = cells.to_crs(EPSG).geometry.iloc[0].bounds
    assert b == pytest.approx((X0 + 400, Y0, X0 + 600, Y0 + 200), abs=0.01)
    with pytest.raises(EmptySelectionError, match="130 faits publiés seulement par quartier"):
        addictions.released_cells(rows, epsg=EPSG, cell_size_m=200.0, min_count=6)
