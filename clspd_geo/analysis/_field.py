"""Shared inputs of the action-field analyses (schools, addictions, victims).

Incidents may be given as a GeoDataFrame (any CRS) or as the prepared table of
:func:`clspd_geo.analysis.indicators.prepare_incidents` (``x``/``y`` in metres in ``epsg``),
which the pages hold for speed.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs, vocab
from clspd_geo.analysis import accessibility
from clspd_geo.errors import EmptySelectionError


def points_xy(points: gpd.GeoDataFrame | pd.DataFrame, *, epsg: int) -> np.ndarray:
    """Return ``(n, 2)`` metres in ``epsg``: projected geometry, or the ``x``/``y`` columns."""
    if isinstance(points, gpd.GeoDataFrame):
        return crs.metric_xy(points, epsg=epsg)
    return points[["x", "y"]].to_numpy(dtype=float)


def occurred_at(points: pd.DataFrame) -> pd.Series:
    """Return the ``occurred_at`` column as datetimes, indexed 0..n-1."""
    return pd.to_datetime(points["occurred_at"]).reset_index(drop=True)


def require_hours(times: pd.Series, *, what: str) -> None:
    """Raise when every time is midnight: the hours are unknown, not all at 0 h.

    Aggregated releases (roles that see incidents by month) and some exports carry dates
    without time; a comparison by hour would then put everything at midnight.
    """
    if len(times) >= 5 and bool((times.dt.hour.eq(0) & times.dt.minute.eq(0)).all()):
        msg = ("Les heures des faits ne sont pas disponibles (faits agrégés par mois pour votre "
               f"rôle, ou fichier importé sans heure) : {what} est impossible.")
        raise EmptySelectionError(msg)


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
