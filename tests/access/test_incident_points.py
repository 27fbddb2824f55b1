"""RoleView.incident_points: the weighted release as points, each with its incidents in n."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from clspd_geo import demo
from clspd_geo.access.view import RoleView
from clspd_geo.store import GeoPackageStore

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def police(tmp_path_factory) -> RoleView:
    store = GeoPackageStore(tmp_path_factory.mktemp("points") / "demo.gpkg", create=True)
    store.write_many(demo.build_demo(seed=1, n_incidents=3000), source=demo.source_label(1))
    return RoleView(store, "police", as_of=AS_OF)


def test_points_are_the_rows_of_counts_with_their_n(police):
    counts = police.counts()
    pts = police.incident_points()
    assert pts.crs.to_epsg() == 4326 and len(pts) == len(counts) < len(police.incidents())
    np.testing.assert_array_equal(pts["n"].to_numpy(), counts["n"].to_numpy())
    assert int(pts["n"].sum()) == len(police.incidents())
    np.testing.assert_allclose(pts.geometry.x.to_numpy(), counts["lon"].to_numpy())


def test_timed_points_stand_for_one_incident_each(police):
    pts = police.incident_points(timed=True)
    assert len(pts) == len(police.incidents(timed=True)) > 0
    assert (pts["n"] == 1).all() and pts["time_known"].all()
