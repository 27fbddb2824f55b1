"""Tests of camera siting (MCLP): brute-force optimum, bounds, constraints, bad input, Paris."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import make_points
from shapely.geometry import LineString

from clspd_geo.video import cameras, siting
from clspd_geo.errors import EmptySelectionError, OptimisationError

X0, Y0 = 650_000.0, 6_860_000.0


def _random_instance(seed: int, *, n_demand: int = 50, n_sites: int = 11):
    rng = np.random.default_rng(seed)
    demand = siting.Demand(X0 + rng.uniform(0, 1000, n_demand), Y0 + rng.uniform(0, 1000, n_demand),
                           rng.integers(1, 10, n_demand).astype(float), 2154, "test")
    sites = siting.Candidates(X0 + rng.uniform(0, 1000, n_sites),
                              Y0 + rng.uniform(0, 1000, n_sites),
                              tuple(f"S{i}" for i in range(n_sites)),
                              tuple(f"site {i}" for i in range(n_sites)),
                              rng.choice([10.0, 20.0, 30.0], n_sites), 2154)
    return demand, sites


def _brute_force(problem: siting.Problem) -> float:
    c = problem.candidates
    best = problem.covered_before
    k = problem.n_new if problem.n_new is not None else len(c)
    for r in range(1, k + 1):
        for combo in itertools.combinations(range(len(c)), r):
            pick = list(combo)
            if problem.blocked[pick].any():
                continue
            if problem.budget_eur is not None and c.cost_eur[pick].sum() > problem.budget_eur:
                continue
            if problem.min_distance_m > 0 and any(
                    np.hypot(c.x[a] - c.x[b], c.y[a] - c.y[b]) < problem.min_distance_m
                    for a, b in itertools.combinations(pick, 2)):
                continue
            best = max(best, problem.covered_by(np.array(pick)))
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("n_new", "budget", "min_d"),
                         [(3, None, 0.0), (3, None, 250.0), (None, 50.0, 0.0), (2, 40.0, 150.0)])
def test_exact_finds_brute_force_optimum_and_greedy_is_within_its_bound(seed, n_new, budget,
                                                                         min_d):
    demand, sites = _random_instance(seed)
    problem = siting.prepare(demand, sites, radius_m=250.0, n_new=n_new, budget_eur=budget,
                             min_distance_m=min_d)
    best = _brute_force(problem)
    exact = siting.exact(problem, time_limit_s=20)
    assert exact.status == "optimal"
    assert exact.covered_after == pytest.approx(best)
    assert exact.bound >= best - 1e-9 and exact.gap == pytest.approx(0.0, abs=1e-6)
    g = siting.greedy(problem)
    assert g.covered_after <= best + 1e-9
    assert g.bound >= best - 1e-9
    assert g.gap >= 0
    # Constraints hold on both answers.
    for res in (exact, g):
        if n_new is not None:
            assert len(res.sites) <= n_new
        if budget is not None:
            assert res.sites["cost_eur"].sum() <= budget
        if min_d > 0 and len(res.sites) > 1:
            xy = res.sites.to_crs(2154).get_coordinates().to_numpy()
            d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            assert d[np.triu_indices(len(xy), 1)].min() >= min_d - 1e-6


def test_known_answer_two_clusters_and_ranked_gains():
    # 5 points around A, 3 around B, 1 at C; two cameras of 50 m: A then B.
    xy = [(X0 + d, Y0) for d in (0, 5, 10, 15, 20)] + [(X0 + 500 + d, Y0) for d in (0, 5, 10)] \
        + [(X0 + 1000, Y0)]
    demand = siting.Demand(np.array([p[0] for p in xy]), np.array([p[1] for p in xy]),
                           np.ones(9), 2154, "test")
    sites = siting.Candidates(np.array([X0 + 10, X0 + 505, X0 + 1000]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"), np.full(3, 1.0), 2154)
    problem = siting.prepare(demand, sites, radius_m=50.0, n_new=2)
    for res in (siting.greedy(problem), siting.exact(problem)):
        assert res.sites["site_id"].tolist() == ["A", "B"]
        assert res.sites["marginal_gain"].tolist() == [5.0, 3.0]
        assert res.sites["covered_after"].tolist() == [5.0, 8.0]
        assert res.covered_after == 8.0 and res.share_after == pytest.approx(8 / 9)
        assert res.sites.crs.to_epsg() == 4326


def test_existing_cameras_already_count_and_block_close_sites():
    demand = siting.Demand(np.array([X0, X0 + 500]), np.array([Y0, Y0]), np.array([10.0, 4.0]),
                           2154, "test")
    sites = siting.Candidates(np.array([X0 + 5, X0 + 500]), np.array([Y0, Y0]), ("near", "far"),
                              ("n", "f"), np.ones(2), 2154)
    existing = make_points([(X0, Y0)], camera_id=["e1"], bearing_deg=[np.nan],
                           fov_deg=[360.0], range_m=[30.0])
    problem = siting.prepare(demand, sites, radius_m=50.0, n_new=1, existing=existing,
                             min_distance_m=20.0)
    assert problem.covered_before == 10.0
    assert problem.blocked.tolist() == [True, False]
    res = siting.exact(problem)
    assert res.sites["site_id"].tolist() == ["far"]
    assert res.covered_before == 10.0 and res.covered_after == 14.0


def test_budget_buys_cheap_sites():
    demand = siting.Demand(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                           np.array([5.0, 4.0, 4.0]), 2154, "test")
    sites = siting.Candidates(np.array([X0, X0 + 500, X0 + 1000]), np.full(3, Y0),
                              ("A", "B", "C"), ("a", "b", "c"),
                              np.array([30_000.0, 15_000.0, 15_000.0]), 2154)
    problem = siting.prepare(demand, sites, radius_m=50.0, budget_eur=30_000.0)
    res = siting.exact(problem)
    assert sorted(res.sites["site_id"]) == ["B", "C"] and res.covered_after == 8.0


def test_bad_input_gives_french_messages():
    demand, sites = _random_instance(0)
    with pytest.raises(OptimisationError, match="ne permet pas d'installer une seule caméra"):
        siting.prepare(demand, sites, budget_eur=5.0)
    with pytest.raises(OptimisationError, match="au moins 1"):
        siting.prepare(demand, sites, n_new=0)
    with pytest.raises(OptimisationError, match="nombre de nouvelles caméras ou un budget"):
        siting.prepare(demand, sites)
    with pytest.raises(OptimisationError, match="rayon"):
        siting.prepare(demand, sites, n_new=2, radius_m=-5)


def test_time_limit_keeps_greedy_answer_with_its_bound():
    demand, sites = _random_instance(3, n_demand=400, n_sites=300)
    problem = siting.prepare(demand, sites, radius_m=120.0, n_new=15)
    g = siting.greedy(problem)
    res = siting.exact(problem, time_limit_s=0.0, fallback=g)
    assert res.status == "limite_de_temps"
    assert "limite" in res.message and "0 s" in res.message
    assert res.covered_after >= g.covered_after
    assert res.bound <= g.bound + 1e-9


def test_candidates_outside_territory_are_dropped_or_refused():
    territory = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=2154)
    pts = make_points([(X0 + 50, Y0 + 50), (X0 + 500, Y0 + 500)], name=["dedans", "dehors"])
    c = siting.candidates_from_points(pts, territory=territory, label_column="name")
    assert c.labels == ("dedans",) and c.dropped_outside == 1
    with pytest.raises(EmptySelectionError, match="n'est dans le territoire"):
        siting.candidates_from_points(pts.iloc[[1]], territory=territory)


def test_demand_weights_by_category_and_recency():
    inc = make_points([(X0, Y0), (X0 + 1, Y0), (X0 + 500, Y0)],
                      category=["rixe", "tapage", "rixe"],
                      occurred_at=pd.to_datetime(["2024-01-31", "2024-01-31", "2024-01-01"]))
    w = siting.incident_weights(inc, category_weights="gravite", half_life_days=30)
    # rixe severity 4, tapage 1; the third is 30 days older: half weight.
    np.testing.assert_allclose(w, [4.0, 1.0, 2.0])
    d = siting.demand_from_incidents(inc, category_weights={"rixe": 2.0}, cell_size_m=50.0,
                                     epsg=2154)
    assert d.total == pytest.approx(4.0) and len(d.x) == 2
    with pytest.raises(EmptySelectionError, match="Aucun fait dans la période"):
        siting.demand_from_incidents(inc.iloc[0:0])


def test_street_crossings_of_a_hash_of_roads():
    lines = [LineString([(X0, Y0 + 100), (X0 + 300, Y0 + 100)]),
             LineString([(X0, Y0 + 200), (X0 + 300, Y0 + 200)]),
             LineString([(X0 + 100, Y0), (X0 + 100, Y0 + 300)]),
             LineString([(X0 + 200, Y0), (X0 + 200, Y0 + 300)])]
    voies = gpd.GeoDataFrame({"name": ["rue A", "rue B", "rue C", "rue D"]}, geometry=lines,
                             crs=2154)
    crossings = siting.street_crossings(voies)
    assert len(crossings) == 4
    xy = np.sort(crossings.to_crs(2154).get_coordinates().round(3).to_numpy(), axis=0)
    np.testing.assert_allclose(np.unique(xy[:, 0]), [X0 + 100, X0 + 200])
    assert crossings["name"].str.contains("×").all()


def test_grid_sites_avoid_buildings():
    territory = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 400, Y0 + 400)], crs=2154)
    building = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 200, Y0 + 400)], crs=2154)
    sites = siting.grid_sites(territory, spacing_m=100.0, buildings=building)
    x = sites.to_crs(2154).geometry.x
    assert len(sites) == 8 and (x > X0 + 200).all()


def test_new_sites_draw_as_cameras_and_score_out_of_sample():
    demand, sites = _random_instance(1)
    problem = siting.prepare(demand, sites, radius_m=200.0, n_new=2)
    res = siting.greedy(problem)
    new = siting.as_cameras(res, radius_m=200.0)
    views = cameras.view_polygons(new)
    assert len(views) == 2 and views["full_circle"].all()
    same = siting.evaluate(res.sites, demand, radius_m=200.0)
    assert same.after == pytest.approx(res.covered_after) and same.before == 0.0
    other, _ = _random_instance(99)
    ev = siting.evaluate(res.sites, other, radius_m=200.0)
    assert 0 <= ev.before <= ev.after <= ev.total


# -- Real data: 20 new sites chosen on 2012 Paris accidents, scored on 2013 ---------------

def test_paris_twenty_sites_chosen_on_2012_scored_on_2013(shared_data):
    from real_samples import paris_accidents, paris_cameras

    existing = paris_cameras(shared_data, 50.0)
    crossings = pd.read_csv(shared_data / "videoprotection" /
                            "paris_street_intersections_osm.csv.gz")
    sites = gpd.GeoDataFrame({"name": crossings["nom1"] + " × " + crossings["nom2"]},
                             geometry=gpd.points_from_xy(crossings["lon"], crossings["lat"]),
                             crs=4326)
    d2012 = siting.demand_from_incidents(paris_accidents(shared_data, 2012), epsg=2154,
                                         cell_size_m=None)
    d2013 = siting.demand_from_incidents(paris_accidents(shared_data, 2013), epsg=2154,
                                         cell_size_m=None)
    cand = siting.candidates_from_points(sites, epsg=2154, label_column="name")
    problem = siting.prepare(d2012, cand, radius_m=50.0, n_new=20, existing=existing,
                             min_distance_m=50.0)
    g = siting.greedy(problem)
    assert len(g.sites) == 20
    assert g.covered_before < g.covered_after <= g.bound
    ev = siting.evaluate(g.sites, d2013, radius_m=50.0, existing=existing)
    # The sites keep most of their value the next year (accidents recur at the same places).
    assert ev.after > ev.before
    assert ev.gain > 0.5 * (g.covered_after - g.covered_before) * d2013.total / d2012.total


def test_out_of_sample_on_a_shifted_period():
    train, sites = _random_instance(5)
    # Next period: same places, half of the points moved 2 km away (out of every site).
    test = siting.Demand(np.where(np.arange(len(train.x)) % 2 == 0, train.x, train.x + 2000),
                         train.y, train.weight, 2154, "test")
    oos = siting.out_of_sample(train, test, sites, radius_m=200.0, n_new=2)
    assert oos.train.after == pytest.approx(oos.result.covered_after)
    assert oos.test.after < oos.train.after
    assert 0 <= oos.kept_share <= 1


def test_split_valid_keeps_good_cameras():
    cams = make_points([(X0, Y0), (X0 + 10, Y0)], camera_id=["ok", "bad"],
                       bearing_deg=[0.0, 0.0], fov_deg=[90.0, 400.0], range_m=[50.0, 50.0])
    valid, problems = cameras.split_valid(cams)
    assert valid["camera_id"].tolist() == ["ok"]
    assert problems["camera_id"].tolist() == ["bad"]
