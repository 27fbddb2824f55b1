"""The release from the store's atoms gives what the release from the points gives."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clspd_geo import crs, demo
from clspd_geo.access import policy, release
from clspd_geo.analysis import indicators
from clspd_geo.store import atoms

AS_OF = dt.date(2026, 11, 25)
KEY = ["occurred_at", "category", "quartier_id", "zone_level", "time_step", "x", "y"]


@pytest.fixture(scope="module")
def demo_data():
    frames = demo.build_demo(seed=3, n_incidents=4000)
    epsg = crs.metric_epsg(frames["territoire"])
    prepared = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    return prepared, zones


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "occurred_at": df["occurred_at"].to_numpy("datetime64[ns]"),
        "category": df["category"].astype(str).to_numpy(),
        "quartier_id": df["quartier_id"].astype(object).where(df["quartier_id"].notna(), "")
                       .astype(str).to_numpy(),
        "zone_level": df["zone_level"].astype(str).to_numpy(),
        "time_step": df["time_step"].astype(str).to_numpy(),
        "x": np.round(df["x"].to_numpy(float), 3), "y": np.round(df["y"].to_numpy(float), 3)})
    return out.sort_values(KEY).reset_index(drop=True)


@pytest.mark.parametrize("role", [*policy.ROLE_CODES, policy.OPERATOR.code])
def test_atoms_release_equals_the_points_release(demo_data, role):
    prepared, zones = demo_data
    from_points = release.restrict(prepared, layer=policy.INCIDENT_TABLE, role_code=role,
                                   zones=zones, as_of=AS_OF)
    sees_points = any(policy.category_rule(role, c).access == "exact"
                      for c in prepared["category"].astype(str).unique())
    weighted = release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code=role,
                                      zones=zones, as_of=AS_OF,
                                      points=prepared if sees_points else None)
    from_atoms = release.expand(weighted)
    assert int(weighted["n"].sum()) == len(from_points)
    assert list(from_atoms.columns) == list(from_points.columns)
    pd.testing.assert_frame_equal(canonical(from_atoms), canonical(from_points))
    # The same dtypes the pages filter on.
    for col in ("category", "field", "sensitivity", "quartier_id"):
        assert isinstance(from_atoms[col].dtype, pd.CategoricalDtype), col
    if sees_points:
        assert from_atoms["occurred_at"].dtype == from_points["occurred_at"].dtype


def test_an_aggregate_role_gets_no_point(demo_data):
    prepared, zones = demo_data
    out = release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code="elu",
                                 zones=zones, as_of=AS_OF)
    assert len(out) > 0 and not out["time_known"].any()
    assert set(out["zone_level"]) <= {"grille", "quartier", "territoire"}
    # Every released row holds at least k incidents, and one row per zone, date, category.
    k = policy.rule("elu", "faits_ordinaires").k
    assert out["n"].min() >= k
    key = ["zone_level", "x", "y", "quartier_id", "category", "occurred_at"]
    assert not out[key].astype(str).duplicated().any()
    assert out.groupby(["x", "y", "category", "occurred_at"], observed=True)["n"].sum().min() >= k
    assert len(out) < int(out["n"].sum()) / 5  # far fewer rows than incidents


def test_a_point_role_without_points_is_refused(demo_data):
    prepared, zones = demo_data
    with pytest.raises(policy.AccessError):
        release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code="police",
                               zones=zones, as_of=AS_OF)


def test_atoms_of_points_equal_atoms_of_prepared(demo_data):
    prepared, _ = demo_data
    a = atoms.atoms_of_prepared(prepared)
    b = atoms.atoms_of_points(prepared.drop(columns=["x", "y"]), epsg=2154)
    pd.testing.assert_frame_equal(a, b)
    assert int(a["n"].sum()) == len(prepared)
    assert atoms.GRID_CELL_M == policy.GRID_CELL_M


# -- an intercommunal territory: the commune in every atom -------------------------------------

@pytest.fixture(scope="module")
def two_communes():
    """The demo territory cut in two communes (west 00000, east 00001), points and atoms."""
    import geopandas as gpd
    from shapely.geometry import box

    from clspd_geo.store import communes

    frames = demo.build_demo(seed=3, n_incidents=4000)
    terr = frames["territoire"].to_crs(2154)
    minx, miny, maxx, maxy = terr.total_bounds
    mid = (minx + maxx) / 2
    whole = terr.union_all()
    halves = [whole.intersection(box(minx, miny, mid, maxy)),
              whole.intersection(box(mid, miny, maxx, maxy))]
    split = gpd.GeoDataFrame({"insee_code": ["00000", "00001"], "name": ["Ouest", "Est"],
                              "population": [6000, 4000]}, geometry=halves,
                             crs=2154).to_crs(4326)
    inc = frames["incidents"].assign(
        insee_code=communes.assign_communes(frames["incidents"], split).to_numpy())
    epsg = crs.metric_epsg(split)
    prepared = indicators.prepare_incidents(inc, epsg=epsg)
    zones = release.zones_for(split, frames["quartiers"], epsg=epsg)
    return prepared, zones


@pytest.mark.parametrize("role", ["elu", "police", "partenaire"])
def test_atoms_release_equals_the_points_release_with_communes(two_communes, role):
    prepared, zones = two_communes
    sees_points = any(policy.category_rule(role, c).access == "exact"
                      for c in prepared["category"].astype(str).unique())
    from_points = release.restrict(prepared, layer=policy.INCIDENT_TABLE, role_code=role,
                                   zones=zones, as_of=AS_OF)
    from_atoms = release.expand(release.restrict_atoms(
        atoms.atoms_of_prepared(prepared), role_code=role, zones=zones, as_of=AS_OF,
        points=prepared if sees_points else None))
    both = [canonical(d).assign(insee_code=d.sort_values(KEY)["insee_code"].astype(str)
                                .to_numpy()) for d in (from_atoms, from_points)]
    pd.testing.assert_frame_equal(both[0], both[1])
    assert isinstance(from_atoms["insee_code"].dtype, pd.CategoricalDtype)


def test_an_aggregate_view_filters_by_commune_with_k_per_commune(two_communes):
    prepared, zones = two_communes
    out = release.expand(release.restrict_atoms(atoms.atoms_of_prepared(prepared),
                                                role_code="elu", zones=zones, as_of=AS_OF))
    sel = indicators.Selection(dt.date(2020, 1, 1), dt.date(2030, 1, 1),
                               tuple(out["category"].astype(str).unique()))
    per = {c: int(indicators.mask(out, dataclasses.replace(sel, communes=(c,))).sum())
           for c in ("00000", "00001")}
    both = int(indicators.mask(out, dataclasses.replace(sel, communes=("00000", "00001"))).sum())
    assert per["00000"] > 0 and per["00001"] > 0
    assert per["00000"] + per["00001"] == both == len(out)
    # Every released atom holds at least k incidents of one commune.
    k = policy.rule("elu", "faits_ordinaires").k
    groups = out.groupby(["x", "y", "insee_code", "category", "occurred_at"], observed=True)
    assert groups.size().min() >= k
    # The territory-level rows of a commune sit on that commune's own point.
    points = {c: (x, y) for c, x, y, _, _ in zones.communes}
    top = out[out["zone_level"] == "territoire"]
    assert len(top) and set(top["insee_code"].astype(str)) <= set(points)
    for code, rows in top.groupby("insee_code", observed=True):
        assert np.allclose(rows["x"], points[str(code)][0])


def test_selection_communes_filters_the_prepared_incidents(two_communes):
    prepared, _ = two_communes
    sel = indicators.Selection(dt.date(2020, 1, 1), dt.date(2030, 1, 1),
                               tuple(prepared["category"].astype(str).unique()))
    east = indicators.select(prepared, dataclasses.replace(sel, communes=("00001",)))
    assert 0 < len(east) < len(prepared)
    assert set(east["insee_code"].astype(str)) == {"00001"}
    assert (east["x"] >= prepared.loc[prepared["insee_code"] == "00000", "x"].min()).all()
    assert len(indicators.select(prepared, sel)) == len(prepared)
