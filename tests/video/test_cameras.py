"""Tests of camera views: cones, domes, range, DORI zones, walls, bad input."""

from __future__ import annotations

import geopandas as gpd
import geopandas.testing
import numpy as np
import pytest
import shapely
from conftest import make_points

from clspd_geo.video import cameras
from clspd_geo.errors import SchemaError

X0, Y0 = 650_000.0, 6_860_000.0  # Lambert-93, Paris south


def _cams(**overrides):
    n = len(overrides.get("camera_id", ["c1"]))
    cols = {"camera_id": ["c1"], "status": ["en_service"] * n, "bearing_deg": [0.0] * n,
            "fov_deg": [90.0] * n, "range_m": [100.0] * n}
    cols.update(overrides)
    return make_points([(X0 + 1000 * i, Y0) for i in range(n)], **cols)


def _pts(xy):
    return make_points(xy)


def test_north_camera_sees_north_not_south():
    seen = cameras.seen_by(_cams(), _pts([(X0, Y0 + 50), (X0, Y0 - 50)])).toarray()
    assert seen[:, 0].tolist() == [True, False]


def test_cone_edges_and_range_limit():
    # 90° cone facing north: 40° off-axis inside, 50° off-axis outside, 101 m outside.
    a_in, a_out = np.radians(40), np.radians(50)
    pts = _pts([(X0 + 80 * np.sin(a_in), Y0 + 80 * np.cos(a_in)),
                (X0 + 80 * np.sin(a_out), Y0 + 80 * np.cos(a_out)),
                (X0, Y0 + 99), (X0, Y0 + 101)])
    assert cameras.seen_by(_cams(), pts).toarray()[:, 0].tolist() == [True, False, True, False]


def test_bearing_wraps_around_north():
    cams = _cams(bearing_deg=[350.0], fov_deg=[40.0])
    pts = _pts([(X0 + 10, Y0 + 80), (X0 - 30, Y0 + 80), (X0 + 80, Y0)])
    assert cameras.seen_by(cams, pts).toarray()[:, 0].tolist() == [True, True, False]


def test_dome_sees_all_around_and_missing_bearing_is_flagged():
    cams = _cams(camera_id=["dome", "nobearing"], bearing_deg=[np.nan, np.nan],
                 fov_deg=[360.0, 60.0], range_m=[50.0, 50.0])
    pts = _pts([(X0, Y0 - 40), (X0 + 1000 - 40, Y0), (X0, Y0 - 60)])
    seen = cameras.seen_by(cams, pts).toarray()
    assert seen.tolist() == [[True, False], [False, True], [False, False]]
    views = cameras.view_polygons(cams)
    assert views["full_circle"].tolist() == [True, True]
    # The dome is a dome; the camera with a 60° lens and no bearing is flagged.
    assert views["bearing_missing"].tolist() == [False, True]
    problems = cameras.check(cams)
    assert problems["camera_id"].tolist() == ["nobearing"]
    assert problems["severity"].tolist() == ["avertissement"]
    assert "360°" in problems["message"].iloc[0]


def test_view_polygon_area_and_storage_crs():
    views = cameras.view_polygons(_cams(), arc_points=200)
    assert views.crs.to_epsg() == 4326
    area = views.to_crs(2154).area.iloc[0]
    assert area == pytest.approx(np.pi * 100**2 / 4, rel=1e-3)
    assert views["status"].tolist() == ["en_service"]


def test_bad_fov_and_negative_range_are_french_errors():
    cams = _cams(camera_id=["a", "b", "c"], bearing_deg=[0.0, 0.0, 0.0],
                 fov_deg=[400.0, 90.0, -5.0], range_m=[50.0, -10.0, 50.0])
    with pytest.raises(SchemaError, match="champ de vision de 400°") as err:
        cameras.view_polygons(cams)
    text = str(err.value)
    assert "« b » a une portée négative" in text
    assert "« c »" in text and "Corrigez" in text


def test_dori_distances_from_resolution_and_lens():
    cams = _cams(camera_id=["full_hd", "dome", "unknown"], bearing_deg=[0.0, np.nan, 0.0],
                 fov_deg=[90.0, 360.0, 60.0], range_m=[200.0, 200.0, 200.0],
                 resolution_px=[1920.0, 1920.0, np.nan], lens_fov_deg=[np.nan, 90.0, np.nan])
    d = cameras.dori_distances(cams)
    # 1920 px over a 90° lens: width 2d at distance d, so d = 1920 / (2 * ppm).
    expected = [1920 / 50, 1920 / 124, 1920 / 250, 1920 / 500]
    np.testing.assert_allclose(d.iloc[0].to_numpy(), expected)
    np.testing.assert_allclose(d.iloc[1].to_numpy(), expected)  # dome: lens angle given
    assert d.iloc[2].isna().all()
    # Capped at the range.
    capped = cameras.dori_distances(cams.assign(range_m=10.0))
    assert capped.iloc[0]["detection_m"] == pytest.approx(10.0)


def test_view_zones_are_nested():
    cams = _cams(resolution_px=[3840.0], range_m=[150.0])
    zones = cameras.view_zones(cams).to_crs(2154)
    assert zones["zone"].tolist() == ["vue", "detection", "observation", "recognition",
                                      "identification"]
    geoms = zones.geometry.to_numpy()
    for outer, inner in zip(geoms[:-1], geoms[1:], strict=True):
        assert outer.buffer(1e-6).contains(inner)
    recognised = cameras.seen_by(cams, _pts([(X0, Y0 + 10), (X0, Y0 + 20)]),
                                 zone="recognition").toarray()[:, 0]
    assert recognised.tolist() == [True, False]  # 3840 / 250 = 15.4 m


def test_wall_cuts_the_view():
    wall = gpd.GeoDataFrame(geometry=[shapely.box(X0 - 30, Y0 + 40, X0 + 30, Y0 + 45)],
                            crs=2154)
    pts = _pts([(X0, Y0 + 30), (X0, Y0 + 60), (X0 + 60, Y0 + 70)])
    seen = cameras.seen_by(_cams(), pts, buildings=wall).toarray()[:, 0]
    assert seen.tolist() == [True, False, True]
    open_area = cameras.view_polygons(_cams()).to_crs(2154).area.iloc[0]
    cut = cameras.view_polygons(_cams(), buildings=wall).to_crs(2154)
    assert cut.area.iloc[0] < open_area * 0.8
    assert cut.is_valid.all()
    assert not cut.geometry.iloc[0].contains(shapely.Point(X0, Y0 + 60))


def test_camera_on_its_own_building_still_sees_the_street():
    # Camera geocoded just inside the façade of the building behind it (south).
    own = gpd.GeoDataFrame(geometry=[shapely.box(X0 - 20, Y0 - 30, X0 + 20, Y0 + 1)],
                           crs=2154)
    seen = cameras.seen_by(_cams(), _pts([(X0, Y0 + 50)]), buildings=own).toarray()
    assert seen[0, 0]


def test_no_input_is_mutated():
    cams = _cams()
    before = cams.copy()
    cameras.view_polygons(cams)
    cameras.view_zones(cams)
    geopandas.testing.assert_geodataframe_equal(cams, before)


def test_split_valid_keeps_good_cameras():
    cams = make_points([(X0, Y0), (X0 + 10, Y0)], camera_id=["ok", "bad"],
                       bearing_deg=[0.0, 0.0], fov_deg=[90.0, 400.0], range_m=[50.0, 50.0])
    valid, problems = cameras.split_valid(cams)
    assert valid["camera_id"].tolist() == ["ok"]
    assert problems["camera_id"].tolist() == ["bad"]
