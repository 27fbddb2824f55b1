"""Every role's release prepared once after an import, for every app process to read.

A store that keeps frames derived from one version (PostGIS,
:mod:`clspd_geo.store.postgis_derived`) holds each role's release once it has been
computed; :func:`keep_releases` computes them right after a write, so that no user waits
for it.
"""

from __future__ import annotations

import datetime as dt

from clspd_geo import vocab
from clspd_geo.access import policy
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.store import Store


def keep_releases(store: Store, *, as_of: dt.date | None = None) -> int:
    """Compute and keep every role's release of the store's current version.

    For a store that keeps derived frames (PostGIS): after an import, the first page of
    every role in every app process then reads its release instead of computing it from
    the atoms. Returns the number of roles prepared (0 for another store).
    """
    if not hasattr(store, "keep_derived") or not store.has("incidents"):
        return 0
    version = store.version()
    for code in policy.ROLE_CODES:
        view = RoleView(store, code, as_of=as_of, version=version)
        view._aggregated()  # the exact part is the points: read by each process that needs it
        if not view._sees_points():  # the totals that count withheld facts (whole months)
            view.withheld(indicators.Selection(dt.date(2000, 1, 1), dt.date(2000, 2, 1),
                                               tuple(vocab.category_codes())))
    return len(policy.ROLE_CODES)
