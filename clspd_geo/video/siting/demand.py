"""Siting demand: weighted incidents aggregated into cells, or the cells of a surface.

Incidents are weighted by category (equal, by severity, or by a table) and by recency (a
half-life in days), then usually aggregated into small square cells whose centres are the
demand points; a hotspot surface gives one demand point per cell instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs, vocab
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError
from clspd_geo.video import coverage
from clspd_geo.video.siting.model import Demand


def incident_weights(incidents: pd.DataFrame, *,
                     category_weights: Mapping[str, float] | Literal["egal", "gravite"] = "egal",
                     half_life_days: float | None = None,
                     reference: dt.datetime | None = None) -> np.ndarray:
    """Return the weight of each incident: category weight times recency weight.

    Parameters
    ----------
    incidents
        Frame with ``category`` (and ``occurred_at`` for recency).
    category_weights
        ``"egal"`` (1 each), ``"gravite"`` (the vocabulary's severity, 1–5) or a mapping
        ``{category: weight}`` (categories absent from the mapping weigh 0).
    half_life_days
        An incident this many days older than ``reference`` weighs half as much.
    reference
        Date recency is measured from (default: the latest incident).
    """
    n = len(incidents)
    if isinstance(category_weights, str):
        if category_weights == "egal":
            w = np.ones(n)
        elif category_weights == "gravite":
            sev = vocab.severity_weights()
            w = incidents["category"].astype(str).map(sev).fillna(1.0).to_numpy(dtype=float)
        else:
            msg = (f"Pondération inconnue « {category_weights} » : choisissez « egal », "
                   "« gravite » ou un poids par catégorie.")
            raise EmptySelectionError(msg)
    else:
        w = incidents["category"].astype(str).map(dict(category_weights)).fillna(0.0) \
            .to_numpy(dtype=float)
    if half_life_days is not None:
        if half_life_days <= 0:
            raise EmptySelectionError("La demi-vie doit être un nombre de jours positif.")
        ts = pd.to_datetime(incidents["occurred_at"])
        ref = pd.Timestamp(reference) if reference is not None else ts.max()
        age = (ref - ts).dt.total_seconds().to_numpy() / 86400.0
        w = w * np.power(0.5, np.clip(np.nan_to_num(age, nan=0.0), 0, None) / half_life_days)
    return w


def demand_from_incidents(incidents: pd.DataFrame, *, epsg: int | None = None,
                          category_weights: Mapping[str, float] | Literal["egal", "gravite"]
                          = "egal", half_life_days: float | None = None,
                          reference: dt.datetime | None = None,
                          cell_size_m: float | None = 50.0) -> Demand:
    """Return the demand of a set of incidents, aggregated into square cells.

    Parameters
    ----------
    incidents
        A GeoDataFrame (any CRS), or a light frame with ``x``/``y`` metres and ``epsg``.
    cell_size_m
        Side of the aggregation cells, metres (the demand point is the cell centre);
        ``None`` keeps one demand point per incident.
    category_weights, half_life_days, reference
        See :func:`incident_weights`.

    Raises
    ------
    EmptySelectionError
        No incident (for instance none in the chosen period), or all weights are zero.
    """
    x, y, epsg_out = coverage.points_xy(incidents, epsg=epsg)
    if len(x) == 0:
        msg = ("Aucun fait dans la période choisie : impossible de placer des caméras sans "
               "demande. Élargissez la période ou les catégories.")
        raise EmptySelectionError(msg)
    w = incident_weights(incidents, category_weights=category_weights,
                         half_life_days=half_life_days, reference=reference)
    ok = np.isfinite(x) & np.isfinite(y) & (w > 0)
    if not ok.any():
        msg = ("Tous les faits retenus ont un poids nul : vérifiez les poids par catégorie.")
        raise EmptySelectionError(msg)
    x, y, w = x[ok], y[ok], w[ok]
    desc = f"{int(ok.sum())} faits"
    if cell_size_m is None:
        return Demand(x, y, w, epsg_out, desc)
    if cell_size_m <= 0:
        raise EmptySelectionError("La taille des cellules de demande doit être positive.")
    size = float(cell_size_m)
    x0 = np.floor(x.min() / size) * size
    y0 = np.floor(y.min() / size) * size
    grid = cells.Grid(float(x0), float(y0), size, int((x.max() - x0) // size) + 1,
                      int((y.max() - y0) // size) + 1, epsg_out)
    counts = cells.count(grid, x, y, weights=w)
    flat = np.flatnonzero(counts > 0)
    cx, cy = grid.centres(flat)
    desc += f" regroupés en {len(flat)} cellules de {cell_size_m:g} m"
    return Demand(np.asarray(cx, dtype=float), np.asarray(cy, dtype=float), counts[flat],
                  epsg_out, desc)


def demand_from_surface(surface: gpd.GeoDataFrame, *, column: str,
                        epsg: int | None = None) -> Demand:
    """Return demand from a surface of cells (hotspot grid): one point per cell centroid.

    Parameters
    ----------
    surface
        Polygons (any CRS) with a value column, e.g. a hotspot grid.
    column
        The value column; cells with a value of zero or less are left out.
    """
    if column not in surface.columns:
        msg = f"La surface n'a pas de colonne « {column} » : choisissez la colonne des valeurs."
        raise EmptySelectionError(msg)
    work = crs.to_compute(surface, epsg=epsg)
    w = pd.to_numeric(work[column], errors="coerce").fillna(0).to_numpy(dtype=float)
    keep = w > 0
    if not keep.any():
        raise EmptySelectionError("La surface de demande est vide (toutes les valeurs sont "
                                  "nulles) : choisissez une autre période ou un autre indicateur.")
    c = work.geometry[keep].centroid
    return Demand(c.x.to_numpy(dtype=float), c.y.to_numpy(dtype=float), w[keep],
                  int(work.crs.to_epsg()), f"surface « {column} » ({int(keep.sum())} cellules)")
