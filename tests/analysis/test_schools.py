"""Known-answer tests of incidents around schools (rings, school hours, school zones)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from clspd_geo.analysis import indicators, schools
from clspd_geo.errors import EmptySelectionError
from tests.analysis.field_layers import (EPSG, MONDAY_10H, MONDAY_20H, SATURDAY_10H,
                                         WEDNESDAY_14H, demo_layers, facilities_at,
                                         incidents_at)


def test_school_time_follows_the_french_timetable():
    got = schools.is_school_time(pd.Series(pd.to_datetime(
        [MONDAY_10H, MONDAY_20H, WEDNESDAY_14H, "2025-03-05 09:00", SATURDAY_10H,
         "2025-03-07 16:59", "2025-03-07 17:00", "2025-03-03 07:59"])))
    assert list(got) == [True, False, False, True, False, True, False, False]


def test_school_rings_count_and_split_by_school_hours():
    school_sites = facilities_at([(0, 0), (5000, 0)], ["college", "ecole_elementaire"])
    inc = incidents_at(
        [(100, 0), (150, 0), (0, 199), (300, 0), (0, 450), (1000, 0), (5000, 600)],
        [MONDAY_10H, MONDAY_20H, WEDNESDAY_14H, MONDAY_10H, SATURDAY_10H, MONDAY_10H,
         MONDAY_20H])
    res = schools.school_surroundings(inc, school_sites, epsg=EPSG)
    t = res.table.set_index("Anneau")
    assert list(t.index) == ["0 – 200 m", "200 – 500 m", "au-delà de 500 m"]
    assert list(t["Faits"]) == [3, 2, 2]
    assert list(t["Aux heures scolaires"]) == [1, 1, 1]
    assert t.loc["0 – 200 m", "Part aux heures scolaires (%)"] == pytest.approx(33.3, abs=0.1)
    assert res.n_schools == 2
    # The rings are drawn: a 200 m disc and a 200-500 m annulus around each school.
    areas = res.rings.to_crs(2154).area.to_numpy()
    np.testing.assert_allclose(areas, [2 * np.pi * 200**2, 2 * np.pi * (500**2 - 200**2)],
                               rtol=0.01)
    s = res.sentence()
    assert "33 %" in s and "50 %" in s and "200 m" in s


def test_school_rings_accept_the_prepared_table_and_suppress_small_counts():
    school_sites = facilities_at([(0, 0)], ["lycee"])
    inc = incidents_at([(10, 0)] * 6 + [(300, 0)] * 2, [MONDAY_10H] * 6 + [MONDAY_20H] * 2,
                       cats=["violences_scolaires"] * 8)
    df = indicators.prepare_incidents(inc, epsg=EPSG)
    res = schools.school_surroundings(df, school_sites, epsg=EPSG, k=5)
    assert list(res.table["Faits"]) == ["6", "< 5", "0"]
    assert list(res.table["Aux heures scolaires"]) == ["6", "0", "0"]
    assert res.table["Part aux heures scolaires (%)"].isna().tolist() == [False, True, True]


def test_school_rings_without_schools_say_what_to_import():
    with pytest.raises(EmptySelectionError, match="École.*import facilities"):
        schools.school_surroundings(incidents_at([(0, 0)], [MONDAY_10H]),
                                    facilities_at([(0, 0)], ["mairie"]), epsg=EPSG)


def test_school_zone_counts_go_to_the_nearest_school_within_reach():
    school_sites = facilities_at([(0, 0), (800, 0)], ["college", "lycee"], ["Collège A", "Lycée B"])
    inc = incidents_at([(100, 0), (350, 0), (450, 0), (700, 0), (0, 600)],
                       [MONDAY_10H] * 5, cats=["violences_scolaires"] * 5)
    table = schools.school_zone_counts(inc, school_sites, epsg=EPSG, radius_m=500.0)
    assert dict(zip(table["École"], table["faits"], strict=True)) == {"Collège A": 2,
                                                                      "Lycée B": 2}
    shown = schools.school_zone_counts(inc, school_sites, epsg=EPSG, radius_m=500.0, k=5)
    assert list(shown["Faits"]) == ["< 5", "< 5"]


def test_demo_school_violence_clusters_at_school_hours_near_schools(demo_layers):
    df = indicators.prepare_incidents(demo_layers["incidents"], epsg=EPSG)
    sv = df[df["category"] == "violences_scolaires"]
    res = schools.school_surroundings(sv, demo_layers["equipements"], epsg=EPSG)
    assert res.counts[0] > res.counts[1] + res.counts[2]
    assert res.shares[0] > 50


def test_paris_accidents_around_colleges(shared_data):
    col = pd.read_csv(shared_data / "schools" / "paris_colleges_men_2024.csv.gz")
    school_sites = gpd.GeoDataFrame(
        {"facility_id": col["numero_uai"], "name": col["appellation_officielle"],
         "kind": "college"}, geometry=gpd.points_from_xy(col["lon"], col["lat"]), crs=4326)
    d = pd.read_csv(shared_data / "accidents" / "paris_accidents_2012.csv.gz")
    acc = gpd.GeoDataFrame({"occurred_at": pd.to_datetime(d["date"] + " " + d["heure"])},
                           geometry=gpd.points_from_xy(d["lon"], d["lat"]), crs=4326)
    res = schools.school_surroundings(acc, school_sites, epsg=EPSG)
    t = res.table
    assert res.n_schools == len(col) == 217
    assert int(t["Faits"].sum()) == len(acc)  # every accident in exactly one ring
    assert (t["Aux heures scolaires"] + t["Hors heures scolaires"] == t["Faits"]).all()
    # Paris is dense in collèges: most accidents are within 500 m of one.
    assert t["Faits"].iloc[:2].sum() > t["Faits"].iloc[2]
    # About 30 % of the week's hours are school hours, and traffic peaks then: the share of
    # accidents at school hours lies well inside (10 %, 60 %) in every ring.
    assert all(10 < s < 60 for s in res.shares)
    zones = schools.school_zone_counts(acc, school_sites, epsg=EPSG, radius_m=500)
    assert zones["faits"].sum() == int(t["Faits"].iloc[:2].sum())
