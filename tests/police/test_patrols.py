"""Tests of clspd_geo.police.patrols: workload by sector, shift and weekday; PN/PM coordination."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from clspd_geo.police import patrols
from clspd_geo.errors import EmptySelectionError, SchemaError

X0, Y0 = 650_000.0, 6_860_000.0  # somewhere in Lambert-93 (Île-de-France)


def square(x: float, y: float, w: float, h: float | None = None):
    """A box whose lower-left corner is (X0 + x, Y0 + y), metres."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + (w if h is None else h))


def layer(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=2154).to_crs(4326)


def points(xy, **columns) -> gpd.GeoDataFrame:
    return layer([Point(X0 + x, Y0 + y) for x, y in xy], **columns)


@pytest.fixture
def two_pn_one_pm() -> gpd.GeoDataFrame:
    """PN: A = [0,1000]², B = [1000,2000]×[0,1000]; PM: M = [500,1500]×[0,1000]."""
    return layer([square(0, 0, 1000), square(1000, 0, 1000), square(500, 0, 1000)],
                 sector_id=["A", "B", "M"], name=["Alpha", "Bravo", "Municipal"],
                 force=["police_nationale", "police_nationale", "police_municipale"])


@pytest.fixture
def incidents() -> gpd.GeoDataFrame:
    # 2026-03-02 is a Monday.
    return points(
        [(100, 100), (200, 200), (700, 500), (1200, 500), (1800, 900), (5000, 5000)],
        incident_id=list("abcdef"),
        category=["cambriolage", "tapage", "rixe", "trafic_stupefiants", "tapage", "rixe"],
        occurred_at=pd.to_datetime([
            "2026-03-02 08:00",   # Monday morning, A
            "2026-03-02 15:30",   # Monday afternoon, A
            "2026-03-03 02:00",   # Tuesday 02:00 -> Monday's night shift, A and M
            "2026-03-03 23:00",   # Tuesday night, B and M
            "2026-03-04 06:00",   # Wednesday 06:00 exactly -> morning, B
            "2026-03-04 12:00",   # outside every sector
        ]),
    )


def test_shift_of_assigns_night_hours_to_the_day_the_shift_started():
    times = pd.Series(pd.to_datetime(["2026-03-03 02:00", "2026-03-02 22:00",
                                      "2026-03-02 21:59", "2026-03-02 05:59",
                                      "2026-03-02 06:00"]))
    got = patrols.shift_of(times)
    assert got["shift"].tolist() == ["nuit", "nuit", "apres_midi", "nuit", "matin"]
    # 02:00 on Tuesday and 05:59 on Monday belong to the previous day's night shift.
    assert got["shift_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-02", "2026-03-02", "2026-03-02", "2026-03-01", "2026-03-02"]
    assert got["weekday"].tolist() == [0, 0, 0, 6, 0]


def test_custom_shifts_crossing_midnight():
    shifts = patrols.make_shifts([("jour", 7, 19), ("nuit", 19, 7)])
    times = pd.Series(pd.to_datetime(["2026-03-02 06:59", "2026-03-02 07:00",
                                      "2026-03-02 19:00"]))
    got = patrols.shift_of(times, shifts=shifts)
    assert got["shift"].tolist() == ["nuit", "jour", "nuit"]
    assert shifts[1].hours == 12 and shifts[1].crosses_midnight


@pytest.mark.parametrize(("bounds", "pattern"), [
    ([("a", 6, 14), ("b", 13, 22), ("c", 22, 6)], "se chevauchent.*13 h – 14 h"),
    ([("a", 6, 14), ("b", 14, 22)], "aucune vacation ne couvre 22 h – 06 h"),
    ([("a", 6, 14), ("a", 14, 6)], "en double"),
    ([("a", 6, 30)], "hors de 0 h – 24 h"),
    ([], "Aucune vacation"),
])
def test_bad_shift_settings_are_named(bounds, pattern):
    with pytest.raises(SchemaError, match=pattern):
        patrols.make_shifts(bounds)


def test_a_single_24_hour_shift_is_valid():
    (day,) = patrols.make_shifts([("jour", 0, 0)])
    assert day.hours == 24


