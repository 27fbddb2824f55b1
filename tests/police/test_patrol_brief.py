"""Tests of clspd_geo.police.patrol_brief: cells to visit, reasons, facilities, the A4 HTML page."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo.police import patrol_brief
from clspd_geo.errors import EmptySelectionError, SchemaError

X0, Y0 = 650_000.0, 6_860_000.0
AS_OF = pd.Timestamp("2026-03-29")  # recent window: 1–28 March; before: 1–28 February


def at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


@pytest.fixture
def sectors() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"sector_id": ["S1", "S2"], "name": ["Centre", "Est"],
                             "force": ["police_municipale", "police_nationale"]},
                            geometry=[box(X0, Y0, X0 + 600, Y0 + 600),
                                      box(X0 + 600, Y0, X0 + 1200, Y0 + 600)],
                            crs=2154).to_crs(4326)


@pytest.fixture
def incidents() -> gpd.GeoDataFrame:
    rows = []
    # Cell around (50, 50): 4 night fights in March, 1 in February -> rising.
    for d in (2, 5, 9, 20):
        rows.append(("rixe", f"2026-03-{d:02d} 23:30", at(50, 50)))
    rows.append(("rixe", "2026-02-10 23:30", at(60, 60)))
    # Cell around (450, 450): 6 night noise complaints in March, 6 in February -> stable.
    for d in range(1, 7):
        rows.append(("tapage", f"2026-03-{d:02d} 01:00", at(450, 450)))
        rows.append(("tapage", f"2026-02-{d:02d} 01:00", at(450, 450)))
    # Morning incident (other shift), a sensitive one, and one in the other sector.
    rows.append(("cambriolage", "2026-03-03 10:00", at(300, 300)))
    rows.append(("violences_conjugales", "2026-03-04 23:00", at(300, 300)))
    rows.append(("rixe", "2026-03-04 23:00", at(900, 300)))
    cat, when, geom = zip(*rows)
    return gpd.GeoDataFrame({"incident_id": [f"i{n}" for n in range(len(rows))],
                             "category": cat, "occurred_at": pd.to_datetime(list(when))},
                            geometry=list(geom), crs=2154).to_crs(4326)


@pytest.fixture
def facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "facility_id": ["f1", "f2", "f3", "f4"],
        "name": ["Bar <Le Balto> & Cie", "École Jules-Ferry", "Foyer", "Gare"],
        "kind": ["debit_boissons", "ecole_elementaire", "hebergement_victimes", "gare"],
        "confidential": [False, False, True, False],
    }, geometry=[at(70, 40), at(40, 80), at(60, 60), at(5000, 5000)], crs=2154).to_crs(4326)


def brief(sectors, incidents, facilities=None, **kw):
    kw.setdefault("as_of", AS_OF)
    return patrol_brief.build_brief(sectors, incidents, sector_id="S1",
                                    facilities=facilities, cell_size_m=100,
                                    **{"shift": "nuit", **kw})


def test_top_cells_reasons_and_trend(sectors, incidents, facilities):
    b = brief(sectors, incidents, facilities)
    cells = b.cells.set_index("rank")
    # Weighted: 4 fights x 4 = 16 beat 6 noise x 1 = 6.
    assert cells.loc[1, "n_incidents"] == 4 and cells.loc[1, "load"] == 16
    assert cells.loc[1, "trend"] == "hausse" and cells.loc[1, "n_before"] == 1
    assert cells.loc[2, "n_incidents"] == 6 and cells.loc[2, "trend"] == "stable"
    assert "Rixe sur la voie publique (4)" in cells.loc[1, "categories"]
    assert len(b.cells) == 2  # the morning burglary and the sensitive case are not here
    assert b.n_incidents == 10
    assert b.cells.crs.to_epsg() == 4326
    assert cells.loc[1, "lon"] == pytest.approx(b.cells.geometry.iloc[0].centroid.x, abs=1e-6)


def test_facilities_depend_on_the_hour(sectors, incidents, facilities):
    night = brief(sectors, incidents, facilities)
    text = night.cells.set_index("rank").loc[1, "facilities"]
    assert "Bar <Le Balto> & Cie" in text and "soir et la nuit" in text
    assert "École" not in text           # no school exit between 22 h and 06 h
    assert "Foyer" not in text           # confidential address, never listed
    assert "Gare" not in text            # too far
    morning_inc = incidents.copy()
    morning_inc["occurred_at"] = morning_inc["occurred_at"].dt.normalize() + pd.Timedelta(
        hours=11)
    morning = brief(sectors, morning_inc, facilities, shift="matin")
    text = morning.cells.set_index("rank").loc[1, "facilities"]
    assert "École Jules-Ferry" in text and "08 h 30, 11 h 30" in text
    assert "Balto" not in text


def test_sensitive_categories_can_be_included(sectors, incidents):
    b = brief(sectors, incidents, exclude_sensitivity=())
    assert b.n_incidents == 11


def test_unknown_sector_or_shift_and_empty_window(sectors, incidents):
    with pytest.raises(SchemaError, match="« S9 » n'existe pas.*S1, S2"):
        patrol_brief.build_brief(sectors, incidents, sector_id="S9", shift="nuit")
    with pytest.raises(SchemaError, match="« soir » n'existe pas.*matin"):
        patrol_brief.build_brief(sectors, incidents, sector_id="S1", shift="soir")
    with pytest.raises(EmptySelectionError, match="Aucun fait"):
        brief(sectors, incidents, shift="apres_midi")


def test_html_is_one_escaped_a4_page_with_an_inline_map(sectors, incidents, facilities):
    page = patrol_brief.to_html(brief(sectors, incidents, facilities))
    assert "size: A4" in page and "<svg" in page
    assert "Bar &lt;Le Balto&gt; &amp; Cie" in page
    assert "<Le Balto>" not in page
    # No external resource: nothing loaded over the network.
    assert not re.search(r"(src|href)=\"https?://", page)
    assert "<script" not in page
    assert page.count("<tr>") == 1 + 2  # header + two cells
    assert "Nuit (22 h – 06 h)" in page


def test_html_title_is_escaped(sectors, incidents):
    page = patrol_brief.to_html(brief(sectors, incidents), title="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_html_map_has_the_street_background_under_the_sector(sectors, incidents):
    from shapely.geometry import LineString

    voies = gpd.GeoDataFrame({"name": ["Rue A", "Loin"], "kind": ["principale", "secondaire"]},
                             geometry=[LineString([(X0 - 50, Y0 + 300), (X0 + 700, Y0 + 300)]),
                                       LineString([(X0 + 9000, Y0), (X0 + 9500, Y0)])],
                             crs=2154).to_crs(4326)
    b = brief(sectors, incidents)
    plain = patrol_brief.to_html(b)
    page = patrol_brief.to_html(b, voies=voies)
    roads = re.findall(r'<path d="[^"]+" fill="none" stroke="#cfd8dc"', page)
    assert len(roads) == 1 and not re.findall(r'stroke="#cfd8dc"', plain)
    # Drawn before (under) the sector outline.
    assert page.index('stroke="#cfd8dc"') < page.index('stroke="#1565c0"')


def test_html_weights_have_a_decimal_comma(sectors, incidents):
    b = brief(sectors, incidents)
    b.cells["load"] = [12.5] * len(b.cells)
    page = patrol_brief.to_html(b)
    assert "poids 12,5" in page and "poids 12.5" not in page
