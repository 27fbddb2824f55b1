"""Tests of siting evaluation: re-scoring sites on a demand, out of sample, Paris 2012/2013."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from clspd_geo.video import cameras, siting


def test_new_sites_draw_as_cameras_and_score_out_of_sample(random_instance):
    demand, sites = random_instance(1)
    problem = siting.prepare(demand, sites, radius_m=200.0, n_new=2)
    res = siting.greedy(problem)
    new = siting.as_cameras(res, radius_m=200.0)
    views = cameras.view_polygons(new)
    assert len(views) == 2 and views["full_circle"].all()
    same = siting.evaluate(res.sites, demand, radius_m=200.0)
    assert same.after == pytest.approx(res.covered_after) and same.before == 0.0
    other, _ = random_instance(99)
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
    d2012 = siting.demand_from_incidents(paris_accidents(shared_data, 2012), epsg=2154)
    d2013 = siting.demand_from_incidents(paris_accidents(shared_data, 2013), epsg=2154)
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


def test_out_of_sample_on_a_shifted_period(random_instance):
    train, sites = random_instance(5)
    # Next period: same places, half of the points moved 2 km away (out of every site).
    test = siting.Demand(np.where(np.arange(len(train.x)) % 2 == 0, train.x, train.x + 2000),
                         train.y, train.weight, 2154, "test")
    oos = siting.out_of_sample(train, test, sites, radius_m=200.0, n_new=2)
    assert oos.train.after == pytest.approx(oos.result.covered_after)
    assert oos.test.after < oos.train.after
    assert 0 <= oos.kept_share <= 1