def test_workload_known_answer(two_pn_one_pm, incidents):
    res = patrols.workload(incidents, two_pn_one_pm)
    t = res.by_sector_shift.set_index(["sector_id", "shift"])
    # A: cambriolage (3) morning, tapage (1) afternoon, rixe (4) night.
    assert t.loc[("A", "matin"), "load"] == 3
    assert t.loc[("A", "apres_midi"), "load"] == 1
    assert t.loc[("A", "nuit"), "load"] == 4
    # B: trafic (5) night, tapage (1) at 06:00 -> morning.
    assert t.loc[("B", "nuit"), "load"] == 5
    assert t.loc[("B", "matin"), "load"] == 1
    # M overlaps both: rixe and trafic, both at night.
    assert t.loc[("M", "nuit"), "n_incidents"] == 2
    assert t.loc[("M", "nuit"), "load"] == 9
    assert res.outside == 1
    # Weekday table: the Tuesday 02:00 rixe is on Monday (0).
    wk = res.table.set_index(["sector_id", "shift", "weekday"])
    assert wk.loc[("A", "nuit", 0), "load"] == 4
    assert wk.loc[("A", "nuit", 1), "load"] == 0
    assert len(res.table) == 3 * 3 * 7
    assert res.table["weekday_label"].iloc[0] == "lundi"


def test_workload_balance_figures(two_pn_one_pm, incidents):
    res = patrols.workload(incidents, two_pn_one_pm)
    bal = res.balance.set_index(["force", "shift"])
    # PN loads all day: A = 8, B = 6 -> mean 7, max/mean 8/7, CV = 1/7.
    row = bal.loc[("police_nationale", "toutes")]
    assert row["mean"] == pytest.approx(7)
    assert row["max_over_mean"] == pytest.approx(8 / 7)
    assert row["cv"] == pytest.approx(1 / 7)
    assert bal.loc[("police_municipale", "toutes"), "n_sectors"] == 1


def test_edited_weights_change_the_load(two_pn_one_pm, incidents):
    res = patrols.workload(incidents, two_pn_one_pm, weights={"cambriolage": 10},
                           default_weight=0)
    by = res.by_sector.set_index("sector_id")["load"]
    assert by["A"] == 10 and by["B"] == 0
    with pytest.raises(SchemaError, match="positif"):
        patrols.workload(incidents, two_pn_one_pm, weights={"tapage": -1})


def test_balance_of_equal_loads_is_perfect():
    b = patrols.balance([5, 5, 5])
    assert b.cv == 0 and b.max_over_mean == 1
    assert np.isnan(patrols.balance([0, 0]).cv)


def test_no_sector_is_an_error(incidents, two_pn_one_pm):
    with pytest.raises(EmptySelectionError, match="secteurs"):
        patrols.workload(incidents, two_pn_one_pm.iloc[:0])


def test_load_pivot_and_map_frame(two_pn_one_pm, incidents):
    res = patrols.workload(incidents, two_pn_one_pm)
    piv = patrols.load_pivot(res, force="police_nationale")
    assert list(piv.columns) == ["matin", "apres_midi", "nuit", "total"]
    assert piv.loc["A", "total"] == 8
    m = patrols.load_map_frame(res, two_pn_one_pm)
    assert m.crs.to_epsg() == 4326
    assert m.set_index("sector_id").loc["B", "load_nuit"] == 5
    assert "load_nuit" not in two_pn_one_pm.columns  # input not mutated


def test_coordination_overlap_and_gaps(two_pn_one_pm, incidents):
    territory = layer([square(0, 0, 3000, 1000)], insee_code=["99999"], name=["Test"])
    co = patrols.coordination(two_pn_one_pm, incidents, territory=territory)
    # M overlaps A on [500,1000]x[0,1000] and B on [1000,1500]x[0,1000]: 0.5 km² each.
    ov = co.overlap.set_index("sector_pn")
    assert ov.loc["A", "area_m2"] == pytest.approx(500_000, rel=1e-6)
    assert ov.loc["B", "area_m2"] == pytest.approx(500_000, rel=1e-6)
    assert co.overlap_area_m2 == pytest.approx(1_000_000, rel=1e-6)
    assert ov.loc["A", "n_nuit"] == 1 and ov.loc["B", "n_nuit"] == 1
    shifts = co.overlap_by_shift.set_index("shift")
    assert shifts.loc["nuit", "n_incidents"] == 2
    assert shifts.loc["nuit", "load"] == 9
    assert shifts.loc["matin", "n_incidents"] == 0
    # Nobody covers [2000,3000]x[0,1000]; PM leaves [0,500] and [1500,3000] uncovered.
    assert co.uncovered["area_m2"].sum() == pytest.approx(1_000_000, rel=1e-6)
    gaps = co.gaps_by_force.set_index("force")
    assert gaps.loc["police_municipale", "area_m2"] == pytest.approx(2_000_000, rel=1e-6)
    assert gaps.loc["police_municipale", "n_incidents"] == 3
    assert co.uncovered.crs.to_epsg() == 4326


