"""Tests of candidate sites: territory filter, street crossings, grid avoiding buildings."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import make_points
from shapely.geometry import LineString

from clspd_geo.errors import EmptySelectionError
from clspd_geo.video import siting

X0, Y0 = 650_000.0, 6_860_000.0


def test_candidates_outside_territory_are_dropped_or_refused():
    territory = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=2154)
    pts = make_points([(X0 + 50, Y0 + 50), (X0 + 500, Y0 + 500)], name=["dedans", "dehors"])
    c = siting.candidates_from_points(pts, territory=territory, label_column="name")
    assert c.labels == ("dedans",) and c.dropped_outside == 1
    with pytest.raises(EmptySelectionError, match="n'est dans le territoire"):
        siting.candidates_from_points(pts.iloc[[1]], territory=territory)


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

