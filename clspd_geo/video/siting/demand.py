"""Siting demand: weighted incidents or accidents at their real positions, or a surface.

Incidents are weighted by category (equal, by severity, or by a table) and by recency (a
half-life in days); accidents by the severity of their victims. A row of a weighted release
(:meth:`clspd_geo.access.view.RoleView.counts`) stands for its ``n`` incidents at its
position: its weight is ``n`` times theirs, which is the demand of the ``n`` rows it would
expand to (merged, as below). The demand points are the
real positions: only points at exactly the same position are merged (weights added), so
every coverage figure is the one of the real points. A hotspot surface gives one demand
point per cell instead (a choice of the planner, described as such).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, crs, vocab
from clspd_geo.analysis import indicators, road_safety
from clspd_geo.errors import EmptySelectionError
from clspd_geo.video import coverage
from clspd_geo.video.siting.model import Demand

NO_DEMAND = ("Aucun fait dans la période choisie : impossible de placer des caméras sans "
             "demande. Élargissez la période ou les catégories.")


def incident_weights(incidents: pd.DataFrame, *,
                     category_weights: Mapping[str, float] | Literal["egal", "gravite"] = "egal",
                     half_life_days: float | None = None,
                     reference: dt.datetime | None = None) -> np.ndarray:
    """Return the weight of each row: its incidents times category weight times recency weight.

    Parameters
    ----------
    incidents
        Frame with ``category`` (and ``occurred_at`` for recency); a row with an ``n``
        column stands for ``n`` incidents (:func:`clspd_geo.analysis.indicators.weights`).
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
    return w * indicators.weights(incidents)


def merge_positions(x: np.ndarray, y: np.ndarray, weight: np.ndarray, *, epsg: int,
                    description: str, n_source: int | None = None) -> Demand:
    """Return the demand of weighted points, points at the same position merged.

    Only points at exactly the same coordinates are merged (their weights added): every
    coverage test stays the one of the real points, so nothing is approximated.
    ``n_source`` is the number of incidents behind the points (default: one per point).
    """
    xy = np.column_stack([x, y])
    uniq, inverse = np.unique(xy, axis=0, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weight, minlength=len(uniq))
    return Demand(uniq[:, 0].copy(), uniq[:, 1].copy(), w, int(epsg), description,
                  n_source=len(x) if n_source is None else int(n_source))


def _positions_text(n_points: int, n_units: int, noun: str) -> str:
    text = f"{_format.number(n_points)} {noun}"
    if n_units < n_points:
        text += (f" en {_format.number(n_units)} positions distinctes (ceux au même endroit "
                 "sont additionnés)")
    return text


def demand_from_incidents(incidents: pd.DataFrame, *, epsg: int | None = None,
                          category_weights: Mapping[str, float] | Literal["egal", "gravite"]
                          = "egal", half_life_days: float | None = None,
                          reference: dt.datetime | None = None) -> Demand:
    """Return the demand of a set of incidents: one point per position, exact.

    Incidents at exactly the same position are merged (their weights added); nothing else
    is aggregated, so coverage is tested on the real points.

    Parameters
    ----------
    incidents
        A GeoDataFrame (any CRS), or a light frame with ``x``/``y`` metres and ``epsg``; a
        row with an ``n`` column stands for ``n`` incidents at its position. Rows of a
        role's release placed at a zone's centre (``zone_level`` other than ``point``) are
        counted there, and the description says how many incidents they hold.
    category_weights, half_life_days, reference
        See :func:`incident_weights`.

    Raises
    ------
    EmptySelectionError
        No incident (for instance none in the chosen period), or all weights are zero.
    """
    x, y, epsg_out = coverage.points_xy(incidents, epsg=epsg)
    if len(x) == 0:
        raise EmptySelectionError(NO_DEMAND)
    w = incident_weights(incidents, category_weights=category_weights,
                         half_life_days=half_life_days, reference=reference)
    ok = np.isfinite(x) & np.isfinite(y) & (w > 0)
    if not ok.any():
        msg = ("Tous les faits retenus ont un poids nul : vérifiez les poids par catégorie.")
        raise EmptySelectionError(msg)
    x, y, w = x[ok], y[ok], w[ok]
    n_incidents = int(indicators.weights(incidents)[ok].sum())
    n_units = len(np.unique(np.column_stack([x, y]), axis=0))
    text = _positions_text(n_incidents, n_units, "faits")
    if "zone_level" in incidents.columns:  # a role's release: some rows may stand for a zone
        zoned = (incidents["zone_level"].astype(str).to_numpy() != "point")[ok]
        n_zoned = int(indicators.weights(incidents)[ok][zoned].sum())
        if n_zoned:
            text += (f", dont {_format.number(n_zoned)} publiés par zone pour ce rôle (maille, "
                     "quartier ou commune) et placés au centre de leur zone : les chiffres de "
                     "ceux-là sont indicatifs")
    return merge_positions(x, y, w, epsg=epsg_out, n_source=n_incidents, description=text)


