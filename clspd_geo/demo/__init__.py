"""The demo territory: Valbourg, a FICTITIOUS commune of about 50,000 inhabitants.

Everything here is invented, so the app can be shown and tested without any real,
sensitive data. The town sits in rural central France (around lon 2.95°, lat 46.60°)
and is clearly labelled: INSEE code ``"00000"``, name "Valbourg (commune fictive de
démonstration)", ``fictitious=True``.

The town plan is fixed (built in Lambert-93 metres around a local origin): an irregular
commune about 5.5 km across, ten quartiers (a Voronoi partition of named seeds, two of
them QPV), a ring boulevard and radial main roads, a bypass through the activity zone,
a railway line with one station, and streets. The ``seed`` drives everything random on
top of it: where facilities and cameras stand exactly, camera attributes, and every
incident and road accident. Only a ``numpy.random.Generator(PCG64(seed))`` is used, in a
fixed order (one spawned stream per family of layers), so the same seed always gives the
same layers, on any machine and day.

Incidents follow rhythms a CLSPD would recognise: hour-of-day profiles per category,
weekday weights, seasons, school days for school violence, market-day mornings, a mild
trend over the two years, and spatial clusters (station, bar street, QPV, deal points,
school exits, market, places of worship, main roads) over a background weighted by the
population of each quartier. Generation is vectorised: a million incidents take seconds.

One module per thing generated: :mod:`~clspd_geo.demo.townplan` (the fixed plan and its
layers: territoire, quartiers, voies, secteurs), :mod:`~clspd_geo.demo.sampling`,
:mod:`~clspd_geo.demo.rhythms` (calendar and category rhythms),
:mod:`~clspd_geo.demo.facilities`, :mod:`~clspd_geo.demo.cameras`,
:mod:`~clspd_geo.demo.incidents`, :mod:`~clspd_geo.demo.accidents`, and
:mod:`~clspd_geo.demo.intercommunal` (Valbourg and up to four fictitious neighbouring
communes, ``n_communes`` > 1); the action plan comes
from :func:`clspd_geo.plan.actions.demo_plan`. The demo builds frames only:
:func:`install` writes them to an opened store (any back-end).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from clspd_geo import _format
from clspd_geo.demo import accidents, cameras, facilities, incidents, intercommunal, townplan
from clspd_geo.demo.townplan import (INSEE_CODE, L93_EPSG, N_DAYS, NAME, ORIGIN_L93,
                                     PERIOD_END, PERIOD_START, POSTCODE_TOWN)
from clspd_geo.plan import actions
from clspd_geo.store import Store

__all__ = ["INSEE_CODE", "L93_EPSG", "LAYER_NAMES", "MAX_COMMUNES", "MAX_INCIDENTS", "NAME",
           "N_DAYS",
           "ORIGIN_L93", "PERIOD_END", "PERIOD_START", "POSTCODE_TOWN", "build_demo", "install",
           "source_label"]

LAYER_NAMES = ("territoire", "quartiers", "cameras", "secteurs", "incidents", "equipements",
               "accidents", "voies", "actions")
MAX_INCIDENTS = 5_000_000
MAX_COMMUNES = intercommunal.MAX_COMMUNES


def source_label(seed: int) -> str:
    """Return the provenance text of a demo store built with ``seed``."""
    return f"Territoire de démonstration fictif (graine {seed})"


def _check_args(seed: int, n_incidents: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"La graine doit être un entier positif ou nul (reçu : {seed!r}).")
    if (isinstance(n_incidents, bool) or not isinstance(n_incidents, (int, np.integer))
            or not 1 <= n_incidents <= MAX_INCIDENTS):
        top = _format.number(MAX_INCIDENTS)
        raise ValueError(f"Le nombre d'incidents doit être un entier entre 1 et {top} "
                         f"(reçu : {n_incidents!r}).")


def build_demo(*, seed: int = 0, n_incidents: int = 20_000,
               n_communes: int = 1) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of the fictitious demo commune of Valbourg (or of an intercommunality).

    Parameters
    ----------
    seed
        Seed of the ``numpy`` PCG64 generator; the same seed gives the same layers.
    n_incidents
        Number of incidents over the two years (1 to 5,000,000). From 24 up, every
        incident category is present; at the default 20,000 even the rarest has ≥ 10.
        With several communes, the total of all communes.
    n_communes
        1 (Valbourg alone), or 2 to 5 fictitious neighbouring communes of an
        intercommunal council (:mod:`clspd_geo.demo.intercommunal`).

    Returns
    -------
    dict
        ``{layer name: GeoDataFrame}`` for territoire, quartiers, cameras, secteurs,
        incidents, equipements, accidents, voies and actions (a fictitious CLSPD action
        plan, :func:`clspd_geo.plan.actions.demo_plan`), in EPSG:4326, conformed to
        :mod:`clspd_geo.schemas` (each passes ``schemas.validate``).

    Raises
    ------
    ValueError
        ``seed`` is negative, ``n_incidents`` or ``n_communes`` out of range.
    """
    _check_args(seed, n_incidents)
    if intercommunal.communes(n_communes)[1:]:
        frames = intercommunal.build(seed=seed, n_incidents=n_incidents, n_communes=n_communes)
        # The action plan is Valbourg's: its quartiers and facilities keep their ids.
        q, e = frames["quartiers"], frames["equipements"]
        frames["actions"] = actions.demo_plan(q[q["insee_code"] == INSEE_CODE],
                                              e[e["facility_id"].str.startswith("EQ-")])
        return frames
    # One independent PCG64 stream per family of layers, so that changing the number of
    # incidents leaves facilities, cameras and accidents as they were.
    rng_places, rng_cameras, rng_incidents, rng_accidents = np.random.Generator(
        np.random.PCG64(int(seed))).spawn(4)
    town = townplan.town()
    quartiers = townplan.quartiers(town)
    sites = facilities.facility_rows(town, rng_places)
    equipements = facilities.equipements(town, sites, rng_places)
    camera_layer, views = cameras.cameras(town, rng_cameras)
    incident_layer = incidents.incident_frame(town, sites, views, rng_incidents,
                                              int(n_incidents), quartiers)
    return {
        "territoire": townplan.territoire(town),
        "quartiers": quartiers,
        "cameras": camera_layer,
        "secteurs": townplan.secteurs(town),
        "incidents": incident_layer,
        "equipements": equipements,
        "accidents": accidents.accidents(town, rng_accidents),
        "voies": townplan.voies(town),
        # The CLSPD action plan (issue 8): fixed actions placed on the town plan.
        "actions": actions.demo_plan(quartiers, equipements),
    }


def install(store: Store, *, seed: int = 0, n_incidents: int = 20_000,
            n_communes: int = 1) -> dict[str, int]:
    """Build the demo territory and write it to an opened store, in one atomic step.

    Parameters
    ----------
    store
        An opened store of any back-end (:func:`clspd_geo.store.open_store`); the demo
        layers replace same-named layers, other tables are kept.
    seed, n_incidents, n_communes
        See :func:`build_demo`.

    Returns
    -------
    dict
        ``{layer name: number of rows written}``.
    """
    frames = build_demo(seed=seed, n_incidents=n_incidents, n_communes=n_communes)
    store.write_many(frames, source=source_label(seed))
    return {name: len(gdf) for name, gdf in frames.items()}
