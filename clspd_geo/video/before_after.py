"""Before/after a camera is commissioned: incidents in its view, around it, and elsewhere.

For each camera with a commissioning date, incidents are counted in three areas over the
same number of days before and after that date:

- the *target* area: the camera's view (see :mod:`clspd_geo.video.cameras`);
- a *displacement ring*: the view grown by ``ring_m`` metres, minus the view, where
  incidents pushed away by the camera would land;
- the *control* area: the rest of the territory's incidents, which gives the trend the
  area would have followed anyway.

The weighted displacement difference (WDD; Bowers & Johnson 2003, test of Wheeler &
Ratcliffe 2018) is ``(T_a - T_b) - t (C_a - C_b)`` for the target plus the same for the ring,
where the control change is scaled to each area's "before" level (``t = T_b / C_b``,
``d = D_b / C_b``). A negative WDD is a net fall once displacement is counted. Its
variance, with Poisson counts, is ``T_a + T_b + D_a + D_b + (t² + d²)(C_a + C_b)``, and
``z = WDD / sqrt(variance)``. The weighted displacement quotient (WDQ) tells displacement
(< 0) from a diffusion of benefits (> 0). Small counts get a caution, not a verdict.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from clspd_geo.analysis import indicators
from clspd_geo.errors import EmptySelectionError
from clspd_geo.video import cameras as cams_mod
from clspd_geo.video import coverage

MIN_TARGET_COUNT = 20
"""Fewer incidents than this in the view (before + after) are too few to conclude."""
MIN_DAYS = 30
"""Shorter windows than this are not compared."""

COLUMNS = ["camera_id", "name", "commissioned_on", "days", "target_before", "target_after",
           "ring_before", "ring_after", "control_before", "control_after", "wdd", "z",
           "wdq", "enough", "verdict"]


def _verdict(enough: bool, wdd: float, z: float, days: int) -> str:
    if days < MIN_DAYS:
        return (f"Période trop courte ({days} jours avant et après) : données insuffisantes "
                "autour de la mise en service.")
    if not enough:
        return (f"Effectifs trop faibles pour conclure (moins de {MIN_TARGET_COUNT} faits dans "
                "le champ avant et après) : à lire avec prudence.")
    if not np.isfinite(z):
        return "Indicateur non calculable (aucun fait dans la zone témoin)."
    if abs(z) < 1.96:
        return "Pas de changement significatif (au seuil de 5 %)."
    if wdd < 0:
        return "Baisse nette significative, déplacement compris."
    return "Hausse nette significative, déplacement compris."


def before_after(cameras: gpd.GeoDataFrame, incidents: pd.DataFrame, *,
                 window_days: int = 365, ring_m: float = 100.0, gap_days: int = 0,
                 epsg: int | None = None) -> pd.DataFrame:
    """Compare incidents before and after each camera's commissioning date.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS) with ``commissioned_on``; cameras without a date are left
        out.
    incidents
        Incidents with ``occurred_at``: a GeoDataFrame (any CRS), or a light frame with
        ``x``/``y`` metres and ``epsg``; a row with an ``n`` column stands for ``n``
        incidents (:func:`clspd_geo.analysis.indicators.weights`).
    window_days
        Days compared on each side (shortened, equally on both sides, to the data there is).
    ring_m
        Width of the displacement ring around the view, metres.
    gap_days
        Days skipped after commissioning (installation, publicity period).
    epsg
        Metric CRS (required with a light frame).

    Returns
    -------
    DataFrame
        One row per dated camera: ``camera_id``, ``name``, ``commissioned_on``, ``days``
        (window used on each side), ``target_before/after``, ``ring_before/after``,
        ``control_before/after`` (counts), ``wdd``, ``z``, ``wdq``, ``enough`` (counts
        large enough to conclude) and ``verdict`` (French).

    Raises
    ------
    EmptySelectionError
        No camera has a commissioning date, or there is no incident.
    """
    if "commissioned_on" not in cameras.columns or cameras["commissioned_on"].isna().all():
        msg = ("Aucune caméra n'a de date de mise en service : renseignez « commissioned_on » "
               "pour comparer avant et après.")
        raise EmptySelectionError(msg)
    x, y, work_epsg = coverage.points_xy(incidents, epsg=epsg)
    if len(x) == 0:
        raise EmptySelectionError("Aucun fait à comparer avant et après la mise en service.")
    ts = pd.to_datetime(incidents["occurred_at"]).to_numpy()
    n = indicators.weights(incidents)
    first, last = ts.min(), ts.max()
    dated = cameras[cameras["commissioned_on"].notna()]
    p = cams_mod.view_params(dated, epsg=work_epsg)
    ok = np.isfinite(x) & np.isfinite(y)
    tree = cKDTree(np.column_stack([x[ok], y[ok]]))
    idx_ok = np.flatnonzero(ok)
    rows = []
    names = dated["name"].astype(str).tolist() if "name" in dated.columns else [""] * len(dated)
    for j, (cam_id, when) in enumerate(zip(dated["camera_id"].astype(str),
                                           pd.to_datetime(dated["commissioned_on"]),
                                           strict=True)):
        start_after = np.datetime64(when + pd.Timedelta(days=gap_days))
        before_days = int((np.datetime64(when) - first) / np.timedelta64(1, "D"))
        after_days = int((last - start_after) / np.timedelta64(1, "D")) + 1
        days = max(0, min(window_days, before_days, after_days))
        b0 = np.datetime64(when) - np.timedelta64(days, "D")
        b1 = np.datetime64(when)
        a0, a1 = start_after, start_after + np.timedelta64(days, "D")
        in_before = (ts >= b0) & (ts < b1)
        in_after = (ts >= a0) & (ts < a1)
        view = cams_mod.sector(p.x[j], p.y[j], p.bearing_deg[j], p.fov_deg[j],
                                float(p.range_m[j]), bool(p.full_circle[j]), 64)
        outer = view.buffer(ring_m)
        near = idx_ok[np.asarray(tree.query_ball_point([p.x[j], p.y[j]],
                                                       r=float(p.range_m[j]) + ring_m),
                                 dtype=np.int64)]
        in_view = np.zeros(len(x), dtype=bool)
        in_ring = np.zeros(len(x), dtype=bool)
        if len(near):
            v = shapely.intersects_xy(view, x[near], y[near])
            o = shapely.intersects_xy(outer, x[near], y[near])
            in_view[near] = v
            in_ring[near] = o & ~v
        in_ctrl = ~(in_view | in_ring)
        t_b, t_a = int(n[in_view & in_before].sum()), int(n[in_view & in_after].sum())
        d_b, d_a = int(n[in_ring & in_before].sum()), int(n[in_ring & in_after].sum())
        c_b, c_a = int(n[in_ctrl & in_before].sum()), int(n[in_ctrl & in_after].sum())
        if c_b > 0:
            kt, kd = t_b / c_b, d_b / c_b
            wdd = (t_a - t_b) - kt * (c_a - c_b) + (d_a - d_b) - kd * (c_a - c_b)
            var = t_a + t_b + d_a + d_b + (kt**2 + kd**2) * (c_a + c_b)
            z = wdd / np.sqrt(var) if var > 0 else np.nan
            denom = t_a / c_a - t_b / c_b if c_a > 0 else np.nan
            wdq = ((d_a / c_a - d_b / c_b) / denom) if c_a > 0 and denom != 0 else np.nan
        else:
            wdd, z, wdq = np.nan, np.nan, np.nan
        enough = (t_b + t_a) >= MIN_TARGET_COUNT and days >= MIN_DAYS
        rows.append([cam_id, names[j], dt.date.fromisoformat(str(when.date())), days, t_b, t_a,
                     d_b, d_a, c_b, c_a, wdd, z, wdq, enough, _verdict(enough, wdd, z, days)])
    return pd.DataFrame(rows, columns=COLUMNS)
