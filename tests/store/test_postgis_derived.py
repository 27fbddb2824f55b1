"""Frames derived from one version of a PostGIS base, kept for every app process."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clspd_geo.access import policy, release
from clspd_geo.access.view import RoleView
from clspd_geo.store import postgis_derived
from clspd_geo.store.postgis import PostGISStore

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def frames():
    from clspd_geo import demo

    return demo.build_demo(seed=5, n_incidents=3000)


def _kept_keys(url):
    import psycopg

    with psycopg.connect(url) as con:
        return con.execute(f"SELECT key, version FROM {postgis_derived.DERIVED_TABLE} "
                           "ORDER BY key").fetchall()


@pytest.mark.parametrize("role", ["elu", "police", "public"])
def test_a_kept_release_equals_the_computed_one(pg_store, pg_url, frames, role):
    pg_store.write_many(frames, source="démo")
    first = RoleView(pg_store, role, as_of=AS_OF).counts()
    kept = _kept_keys(pg_url)
    assert len(kept) == 1 and kept[0][0].startswith(f"release|{role}|")
    # A new process (a new view on a new store object) reads the kept frame.
    again = RoleView(PostGISStore(pg_url), role, as_of=AS_OF)
    calls = []
    original = release.restrict_atoms

    def spy(*args, **kwargs):
        calls.append(kwargs.get("exact", True))
        return original(*args, **kwargs)

    release.restrict_atoms = spy
    try:
        second = again.counts()
    finally:
        release.restrict_atoms = original
    assert False not in calls  # the aggregated part was read, not computed
    pd.testing.assert_frame_equal(first.reset_index(drop=True), second.reset_index(drop=True))
    # The same figures as one row per incident computed without any kept frame.
    prepared = again._prepared()
    plain = release.restrict(prepared, layer=policy.INCIDENT_TABLE, role_code=role,
                             zones=again.zones(), as_of=AS_OF)
    assert int(second["n"].sum()) == len(plain)


def test_a_new_version_drops_the_old_entries_and_a_stale_one_is_not_kept(pg_store, pg_url,
                                                                         frames):
    pg_store.write_many(frames, source="démo")
    old = pg_store.version()
    RoleView(pg_store, "elu", as_of=AS_OF).counts()
    assert [v for _, v in _kept_keys(pg_url)] == [int(old.split("-")[1])]
    pg_store.write_many({"quartiers": frames["quartiers"]}, source="démo")
    new = pg_store.version()
    assert new != old
    # A process still on the old version computes, but may not keep a stale frame.
    assert not pg_store.keep_derived("x", pd.DataFrame({"a": [1]}), version=old)
    RoleView(pg_store, "elu", as_of=AS_OF).counts()
    assert [v for _, v in _kept_keys(pg_url)] == [int(new.split("-")[1])]
    assert pg_store.derived("x", version=new) is None


def test_withheld_reads_kept_totals(pg_store, frames):
    pg_store.write_many(frames, source="démo")
    view = RoleView(pg_store, "elu", as_of=AS_OF)
    sel = view.counts()
    from clspd_geo import vocab
    from clspd_geo.analysis.selection import Selection

    s = Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), tuple(vocab.category_codes()))
    n = view.withheld(s)
    fresh = RoleView(PostGISStore(pg_store.url), "elu", as_of=AS_OF)
    assert fresh.withheld(s) == n
    assert pg_store.derived(next(k for k, _ in _kept_keys(pg_store.url) if k.startswith("totals")),
                            version=pg_store.version()) is not None
    assert len(sel)


def test_keep_releases_prepares_every_role(pg_store, pg_url, frames):
    from clspd_geo.access import preparation

    pg_store.write_many(frames, source="démo")
    assert preparation.keep_releases(pg_store, as_of=AS_OF) == len(policy.ROLE_CODES)
    keys = [k for k, _ in _kept_keys(pg_url)]
    for role in policy.ROLE_CODES:
        assert any(k.startswith(f"release|{role}|") for k in keys), role
    # Roles that see only aggregates also get the totals of their withheld facts.
    assert any(k.startswith("totals|") for k in keys)


def test_keep_releases_does_nothing_for_a_geopackage(tmp_path, frames):
    from clspd_geo.access import preparation
    from clspd_geo.store import GeoPackageStore

    gpkg = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    gpkg.write_many(frames, source="démo")
    assert preparation.keep_releases(gpkg, as_of=AS_OF) == 0
