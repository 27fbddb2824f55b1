"""A role's weighted release of demo layers, for the tests comparing it with its expansion."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from clspd_geo import crs
from clspd_geo.access import release
from clspd_geo.analysis import indicators
from clspd_geo.store import atoms


def role_release(frames: dict, role_code: str, *, as_of: dt.date) -> tuple[pd.DataFrame, int]:
    """Return ``(weighted release, metric EPSG)`` of demo ``frames`` for a role.

    The release of :meth:`clspd_geo.access.view.RoleView.counts`: one row per atom with its
    count ``n``, and the role's exact categories as points (``n`` = 1).
    """
    epsg = crs.metric_epsg(frames["territoire"])
    prepared = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    weighted = release.restrict_atoms(atoms.atoms_of_prepared(prepared), role_code=role_code,
                                      zones=zones, as_of=as_of, points=prepared)
    return weighted, epsg
