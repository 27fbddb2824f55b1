"""Known-answer tests of the action-field analyses, on hand-made layers (Lambert-93 metres)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import make_points
from shapely.geometry import box

from clspd_geo import demo
from clspd_geo.analysis import field_analyses as fa, indicators
from clspd_geo.errors import EmptySelectionError

X0, Y0 = 700_000.0, 6_600_000.0
EPSG = 2154


def _fac(xy, kinds, names=None):
    names = names or [f"Site {i}" for i in range(len(xy))]
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       facility_id=[f"F{i}" for i in range(len(xy))], name=names, kind=kinds)


def _incidents(xy, when, cats=None, quartiers=None):
    n = len(xy)
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       incident_id=[f"I{i}" for i in range(n)],
                       occurred_at=pd.to_datetime(when),
                       category=cats or ["ivresse_publique"] * n,
                       quartier_id=quartiers or [None] * n)


def _quartiers(population, qpv=None):
    n = len(population)
    return gpd.GeoDataFrame(
        {"quartier_id": [f"Q{i}" for i in range(n)], "name": [f"Quartier {i}" for i in range(n)],
         "insee_code": "00000", "qpv": qpv or [False] * n, "population": population},
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(n)],
        crs=2154).to_crs(4326)


# -- schools -----------------------------------------------------------------------------------

MONDAY_10H = "2025-03-03 10:00"
MONDAY_20H = "2025-03-03 20:00"
WEDNESDAY_14H = "2025-03-05 14:00"
SATURDAY_10H = "2025-03-08 10:00"


def test_school_time_follows_the_french_timetable():
    got = fa.is_school_time(pd.Series(pd.to_datetime(
        [MONDAY_10H, MONDAY_20H, WEDNESDAY_14H, "2025-03-05 09:00", SATURDAY_10H,
         "2025-03-07 16:59", "2025-03-07 17:00", "2025-03-03 07:59"])))
    assert list(got) == [True, False, False, True, False, True, False, False]


def test_school_rings_count_and_split_by_school_hours():
    schools = _fac([(0, 0), (5000, 0)], ["college", "ecole_elementaire"])
    inc = _incidents(
        [(100, 0), (150, 0), (0, 199), (300, 0), (0, 450), (1000, 0), (5000, 600)],
        [MONDAY_10H, MONDAY_20H, WEDNESDAY_14H, MONDAY_10H, SATURDAY_10H, MONDAY_10H,
         MONDAY_20H])
    res = fa.school_surroundings(inc, schools, epsg=EPSG)
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
    schools = _fac([(0, 0)], ["lycee"])
    inc = _incidents([(10, 0)] * 6 + [(300, 0)] * 2, [MONDAY_10H] * 6 + [MONDAY_20H] * 2,
                     cats=["violences_scolaires"] * 8)
    df = indicators.prepare_incidents(inc, epsg=EPSG)
    res = fa.school_surroundings(df, schools, epsg=EPSG, k=5)
    assert list(res.table["Faits"]) == ["6", "< 5", "0"]
    assert list(res.table["Aux heures scolaires"]) == ["6", "0", "0"]
    assert res.table["Part aux heures scolaires (%)"].isna().tolist() == [False, True, True]


def test_school_rings_without_schools_say_what_to_import():
    with pytest.raises(EmptySelectionError, match="École.*import facilities"):
        fa.school_surroundings(_incidents([(0, 0)], [MONDAY_10H]), _fac([(0, 0)], ["mairie"]),
                               epsg=EPSG)


def test_school_zone_counts_go_to_the_nearest_school_within_reach():
    schools = _fac([(0, 0), (800, 0)], ["college", "lycee"], ["Collège A", "Lycée B"])
    inc = _incidents([(100, 0), (350, 0), (450, 0), (700, 0), (0, 600)],
                     [MONDAY_10H] * 5, cats=["violences_scolaires"] * 5)
    table = fa.school_zone_counts(inc, schools, epsg=EPSG, radius_m=500.0)
    assert dict(zip(table["École"], table["faits"], strict=True)) == {"Collège A": 2,
                                                                      "Lycée B": 2}
    shown = fa.school_zone_counts(inc, schools, epsg=EPSG, radius_m=500.0, k=5)
    assert list(shown["Faits"]) == ["< 5", "< 5"]


# -- rates per quartier ------------------------------------------------------------------------

def test_rates_per_1000_with_small_counts_suppressed():
    q = _quartiers([2000, 1000, 500])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 10 + ["Q1"] * 3 + ["Q2"] * 5})
    res = fa.rates_by_quartier(inc, q, k=5)
    got = res.quartiers.set_index("quartier_id")
    assert res.population_known
    assert list(got["faits_affiches"]) == ["10", "< 5", "5"]
    assert list(got["faits"]) == [10, 0, 5]
    assert got.loc["Q0", "taux_pour_1000"] == pytest.approx(5.0)
    assert np.isnan(got.loc["Q1", "taux_pour_1000"])  # a rate would reveal the count
    assert got.loc["Q2", "taux_pour_1000"] == pytest.approx(10.0)
    assert list(res.table()["Pour 1 000 hab."]) == ["5,0", "< 5 faits", "10,0"]
    s = res.sentence(what="violences")
    assert "Quartier 2" in s and "10,0 violences pour 1 000" in s and "masqués" in s


def test_rates_without_population_fall_back_to_counts_and_say_so():
    q = _quartiers([None, None])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 7 + ["Q1"] * 2})
    res = fa.rates_by_quartier(inc, q, k=5)
    assert not res.population_known
    assert res.unit == "faits"
    assert "Pour 1 000 hab." not in res.table().columns
    assert list(res.quartiers["valeur"]) == [7.0, 0.0]
    s = res.sentence()
    assert "population des quartiers n'est pas connue" in s and "pas des taux" in s


def test_rates_when_every_count_is_small_show_nothing():
    res = fa.rates_by_quartier(pd.DataFrame({"quartier_id": ["Q0"] * 2}), _quartiers([100]), k=5)
    assert res.quartiers["valeur"].sum() == 0
    assert "Aucun quartier ne compte au moins 5" in res.sentence()
    unknown = fa.rates_by_quartier(pd.DataFrame({"quartier_id": ["Q0"] * 2}),
                                   _quartiers([None]), k=5)
    assert "population des quartiers n'est pas connue" in unknown.sentence()


# -- addictions --------------------------------------------------------------------------------

def test_alcohol_incidents_by_hour_of_night_near_licensed_premises():
    bars = _fac([(0, 0), (2000, 0)], ["debit_boissons", "debit_boissons"])
    inc = _incidents([(50, 0), (0, 90), (500, 0), (2000, 20), (50, 0)],
                     ["2025-03-08 23:10", "2025-03-09 01:30", "2025-03-09 01:45",
                      "2025-03-09 01:00", "2025-03-08 12:00"])
    res = fa.alcohol_by_night_hour(inc, bars, epsg=EPSG, radius_m=100)
    t = res.table.set_index("Heure")
    assert list(t.index[:2]) == ["18 h", "19 h"] and t.index[-1] == "5 h"
    assert t.loc["23 h", "Près d'un débit de boissons"] == 1
    assert t.loc["1 h", "Près d'un débit de boissons"] == 2
    assert t.loc["1 h", "Ailleurs"] == 1
    assert int(t.to_numpy().sum()) == 4  # the noon incident is not at night
    assert "75 %" in res.sentence() and "1 h" in res.sentence()


def test_hour_analyses_refuse_dates_without_time():
    bars = _fac([(0, 0)], ["debit_boissons"])
    inc = _incidents([(10, 0)] * 6, ["2025-03-01 00:00"] * 6)  # monthly aggregates, no time
    with pytest.raises(EmptySelectionError, match="heures des faits ne sont pas disponibles"):
        fa.alcohol_by_night_hour(inc, bars, epsg=EPSG)
    with pytest.raises(EmptySelectionError, match="heures de classe"):
        fa.school_surroundings(inc, _fac([(0, 0)], ["college"]), epsg=EPSG)


def test_dense_cells_rank_the_cells_holding_most_incidents():
    terr = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=2154).to_crs(4326)
    inc = _incidents([(50, 50)] * 4 + [(750, 750)] * 6 + [(450, 450)] * 2,
                     [MONDAY_20H] * 12)
    cells = fa.dense_cells(inc, terr, epsg=EPSG, cell_m=200, top=5, min_count=3)
    assert list(cells["faits"]) == [6, 4]
    assert list(cells["rang"]) == [1, 2]
    c = cells.to_crs(2154).geometry.centroid
    assert c.iloc[0].x == pytest.approx(X0 + 700, abs=1) and c.iloc[1].x == pytest.approx(
        X0 + 100, abs=1)
    with pytest.raises(EmptySelectionError, match="Aucune cellule"):
        fa.dense_cells(inc, terr, epsg=EPSG, cell_m=200, min_count=10)


def test_distance_from_each_hotspot_to_the_nearest_care_site():
    spots = gpd.GeoDataFrame(
        {"rang": [1, 2], "faits": [6, 4]},
        geometry=[box(X0 + 600, Y0 + 600, X0 + 800, Y0 + 800),
                  box(X0, Y0 + 4000, X0 + 200, Y0 + 4200)],
        crs=2154).to_crs(4326)
    care = _fac([(700, 1000), (100, 2100), (0, 0)], ["csapa", "caarud", "mairie"],
                ["CSAPA", "CAARUD", "Mairie"])
    res = fa.distance_to_care(spots, care)
    t = res.table
    assert list(t["Lieu de soins le plus proche"]) == ["CSAPA", "CAARUD"]
    assert list(t["Distance (m)"]) == [300.0, 2000.0]
    assert t["À pied (min)"].iloc[1] == pytest.approx(26.7, abs=0.05)
    s = res.sentence()
    assert "300 m" in s and "1 des 2 points chauds" in s


# -- victim support ----------------------------------------------------------------------------

def test_support_access_per_quartier_and_far_quartiers():
    q = _quartiers([1000, 1000, 1000])  # three 1 km squares side by side
    support = _fac([(500, 500)], ["asso_aide_victimes"])
    inc = _incidents([(500, 500)] * 5 + [(2500, 500)] * 2,
                     [MONDAY_20H] * 7, cats=["coups_et_blessures"] * 7,
                     quartiers=["Q0"] * 5 + ["Q2"] * 2)
    res = fa.support_access(inc, q, support, epsg=EPSG, k=5, sample_m=100.0)
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
    few = fa.support_access(inc.iloc[5:], q, support, epsg=EPSG, k=5, sample_m=100.0)
    assert "Moins de 5 faits" in few.sentence() and "%" not in few.sentence()


# -- radicalisation prevention -----------------------------------------------------------------

def test_resources_and_actions_per_quartier_are_counts_only():
    q = _quartiers([1000, 1000])
    fac = _fac([(100, 100), (200, 100), (1500, 500)],
               ["referent_radicalisation", "maison_quartier", "college"])
    actions = gpd.GeoDataFrame(
        {"action_id": ["a", "b", "c", "d"], "field": ["radicalisation"] * 3 + ["routier"],
         "status": ["realisee", "suspendue", "en_cours", "en_cours"],
         "quartier_id": ["Q0", "Q0", "Q1", "Q1"]},
        geometry=[None] * 4, crs=4326)
    out = fa.resources_by_quartier(q, fac, actions, field="radicalisation",
                                   kinds=["referent_radicalisation", "maison_quartier"])
    assert list(out["ressources"]) == [2, 0]
    assert list(out["actions"]) == [1, 1]  # the suspended one and the road one do not count
    assert list(out["actions_realisees"]) == [1, 0]
    s = fa.resources_sentence(out, counts=pd.Series({"Q0": 2, "Q1": 7}), k=5)
    assert "2 ressources" in s and "0 quartier(s)" in s


# -- on the demo territory ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_layers():
    return demo.build_demo(seed=3, n_incidents=20_000)


def test_demo_school_violence_clusters_at_school_hours_near_schools(demo_layers):
    df = indicators.prepare_incidents(demo_layers["incidents"], epsg=EPSG)
    sv = df[df["category"] == "violences_scolaires"]
    res = fa.school_surroundings(sv, demo_layers["equipements"], epsg=EPSG)
    assert res.counts[0] > res.counts[1] + res.counts[2]
    assert res.shares[0] > 50


def test_demo_alcohol_incidents_are_mostly_near_bars_late_at_night(demo_layers):
    df = indicators.prepare_incidents(demo_layers["incidents"], epsg=EPSG)
    res = fa.alcohol_by_night_hour(df[df["category"] == "ivresse_publique"],
                                   demo_layers["equipements"], epsg=EPSG)
    near = res.table.set_index("Heure")["Près d'un débit de boissons"]
    assert near.sum() > res.table["Ailleurs"].sum()
    assert near.idxmax() in ("0 h", "1 h", "2 h", "3 h")


# -- real data: Paris collèges and 2012 road accidents ----------------------------------------

def test_paris_accidents_around_colleges(shared_data):
    col = pd.read_csv(shared_data / "schools" / "paris_colleges_men_2024.csv.gz")
    schools = gpd.GeoDataFrame(
        {"facility_id": col["numero_uai"], "name": col["appellation_officielle"],
         "kind": "college"}, geometry=gpd.points_from_xy(col["lon"], col["lat"]), crs=4326)
    d = pd.read_csv(shared_data / "accidents" / "paris_accidents_2012.csv.gz")
    acc = gpd.GeoDataFrame({"occurred_at": pd.to_datetime(d["date"] + " " + d["heure"])},
                           geometry=gpd.points_from_xy(d["lon"], d["lat"]), crs=4326)
    res = fa.school_surroundings(acc, schools, epsg=EPSG)
    t = res.table
    assert res.n_schools == len(col) == 217
    assert int(t["Faits"].sum()) == len(acc)  # every accident in exactly one ring
    assert (t["Aux heures scolaires"] + t["Hors heures scolaires"] == t["Faits"]).all()
    # Paris is dense in collèges: most accidents are within 500 m of one.
    assert t["Faits"].iloc[:2].sum() > t["Faits"].iloc[2]
    # About 30 % of the week's hours are school hours, and traffic peaks then: the share of
    # accidents at school hours lies well inside (10 %, 60 %) in every ring.
    assert all(10 < s < 60 for s in res.shares)
    zones = fa.school_zone_counts(acc, schools, epsg=EPSG, radius_m=500)
    assert zones["faits"].sum() == int(t["Faits"].iloc[:2].sum())
