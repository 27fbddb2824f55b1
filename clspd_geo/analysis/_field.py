"""Shared inputs of the action-field analyses (schools, addictions, victims).

Incidents may be given as a GeoDataFrame (any CRS) or as the prepared table of
:func:`clspd_geo.analysis.indicators.prepare_incidents` (``x``/``y`` in metres in ``epsg``),
which the pages hold for speed, or the weighted release of
:meth:`clspd_geo.access.view.RoleView.counts` (one row per released atom, its number of
incidents in ``n``): every count weighs rows by :func:`clspd_geo.analysis.indicators.weights`,
so a weighted table and its expansion (one row per incident) give the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs, vocab
from clspd_geo.analysis import accessibility, indicators
from clspd_geo.errors import EmptySelectionError


def points_xy(points: gpd.GeoDataFrame | pd.DataFrame, *, epsg: int) -> np.ndarray:
    """Return ``(n, 2)`` metres in ``epsg``: projected geometry, or the ``x``/``y`` columns."""
    if isinstance(points, gpd.GeoDataFrame):
        return crs.metric_xy(points, epsg=epsg)
    return points[["x", "y"]].to_numpy(dtype=float)


def occurred_at(points: pd.DataFrame) -> pd.Series:
    """Return the ``occurred_at`` column as datetimes, indexed 0..n-1."""
    return pd.to_datetime(points["occurred_at"]).reset_index(drop=True)


def require_hours(times: pd.Series, *, what: str, weights: np.ndarray | None = None) -> None:
    """Raise when every time is midnight: the hours are unknown, not all at 0 h.

    Aggregated releases (roles that see incidents by month) and some exports carry dates
    without time; a comparison by hour would then put everything at midnight. ``weights``:
    how many incidents each time stands for (one each when None); five or more are needed
    to tell.
    """
    n = len(times) if weights is None else int(np.sum(weights))
    if n >= 5 and bool((times.dt.hour.eq(0) & times.dt.minute.eq(0)).all()):
        msg = ("Les heures des faits ne sont pas disponibles (faits agrégés par mois pour votre "
               f"rôle, ou fichier importé sans heure) : {what} est impossible.")
        raise EmptySelectionError(msg)


def median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the median of ``values`` each repeated ``weights`` times (NaN when none).

    The same figure as :func:`numpy.median` of the repeated values (the mean of the two
    middle ones for an even count), without repeating them.
    """
    keep = np.asarray(weights) > 0
    v, w = np.asarray(values, dtype=float)[keep], np.asarray(weights, dtype=np.int64)[keep]
    total = int(w.sum())
    if total == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    lo, hi = np.searchsorted(cum, [(total - 1) // 2, total // 2], side="right")
    return float((v[order][lo] + v[order][hi]) / 2)


def sites(facilities: gpd.GeoDataFrame, kinds: Sequence[str]) -> gpd.GeoDataFrame:
    """Return the facilities of ``kinds`` that have a point, indexed 0..n-1."""
    fac, _ = accessibility.facility_frame(facilities, kinds)
    return fac.reset_index(drop=True)


def no_site(kinds: Sequence[str]) -> EmptySelectionError:
    """Return the French error (to raise) saying no facility of ``kinds`` is loaded."""
    labels = ", ".join(vocab.facility_kind(k).label for k in kinds)
    return EmptySelectionError(f"Aucun équipement ({labels}) n'est chargé : "
                               f"{accessibility.IMPORT_FACILITIES}.")


def share_pct(part: float, whole: float) -> float:
    """Return ``part`` as a percentage of ``whole`` (0 when ``whole`` is 0)."""
    return 100.0 * part / whole if whole else 0.0
