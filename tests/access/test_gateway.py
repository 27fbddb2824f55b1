"""The gateway: builds the demo store once, then hands out one role view per role."""

from __future__ import annotations

from clspd_geo.access import gateway, policy


def test_gateway_builds_the_demo_once_and_hands_out_views(tmp_path, monkeypatch):
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    target = tmp_path / "demo.gpkg"
    gate = gateway.Gateway(str(target), demo_seed=1, demo_incidents=500)
    assert gate.needs_bootstrap()
    first = gate.version()
    assert target.exists() and not gate.needs_bootstrap()
    assert gate.version() == first  # no rebuild, no second purge
    view = gate.view("police")
    assert view.is_demo() and view.version == first
    assert len(view.layer("cameras")) > 0
    assert gate.view("elu").layer("cameras").empty
    made = gate.demo_accounts()
    assert sorted(made) == sorted(policy.ROLE_CODES)
    assert gate.demo_accounts() == {}


def test_first_start_demo_with_several_communes(tmp_path, monkeypatch):
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLSPD_DEMO_COMMUNES", "3")
    gate = gateway.Gateway(str(tmp_path / "cispd.gpkg"), demo_seed=1, demo_incidents=600)
    gate.version()
    terr = gate.view("police").layer("territoire")
    assert sorted(terr["insee_code"]) == ["00000", "00001", "00002"]
