"""Tests of the CRS helpers: store in WGS84, measure in metres (Lambert-93 or local UTM)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from conftest import PARIS_L93, make_points, make_valid_layers
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from clspd_geo import config, crs
from clspd_geo.errors import ClspdGeoError, CrsError

X0, Y0 = PARIS_L93


def _wgs84_points(lonlat: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"n": list(range(len(lonlat)))},
                            geometry=[Point(lon, lat) for lon, lat in lonlat], crs=4326)


# -- round trips and distances ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["territoire", "cameras", "incidents", "voies"])
def test_round_trip_4326_2154_4326(name):
    gdf = make_valid_layers()[name]
    work = crs.to_compute(gdf)
    assert work.crs.to_epsg() == 2154
    back = crs.to_storage(work)
    assert back.crs.to_epsg() == 4326
    assert_geodataframe_equal(back, gdf, check_less_precise=True)


def test_two_points_100_m_apart_in_lambert93_measure_100_m():
    pts = make_points([(X0, Y0), (X0 + 100.0, Y0)])
    assert pts.crs.to_epsg() == 4326
    work = crs.to_compute(pts)
    assert work.crs.to_epsg() == 2154
    assert work.geometry.iloc[0].distance(work.geometry.iloc[1]) == pytest.approx(100.0, abs=1e-6)
    again = crs.to_compute(crs.to_storage(work))
    assert again.geometry.iloc[0].distance(again.geometry.iloc[1]) == pytest.approx(100.0,
                                                                                     abs=1e-6)


def test_config_crs_constants():
    assert config.STORAGE_CRS == "EPSG:4326"
    assert config.COMPUTE_CRS == "EPSG:2154"


# -- choice of the metric CRS -----------------------------------------------------------------
@pytest.mark.parametrize(("lon", "lat", "epsg"), [
    (2.3522, 48.8566, 2154),     # Paris
    (8.7369, 41.9192, 2154),     # Ajaccio (Corse)
    (-61.0588, 14.6161, 5490),   # Fort-de-France (Martinique)
    (-61.5331, 16.2411, 5490),   # Pointe-à-Pitre (Guadeloupe)
    (55.4481, -20.8823, 2975),   # Saint-Denis (La Réunion)
    (-52.3260, 4.9372, 2972),    # Cayenne (Guyane)
    (45.2279, -12.7806, 4471),   # Mamoudzou (Mayotte)
    (-122.6765, 45.5231, 32610),  # Portland, Oregon: UTM 10N
    (151.2093, -33.8688, 32756),  # Sydney: UTM 56S
])
def test_metric_epsg_picks_the_local_metric_crs(lon, lat, epsg):
    pts = _wgs84_points([(lon - 0.01, lat - 0.01), (lon + 0.01, lat + 0.01)])
    assert crs.metric_epsg(pts) == epsg
    assert crs.to_compute(pts).crs.to_epsg() == epsg
    # The choice does not depend on the CRS the layer comes in.
    assert crs.metric_epsg(pts.to_crs(3857)) == epsg


def test_metric_epsg_of_an_empty_layer_is_lambert93():
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326))
    assert crs.metric_epsg(empty) == 2154


def test_zone_for():
    assert crs.zone_for(2.35, 48.85).name == "France métropolitaine et Corse"
    assert crs.zone_for(-122.7, 45.5) is None


def test_to_compute_with_a_forced_epsg():
    pts = _wgs84_points([(2.35, 48.85)])
    assert crs.to_compute(pts, epsg=32631).crs.to_epsg() == 32631


def test_distances_are_right_overseas():
    # 1 km north of Saint-Denis de La Réunion, measured in RGR92 / UTM 40S.
    pts = _wgs84_points([(55.4481, -20.8823)])
    work = crs.to_compute(pts)
    moved = work.copy()
    moved["geometry"] = work.translate(yoff=1000.0)
    both = gpd.GeoDataFrame(geometry=list(work.geometry) + list(moved.geometry), crs=work.crs)
    back = crs.to_storage(both)
    geod = back.crs.get_geod()
    _, _, dist_m = geod.inv(back.geometry.x.iloc[0], back.geometry.y.iloc[0],
                            back.geometry.x.iloc[1], back.geometry.y.iloc[1])
    assert dist_m == pytest.approx(1000.0, rel=2e-3)  # UTM scale factor near the meridian


def test_project_xy_matches_to_crs():
    lon = np.array([2.35, 2.36])
    lat = np.array([48.85, 48.86])
    x, y = crs.project_xy(lon, lat, epsg=2154)
    expected = _wgs84_points(list(zip(lon, lat, strict=True))).to_crs(2154)
    np.testing.assert_allclose(x, expected.geometry.x, atol=1e-6)
    np.testing.assert_allclose(y, expected.geometry.y, atol=1e-6)


def test_helpers_never_hand_back_their_input():
    gdf = make_valid_layers()["incidents"]
    before = gdf.copy()
    stored = crs.to_storage(gdf)              # already in EPSG:4326
    stored["extra"] = 1
    work = crs.to_compute(crs.to_compute(gdf))  # already in Lambert-93 the second time
    work["extra"] = 1
    assert_geodataframe_equal(gdf, before)


# -- errors -----------------------------------------------------------------------------------
def _no_crs() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"a": [1]}, geometry=[Point(2.35, 48.85)])


def test_missing_crs_is_a_french_crs_error_naming_the_layer():
    with pytest.raises(CrsError, match="« cameras » n'a pas de système de coordonnées") as info:
        crs.require_crs(_no_crs(), layer="cameras")
    assert "EPSG:4326" in str(info.value)  # says how to fix it
    assert isinstance(info.value, ClspdGeoError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("func", [crs.to_compute, crs.to_storage, crs.metric_epsg])
def test_no_crs_is_never_guessed(func):
    with pytest.raises(CrsError, match="n'a pas de système de coordonnées"):
        func(_no_crs())


def test_require_projected():
    pts = _wgs84_points([(2.35, 48.85)])
    with pytest.raises(CrsError, match="« incidents » est en degrés") as info:
        crs.require_projected(pts, layer="incidents")
    assert "crs.to_compute()" in str(info.value)
    crs.require_projected(crs.to_compute(pts), layer="incidents")


def test_require_same_crs_names_both_layers():
    a = _wgs84_points([(2.35, 48.85)])
    b = a.to_crs(2154)
    with pytest.raises(CrsError) as info:
        crs.require_same_crs(a, b, names=("caméras", "incidents"))
    msg = str(info.value)
    assert "« caméras » (EPSG:4326)" in msg
    assert "« incidents » (EPSG:2154)" in msg
    assert "Reprojetez" in msg
    crs.require_same_crs(a, a.copy(), names=("caméras", "incidents"))
    with pytest.raises(CrsError, match="« incidents » n'a pas"):
        crs.require_same_crs(a, _no_crs(), names=("caméras", "incidents"))


# -- property ---------------------------------------------------------------------------------
_ZONES = [(z.lon_min, z.lat_min, z.lon_max, z.lat_max) for z in crs.ZONES] + [
    (-123.0, 45.3, -122.4, 45.7)]  # Portland, Oregon


@st.composite
def _layers(draw: st.DrawFn) -> gpd.GeoDataFrame:
    lon_min, lat_min, lon_max, lat_max = draw(st.sampled_from(_ZONES))
    n = draw(st.integers(min_value=1, max_value=8))
    lons = draw(st.lists(st.floats(lon_min, lon_max), min_size=n, max_size=n))
    lats = draw(st.lists(st.floats(lat_min, lat_max), min_size=n, max_size=n))
    return _wgs84_points(list(zip(lons, lats, strict=True)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_layers())
def test_to_storage_of_to_compute_is_the_identity(gdf):
    back = crs.to_storage(crs.to_compute(gdf))
    assert back.crs.to_epsg() == 4326
    assert_geodataframe_equal(back, gdf, check_less_precise=True)
    np.testing.assert_allclose(back.get_coordinates().to_numpy(),
                               gdf.get_coordinates().to_numpy(), atol=1e-9)


# -- real data --------------------------------------------------------------------------------
def test_real_paris_quartiers_areas_match_the_official_surfaces(shared_data):
    # The City of Paris computed `surface` (m²) in Lambert-93: the same numbers must come out.
    quartiers = gpd.read_file(shared_data / "areas" / "paris_quartiers_administratifs.geojson")
    assert crs.metric_epsg(quartiers) == 2154
    area_m2 = crs.to_compute(quartiers).area
    np.testing.assert_allclose(area_m2.to_numpy(), quartiers["surface"].to_numpy(), rtol=1e-6)


@pytest.mark.parametrize(("file", "code", "km2"), [
    ("communes-75-paris.geojson", "75056", 105.4),
    ("communes-13-bouches-du-rhone.geojson", "13055", 240.6),
    ("communes-69-rhone.geojson", "69123", 47.87),
])
def test_real_commune_areas(shared_data, file, code, km2):
    communes = gpd.read_file(shared_data / "boundaries" / file)
    commune = communes[communes["code"] == code]
    assert len(commune) == 1
    # IGN's polygons were simplified: within 2 % of the official area.
    assert crs.to_compute(commune).area.sum() / 1e6 == pytest.approx(km2, rel=0.02)


def test_real_portland_districts_measure_in_utm_10n(shared_data):
    districts = gpd.read_file(shared_data / "crime" / "portland_police_districts.geojson")
    work = crs.to_compute(districts)
    assert work.crs.to_epsg() == 32610
    assert_geodataframe_equal(crs.to_storage(work), districts, check_less_precise=True)
    # The 60 districts cover the city of Portland (about 376 km² of land).
    assert work.area.sum() / 1e6 == pytest.approx(380, rel=0.05)


def test_metric_xy_measures_100_m_in_lambert93_and_takes_centroids():
    from shapely.geometry import box

    l93 = gpd.GeoDataFrame(geometry=[Point(X0, Y0), Point(X0 + 100.0, Y0)], crs=2154)
    xy = crs.metric_xy(l93.to_crs(4326), epsg=2154)
    assert xy.shape == (2, 2)
    assert np.hypot(*(xy[1] - xy[0])) == pytest.approx(100.0, abs=1e-6)
    assert xy[0] == pytest.approx([X0, Y0], abs=1e-6)
    mixed = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 10.0, Y0 + 20.0), None, Point()],
                             crs=2154)
    got = crs.metric_xy(mixed, epsg=2154)
    assert got[0] == pytest.approx([X0 + 5.0, Y0 + 10.0])
    assert np.isnan(got[1:]).all()
    assert crs.metric_xy(l93.iloc[:0], epsg=2154).shape == (0, 2)


def test_metric_xy_of_points_is_the_projection_of_to_crs():
    import geopandas as gpd
    import numpy as np

    from clspd_geo import crs

    rng = np.random.default_rng(0)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(2, 3, 500),
                                                       rng.uniform(46, 47, 500)), crs=4326)
    pts.loc[5, "geometry"] = None
    want = pts.to_crs(2154).geometry
    got = crs.metric_xy(pts, epsg=2154)
    keep = np.arange(len(pts)) != 5
    assert np.isnan(got[5]).all()
    assert np.array_equal(got[keep, 0], want[keep].x.to_numpy())
    assert np.array_equal(got[keep, 1], want[keep].y.to_numpy())
    assert np.array_equal(crs.metric_xy(pts.to_crs(2154), epsg=2154), got, equal_nan=True)
