"""Commands read through a role view (clspd_geo.cli.access)."""

from __future__ import annotations

import argparse

import pytest
from conftest import tiny_layers

from clspd_geo.cli import access
from clspd_geo.store import GeoPackageStore


def test_role_argument_defaults_and_refuses_unknown_roles():
    p = argparse.ArgumentParser()
    access.add_role_argument(p, default="videoprotection")
    assert p.parse_args([]).role == "videoprotection"
    assert p.parse_args(["--role", "police"]).role == "police"
    with pytest.raises(SystemExit):
        p.parse_args(["--role", "intrus"])


def test_open_view_applies_the_role(tmp_path):
    path = tmp_path / "t.gpkg"
    GeoPackageStore(path, create=True).write_many(tiny_layers(), source="test")
    assert len(access.open_view(path, "police").layer("cameras")) == 2
    assert access.open_view(path, "elu").layer("cameras").empty
    pts = access.open_view(path, "police").incident_points(timed=True)
    assert pts.crs.to_epsg() == 4326 and len(pts) == 5


def test_operator_reads_everything_only_when_named(tmp_path):
    from clspd_geo.access.view import RoleView
    from clspd_geo.access import policy

    path = tmp_path / "t.gpkg"
    store = GeoPackageStore(path, create=True)
    store.write_many(tiny_layers(), source="test")
    full = access.open_view(path, "exploitant")
    assert len(full.incidents()) == 7 and full.incidents()["time_known"].all()
    assert len(full.facilities(confidential=True)) == 3
    with pytest.raises(policy.AccessError):
        RoleView(store, "exploitant")  # the app's way in refuses it
    p = argparse.ArgumentParser()
    access.add_role_argument(p, default="police")
    assert p.parse_args(["--role", "exploitant"]).role == "exploitant"
