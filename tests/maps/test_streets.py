"""The offline street background (clspd_geo.maps.streets): pane, names, no request."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import LineString

from clspd_geo.maps import base, streets

LOOPBACK = re.compile(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"'<>)]+")


def voies() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Rue <b>Haute</b>", "Avenue B", "Ligne C"],
         "kind": ["secondaire", "principale", "voie_ferree"]},
        geometry=[LineString([(200, 500), (800, 500)]), LineString([(500, 100), (500, 900)]),
                  LineString([(0, 0), (1000, 1000)])], crs=2154).to_crs(4326)


def test_line_label_points_middle_of_longest_piece_upright() -> None:
    lines = gpd.GeoDataFrame(
        {"name": ["Rue A", "Rue A", "Rue B", None]},
        geometry=[LineString([(0, 0), (10, 0)]), LineString([(100, 0), (100, 40)]),
                  LineString([(50, 50), (0, 0)]), LineString([(0, 0), (5, 5)])], crs=2154)
    got = streets.line_label_points(lines, label_col="name")
    assert [g[0] for g in got] == ["Rue A", "Rue B"]
    _, x, y, angle = got[0]
    assert (x, y) == pytest.approx((100, 20)) and angle == pytest.approx(90)
    _, x, y, angle = got[1]
    # Drawn from upper right to lower left (−135°): turned upright to 45°.
    assert (x, y) == pytest.approx((25, 25)) and angle == pytest.approx(45)


def test_label_features_escaped_no_railway_css_angle() -> None:
    feats = streets.label_features(voies())
    assert [f["text"] for f in feats] == ["Avenue B", "Rue &lt;b&gt;Haute&lt;/b&gt;"]
    # A north-south avenue is written vertically (±90°: both read upright), an east-west
    # street horizontally (the tiny territory lies far from Lambert-93's centre: 3° off).
    assert abs(feats[0]["angle"]) == pytest.approx(90, abs=3.5)
    assert feats[1]["angle"] == pytest.approx(0, abs=3.5)


def test_base_map_draws_the_roads_under_everything_without_tiles(tiny) -> None:
    html = base.base_map(tiny["territoire"], voies=voies()).get_root().render()
    assert 'createPane("clspdStreets")' in html
    assert f'style.zIndex = {streets.PANE_Z}' in html and streets.PANE_Z < 400
    assert "Avenue B" in html and "<b>Haute" not in html
    assert f"map.getZoom() >= {streets.LABEL_MIN_ZOOM}" in html
    assert not LOOPBACK.findall(html), LOOPBACK.findall(html)


def test_no_street_background_with_tiles_or_without_voies(tiny) -> None:
    with_tiles = base.base_map(tiny["territoire"], basemap="plan_ign", voies=voies())
    assert "clspdStreets" not in with_tiles.get_root().render()
    assert "clspdStreets" not in base.base_map(tiny["territoire"]).get_root().render()
    assert streets.add_street_background(folium.Map(tiles=None), voies().iloc[:0]) is not None