ACCIDENT_WEIGHTS = dict(road_safety.SEVERITY)
"""Weight of an accident per victim: 10 per person killed, 3 per person hospitalised over
24 h, 1 per person slightly injured (the severity score of
:mod:`clspd_geo.analysis.road_safety`). An accident with no victim recorded weighs 1: an
injury accident has at least one victim, a missing count must not erase it."""


def accident_weights(accidents: pd.DataFrame) -> np.ndarray:
    """Return the weight of each accident (see :data:`ACCIDENT_WEIGHTS`)."""
    if len(accidents) == 0:
        return np.zeros(0)
    score = road_safety.severity_score(accidents)
    return np.maximum(np.asarray(score, dtype=float), 1.0)


def demand_from_accidents(accidents: gpd.GeoDataFrame, *, epsg: int | None = None) -> Demand:
    """Return the demand of road accidents, weighted by severity (one point per position).

    Parameters
    ----------
    accidents
        The accidents layer (points, any CRS) with ``killed``, ``hospitalised`` and
        ``slightly_injured``; weights in :data:`ACCIDENT_WEIGHTS`.
    epsg
        Metric CRS (default: the layer's own).

    Raises
    ------
    EmptySelectionError
        No accident (for instance none in the chosen period).
    """
    if len(accidents) == 0:
        raise EmptySelectionError("Aucun accident dans la période choisie : impossible de "
                                  "placer des caméras sans demande. Élargissez la période, "
                                  "ou importez les accidents depuis la page « Données ».")
    x, y, epsg_out = coverage.points_xy(accidents, epsg=epsg)
    w = accident_weights(accidents)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise EmptySelectionError("Aucun accident n'a de position : vérifiez la couche des "
                                  "accidents.")
    x, y, w = x[ok], y[ok], w[ok]
    n_units = len(np.unique(np.column_stack([x, y]), axis=0))
    desc = (_positions_text(len(x), n_units, "accidents")
            + " pondérés par la gravité (tué 10, hospitalisé 3, blessé léger 1)")
    return merge_positions(x, y, w, epsg=epsg_out, description=desc)


def demand_from_surface(surface: gpd.GeoDataFrame, *, column: str,
                        epsg: int | None = None, label: str | None = None) -> Demand:
    """Return demand from a surface of cells (hotspot grid): one point per cell centroid.

    Parameters
    ----------
    surface
        Polygons (any CRS) with a value column, e.g. a hotspot grid.
    column
        The value column; cells with a value of zero or less are left out.
    label
        French name of the values, for the description (default: the column name).
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
    n = int(keep.sum())
    return Demand(c.x.to_numpy(dtype=float), c.y.to_numpy(dtype=float), w[keep],
                  int(work.crs.to_epsg()), f"surface « {label or column} » ({n} cellules)",
                  n_source=n)
