"""Tests of the printable camera plan (R252-3 authorisation file)."""

from __future__ import annotations

import datetime as dt
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import make_points

from clspd_geo.video import camera_plan
from clspd_geo.errors import EmptySelectionError, SchemaError

X0, Y0 = 650_000.0, 6_860_000.0


@pytest.fixture
def three_cameras():
    return make_points(
        [(X0, Y0), (X0 + 300, Y0), (X0, Y0 + 400)],
        camera_id=["C2", "C1", "C3"],
        name=["Place de la <Mairie>", "Rue \"Haute\" & gare", "Parc <script>alert(1)</script>"],
        kind=["fixe", "dome", "fixe"], status=["en_service", "en_service", "projet"],
        bearing_deg=[90.0, np.nan, np.nan], fov_deg=[60.0, 360.0, 90.0],
        range_m=[80.0, 50.0, 60.0],
        operator=["csu_municipal", "bailleur_social", "csu_municipal"],
        commissioned_on=pd.to_datetime(["2021-03-15", None, None]))


def test_plan_lists_every_camera_with_escaped_text(three_cameras):
    territoire = gpd.GeoDataFrame({"name": ["Valbourg <test>"]},
                                  geometry=[shapely.box(X0 - 500, Y0 - 500, X0 + 800, Y0 + 900)],
                                  crs=2154).to_crs(4326)
    page = camera_plan.to_html(three_cameras, territoire=territoire,
                               prepared_on=dt.date(2025, 1, 31))
    assert page.startswith("<!DOCTYPE html>") and "R252-3" in page
    assert "Valbourg &lt;test&gt;" in page and "<test>" not in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Place de la &lt;Mairie&gt;" in page
    assert "Rue &quot;Haute&quot; &amp; gare" in page
    # Numbered by identifier: C1 is n° 1; its row shows kind, operator and date.
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>(C\d)</td>", page)
    assert rows == [("1", "C1"), ("2", "C2"), ("3", "C3")]
    assert "Dôme / tourelle mobile (PTZ)" in page and "Bailleur social" in page
    assert "15/03/2021" in page and "inconnue" in page
    assert "31/01/2025" in page
    # The map: one covered zone per camera, numbers, scale bar; nothing fetched online.
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count('fill-opacity="0.28"') == 3
    assert re.search(r">1</text>", svg) and re.search(r">3</text>", svg)
    assert "<link" not in page and "src=" not in page
    # C3 has no bearing: drawn at 360° and said so.
    assert "sans orientation" in page
    assert "1 caméra sans orientation connue est dessinée" in page


def test_covered_area_of_a_dome(three_cameras):
    table, views = camera_plan.plan_table(three_cameras, arc_points=200)
    dome = table.set_index("Identifiant").loc["C1"]
    area = views.set_index("camera_id").loc["C1"].geometry.area
    assert area == pytest.approx(np.pi * 50**2, rel=2e-3)
    assert dome["Zone couverte"].endswith("m²")
    assert dome["Orientation"] == "360° (sans orientation)"


def test_status_filter_and_empty_plan(three_cameras, tmp_path):
    page = camera_plan.to_html(three_cameras, statuses=["en_service"])
    assert "C3" not in page and "2 caméras" in page
    out = camera_plan.write(tmp_path / "plan.html", three_cameras)
    assert out.read_text(encoding="utf-8").count("<tr>") == 4  # header + 3 cameras
    with pytest.raises(EmptySelectionError, match="Aucune caméra"):
        camera_plan.to_html(three_cameras, statuses=["en_panne"])


def test_bad_camera_is_a_french_error(three_cameras):
    bad = three_cameras.assign(range_m=[80.0, -5.0, 60.0])
    with pytest.raises(SchemaError, match="portée négative"):
        camera_plan.to_html(bad)


def test_plan_draws_the_street_background_first(three_cameras):
    voies = gpd.GeoDataFrame({"name": ["Rue A"], "kind": ["principale"]},
                             geometry=[shapely.LineString([(X0 - 100, Y0), (X0 + 400, Y0)])],
                             crs=2154)
    page = camera_plan.to_html(three_cameras, voies=voies)
    assert page.count('stroke="#cfd8dc"') == 1
    assert page.index('stroke="#cfd8dc"') < page.index('fill-opacity="0.28"')
    assert 'stroke="#cfd8dc"' not in camera_plan.to_html(three_cameras)


def test_street_background_keeps_only_the_roads_of_the_map_clipped_to_it():
    # A 1 km canvas; one road crosses it, one lies 10 km away: only the first is drawn,
    # and cut at the canvas edge (a detail map carries its own streets, not the commune's).
    canvas = camera_plan._Canvas((0.0, 0.0, 1000.0, 1000.0), width=100, height=100, margin=0)
    voies = gpd.GeoDataFrame(
        {"kind": ["rue", "rue"]},
        geometry=[shapely.LineString([(-5000, 500), (5000, 500)]),
                  shapely.LineString([(10_000, 10_000), (11_000, 10_000)])], crs=2154)
    paths = camera_plan.street_paths(canvas, voies, epsg=2154)
    assert len(paths) == 1
    xs = [float(v) for v in re.findall(r"[ML]([-\d.]+) ", paths[0])]
    assert min(xs) == pytest.approx(0.0) and max(xs) == pytest.approx(100.0)
