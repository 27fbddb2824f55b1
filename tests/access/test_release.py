"""The release of data to a role (clspd_geo.access.release): atoms, point layers, lags."""

from __future__ import annotations

import datetime as dt
import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo import crs, demo, vocab
from clspd_geo.analysis import indicators
from clspd_geo.access import policy, release
from clspd_geo.store import GeoPackageStore, open_store

AS_OF = dt.date(2026, 11, 25)
X0, Y0 = 652_000.0, 6_862_000.0  # Lambert-93, a multiple of the 200 m grid


def _table(rows: list[tuple[float, float, str, str, str]]) -> pd.DataFrame:
    """Prepared incidents from (x_l93, y_l93, category, quartier, ISO time) tuples."""
    gdf = gpd.GeoDataFrame(
        {"incident_id": [str(i) for i in range(len(rows))],
         "occurred_at": pd.to_datetime([r[4] for r in rows]),
         "category": [r[2] for r in rows], "quartier_id": [r[3] for r in rows]},
        geometry=[Point(r[0], r[1]) for r in rows], crs=2154).to_crs(4326)
    return indicators.prepare_incidents(gdf, epsg=2154)


def _zones() -> release.Zones:
    terr = gpd.GeoDataFrame({"insee_code": ["75056"]},
                            geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)], crs=2154).to_crs(4326)
    q = gpd.GeoDataFrame({"quartier_id": ["q1", "q2"]},
                         geometry=[box(X0, Y0, X0 + 1000, Y0 + 2000),
                                   box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000)],
                         crs=2154).to_crs(4326)
    return release.zones_for(terr, q, epsg=2154)


# -- roles and matrix ----------------------------------------------------------------------------

def test_atoms_fall_back_from_cell_to_quartier_to_territory():
    # 6 thefts in one 200 m cell of q1, 3 in another cell of q1, 2 in q2: group (k=5).
    rows = [(X0 + 50, Y0 + 50, "cambriolage", "q1", "2026-03-10 14:30")] * 6
    rows += [(X0 + 450, Y0 + 50, "cambriolage", "q1", "2026-03-12 09:00")] * 3
    rows += [(X0 + 1500, Y0 + 50, "cambriolage", "q2", "2026-03-20 23:10")] * 2
    out = release.restrict(_table(rows), layer=policy.INCIDENT_TABLE,
                           role_code="groupe_travail", zones=_zones(), as_of=AS_OF)
    # The 6 stay in their cell (centre x0+100, y0+100); the 3 + 2 leftovers: q1 has 3 < 5,
    # so they move up to the territory with q2's 2: 5 there, released without quartier.
    assert len(out) == 11
    cell = out[np.isclose(out["x"], X0 + 100) & np.isclose(out["y"], Y0 + 100)]
    assert len(cell) == 6 and set(cell["quartier_id"].astype(str)) == {"q1"}
    terr = out[out["quartier_id"].isna()]
    assert len(terr) == 5
    tx, ty, _, _ = _zones().territoire
    assert np.allclose(terr["x"], tx) and np.allclose(terr["y"], ty)
    # No time of day, dated at the start of the month.
    assert (out["occurred_at"] == pd.Timestamp("2026-03-01")).all()


def test_place_takes_the_finest_level_with_k_among_the_unplaced():
    # Fine level: groups by (zone, category); coarse level: by zone only. k = 3.
    zone = np.array([0, 0, 0, 0, 1, 0, 1])
    cat = np.array([0, 0, 1, 2, 0, 3, 1])
    weights = np.array([2, 1, 1, 1, 2, 1, 5])
    level = release.place([[zone, cat], [zone]], weights, k=3)
    # Fine: (0, 0) weighs 2 + 1 = 3 and (1, 1) weighs 5: rows 0, 1 and 6 placed there;
    # (0, 1), (0, 2), (1, 0), (0, 3) weigh 1, 1, 2, 1. Coarse, among the rows left: zone 0
    # holds rows 2, 3, 5 (weight 3): placed; zone 1 holds row 4 alone (2; row 6, placed
    # finer, does not count): withheld.
    np.testing.assert_array_equal(level, [0, 0, 1, 1, -1, 1, 0])
    assert level.dtype == np.int64


def test_atom_below_k_everywhere_is_withheld():
    rows = [(X0 + 50, Y0 + 50, "violences_conjugales", "q1", "2026-03-10 14:30")] * 10
    out = release.restrict(_table(rows), layer=policy.INCIDENT_TABLE, role_code="elu",
                           zones=_zones(), as_of=AS_OF)
    assert out.empty  # 10 < 11 at the quartier and at the territory level


