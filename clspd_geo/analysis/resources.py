"""Radicalisation prevention: resources and actions per quartier, aggregated only.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from clspd_geo import _format, crs, safe
from clspd_geo.analysis import accessibility, areas

def resources_by_quartier(quartiers: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
                          actions: gpd.GeoDataFrame, *, kinds: Sequence[str],
                          field: str) -> gpd.GeoDataFrame:
    """Return, per quartier, the resources of an action field and its actions (counts only).

    Parameters
    ----------
    quartiers
        The ``quartiers`` layer.
    facilities
        The ``equipements`` layer; resources are the rows of ``kinds`` (confidential
        sites included in the counts, never located).
    actions
        The ``actions`` layer (may be empty); an action counts in its ``quartier_id``.
    field
        The action field whose actions are counted.

    Returns
    -------
    GeoDataFrame
        The quartiers (EPSG:4326) with ``ressources``, ``actions`` (not suspended) and
        ``actions_realisees``.
    """
    out = crs.to_storage(quartiers).reset_index(drop=True)
    fac, _ = accessibility.facility_frame(facilities, kinds)
    where = (areas.assign_quartier(crs.to_storage(fac), out) if len(fac)
             else pd.Series([], dtype=object))
    res_counts = where.value_counts()
    out["ressources"] = out["quartier_id"].map(res_counts).fillna(0).astype(int).to_numpy()
    act = actions[(actions["field"] == field)] if len(actions) else actions
    live = act[act["status"] != "suspendue"] if len(act) else act
    out["actions"] = out["quartier_id"].map(
        live["quartier_id"].value_counts() if len(live) else pd.Series(dtype=int)
    ).fillna(0).astype(int).to_numpy()
    done = live[live["status"] == "realisee"] if len(live) else live
    out["actions_realisees"] = out["quartier_id"].map(
        done["quartier_id"].value_counts() if len(done) else pd.Series(dtype=int)
    ).fillna(0).astype(int).to_numpy()
    return out


def resources_sentence(by_quartier: gpd.GeoDataFrame, *, counts: pd.Series, k: int) -> str:
    """Return one French sentence crossing resources, actions and (suppressed) reports.

    ``counts`` are the reports per ``quartier_id`` (raw; only counts ≥ k are named).
    """
    q = by_quartier.assign(signalements=by_quartier["quartier_id"].map(counts).fillna(0))
    without = q[(q["ressources"] == 0) & (q["actions"] == 0)]
    exposed = without[without["signalements"] >= k]
    text = (f"{_format.count(int(q['ressources'].sum()), 'ressource')} de prévention et "
            f"d'orientation et {_format.count(int(q['actions'].sum()), 'action')} de "
            "sensibilisation ou de formation sont rattachées à un quartier ; "
            f"{_format.count(len(without), 'quartier')} "
            f"n'en {'a' if len(without) < 2 else 'ont'} aucune.")
    if len(exposed):
        names = ", ".join(safe.md(n) for n in exposed["name"])
        verb = "compte" if len(exposed) == 1 else "comptent"
        text += (f" Parmi eux, {names} {verb} au moins {k} signalements ou atteintes sur la "
                 "période : une action de proximité y est à envisager.")
    return text
