"""The "Données" page: upload, report, preview, confirm (AppTest, no browser)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pytest
import streamlit as st
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from clspd_geo import store as store_mod
from clspd_geo.importing import preview

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "import"


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    path = tmp_path / "clspd.gpkg"
    terr = gpd.GeoDataFrame({"insee_code": ["75056"], "name": ["Paris (boîte)"],
                             "population": [2_100_000]},
                            geometry=[box(2.25, 48.81, 2.42, 48.91)], crs=4326)
    store_mod.GeoPackageStore(path, create=True).write_many({"territoire": terr},
                                                            source="test")
    monkeypatch.setenv("CLSPD_STORE", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60), path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upload_report_preview_then_confirm(page: tuple[AppTest, Path]) -> None:
    at, path = page
    at.run()
    assert not at.exception
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    data = (BAD / "duplicate_ids.csv").read_bytes()
    at.file_uploader(key="donnees.files").upload("faits.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    before = sha256(path)
    text = " ".join(str(e.value) for e in [*at.info, *at.warning, *at.caption])
    assert "1 ligne(s) acceptée(s)" in text
    rejected = at.dataframe[-1].value
    assert list(rejected["Ligne"]) == [3] and "en double" in rejected["Motif du rejet"][0]
    assert sha256(path) == before  # nothing written before the confirmation
    at.button(key="donnees.confirm").click().run()
    assert not at.exception, at.exception
    assert store_mod.open_store(path).count("incidents") == 1
    assert any("Import écrit" in str(s.value) for s in at.success)
    prov = store_mod.open_store(path).source_of("incidents")
    assert "faits.csv" in prov.source


def test_refused_file_shows_french_error_and_store_untouched(page: tuple[AppTest, Path]) -> None:
    at, path = page
    at.run()
    before = sha256(path)
    at.selectbox(key="donnees.kind").set_value("incidents").run()
    data = (BAD / "future_dates.csv").read_bytes()
    at.file_uploader(key="donnees.files").upload("futur.csv", data, "text/csv").run()
    assert not at.exception
    assert any("date dans le futur" in str(e.value) for e in at.error)
    assert sha256(path) == before


def test_upload_over_the_cap_refused() -> None:
    msg = preview.upload_too_big({"gros.csv": 60_000_000, "petit.csv": 10})
    assert msg is not None and "« gros.csv » (60 Mo)" in msg and "petit" not in msg
    assert preview.upload_too_big({"petit.csv": 10}) is None
