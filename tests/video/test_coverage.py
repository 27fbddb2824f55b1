"""Tests of coverage indicators: hand-made cases, then Paris cameras against accidents."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import make_points
from scipy.spatial import cKDTree

from clspd_geo import crs
from clspd_geo.video import coverage
from clspd_geo.errors import EmptySelectionError

from real_samples import paris_accidents, paris_cameras

X0, Y0 = 650_000.0, 6_860_000.0


@pytest.fixture
def two_cameras():
    """c1 looks north (90°, 100 m, 4K: recognition 15.36 m); c2 is a 50 m dome 300 m east."""
    return make_points([(X0, Y0), (X0 + 300, Y0)], camera_id=["c1", "c2"],
                       name=["Place nord", "Rue est"], status=["en_service", "en_service"],
                       bearing_deg=[0.0, np.nan], fov_deg=[90.0, 360.0],
                       range_m=[100.0, 50.0], resolution_px=[3840.0, np.nan])


@pytest.fixture
def six_incidents():
    """i0, i1, i3 seen by c1 (i0 at 10 m: recognised), i2 by c2, i4 and i5 by none."""
    xy = [(X0, Y0 + 10), (X0, Y0 + 80), (X0 + 300, Y0 - 30),
          (X0 + 70 * np.sin(np.radians(40)), Y0 + 70 * np.cos(np.radians(40))),
          (X0, Y0 - 50), (X0 + 2000, Y0)]
    return make_points(
        xy, incident_id=[f"i{i}" for i in range(6)],
        category=["rixe", "rixe", "cambriolage", "tapage", "rixe", "cambriolage"],
        occurred_at=pd.to_datetime(["2024-01-05 23:30", "2024-01-06 12:00",
                                    "2024-02-01 02:00", "2024-02-03 15:00",
                                    "2024-02-04 10:00", "2024-03-01 22:30"]))


def test_assess_seen_and_recognised(two_cameras, six_incidents):
    cov = coverage.assess(two_cameras, six_incidents)
    assert cov.matrix.shape == (6, 2)
    assert cov.matrix.toarray().tolist() == [[True, False], [True, False], [False, True],
                                             [True, False], [False, False], [False, False]]
    # 3840 px over a 90° lens: recognition out to 3840 / 250 = 15.36 m (i0 is at 10 m).
    assert cov.recognised.tolist() == [True, False, False, False, False, False]
    assert cov.has_dori
    assert cov.camera_ids == ("c1", "c2")


def test_share_by_category_and_period(two_cameras, six_incidents):
    cov = coverage.assess(two_cameras, six_incidents)
    # c1 sees i0, i1, i3; c2 sees i2; i4 (south of c1) and i5 (2 km) are unseen.
    assert cov.seen.tolist() == [True, True, True, True, False, False]
    total = coverage.share_by(cov, six_incidents)
    assert total.loc[0, "seen_share"] == pytest.approx(4 / 6)
    assert total.loc[0, "recognised_share"] == pytest.approx(1 / 6)
    by_cat = coverage.share_by(cov, six_incidents, by="category").set_index("group")
    assert by_cat.loc["rixe", "incidents"] == 3
    assert by_cat.loc["rixe", "seen_share"] == pytest.approx(2 / 3)
    assert by_cat.loc["cambriolage", "label"] == "Cambriolage"
    by_month = coverage.share_by(cov, six_incidents, by="period", freq="M")
    assert by_month["group"].tolist() == ["2024-01", "2024-02", "2024-03"]
    assert by_month["seen"].tolist() == [2, 2, 0]
    by_field = coverage.share_by(cov, six_incidents, by="field")
    assert by_field["incidents"].sum() == 6 and set(by_field["group"]) == {"police"}


def test_per_camera_unique_and_night(two_cameras, six_incidents):
    cams = make_points([(X0, Y0), (X0, Y0 + 60)], camera_id=["c1", "c2"],
                       name=["a", "b"], bearing_deg=[0.0, np.nan], fov_deg=[90.0, 360.0],
                       range_m=[100.0, 25.0])
    cov = coverage.assess(cams, six_incidents)
    # c1: i0 (23:30, night), i1 (noon), i3 (15:00); c2 (dome 25 m at y+60): i1 (20 m).
    table = coverage.per_camera(cov, six_incidents, cams).set_index("camera_id")
    assert table.loc["c1", "incidents_seen"] == 3
    assert table.loc["c1", "unique_incidents"] == 2
    assert table.loc["c2", "incidents_seen"] == 1
    assert table.loc["c2", "unique_incidents"] == 0
    assert table.loc["c1", "night_share"] == pytest.approx(1 / 3)
    assert table.loc["c2", "night_share"] == 0.0


def test_per_quartier(two_cameras, six_incidents):
    quartiers = gpd.GeoDataFrame(
        {"quartier_id": ["ouest", "est"], "name": ["Ouest", "Est"], "qpv": [False, True]},
        geometry=[shapely.box(X0 - 500, Y0 - 500, X0 + 150, Y0 + 500),
                  shapely.box(X0 + 150, Y0 - 500, X0 + 2500, Y0 + 500)], crs=2154)
    cov = coverage.assess(two_cameras, six_incidents)
    table = coverage.per_quartier(cov, six_incidents, quartiers, two_cameras)
    table = table.set_index("quartier_id")
    assert table.loc["ouest", "incidents"] == 4 and table.loc["ouest", "seen"] == 3
    assert table.loc["est", "incidents"] == 2 and table.loc["est", "seen"] == 1
    assert table.loc["ouest", "cameras"] == 1 and table.loc["est", "cameras"] == 1


def test_uncovered_hotspots_ranked():
    cams = make_points([(X0, Y0)], camera_id=["c1"], bearing_deg=[np.nan],
                       fov_deg=[360.0], range_m=[50.0])
    # 5 incidents under the camera, 3 in a cell 500 m east, 1 in a cell 1 km east.
    xy = [(X0 + d, Y0 + 5) for d in range(5)] + [(X0 + 510 + d, Y0 + 10) for d in range(3)] \
        + [(X0 + 1010, Y0 + 10)]
    inc = make_points(xy, category=["rixe"] * 9,
                      occurred_at=pd.to_datetime(["2024-01-01"] * 9))
    cov = coverage.assess(cams, inc)
    spots = coverage.uncovered_hotspots(cov, cell_size_m=100.0, top=5)
    assert spots["rank"].tolist() == [1, 2]
    assert spots["uncovered"].tolist() == [3.0, 1.0]
    assert spots["uncovered_share"].tolist() == [1.0, 1.0]
    assert spots.crs.to_epsg() == 4326
    centre = crs.to_compute(spots, epsg=2154).geometry.iloc[0].centroid
    assert 500 < centre.x - X0 < 600


def test_no_incident_in_period_is_a_french_error(two_cameras, six_incidents):
    with pytest.raises(EmptySelectionError, match="Aucun fait dans la période"):
        coverage.assess(two_cameras, six_incidents.iloc[0:0])


def test_light_frame_gives_the_same_answer(two_cameras, six_incidents):
    work = six_incidents.to_crs(2154)
    light = pd.DataFrame({"x": work.geometry.x, "y": work.geometry.y,
                          "category": six_incidents["category"],
                          "occurred_at": six_incidents["occurred_at"]})
    a = coverage.assess(two_cameras, six_incidents)
    b = coverage.assess(two_cameras, light, epsg=2154)
    assert (a.matrix != b.matrix).nnz == 0


def test_coverage_grows_with_range(two_cameras, six_incidents):
    shares = []
    for r in (10.0, 50.0, 100.0, 500.0):
        cov = coverage.assess(two_cameras.assign(range_m=r), six_incidents)
        shares.append(cov.seen.mean())
    assert shares == sorted(shares)


# -- Real data: the 707 Paris camera sites against the 2012 Paris accidents ---------------

def testparis_cameras_against_2012_accidents(shared_data):
    acc = paris_accidents(shared_data, 2012)
    shares = {}
    for r in (50.0, 100.0):
        cams = paris_cameras(shared_data, r)
        assert len(cams) == 707
        cov = coverage.assess(cams, acc)
        shares[r] = cov.seen.mean()
        # Independent check with a KD-tree on Lambert-93 coordinates.
        c = cams.to_crs(2154)
        a = acc.to_crs(2154)
        tree = cKDTree(np.column_stack([c.geometry.x, c.geometry.y]))
        d, _ = tree.query(np.column_stack([a.geometry.x, a.geometry.y]))
        assert shares[r] == pytest.approx((d <= r).mean(), abs=1e-9)
    assert 0.05 < shares[50.0] < shares[100.0] < 0.8
    per_cam = coverage.per_camera(coverage.assess(paris_cameras(shared_data, 100.0), acc),
                                  acc, paris_cameras(shared_data, 100.0))
    assert (per_cam["unique_incidents"] <= per_cam["incidents_seen"]).all()
    assert per_cam["night_share"].dropna().between(0, 1).all()
