"""Settings read from the environment at call time: data folder, store, basemap."""

from __future__ import annotations

from pathlib import Path

import pytest

from clspd_geo import config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLSPD_DATA_DIR", "CLSPD_STORE", "CLSPD_BASEMAP"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_under_the_repository() -> None:
    assert config.data_dir() == config.REPO_ROOT / "data"
    assert config.store_path() == config.REPO_ROOT / "data" / "clspd.gpkg"
    assert config.store_target() == str(config.REPO_ROOT / "data" / "clspd.gpkg")
    assert (config.REPO_ROOT / "clspd_geo" / "config.py").is_file()


def test_data_dir_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    assert config.data_dir() == tmp_path
    assert config.store_path() == tmp_path / "clspd.gpkg"
    assert config.store_target() == str(tmp_path / "clspd.gpkg")
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path / "autre"))
    assert config.store_path() == tmp_path / "autre" / "clspd.gpkg"


def test_store_file_overrides_the_folder(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLSPD_STORE", str(tmp_path / "x" / "ma_base.gpkg"))
    assert config.store_path() == tmp_path / "x" / "ma_base.gpkg"
    assert config.store_target() == str(tmp_path / "x" / "ma_base.gpkg")


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://h/db"])
def test_postgis_url_is_the_target_and_files_stay_in_the_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    monkeypatch.setenv("CLSPD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLSPD_STORE", url)
    assert config.store_target() == url
    assert config.store_path() == tmp_path / "clspd.gpkg"


@pytest.mark.parametrize(("value", "expected"), [
    (None, "aucun"), ("osm", "osm"), ("plan_ign", "plan_ign"), ("ortho_ign", "ortho_ign"),
    ("google", "aucun")])
def test_default_basemap(monkeypatch: pytest.MonkeyPatch, value: str | None,
                         expected: str) -> None:
    if value is not None:
        monkeypatch.setenv("CLSPD_BASEMAP", value)
    assert config.default_basemap() == expected


def test_constants() -> None:
    assert (config.STORAGE_CRS, config.COMPUTE_CRS) == ("EPSG:4326", "EPSG:2154")
    assert config.BASEMAPS["aucun"]["url"] == ""
    assert all(b["url"].startswith("https://") for k, b in config.BASEMAPS.items()
               if k != "aucun")


def test_demo_communes_from_the_environment(monkeypatch):
    from clspd_geo import config

    monkeypatch.delenv("CLSPD_DEMO_COMMUNES", raising=False)
    assert config.demo_communes() == 1
    for text, expected in (("3", 3), (" 5 ", 5), ("6", 1), ("0", 1), ("deux", 1)):
        monkeypatch.setenv("CLSPD_DEMO_COMMUNES", text)
        assert config.demo_communes() == expected, text