def test_police_sees_thefts_exactly_and_sensitive_aggregated():
    rows = [(X0 + 13, Y0 + 17, "cambriolage", "q1", "2026-03-10 14:30")]
    rows += [(X0 + 13, Y0 + 17, "violences_conjugales", "q1", "2026-03-10 14:30")] * 5
    df = _table(rows)
    out = release.restrict(df, layer=policy.INCIDENT_TABLE, role_code="police",
                           zones=_zones(), as_of=AS_OF)
    theft = out[out["category"] == "cambriolage"]
    assert theft["x"].iloc[0] == pytest.approx(df["x"].iloc[0])
    assert theft["occurred_at"].iloc[0] == pd.Timestamp("2026-03-10 14:30")
    vif = out[out["category"] == "violences_conjugales"]
    assert len(vif) == 5 and np.allclose(vif["x"], X0 + 100)
    assert (vif["occurred_at"].dt.hour == 0).all()


def test_public_lag_withholds_the_last_months():
    rows = [(X0 + 50, Y0 + 50, "cambriolage", "q1", "2026-10-15 10:00")] * 12
    rows += [(X0 + 50, Y0 + 50, "cambriolage", "q1", "2026-11-02 10:00")] * 12
    rows += [(X0 + 50, Y0 + 50, "cambriolage", "q1", "2026-09-02 10:00")] * 12
    out = release.restrict(_table(rows), layer=policy.INCIDENT_TABLE, role_code="public",
                           zones=_zones(), as_of=AS_OF)
    assert set(out["occurred_at"]) == {pd.Timestamp("2026-09-01")}


def test_input_frame_is_not_modified():
    rows = [(X0 + 50, Y0 + 50, "cambriolage", "q1", "2026-03-10 14:30")] * 12
    df = _table(rows)
    before = df.copy()
    release.restrict(df, layer=policy.INCIDENT_TABLE, role_code="elu", zones=_zones(),
                     as_of=AS_OF)
    pd.testing.assert_frame_equal(df, before)


# -- the demo store ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    path = tmp_path_factory.mktemp("privacy") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=1, n_incidents=3_000)
    s = GeoPackageStore(path)
    layers = {name: s.read(name) for name in s.layers() if name != "incidents"}
    layers["incidents"] = s.read("incidents")
    epsg = crs.metric_epsg(layers["territoire"])
    table = indicators.prepare_incidents(
        layers["incidents"][["occurred_at", "category", "quartier_id", "geometry"]], epsg=epsg)
    zones = release.zones_for(layers["territoire"], layers["quartiers"], epsg=epsg)
    return layers, table, zones


def _released(demo_data, role_code):
    _, table, zones = demo_data
    return release.restrict(table, layer=policy.INCIDENT_TABLE, role_code=role_code,
                            zones=zones, as_of=AS_OF)


@pytest.mark.parametrize("role_code", policy.ROLE_CODES)
def test_released_table_shows_only_allowed_categories(demo_data, role_code):
    out = _released(demo_data, role_code)
    allowed = set(policy.visible_categories(role_code))
    assert set(out["category"].astype(str)) <= allowed


@pytest.mark.parametrize("role_code", policy.ROLE_CODES)
def test_no_exact_coordinates_or_time_of_day_where_aggregated(demo_data, role_code):
    _, table, zones = demo_data
    out = _released(demo_data, role_code)
    reps = {(round(x, 3), round(y, 3)) for _, x, y, _, _ in zones.quartiers}
    reps.add((round(zones.territoire[0], 3), round(zones.territoire[1], 3)))
    exact_xy = set(zip(table["x"].round(3), table["y"].round(3), strict=True))
    for code in vocab.category_codes():
        rule = policy.category_rule(role_code, code)
        rows = out[out["category"] == code]
        if rule.access != "aggregated" or rows.empty:
            continue
        ts = rows["occurred_at"]
        assert (ts.dt.hour == 0).all() and (ts.dt.minute == 0).all() and (ts.dt.day == 1).all()
        xs, ys = rows["x"].to_numpy(), rows["y"].to_numpy()
        on_grid = np.isclose((xs / policy.GRID_CELL_M) % 1, 0.5) & np.isclose(
            (ys / policy.GRID_CELL_M) % 1, 0.5)
        at_rep = np.array([(round(a, 3), round(b, 3)) in reps for a, b in zip(xs, ys)])
        assert (on_grid | at_rep).all()
        if rule.zone != "grille":
            assert at_rep.all()
        assert not {(round(a, 3), round(b, 3)) for a, b in zip(xs, ys)} & exact_xy


