"""Fixtures of the screens tests: one demo store, role views, a deep equality check."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from scipy import sparse

from clspd_geo import demo
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.store import GeoPackageStore

AS_OF = dt.date(2026, 11, 25)
"""The day of the views (after the end of the demo period, 2026-10-31)."""


TIMINGS = {"seconds"}
"""Dataclass fields that measure how long a computation took (never equal twice)."""


def build_store(path: Path) -> GeoPackageStore:
    """Write the demo territory with 3,000 incidents into a new GeoPackage."""
    s = GeoPackageStore(path, create=True)
    s.write_many(demo.build_demo(seed=1, n_incidents=3000), source=demo.source_label(1))
    return s


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> GeoPackageStore:
    """The demo store of the screens tests (read only: built once for the session)."""
    return build_store(tmp_path_factory.mktemp("screens") / "demo.gpkg")


@pytest.fixture(scope="session")
def police(store) -> RoleView:
    """The police's view of the store."""
    return RoleView(store, "police", as_of=AS_OF)


@pytest.fixture(scope="session")
def elu(store) -> RoleView:
    """The elected officials' view of the store."""
    return RoleView(store, "elu", as_of=AS_OF)


def last_year(view: RoleView, categories: list[str] | None = None) -> indicators.Selection:
    """Return the last year of data, all categories (or the given ones)."""
    sel = indicators.default_selection(view.incidents())
    cats = tuple(categories) if categories is not None else sel.categories
    return indicators.Selection(sel.start, sel.end, cats, sel.quartiers)


def assert_same(a: object, b: object, where: str = "") -> None:
    """Assert two results are equal, looking inside dataclasses, frames, arrays, tuples."""
    if isinstance(a, gpd.GeoDataFrame):
        assert isinstance(b, gpd.GeoDataFrame), where
        assert_geodataframe_equal(a, b, check_less_precise=True)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif sparse.issparse(a):
        assert a.shape == b.shape and (a != b).nnz == 0, where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            if f.name in TIMINGS:
                continue
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b, where


def check_memo(compute, direct) -> object:
    """Assert ``compute()`` equals ``direct()`` and is memoised; return the result."""
    first = compute()
    assert_same(first, direct())
    assert compute() is first
    return first


@pytest.fixture
def same():
    """:func:`assert_same`, as a fixture."""
    return assert_same


@pytest.fixture
def memoised():
    """:func:`check_memo`, as a fixture."""
    return check_memo


@pytest.fixture
def year():
    """:func:`last_year`, as a fixture."""
    return last_year
