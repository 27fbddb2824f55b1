"""Incidents around schools: rings at school hours against other hours, and school zones.

Schools concern the jeunesse and road-safety fields: :func:`school_surroundings` counts
incidents in 200 m and 500 m rings around schools at school hours and at other hours,
:func:`school_zone_counts` gives each incident to its nearest school within reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from clspd_geo import _format, config, crs, vocab
from clspd_geo.analysis import _field, indicators

SCHOOL_KINDS = ("ecole_maternelle", "ecole_elementaire", "college", "lycee")


def is_school_time(when: pd.Series) -> np.ndarray:
    """Tell which times fall in school hours.

    School hours are Monday, Tuesday, Thursday and Friday 8:00–16:59, and Wednesday
    8:00–11:59 (the usual French timetable). School holidays are not known to the app:
    their weekdays count as school hours, which makes the contrast with other hours smaller,
    never larger.
    """
    ts = pd.to_datetime(when)
    wd = ts.dt.day_of_week.to_numpy()
    h = ts.dt.hour.to_numpy()
    full_day = np.isin(wd, (0, 1, 3, 4)) & (h >= 8) & (h < 17)
    wednesday = (wd == 2) & (h >= 8) & (h < 12)
    return full_day | wednesday


@dataclass(frozen=True)
class SchoolRings:
    """Incidents by distance to the nearest school, at school hours and other hours.

    Attributes
    ----------
    table
        One row per ring (``Anneau``: "0 – 200 m", "200 – 500 m", "au-delà de 500 m"):
        ``Faits``, ``Aux heures scolaires``, ``Hors heures scolaires``, ``Part aux heures
        scolaires (%)``; counts are text when suppressed (``k`` > 0).
    rings
        The ring polygons around the schools (EPSG:4326): ``label``, ``inner_m``, ``outer_m``.
    n_schools
        Number of schools.
    """

    table: pd.DataFrame
    rings: gpd.GeoDataFrame
    n_schools: int
    shares: tuple[float, ...]
    counts: tuple[int, ...]

    def sentence(self, *, what: str = "faits") -> str:
        """Return one French sentence comparing the nearest ring with the rest."""
        near, far = self.shares[0], self.shares[-1]
        if self.counts[0] == 0:
            return (f"Aucun des {what} de la sélection ne s'est produit à moins de "
                    f"{self.table['Anneau'].iloc[0].split('– ')[1]} d'une école.")
        ratio = near / far if far else float("inf")
        if far == 0 or ratio >= 1.25:
            verdict = "nettement plus souvent pendant les heures de classe qu'ailleurs"
        elif ratio <= 0.8:
            verdict = "moins souvent pendant les heures de classe qu'ailleurs"
        else:
            verdict = "à peu près aussi souvent pendant les heures de classe qu'ailleurs"
        inner = self.table["Anneau"].iloc[0].split("– ")[1]
        outer = self.table["Anneau"].iloc[-1].split("de ")[-1]
        return (f"Autour des {self.n_schools} écoles, {_format.number(near)} % des {what} à "
                f"moins de {inner} ont lieu aux heures de classe, contre "
                f"{_format.number(far)} % au-delà de {outer}"
                f" : les abords des écoles sont touchés {verdict}.")


def school_surroundings(incidents: gpd.GeoDataFrame | pd.DataFrame,
                        facilities: gpd.GeoDataFrame, *, epsg: int,
                        radii_m: tuple[float, ...] = (200.0, 500.0),
                        kinds: Sequence[str] = SCHOOL_KINDS, k: int = 0) -> SchoolRings:
    """Count incidents in rings around schools, at school hours and at other hours.

    Parameters
    ----------
    incidents
        Points with ``occurred_at`` (a GeoDataFrame in any CRS, or the prepared table with
        ``x``/``y`` in ``epsg``); a row stands for ``n`` incidents when it has that column
        (:func:`clspd_geo.analysis.indicators.weights`). Accidents work too.
    facilities
        The ``equipements`` layer; schools are the rows of ``kinds``.
    epsg
        Metric CRS of the computation.
    radii_m
        Increasing outer radii of the rings, metres.
    k
        Suppress counts from 1 to k−1 in the table (0: show every count).

    Raises
    ------
    EmptySelectionError
        No school in ``facilities``.
    """
    schools = _field.sites(facilities, kinds)
    if schools.empty:
        raise _field.no_site(kinds)
    sxy = _field.points_xy(schools, epsg=epsg)
    xy = _field.points_xy(incidents, epsg=epsg)
    w = indicators.weights(incidents)
    dist = cKDTree(sxy).query(xy)[0] if len(xy) else np.zeros(0)
    times = _field.occurred_at(incidents) if len(xy) else pd.Series([], dtype="datetime64[ns]")
    _field.require_hours(times, what="la comparaison heures de classe / autres heures",
                         weights=w)
    school = is_school_time(times) if len(xy) else np.zeros(0, dtype=bool)
    edges = [0.0, *radii_m, np.inf]
    rows, shares, counts = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (dist > lo) & (dist <= hi) if lo > 0 else dist <= hi
        n, ns = int(w[inside].sum()), int(w[inside & school].sum())
        label = f"au-delà de {lo:.0f} m" if np.isinf(hi) else f"{lo:.0f} – {hi:.0f} m"
        share = _field.share_pct(ns, n)
        shares.append(share)
        counts.append(n)
        rows.append({"Anneau": label, "Faits": n, "Aux heures scolaires": ns,
                     "Hors heures scolaires": n - ns,
                     "Part aux heures scolaires (%)": round(share, 1) if n >= max(k, 1) else None})
    table = pd.DataFrame(rows)
    if k:
        for col in ("Faits", "Aux heures scolaires", "Hors heures scolaires"):
            table[col] = indicators.suppress_small(table[col], k=k).to_numpy()
    work = crs.to_compute(schools, epsg=epsg)
    ring_rows = []
    for lo, hi in zip(edges[:-2], edges[1:-1], strict=True):
        outer = work.geometry.buffer(hi).union_all()
        geom = outer.difference(work.geometry.buffer(lo).union_all()) if lo > 0 else outer
        ring_rows.append({"label": f"Abords des écoles : {lo:.0f} – {hi:.0f} m",
                          "inner_m": lo, "outer_m": hi, "geometry": geom})
    rings = gpd.GeoDataFrame(ring_rows, geometry="geometry", crs=epsg).to_crs(config.STORAGE_CRS)
    return SchoolRings(table, rings, len(schools), tuple(shares), tuple(counts))


def school_zone_counts(incidents: gpd.GeoDataFrame | pd.DataFrame,
                       facilities: gpd.GeoDataFrame, *, epsg: int, radius_m: float = 500.0,
                       kinds: Sequence[str] = SCHOOL_KINDS, k: int = 0) -> pd.DataFrame:
    """Count incidents per school zone: each incident goes to its nearest school within reach.

    A school zone is the part of the ``radius_m`` disc around a school that is nearer to it
    than to any other school, so an incident counts once.

    Returns
    -------
    DataFrame
        ``facility_id``, ``École`` (name), ``Type`` (French), ``faits`` (int) and
        ``Faits`` (text, "< k" for counts from 1 to k−1 when ``k`` > 0), sorted by
        decreasing count.

    Raises
    ------
    EmptySelectionError
        No school in ``facilities``.
    """
    schools = _field.sites(facilities, kinds)
    if schools.empty:
        raise _field.no_site(kinds)
    xy = _field.points_xy(incidents, epsg=epsg)
    counts = np.zeros(len(schools), dtype=np.int64)
    if len(xy):
        dist, idx = cKDTree(_field.points_xy(schools, epsg=epsg)).query(xy)
        near = dist <= radius_m
        counts = np.bincount(idx[near], weights=indicators.weights(incidents)[near],
                             minlength=len(schools)).astype(np.int64)
    out = pd.DataFrame({"facility_id": schools["facility_id"].to_numpy(),
                        "École": schools["name"].to_numpy(),
                        "Type": schools["kind"].map(vocab.facility_labels()).to_numpy(),
                        "faits": counts})
    out["Faits"] = (indicators.suppress_small(out["faits"], k=k) if k
                    else out["faits"].astype(str))
    return out.sort_values("faits", ascending=False, kind="stable").reset_index(drop=True)
