"""An upgrade to accounts in the PostgreSQL base keeps the accounts and trail of the files."""

from __future__ import annotations

import pytest

from access_db import fresh_base
from clspd_geo.access import audit, auth, moving
from clspd_geo.access.gateway import Gateway

PW = "correct-horse-battery"


@pytest.fixture
def upgraded(monkeypatch, tmp_path, pg_url):
    """A data folder with the files of an earlier version, and the store now on PostgreSQL."""
    for name in ("CLSPD_USERS", "CLSPD_AUDIT", "CLSPD_ACCESS_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLSPD_STORE", str(tmp_path / "avant.gpkg"))  # the files' version
    auth.create_account("alice", role="police", password=PW)
    auth.create_account("bob", role="elu", password=PW)
    auth.set_disabled("bob")
    audit.record("alice", "police", "vue", "police")
    files = (auth.users_path().read_bytes(), audit.audit_path().read_bytes())
    base = fresh_base(pg_url)
    monkeypatch.setenv("CLSPD_STORE", base)  # the upgrade: the same folder, a PostGIS store
    return base, files


def test_the_first_start_on_the_base_copies_the_files_accounts_and_trail(upgraded):
    base, files = upgraded
    said = moving.adopt_files()
    assert said is not None and said.startswith("2 comptes et 1 événements")
    assert auth.login("alice", PW)  # the same password
    assert {a.username: a.disabled for a in auth.list_accounts()} == {"alice": False,
                                                                      "bob": True}
    trail = audit.events()
    assert list(trail["Qui"]) == ["système", "alice"]  # the copy recorded after the old event
    assert (auth.users_path().read_bytes(), audit.audit_path().read_bytes()) == files
    assert moving.adopt_files() is None  # once
    assert len(auth.list_accounts()) == 2


def test_a_base_that_has_accounts_is_left_alone(upgraded):
    base, _files = upgraded
    auth.create_account("carole", role="admin", password=PW)
    assert moving.adopt_files() is None
    assert [a.username for a in auth.list_accounts()] == ["carole"]


def test_the_gateway_adopts_the_files_before_the_demo_accounts(upgraded, monkeypatch):
    base, _files = upgraded
    gw = Gateway(base, demo_incidents=500)
    gw.version()
    assert gw.demo_accounts() == {}  # the copied accounts exist: no demo account is made
    assert {a.username for a in auth.list_accounts()} == {"alice", "bob"}
