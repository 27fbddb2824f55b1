"""Cameras, facilities and police sectors follow the sidebar's « Communes » filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from app_sections import open_page, open_sections
from conftest import X0, Y0, _poly, two_commune_layers

from clspd_geo.access.view import RoleView
from clspd_geo.analysis import selection
from clspd_geo.police import patrols
from clspd_geo.screens import common, police as police_screen, video as video_screen
from clspd_geo.store import GeoPackageStore

BOUNDS = patrols.shift_bounds(patrols.shift_table())
WEIGHTS = patrols.weight_items(patrols.weight_table())
YEAR = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def _east_layers() -> dict[str, gpd.GeoDataFrame]:
    # Two communes; Autreville (00001) gets one camera in service over its cambriolage
    # (1500, 500), one facility and one municipal police sector of its own.
    layers = two_commune_layers()

    def frame(data: dict, geoms: list) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(data, geometry=geoms, crs=2154).to_crs(4326)

    cam = frame({"camera_id": ["C3"], "name": ["Parvis Est"], "kind": ["dome"],
                 "status": ["en_service"], "bearing_deg": [None], "fov_deg": [360.0],
                 "range_m": [40.0], "operator": ["csu_municipal"],
                 "commissioned_on": pd.to_datetime(["2021-06-01"])}, [Point(X0 + 1500, Y0 + 500)])
    equip = frame({"facility_id": ["F4"], "name": ["Maison Est"], "kind": ["mairie"],
                   "confidential": [False]}, [Point(X0 + 1200, Y0 + 200)])
    sector = frame({"sector_id": ["PM2"], "name": ["Autreville"],
                    "force": ["police_municipale"]}, [_poly(1000, 0, 2000, 1000)])
    for name, more in (("cameras", cam), ("equipements", equip), ("secteurs", sector)):
        layers[name] = pd.concat([layers[name], more], ignore_index=True)
    return layers


@pytest.fixture(scope="module")
def east_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("communes") / "cispd.gpkg"
    GeoPackageStore(path, create=True).write_many(_east_layers(), source="test")
    return path


@pytest.fixture(scope="module")
def view(east_store) -> RoleView:
    return RoleView(GeoPackageStore(east_store), "police", as_of=dt.date(2026, 1, 15))


def test_sectors_overlapping_the_chosen_communes():
    territoire = gpd.GeoDataFrame({"insee_code": ["A", "B"]},
                                  geometry=[_poly(0, 0, 1000, 1000), _poly(1000, 0, 2000, 1000)],
                                  crs=2154).to_crs(4326)
    areas = gpd.GeoDataFrame(
        {"sector_id": ["west", "east", "across", "sliver"]},
        geometry=[_poly(0, 0, 1000, 1000), _poly(1000, 0, 2000, 1000),
                  _poly(500, 0, 1500, 1000), _poly(995, 0, 2000, 1000)], crs=2154).to_crs(4326)
    assert selection.areas_in(areas, territoire, ("A",))["sector_id"].tolist() == [
        "west", "across"]  # "east" only touches A; 0.5 % of "sliver" lies in A
    assert selection.areas_in(areas, territoire, ("B",))["sector_id"].tolist() == [
        "east", "across", "sliver"]
    assert len(selection.areas_in(areas, territoire, ())) == 4
    assert len(selection.areas_in(areas, territoire.drop(columns="insee_code"), ("A",))) == 4


def test_cameras_and_facilities_of_the_chosen_communes(view):
    assert sorted(common.commune_cameras(view)["camera_id"]) == ["C1", "C2", "C3"]
    assert common.commune_cameras(view, ("00001",))["camera_id"].tolist() == ["C3"]
    assert sorted(common.commune_cameras(view, ("00000",))["camera_id"]) == ["C1", "C2"]
    assert len(common.camera_views(view, ("00001",))) == 1
    assert len(common.camera_views(view)) == 3
    # The refuge is confidential: left out unless asked, in its commune only.
    assert common.commune_facilities(view, ("00001",))["facility_id"].tolist() == ["F4"]
    assert "F3" not in set(common.commune_facilities(view, ("00000",))["facility_id"])
    assert "F3" in set(common.commune_facilities(view, ("00000",), confidential=True)[
        "facility_id"])
    assert len(common.commune_facilities(view)) == 3


def test_coverage_counts_every_camera_and_lists_the_communes_cameras(view):
    sel = selection.Selection(*YEAR, categories=("tapage", "cambriolage"))
    east = selection.Selection(*YEAR, categories=sel.categories, communes=("00001",))
    assert video_screen.video_cameras(view, ("00001",))[0]["camera_id"].tolist() == ["C3"]
    every = video_screen.camera_table(view, sel)
    assert sorted(every["camera_id"]) == ["C1", "C3"]  # C2 is a project
    table = video_screen.camera_table(view, east)
    assert table["camera_id"].tolist() == ["C3"]
    # C3 sees the cambriolage at (1500, 500); the 4 incidents of Autreville are counted.
    assert table["incidents_seen"].tolist() == [1]
    cov, rows = video_screen.coverage(view, east)
    assert len(rows) == 4 and cov.n_cameras_seeing.sum() == 1
    assert video_screen.video_views(view, ("00001",)).shape[0] == 1


def test_police_workload_and_coordination_of_the_chosen_communes(view):
    every = police_screen.workload(view, start=YEAR[0], end=YEAR[1], bounds=BOUNDS,
                                   weights=WEIGHTS)
    east = police_screen.workload(view, start=YEAR[0], end=YEAR[1], bounds=BOUNDS,
                                  weights=WEIGHTS, communes=("00001",))
    assert set(every.table["sector_id"]) == {"PN1", "PM1", "PM2"}
    assert set(east.table["sector_id"]) == {"PM2"}
    assert police_screen.sectors_in(view, ("00000",))["sector_id"].tolist() == ["PN1", "PM1"]
    n_east = east.table.groupby("sector_id")["n_incidents"].sum()
    assert n_east.to_dict() == {"PM2": 4} and east.outside == 0
    west = police_screen.workload(view, start=YEAR[0], end=YEAR[1], bounds=BOUNDS,
                                  weights=WEIGHTS, communes=("00000",))
    assert west.outside == 0 and "PM2" not in set(west.table["sector_id"])
    co, _ = police_screen.coordination(view, start=YEAR[0], end=YEAR[1], bounds=BOUNDS,
                                       weights=WEIGHTS, communes=("00001",))
    assert co.overlap_area_m2 == pytest.approx(0.0, abs=1.0)


def test_qpv_reach_counts_every_facility_and_draws_the_communes_own(view):
    from clspd_geo.screens import fields

    every, discs = fields.qpv_access(view, ("mairie",), minutes=5.0, network=False)
    west, west_discs = fields.qpv_access(view, ("mairie",), minutes=5.0, network=False,
                                         communes=("00000",))
    # The only QPV (Est, in Testville) is reached the same: Autreville's mairie, 200 m
    # from it, serves it too; only the discs drawn are Testville's.
    pd.testing.assert_frame_equal(west.table, every.table)
    east_mairie = Point(X0 + 1200, Y0 + 200)
    to_l93 = lambda g: gpd.GeoSeries(g, crs=4326).to_crs(2154)  # noqa: E731
    assert to_l93(discs.geometry).contains(east_mairie).any()
    assert not to_l93(west_discs.geometry).contains(east_mairie).any()
    assert to_l93(west_discs.geometry).contains(Point(X0 + 100, Y0 + 100)).any()


def test_school_zones_list_the_chosen_communes_schools(view):
    from clspd_geo.screens import fields

    sel = selection.Selection(*YEAR, categories=("tapage", "cambriolage"))
    assert fields.school_zones(view, sel, k=0)["facility_id"].tolist() == ["F2"]
    east = selection.Selection(*YEAR, categories=sel.categories, communes=("00001",))
    assert fields.school_zones(view, east, k=0).empty  # Autreville has no school
    west = selection.Selection(*YEAR, categories=sel.categories, communes=("00000",))
    assert fields.school_zones(view, west, k=0)["facility_id"].tolist() == ["F2"]


def _overview_script(cache) -> str:
    (script,) = [r.script for k, r in cache._items.items() if "overview.map" in k]
    return script


@pytest.mark.parametrize(("commune", "drawn", "left_out"), [
    ("00001", ("Parvis Est", "Maison Est"), ("Gare", "Mairie")),
    ("00000", ("Gare", "Mairie"), ("Parvis Est", "Maison Est"))])
def test_overview_map_draws_the_chosen_communes_cameras_and_facilities(
        east_store, monkeypatch, fresh_cache, commune, drawn, left_out):
    at = open_page("police", "pages/overview.py", east_store, monkeypatch)
    every = _overview_script(fresh_cache)
    assert all(name in every for name in drawn + left_out)
    fresh_cache._items.clear()
    at.sidebar.multiselect(key="filters.communes").select(commune).run()
    assert not at.exception, at.exception
    script = _overview_script(fresh_cache)
    assert all(name in script for name in drawn)
    assert not any(name in script for name in left_out)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_video_page_draws_and_lists_the_chosen_communes_cameras(east_store, monkeypatch):
    at = open_page("police", "pages/videoprotection.py", east_store, monkeypatch)
    assert _metric(at, "Caméras en service") == "2"
    at.sidebar.multiselect(key="filters.communes").select("00001").run()
    assert not at.exception, at.exception
    assert _metric(at, "Caméras en service") == "1"
    open_sections(at, "video.open.park")
    assert not at.exception, at.exception
    park = [t.value for t in at.dataframe if "Caméras" in t.value.columns]
    assert park and int(park[-1]["Caméras"].sum()) == 1


def _load_pivot(at) -> pd.DataFrame:
    return next(t.value for t in at.dataframe if "Toute la journée" in t.value.columns)


def test_police_page_load_table_follows_the_communes(east_store, monkeypatch):
    at = open_page("police", "pages/police.py", east_store, monkeypatch)
    assert at.radio(key="police.force").options == ["Police nationale", "Police municipale"]
    assert _load_pivot(at).index.tolist() == ["PN1"]
    at.sidebar.multiselect(key="filters.communes").select("00001").run()
    assert not at.exception, at.exception
    assert at.radio(key="police.force").options == ["Police municipale"]
    east = _load_pivot(at)
    assert east.index.tolist() == ["PM2"]
    total = str(east.loc["PM2", "Toute la journée"])  # formatted by ui.widgets.table
    assert float(total.replace("\u202f", "").replace(",", ".")) > 0


def test_top_level_facts_are_said_published_for_their_commune(view, demo_store):
    from clspd_geo.screens import hotspots as hotspot_screen

    assert common.whole_area(view) == "l'ensemble de leur commune"
    one = RoleView(GeoPackageStore(demo_store), "elu")  # the one-commune demo
    assert common.whole_area(one) == "l'ensemble du territoire"
    areas = hotspot_screen.AggregateAreas(None, None, 10, 3, common.whole_area(view))
    assert "publiés seulement pour l'ensemble de leur commune" in areas.note()
