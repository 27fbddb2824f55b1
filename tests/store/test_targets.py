"""Tests of open_store and is_database_url: a target string picks the back-end."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_valid_layers

from clspd_geo.errors import DataFileError
from clspd_geo.store import targets
from clspd_geo.store.gpkg import GeoPackageStore


@pytest.mark.parametrize(("target", "expected"), [
    ("postgresql://clspd:secret@127.0.0.1:5432/clspd", True),
    ("postgres://127.0.0.1/clspd", True),
    ("data/clspd.gpkg", False),
    ("/srv/postgresql/clspd.gpkg", False),
    (Path("postgresql:/clspd.gpkg"), False),  # a path: pathlib keeps one slash
    ("POSTGRESQL://127.0.0.1/clspd", False),  # libpq schemes are lower-case
])
def test_is_database_url(target, expected):
    assert targets.is_database_url(target) is expected


def test_open_store_opens_a_geopackage_file(tmp_path: Path):
    path = tmp_path / "clspd.gpkg"
    with pytest.raises(DataFileError, match="introuvable"):
        targets.open_store(path)
    created = targets.open_store(path, create=True)
    assert isinstance(created, GeoPackageStore) and created.location == str(path)
    created.write("cameras", make_valid_layers()["cameras"], source="t")
    assert targets.open_store(str(path)).count("cameras") == 3


def test_open_store_defaults_to_the_configured_target(tmp_path: Path, monkeypatch):
    path = tmp_path / "ailleurs.gpkg"
    GeoPackageStore(path, create=True).write("cameras", make_valid_layers()["cameras"],
                                             source="t")
    monkeypatch.setenv("CLSPD_STORE", str(path))
    assert targets.open_store().location == str(path)


def test_open_store_sends_urls_to_postgis():
    # Port 1 on loopback refuses at once: the PostGIS store was chosen, and says so in French.
    with pytest.raises(DataFileError, match="La base PostGIS .* est injoignable") as err:
        targets.open_store("postgresql://clspd:secret@127.0.0.1:1/clspd")
    assert "secret" not in str(err.value)
