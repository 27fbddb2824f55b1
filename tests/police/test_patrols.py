"""Tests of clspd_geo.police.patrols: workload by sector, shift and weekday; patrol hours."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from clspd_geo.errors import EmptySelectionError, SchemaError
from clspd_geo.police import patrols


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


def test_names_other_packages_call_stay_importable_from_patrols():
    # pages/police.py, ui.py and maps/patrol_layers.py call these as patrols.<name>.
    from clspd_geo.police import coordination, load, shifts
    assert patrols.Shift is shifts.Shift and patrols.DEFAULT_SHIFTS is shifts.DEFAULT_SHIFTS
    assert patrols.make_shifts is shifts.make_shifts
    assert patrols.shift_table is shifts.shift_table
    assert patrols.shift_bounds is shifts.shift_bounds
    assert patrols.weight_table is load.weight_table
    assert patrols.weight_items is load.weight_items
    assert patrols.coordination is coordination.coordination
    assert patrols.Coordination is coordination.Coordination
