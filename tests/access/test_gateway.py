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


def test_a_write_by_another_process_is_seen_and_memory_stays_bounded(pg_store, tmp_path,
                                                                     monkeypatch):
    """Two gateways on one PostGIS base (two app processes): the version each hands out is
    read from the base at every call, and what they remember per version is bounded."""
    from clspd_geo import demo
    from clspd_geo.store import PostGISStore

    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    demo.install(pg_store, seed=1, n_incidents=300)
    one, other = gateway.Gateway(pg_store.url), gateway.Gateway(pg_store.url)
    start = one.version()
    assert other.version() == start
    before = other.view("police").incidents()
    inc = pg_store.read("incidents")
    others = [c for c in ("tapage", "rixe", "vol_vehicule") if c != inc["category"].iloc[0]]
    for i in range(gateway.KEPT_VERSIONS + 3):  # writes by « another process »
        moved = inc.iloc[[0]].copy()
        moved["category"] = others[i % 2]  # a change at every write: a new version
        PostGISStore(pg_store.url).upsert("incidents", moved, source=f"correction {i}")
        assert one.version() == other.version() == pg_store.version() != start
        assert other.is_demo()
    assert len(other.view("police").incidents()) == len(before)
    assert other.view("police").version == pg_store.version()
    assert len(one._purged) <= gateway.KEPT_VERSIONS
    assert len(other._demo) <= gateway.KEPT_VERSIONS
