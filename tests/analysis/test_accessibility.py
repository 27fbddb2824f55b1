"""Nearest facility, walking time, street network and QPV residents within a 15-minute walk."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import make_points
from shapely.geometry import LineString, box

from clspd_geo.analysis import accessibility as acc
from clspd_geo.errors import EmptySelectionError, SchemaError

X0, Y0 = 700_000.0, 6_600_000.0


def _facilities(xy, kinds, names=None):
    names = names or [f"Site {i}" for i in range(len(xy))]
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       facility_id=[f"F{i}" for i in range(len(xy))], name=names, kind=kinds)


def _lines(coords_list, kinds=None):
    kinds = kinds or ["principale"] * len(coords_list)
    return gpd.GeoDataFrame(
        {"road_id": [f"R{i}" for i in range(len(coords_list))],
         "name": [f"Rue {i}" for i in range(len(coords_list))], "kind": kinds},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in c]) for c in coords_list],
        crs=2154).to_crs(4326)


def _quartiers(boxes, *, qpv, population):
    return gpd.GeoDataFrame(
        {"quartier_id": [f"Q{i}" for i in range(len(boxes))],
         "name": [f"Quartier {i}" for i in range(len(boxes))], "insee_code": "00000",
         "qpv": qpv, "population": population},
        geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes],
        crs=2154).to_crs(4326)


def test_walking_speed_is_documented_and_15_minutes_is_1125_m():
    assert acc.WALK_SPEED_M_PER_MIN == 75.0
    assert acc.walk_minutes(1125.0) == pytest.approx(15.0)


def test_nearest_facility_straight_line_known_answer():
    fac = _facilities([(0, 0), (1000, 0)], ["csapa", "caarud"], ["A", "B"])
    pts = make_points([(X0 + 100, Y0), (X0 + 900, Y0), (X0 + 300, Y0 + 400)])
    res = acc.nearest_facility(pts, fac)
    assert res.method == "droite" and "vol d'oiseau" in res.method_text
    assert list(res.points["nearest_name"]) == ["A", "B", "A"]
    np.testing.assert_allclose(res.points["distance_m"], [100.0, 100.0, 500.0], atol=0.01)
    np.testing.assert_allclose(res.points["walk_min"], [100 / 75, 100 / 75, 500 / 75], atol=1e-3)
    assert res.points.crs.to_epsg() == 4326
    assert "nearest_name" not in pts.columns  # input untouched


def test_nearest_facility_only_of_the_asked_kinds():
    fac = _facilities([(0, 0), (1000, 0)], ["csapa", "caarud"], ["A", "B"])
    pts = make_points([(X0 + 900, Y0)])
    res = acc.nearest_facility(pts, fac, kinds=["csapa"])
    assert res.points["nearest_name"].iloc[0] == "A"
    assert res.points["distance_m"].iloc[0] == pytest.approx(900.0, abs=0.01)


def test_network_distance_follows_the_streets_and_skips_railways():
    # A facility at the origin, a point 500 m east and 500 m north of it: the only street
    # goes north then east (1,000 m), a railway goes straight (ignored).
    fac = _facilities([(0, 0)], ["csapa"])
    roads = _lines([[(0, 0), (0, 500), (500, 500)], [(0, 0), (500, 500)]],
                   kinds=["principale", "voie_ferree"])
    pts = make_points([(X0 + 500, Y0 + 500)])
    res = acc.nearest_facility(pts, fac, voies=roads)
    assert res.method == "reseau" and "voies" in res.method_text
    assert res.points["distance_m"].iloc[0] == pytest.approx(1000.0, abs=0.05)
    straight = acc.nearest_facility(pts, fac)
    assert straight.points["distance_m"].iloc[0] == pytest.approx(707.107, abs=0.01)


def test_network_distance_adds_the_walk_to_and_from_the_street():
    fac = _facilities([(0, -30)], ["csapa"])  # 30 m south of the street's start
    roads = _lines([[(0, 0), (400, 0)]])
    pts = make_points([(X0 + 400, Y0 + 40)])  # 40 m north of its end
    res = acc.nearest_facility(pts, fac, voies=roads)
    assert res.points["distance_m"].iloc[0] == pytest.approx(30 + 400 + 40, abs=0.05)


def test_network_picks_the_nearest_of_several_facilities_by_path():
    # B is nearer as the crow flies but far by the street; A is nearer by the street.
    fac = _facilities([(0, 0), (600, 300)], ["csapa", "csapa"], ["A", "B"])
    roads = _lines([[(0, 0), (600, 0)], [(600, 0), (1200, 0), (1200, 300), (600, 300)]])
    pts = make_points([(X0 + 600, Y0)])
    assert acc.nearest_facility(pts, fac).points["nearest_name"].iloc[0] == "B"
    by_road = acc.nearest_facility(pts, fac, voies=roads).points
    assert by_road["nearest_name"].iloc[0] == "A"
    assert by_road["distance_m"].iloc[0] == pytest.approx(600.0, abs=0.05)


def test_street_network_cuts_crossing_lines():
    roads = _lines([[(0, 0), (200, 0)], [(100, -100), (100, 100)]])
    net = acc.street_network(roads, epsg=2154, max_edge_m=1000.0)
    # 4 ends + the crossing = 5 nodes; 4 edges of 100 m each.
    assert net.n_nodes == 5
    assert net.graph.sum() / 2 == pytest.approx(400.0)


def test_street_network_keeps_its_largest_connected_part():
    # A lone 50 m street near the point would trap it: it is dropped.
    roads = _lines([[(0, 0), (1000, 0)], [(500, 300), (550, 300)]])
    net = acc.street_network(roads, epsg=2154, max_edge_m=1000.0)
    assert net.n_nodes == 2
    fac = _facilities([(0, 0)], ["csapa"])
    res = acc.nearest_facility(make_points([(X0 + 520, Y0 + 290)]), fac, voies=roads)
    assert res.points["distance_m"].iloc[0] == pytest.approx(np.hypot(20, 290) + 500,
                                                             abs=0.1)


def test_street_ends_stopping_short_are_joined():
    # The side street stops 10 m short of the main one: it is joined (join_m is 30 m).
    roads = _lines([[(0, 0), (1000, 0)], [(500, 10), (500, 400)]])
    fac = _facilities([(0, 0)], ["csapa"])
    res = acc.nearest_facility(make_points([(X0 + 500, Y0 + 400)]), fac, voies=roads)
    assert res.points["distance_m"].iloc[0] == pytest.approx(390 + 10 + 500, abs=0.1)
    apart = acc.street_network(roads, epsg=2154, join_m=5.0)
    assert apart.n_nodes < acc.street_network(roads, epsg=2154).n_nodes


def test_no_facility_of_the_kind_says_what_to_import():
    fac = _facilities([(0, 0)], ["mairie"])
    pts = make_points([(X0, Y0)])
    with pytest.raises(EmptySelectionError, match="CSAPA.*import facilities"):
        acc.nearest_facility(pts, fac, kinds=["csapa"])


def test_facilities_without_kind_column_or_values():
    fac = _facilities([(0, 0), (100, 0)], ["csapa", None])
    pts = make_points([(X0 + 90, Y0)])
    res = acc.nearest_facility(pts, fac)
    assert res.n_without_kind == 1
    assert res.points["nearest_kind"].iloc[0] == "csapa"  # the kind-less site is left out
    with pytest.raises(SchemaError, match="colonne « kind »"):
        acc.nearest_facility(pts, fac.drop(columns="kind"))
    with pytest.raises(EmptySelectionError, match="1 équipement n'a pas de type"):
        acc.nearest_facility(pts, _facilities([(0, 0)], [None]))


def test_sample_points_weights_sum_to_one_per_polygon():
    q = _quartiers([(0, 0, 1000, 500), (1000, 0, 1010, 10)], qpv=[True, True],
                   population=[10, 10])
    pts = acc.sample_points(q, sample_m=50.0)
    assert (pts["area"] == 0).sum() == 20 * 10
    assert (pts["area"] == 1).sum() == 1  # too small for the grid: one representative point
    np.testing.assert_allclose(pts.groupby("area")["weight"].sum(), [1.0, 1.0])


def test_qpv_residents_within_15_minutes_known_answer():
    # A thin QPV strip 2,250 m long with 1,000 residents; a mission locale at its west end:
    # 15 min at 75 m/min reach 1,125 m, half the strip -> 500 residents.
    q = _quartiers([(0, 0, 2250, 10), (0, 100, 500, 200)], qpv=[True, False],
                   population=[1000, 5000])
    fac = _facilities([(0, 5), (5000, 5)], ["mission_locale", "pjj"])
    res = acc.qpv_access(q, fac, kinds=["mission_locale", "pjj", "site_tig"], sample_m=10.0)
    t = res.table.set_index("kind")
    col = "Habitants à moins de 15 min"
    assert res.population_known and res.qpv_population == 1000
    assert t.loc["mission_locale", col] == pytest.approx(500, abs=5)
    assert t.loc["mission_locale", "Part (%)"] == pytest.approx(50.0, abs=0.5)
    assert t.loc["pjj", col] == 0 and t.loc["site_tig", "Sites"] == 0
    assert set(res.gaps["kind"]) == {"pjj", "site_tig"}
    assert res.method == "droite"
    sentence = res.sentence()
    assert "50 %" in sentence and "Quartier 0" in sentence and "vol d'oiseau" in sentence


def test_qpv_access_over_the_street_network_is_shorter_reach():
    # Same strip, but the only street leaves the strip: 300 m north, along, and back down.
    q = _quartiers([(0, 0, 2250, 10)], qpv=[True], population=[1000])
    fac = _facilities([(0, 5)], ["mission_locale"])
    roads = _lines([[(0, 5), (0, 305), (2250, 305), (2250, 5)]])
    res = acc.qpv_access(q, fac, kinds=["mission_locale"], voies=roads, sample_m=10.0)
    share = res.table["Part (%)"].iloc[0]
    # Through the detour a point at x is reached in 300 + x + 300 (+ access): x <= 525 m,
    # or nearer through the far end: none. So about 525 / 2250 = 23 %.
    assert res.method == "reseau"
    assert share == pytest.approx(100 * 525 / 2250, abs=1.5)


def test_missing_population_gives_shares_of_area_and_says_so():
    q = _quartiers([(0, 0, 2250, 10)], qpv=[True], population=[None])
    fac = _facilities([(0, 5)], ["mission_locale"])
    res = acc.qpv_access(q, fac, kinds=["mission_locale"], sample_m=10.0)
    assert not res.population_known
    assert "Habitants à moins de 15 min" not in res.table.columns
    assert res.table["Part (%)"].iloc[0] == pytest.approx(50.0, abs=0.5)
    assert "population des quartiers n'est pas connue" in res.sentence()


def test_no_qpv_is_a_french_message_with_the_command():
    q = _quartiers([(0, 0, 100, 100)], qpv=[False], population=[10])
    with pytest.raises(EmptySelectionError, match="QPV.*import boundaries"):
        acc.qpv_access(q, _facilities([(0, 0)], ["pjj"]), kinds=["pjj"])


def test_qpv_access_without_any_structure_says_what_to_import():
    q = _quartiers([(0, 0, 100, 100)], qpv=[True], population=[10])
    with pytest.raises(EmptySelectionError, match="Mission locale.*import facilities"):
        acc.qpv_access(q, _facilities([(0, 0)], ["mairie"]), kinds=["mission_locale"])


def test_reach_zones_are_discs_of_the_walk():
    fac = _facilities([(0, 0), (5000, 0)], ["pjj", "mission_locale"])
    zones = acc.reach_zones(fac, kinds=["pjj"], minutes=10)
    assert list(zones["kind"]) == ["pjj"]
    assert zones.to_crs(2154).area.iloc[0] == pytest.approx(np.pi * 750**2, rel=0.01)


def test_real_hospitals_nearest_to_paris_accidents(shared_data):
    hosp = pd.read_csv(shared_data / "facilities" / "france_hospitals_eurostat_2020.csv.gz")
    hosp = hosp[hosp["lat"].between(48.81, 48.91) & hosp["lon"].between(2.22, 2.47)]
    fac = gpd.GeoDataFrame({"facility_id": hosp["id"].astype(str), "name": hosp["site_name"],
                            "kind": "hopital"},
                           geometry=gpd.points_from_xy(hosp["lon"], hosp["lat"]), crs=4326)
    acc_df = pd.read_csv(shared_data / "accidents" / "paris_accidents_2012.csv.gz").iloc[::20]
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(acc_df["lon"], acc_df["lat"]), crs=4326)
    res = acc.nearest_facility(pts, fac).points
    assert len(fac) > 50 and res["nearest_kind"].eq("hopital").all()
    # Brute force in Lambert-93 gives the same nearest distance.
    a = pts.to_crs(2154).geometry
    f = fac.to_crs(2154).geometry
    brute = np.hypot(a.x.to_numpy()[:, None] - f.x.to_numpy()[None, :],
                     a.y.to_numpy()[:, None] - f.y.to_numpy()[None, :]).min(axis=1)
    np.testing.assert_allclose(res["distance_m"], brute, rtol=1e-9)
    # Paris is dense in hospitals: every accident is within 3 km of one, most within 1.5 km.
    assert res["distance_m"].max() < 3000
    assert res["distance_m"].median() < 1500
