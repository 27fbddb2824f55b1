"""The ``users`` command (clspd_geo.cli.users): accounts, audit trail and purge."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from clspd_geo import demo
from clspd_geo.access import audit, auth
from clspd_geo.cli import main as cli
from clspd_geo.store import GeoPackageStore


def test_users_command(tmp_path, monkeypatch, capsys):
    store = tmp_path / "s.gpkg"
    monkeypatch.setenv("CLSPD_STORE", str(store))  # the command sets it: restored after
    monkeypatch.setattr("sys.stdin", io.StringIO("motdepasse-solide\n"))
    assert cli.main(["users", "--store", str(store), "add", "bob", "--role", "police",
                     "--password-stdin"]) == 0
    users = store.with_name(auth.USERS_FILE_NAME)
    token = auth.login("bob", "motdepasse-solide", path=users)
    assert cli.main(["users", "--store", str(store), "disable", "bob"]) == 0
    assert auth.check_session(token, path=users) is None
    assert cli.main(["users", "--store", str(store), "list"]) == 0
    assert "bob\tpolice\tdésactivé" in capsys.readouterr().out
    assert cli.main(["users", "--store", str(store), "disable", "carole"]) == 2
    assert "Aucun compte « carole »" in capsys.readouterr().err
    assert cli.main(["users", "--store", str(store), "add", "x", "--role", "roi"]) == 2
    assert cli.main(["users", "--store", str(store), "journal"]) == 0
    out = capsys.readouterr().out
    assert "création (police)" in out and "désactivation" in out


@pytest.fixture
def users_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder for the store and accounts; ``CLSPD_STORE`` restored afterwards."""
    store = tmp_path / "s.gpkg"
    monkeypatch.setenv("CLSPD_STORE", str(store))
    monkeypatch.delenv("CLSPD_USERS", raising=False)
    return store


def test_users_role_password_and_enable(users_env: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    store = users_env
    users = store.with_name(auth.USERS_FILE_NAME)
    monkeypatch.setattr("sys.stdin", io.StringIO("premier-secret-1\n"))
    assert cli.main(["users", "--store", str(store), "add", "alice", "--role", "elu",
                     "--password-stdin"]) == 0
    assert capsys.readouterr().out == "Compte « alice » créé avec le rôle Élu.\n"
    assert cli.main(["users", "--store", str(store), "role", "alice", "police"]) == 0
    assert capsys.readouterr().out == "Rôle de « alice » : Police.\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("second-secret-22\n"))
    assert cli.main(["users", "--store", str(store), "passwd", "alice",
                     "--password-stdin"]) == 0
    assert "Mot de passe de « alice » changé" in capsys.readouterr().out
    assert auth.login("alice", "second-secret-22", path=users)
    assert cli.main(["users", "--store", str(store), "disable", "alice"]) == 0
    assert cli.main(["users", "--store", str(store), "enable", "alice"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Compte « alice » réactivé."
    assert cli.main(["users", "--store", str(store), "list"]) == 0
    assert capsys.readouterr().out.startswith("alice\tpolice\tactif\tdernière connexion : ")
    assert cli.main(["users", "--store", str(store), "journal", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "réactivation" in out and "désactivation" in out and "rôle police" not in out


def test_users_demo_accounts_once(users_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clspd_geo.access import policy

    assert cli.main(["users", "--store", str(users_env), "demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split("\t")[0] for line in lines if "\t" in line]
    assert len(names) == len(policy.ROLE_CODES)
    assert lines[-1].startswith("Comptes de démonstration (territoire fictif uniquement)")
    assert cli.main(["users", "--store", str(users_env), "demo"]) == 0
    assert capsys.readouterr().out == ("Des comptes existent déjà : aucun compte de "
                                       "démonstration créé.\n")


def test_users_purge_old_incidents(users_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo.install(GeoPackageStore(users_env, create=True), seed=1, n_incidents=500)
    n = GeoPackageStore(users_env).count("incidents")
    assert cli.main(["users", "--store", str(users_env), "purge", "--days", "36500"]) == 0
    assert capsys.readouterr().out == ("Aucun fait plus ancien que la durée de "
                                       "conservation.\n")
    assert cli.main(["users", "--store", str(users_env), "purge", "--days", "1"]) == 0
    out = capsys.readouterr().out
    left = GeoPackageStore(users_env).count("incidents")
    assert out == f"{n - left} faits supprimés.\n" and left < n
    assert audit.events()["Action"].iloc[0] == "Purge des faits anciens"


def test_copy_files_moves_accounts_and_trail_into_the_base(pg_url, tmp_path, monkeypatch,
                                                            capsys):
    from access_db import fresh_base, query

    fresh_base(pg_url)
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    for name in ("CLSPD_USERS", "CLSPD_AUDIT", "CLSPD_ACCESS_DB"):
        monkeypatch.delenv(name, raising=False)
    files = tmp_path / "clspd.gpkg"
    monkeypatch.setenv("CLSPD_STORE", str(files))
    auth.create_account("alice", role="police", password="motdepasse-solide")
    auth.set_disabled("alice")
    auth.create_account("bob", role="elu", password="autre-mot-de-passe")
    audit.record("bob", "elu", "vue", "accueil")
    assert cli.main(["users", "--store", pg_url, "copy-files"]) == 0
    assert "2 comptes et 1 événements" in capsys.readouterr().out
    # The command set CLSPD_STORE to the base: accounts and trail are read there now.
    assert [(a.username, a.disabled) for a in auth.list_accounts()] == [
        ("alice", True), ("bob", False)]
    assert auth.login("bob", "autre-mot-de-passe")  # the same hash, not a new password
    assert audit.search()["username"].tolist() == [os.environ.get("USER", "cli"), "bob"]
    assert query(pg_url, "SELECT COUNT(*) FROM sessions") == [(1,)]
    assert cli.main(["users", "--store", pg_url, "copy-files"]) == 2  # once only
    assert "déjà des événements" in capsys.readouterr().err
    assert len(auth.list_accounts()) == 2