def _cube(out: pd.DataFrame, months: pd.PeriodIndex, cats: list[str],
          quartiers: list[str]) -> np.ndarray:
    """Counts by (category, quartier or territory-only, month) of released rows."""
    cube = np.zeros((len(cats), len(quartiers) + 1, len(months)), dtype=np.int64)
    if out.empty:
        return cube
    ci = pd.Index(cats).get_indexer(out["category"].astype(str))
    qi = pd.Index(quartiers).get_indexer(out["quartier_id"].astype("string").fillna(""))
    qi = np.where(qi < 0, len(quartiers), qi)
    mi = months.get_indexer(out["occurred_at"].dt.to_period("M"))
    np.add.at(cube, (ci, qi, mi), 1)
    return cube


@pytest.mark.parametrize("role_code", [r for r in policy.ROLE_CODES if r != "admin"])
def test_every_filter_combination_publishes_zero_or_at_least_k(demo_data, role_code):
    """Exhaustive over the page filters on the demo: period (any month range), categories
    (every subset of each action field's aggregated categories), quartiers (none, each one,
    each pair): every count, and every difference between nested category subsets, is 0 or
    ≥ k. Counts are taken on released rows (the pages count nothing else)."""
    layers, table, _ = demo_data
    out = _released(demo_data, role_code)
    months = pd.period_range(table["occurred_at"].min(), table["occurred_at"].max(), freq="M")
    quartiers = list(layers["quartiers"]["quartier_id"].astype(str))
    q_sets = [()] + [(q,) for q in quartiers] + list(itertools.combinations(quartiers, 2))
    checked = 0
    for field in vocab.ACTION_FIELDS:
        cats = [c for c in vocab.category_codes(field=field.code)
                if policy.category_rule(role_code, c).access == "aggregated"]
        if not cats:
            continue
        k = min(policy.category_rule(role_code, c).k for c in cats)
        cube = _cube(out[out["category"].isin(cats)], months, cats, quartiers)
        subsets = [s for n in range(1, len(cats) + 1) for s in itertools.combinations(
            range(len(cats)), n)]
        for qs in q_sets:
            qidx = [quartiers.index(q) for q in qs] if qs else list(range(len(quartiers) + 1))
            per_cat = cube[:, qidx, :].sum(axis=1)                  # (category, month)
            prefix = np.concatenate([np.zeros((len(cats), 1), np.int64),
                                     per_cat.cumsum(axis=1)], axis=1)
            # every [start, end) month range at once: counts[c, s, e] = prefix[e] - prefix[s]
            ranges = prefix[:, None, :] - prefix[:, :, None]
            for sub in subsets:
                counts = ranges[list(sub)].sum(axis=0)
                valid = counts[np.triu_indices(len(months) + 1, 1)]
                assert ((valid == 0) | (valid >= k)).all(), (role_code, field.code, sub, qs)
                checked += valid.size
                for drop in sub[:-1] if len(sub) > 1 else ():
                    smaller = tuple(c for c in sub if c != drop)
                    diff = counts - ranges[list(smaller)].sum(axis=0)
                    d = diff[np.triu_indices(len(months) + 1, 1)]
                    assert ((d == 0) | (d >= k)).all()
    assert checked > 0 or not policy.visible_categories(role_code)


def test_raw_demo_does_hold_small_counts_that_get_hidden(demo_data):
    """The exhaustive test is not vacuous: raw counts of 1 to 10 exist for the same filters."""
    layers, table, _ = demo_data
    months = pd.period_range(table["occurred_at"].min(), table["occurred_at"].max(), freq="M")
    quartiers = list(layers["quartiers"]["quartier_id"].astype(str))
    cats = vocab.category_codes(sensitivity="sensible")
    raw = _cube(table, months, cats, quartiers)
    assert ((raw > 0) & (raw < 11)).any()
    released = _cube(_released(demo_data, "elu"), months, cats, quartiers)
    assert not ((released > 0) & (released < 11)).any()


