"""Tests of clspd_geo.police.sector_checks: shape figures and the checks of a sectors layer."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from clspd_geo.police import sector_checks

X0, Y0 = 650_000.0, 6_860_000.0


def test_polsby_popper_and_travel_distance_known_answers():
    sq = box(0, 0, 100, 100)
    disc = Point(0, 0).buffer(50, quad_segs=256)
    pp = sector_checks.polsby_popper(np.array([sq, disc, box(0, 0, 400, 100)]))
    assert pp == pytest.approx([np.pi / 4, 1.0, 4 * np.pi * 40_000 / 1000**2], rel=1e-3)
    assert sector_checks.max_distance_m(np.array([sq]))[0] == pytest.approx(100 * np.sqrt(2))


def test_check_reports_overlap_hole_and_empty_sector_with_places():
    geoms = [box(X0, Y0, X0 + 1000, Y0 + 1000),
             box(X0 + 900, Y0, X0 + 2000, Y0 + 1000),                 # overlaps A by 100 m
             shapely.Polygon(box(X0, Y0 + 1000, X0 + 2000, Y0 + 2000).exterior,
                             [list(box(X0 + 500, Y0 + 1200, X0 + 700, Y0 + 1400).exterior.coords)]),
             box(X0, Y0, X0 + 2000, Y0 + 2000)]                         # PM: may overlap PN
    lay = gpd.GeoDataFrame({"sector_id": ["A", "B", "C", "M"],
                            "force": ["police_nationale"] * 3 + ["police_municipale"]},
                           geometry=geoms, crs=2154).to_crs(4326)
    inc = gpd.GeoDataFrame({"category": ["rixe"] * 2},
                           geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 1500, Y0 + 1500)],
                           crs=2154).to_crs(4326)
    chk = sector_checks.check_sectors(lay, incidents=inc)
    assert not chk.ok
    kinds = chk.places["kind"].tolist()
    assert kinds.count("chevauchement") == 1 and kinds.count("trou") == 1
    assert kinds.count("sans_fait") == 1
    text = " ".join(chk.problems)
    assert "« A » et « B »" in text and "10,00 ha" in text and "N," in text
    assert "Trou de 4,00 ha" in text and "« C »" in text
    assert "Aucun fait enregistré dans le secteur « B »" in text
    assert chk.places.crs.to_epsg() == 4326


def test_clean_sectors_pass_the_check():
    lay = gpd.GeoDataFrame({"sector_id": ["A", "B"], "force": ["police_nationale"] * 2},
                           geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                     box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
                           crs=2154).to_crs(4326)
    assert sector_checks.check_sectors(lay).ok


def test_shape_table_of_a_square_sector():
    lay = gpd.GeoDataFrame({"sector_id": ["A"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                           crs=2154).to_crs(4326)
    t = sector_checks.shape_table(lay).set_index("sector_id")
    assert t.loc["A", "area_m2"] == pytest.approx(1e6, rel=1e-6)
    assert t.loc["A", "polsby_popper"] == pytest.approx(np.pi / 4, rel=1e-6)
    assert t.loc["A", "max_distance_m"] == pytest.approx(1000 * np.sqrt(2), rel=1e-6)


def test_check_messages_name_sectors_by_their_name():
    geoms = [box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 900, Y0, X0 + 2000, Y0 + 1000)]
    lay = gpd.GeoDataFrame({"sector_id": ["PN-1", "PN-2"], "name": ["Centre-ville", None],
                            "force": ["police_nationale"] * 2},
                           geometry=geoms, crs=2154).to_crs(4326)
    text = " ".join(sector_checks.check_sectors(lay).problems)
    # The name when there is one, the code only when the sector has no name.
    assert "« Centre-ville » et « PN-2 »" in text and "PN-1" not in text
