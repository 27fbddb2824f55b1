"""Hand-made layers shared by the action-field tests (Lambert-93 metres around X0, Y0)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from conftest import make_points
from shapely.geometry import box

from clspd_geo import crs, demo
from clspd_geo.access import release
from clspd_geo.analysis import indicators
from clspd_geo.store import atoms

X0, Y0 = 700_000.0, 6_600_000.0
EPSG = 2154

MONDAY_10H = "2025-03-03 10:00"
MONDAY_20H = "2025-03-03 20:00"
WEDNESDAY_14H = "2025-03-05 14:00"
SATURDAY_10H = "2025-03-08 10:00"


def facilities_at(xy, kinds, names=None):
    names = names or [f"Site {i}" for i in range(len(xy))]
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       facility_id=[f"F{i}" for i in range(len(xy))], name=names, kind=kinds)


def incidents_at(xy, when, cats=None, quartiers=None):
    n = len(xy)
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       incident_id=[f"I{i}" for i in range(n)],
                       occurred_at=pd.to_datetime(when),
                       category=cats or ["ivresse_publique"] * n,
                       quartier_id=quartiers or [None] * n)


def quartier_strip(population, qpv=None):
    n = len(population)
    return gpd.GeoDataFrame(
        {"quartier_id": [f"Q{i}" for i in range(n)], "name": [f"Quartier {i}" for i in range(n)],
         "insee_code": "00000", "qpv": qpv or [False] * n, "population": population},
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(n)],
        crs=2154).to_crs(4326)


@pytest.fixture(scope="module")
def demo_layers():
    return demo.build_demo(seed=3, n_incidents=20_000)


def weighted_demo(*, seed: int, n_incidents: int, role: str = "elu",
                  as_of: dt.date = dt.date(2026, 3, 15)):
    """Return ``(weighted release, prepared incidents, frames, epsg)`` of a demo territory.

    The release is the role's from the atoms (one row per released atom with its count
    ``n``, :func:`clspd_geo.access.release.restrict_atoms`), as
    :meth:`clspd_geo.access.view.RoleView.counts` returns it.
    """
    frames = demo.build_demo(seed=seed, n_incidents=n_incidents)
    epsg = crs.metric_epsg(frames["territoire"])
    prepared = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    weighted = release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code=role,
                                      zones=zones, as_of=as_of)
    return weighted, prepared, frames, epsg
