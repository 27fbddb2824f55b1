"""Demo frames shared by the tests of clspd_geo.demo (built once per test module)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from clspd_geo import demo

N_SMALL = 2_000


@pytest.fixture(scope="session")
def n_small() -> int:
    """Return the number of incidents of the ``small`` demo."""
    return N_SMALL


@pytest.fixture(scope="module")
def small() -> dict[str, gpd.GeoDataFrame]:
    return demo.build_demo(seed=0, n_incidents=N_SMALL)


@pytest.fixture(scope="module")
def full() -> dict[str, gpd.GeoDataFrame]:
    """Build at the default size (20,000 incidents), for rhythms and rare categories."""
    return demo.build_demo(seed=0)
