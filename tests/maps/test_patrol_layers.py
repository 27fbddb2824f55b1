"""Patrol layers: load per sector, PN/PM coordination, proposed sectors."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from clspd_geo.maps import base, legend, patrol_layers
from clspd_geo.police import patrols


def _boxes(n: int) -> list:
    return [box(2.30 + i * 0.01, 48.85, 2.31 + i * 0.01, 48.86) for i in range(n)]


def test_load_layer_greys_empty_sectors_and_grades_the_rest():
    frame = gpd.GeoDataFrame({"name": ["A", "B", "C"], "force": ["police_nationale"] * 3,
                              "load_total": [0.0, 4.0, 12.0], "load_nuit": [0.0, 1.0, 2.0]},
                             geometry=_boxes(3), crs=4326)
    m = folium.Map(tiles=None)
    layer = patrol_layers.load_layer(frame, shift=None, m=m)
    assert base.layer_names(m) == ["Charge par secteur"]
    assert layer.title == "Charge (faits pondérés)"
    assert all(i.label.endswith("(charge)") for i in layer.items)
    html = m.get_root().render()
    assert f'"fill": "{legend.EMPTY_COLOR}"' in html and "toute la journ" in html
    night_map = folium.Map(tiles=None)
    patrol_layers.load_layer(frame, shift=patrols.Shift("nuit", "Nuit", 22, 6), m=night_map)
    assert '"shift_label": "Nuit"' in night_map.get_root().render()


def test_coordination_layer_has_one_legend_line_per_kind_of_place():
    empty = gpd.GeoDataFrame({"area_m2": [], "n_incidents": []}, geometry=[], crs=4326)
    overlap = gpd.GeoDataFrame({"sector_pn": ["PN1"], "sector_pm": ["PM1"],
                                "area_m2": [25_000.0], "n_incidents": [3]},
                               geometry=_boxes(1), crs=4326)
    co = patrols.Coordination(overlap=overlap, overlap_area_m2=25_000.0,
                              overlap_by_shift=pd.DataFrame(), uncovered=empty,
                              gaps_by_force=empty.assign(force=[]))
    m = folium.Map(tiles=None)
    layer = patrol_layers.coordination_layer(co, m=m)
    assert layer.title == "Coordination"
    assert [i.label for i in layer.items] == ["Chevauchement PN / PM"]
    assert "PN1 / PM1" in m.get_root().render() and "2.5 ha" in m.get_root().render()


def test_proposal_layer_gives_each_sector_a_colour():
    proposal = gpd.GeoDataFrame({"name": ["S1", "S2"], "workload": [10.0, 12.0],
                                 "polsby_popper": [0.71, 0.52],
                                 "max_distance_m": [1500.0, 2100.0]},
                                geometry=_boxes(2), crs=4326)
    m = folium.Map(tiles=None)
    layer = patrol_layers.proposal_layer(proposal, m=m)
    assert layer.title == "Secteurs proposés"
    assert [(i.color, i.label) for i in layer.items] == [
        (patrol_layers.PROPOSAL_COLORS[0], "S1"), (patrol_layers.PROPOSAL_COLORS[1], "S2")]
    html = m.get_root().render()
    # Decimal commas (through clspd_geo._format), never a decimal point.
    assert "2,1 km" in html and "0,52" in html
    assert "2.1 km" not in html and "0.52" not in html