@pytest.mark.parametrize("role_code", policy.ROLE_CODES)
def test_point_layers_by_role(demo_data, role_code):
    layers, _, _ = demo_data
    m = policy.MATRIX[role_code]
    inc = release.restrict(layers["incidents"], layer="incidents", role_code=role_code)
    if m["points"].access != "exact":
        assert inc.empty
    else:
        sens = {vocab.category(c).sensitivity for c in inc["category"]}
        assert "sensible" not in sens and len(inc) > 0
    cams = release.restrict(layers["cameras"], layer="cameras", role_code=role_code)
    assert (cams["status"] != "projet").all() or m["cameras_projet"].access == "exact"
    assert cams.empty or m["cameras"].access == "exact" or m["cameras_projet"].access == "exact"
    if m["cameras"].access == "never":
        assert cams.empty
    eq = release.restrict(layers["equipements"], layer="equipements", role_code=role_code)
    if m["equipements_confidentiels"].access != "exact":
        assert not eq["confidential"].astype(bool).any()
        assert not eq["kind"].isin(["hebergement_victimes"]).any()
    if role_code == "admin":
        assert eq.empty
    else:
        assert len(eq) > 0


def test_unknown_layer_is_denied(demo_data):
    layers, _, _ = demo_data
    out = release.restrict(layers["cameras"], layer="nouvelle_couche", role_code="police")
    assert out.empty


def test_police_sees_confidential_facilities_and_planned_cameras(demo_data):
    layers, _, _ = demo_data
    eq = release.restrict(layers["equipements"], layer="equipements", role_code="police")
    assert len(eq) == len(layers["equipements"])
    cams = release.restrict(layers["cameras"], layer="cameras", role_code="videoprotection")
    assert len(cams) == len(layers["cameras"])
    assert release.restrict(layers["cameras"], layer="cameras", role_code="elu").empty


def test_accidents_for_readers_not_admin_and_action_plan_for_all(demo_data):
    layers, _, _ = demo_data
    acc = layers["accidents"]
    assert len(release.restrict(acc, layer="accidents", role_code="public")) == len(acc)
    assert release.restrict(acc, layer="accidents", role_code="admin").empty
    if "actions" in layers:
        for r in policy.ROLE_CODES:
            assert len(release.restrict(layers["actions"], layer="actions", role_code=r)) == len(
                layers["actions"])


def test_released_rows_say_whether_their_time_is_real():
    """Exact rows keep their time (time_known); aggregated rows carry a month start."""
    import datetime as dt

    import pandas as pd

    from clspd_geo.analysis import indicators
    from clspd_geo.access import policy, release
    from conftest import tiny_layers

    layers = tiny_layers()
    df = indicators.prepare_incidents(layers["incidents"], epsg=2154)
    zones = release.zones_for(layers["territoire"], layers["quartiers"], epsg=2154)
    big = pd.concat([df] * 12, ignore_index=True)  # enough for k
    police = release.restrict(big, layer=policy.INCIDENT_TABLE, role_code="police", zones=zones,
                              as_of=dt.date(2026, 1, 1))
    assert police.loc[police["sensitivity"] == "standard", "time_known"].all()
    assert not police.loc[police["sensitivity"] == "sensible", "time_known"].any()
    elu = release.restrict(big, layer=policy.INCIDENT_TABLE, role_code="elu", zones=zones,
                           as_of=dt.date(2026, 1, 1))
    assert len(elu) and not elu["time_known"].any()
    assert (elu["occurred_at"].dt.day == 1).all() and (elu["occurred_at"].dt.hour == 0).all()


def test_release_says_where_and_how_each_row_is_placed():
    """zone_level and time_step: exact rows are points, aggregated rows their atom's level."""
    import datetime as dt

    from clspd_geo import demo
    from clspd_geo.access import release
    from clspd_geo.analysis import indicators
    from clspd_geo import crs

    frames = demo.build_demo(seed=1, n_incidents=3000)
    epsg = crs.metric_epsg(frames["territoire"])
    table = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    police = release.restrict(table, layer=release.INCIDENT_TABLE, role_code="police",
                              zones=zones, as_of=dt.date(2026, 11, 25))
    public = release.restrict(table, layer=release.INCIDENT_TABLE, role_code="public",
                              zones=zones, as_of=dt.date(2026, 11, 25))
    std = police["sensitivity"] != "sensible"  # police: exact but for sensitive facts
    assert (police.loc[std, "zone_level"] == "point").all()
    assert (police.loc[std, "time_step"] == "exact").all()
    assert set(police.loc[~std, "zone_level"]) <= {"grille", "quartier", "territoire"}
    assert set(public["zone_level"]) <= {"quartier", "territoire"}
    # Territory-level rows carry no quartier; yearly rows are dated 1 January.
    terr = public["zone_level"] == "territoire"
    assert public.loc[terr, "quartier_id"].isna().all()
    yearly = public["time_step"] == "annee"
    assert yearly.any()
    ts = public.loc[yearly, "occurred_at"]
    assert ((ts.dt.month == 1) & (ts.dt.day == 1)).all()
