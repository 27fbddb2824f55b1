"""Fixtures of the page tests: a small demo store, and a fresh AppTest on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from clspd_geo import demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A demo store with 3,000 incidents, built once for the whole session."""
    path = tmp_path_factory.mktemp("store") / "demo.gpkg"
    demo.write_demo(path, seed=1, n_incidents=3_000)
    return path


@pytest.fixture
def app(monkeypatch, demo_store) -> AppTest:
    """An AppTest of the router, reading the session's demo store."""
    # Caches are keyed on the store's path and version, so they may be kept between tests.
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
