"""The shared GeoJSON preparation: escaped strings, EPSG:4326, rounded, no empty geometry."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from clspd_geo.maps import _geojson


def test_geojson_ready_escapes_reprojects_rounds_and_drops_empties(recwarn):
    gdf = gpd.GeoDataFrame({"name": ["<b>A</b>", "B", "C"], "n": [1, 2, 3]},
                           geometry=[Point(700_000.123456, 6_600_000.0), Point(), None],
                           crs=2154)
    out = _geojson.geojson_ready(gdf, ["name"])
    assert list(out.columns) == ["name", "geometry"]
    assert out.crs.to_epsg() == 4326
    assert out["name"].tolist() == ["&lt;b&gt;A&lt;/b&gt;"]
    x = out.geometry.iloc[0].x
    assert abs(x / _geojson.PRECISION - round(x / _geojson.PRECISION)) < 1e-6
    assert not recwarn.list


def test_tooltip_escapes_its_aliases():
    tip = _geojson.tooltip(["name"], ["Nom <i>"])
    assert tip.fields == ["name"] and tip.aliases == ["Nom &lt;i&gt;"]