def test_per_patrol_hour(two_pn_one_pm, incidents):
    res = patrols.workload(incidents, two_pn_one_pm,
                           period=(pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-16")))
    assert res.n_days == 14
    hours = patrols.default_patrol_hours(two_pn_one_pm)
    assert hours["hours_per_week"].iloc[0] == 56
    hours.loc[(hours["sector_id"] == "B") & (hours["shift"] == "nuit"), "hours_per_week"] = 0
    rate = patrols.per_patrol_hour(res, hours).set_index(["sector_id", "shift"])
    # A at night: 1 incident over 56 h/week x 2 weeks.
    assert rate.loc[("A", "nuit"), "incidents_per_hour"] == pytest.approx(1 / 112)
    assert np.isnan(rate.loc[("B", "nuit"), "incidents_per_hour"])
    # B carries 5/14 of PN's load at night with no hours there: presence lags need.
    assert rate.loc[("B", "nuit"), "gap"] == pytest.approx(5 / 14)
    assert rate["gap"].groupby(rate["force"]).sum().abs().max() < 1e-12
    with pytest.raises(SchemaError, match="positifs"):
        bad = hours.copy()
        bad.loc[0, "hours_per_week"] = -3
        patrols.per_patrol_hour(res, bad)


def test_intersection_helper_keeps_only_polygons():
    touching = shapely.intersection(box(0, 0, 1, 1), box(1, 0, 2, 1))
    assert patrols._polygonal(touching).is_empty


# -- real data: Portland police districts and August 2016 calls for service ---------------------

@pytest.fixture
def portland(shared_data):
    districts = gpd.read_file(shared_data / "crime" / "portland_police_districts.geojson")
    calls = pd.read_csv(shared_data / "crime" / "portland_cfs_2016-08.csv.gz",
                        usecols=["CATEGORY", "occ_date", "lon", "lat"]).dropna(
        subset=["lon", "lat"])
    calls = gpd.GeoDataFrame(calls, geometry=gpd.points_from_xy(calls["lon"], calls["lat"]),
                             crs=4326)
    calls["occurred_at"] = pd.to_datetime(calls["occ_date"])
    return districts, calls


def test_portland_load_per_district_and_precinct(portland):
    districts, calls = portland
    by_district = patrols.workload(calls, districts, sector_column="DISTRICT",
                                   force_column="PRECINCT", category_column="CATEGORY")
    precincts = districts.dissolve("PRECINCT", as_index=False)
    by_precinct = patrols.workload(calls, precincts, sector_column="PRECINCT",
                                   force_column="AGENCY", category_column="CATEGORY")
    d = by_district.by_sector
    p = by_precinct.by_sector.set_index("sector_id")
    assert len(d) == 60 and len(p) == 3
    # Each precinct's load is the sum of its districts' (unit weights: foreign categories).
    sums = d.groupby("force")["n_incidents"].sum()
    for name in ("NO", "CE", "EA"):
        assert abs(sums[name] - p.loc[name, "n_incidents"]) <= 0.002 * p.loc[name, "n_incidents"]
    # Almost every call falls in a district; a month of calls covers 31 days.
    assert by_precinct.outside < 0.05 * len(calls)
    assert by_district.n_days == 31
    bal = by_precinct.balance.set_index(["force", "shift"]).loc[("PORT", "toutes")]
    assert 0 < bal["cv"] < 1 and bal["max_over_mean"] > 1


def test_editable_settings_round_trip(two_pn_one_pm, incidents):
    table = patrols.shift_table()
    assert patrols.shift_bounds(table) == tuple((s.code, s.start_h, s.end_h)
                                                for s in patrols.DEFAULT_SHIFTS)
    edited = table.copy()
    edited.iloc[2, 1] = None
    with pytest.raises(SchemaError, match="ligne 3"):
        patrols.shift_bounds(edited)
    weights = patrols.weight_table()
    weights.loc[weights["Code"] == "tapage", "Poids"] = 0.0
    items = dict(patrols.weight_items(weights))
    assert items["tapage"] == 0 and items["rixe"] == 4
    weights.loc[0, "Poids"] = -1
    with pytest.raises(SchemaError, match="positif"):
        patrols.weight_items(weights)
    res = patrols.workload(incidents, two_pn_one_pm, weights=items)
    days = patrols.weekday_pivot(res, force="police_nationale", shift="nuit")
    assert list(days.columns)[0] == "lundi"
    assert days.loc["A", "lundi"] == 4 and days.loc["B", "mardi"] == 5
