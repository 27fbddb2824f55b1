"""The release from the store's atoms gives what the release from the points gives."""

from __future__ import annotations

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
    from_atoms = release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code=role,
                                        zones=zones, as_of=AS_OF,
                                        points=prepared if sees_points else None)
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
    # Every released atom holds at least k incidents.
    k = policy.rule("elu", "faits_ordinaires").k
    assert out.groupby(["x", "y", "category", "occurred_at"], observed=True).size().min() >= k


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
