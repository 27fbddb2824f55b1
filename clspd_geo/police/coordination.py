"""National / municipal police coordination: where their sectors overlap, what nobody covers.

Compares the national (PN) and municipal (PM) police sectors: where they overlap (area,
incidents by shift), the places no sector covers, and the places each force leaves out.
Areas are measured in the territory's metric CRS (:func:`crs.to_compute`); geometries are
handed back in EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs
from clspd_geo.police._geom import polygonal
from clspd_geo.police.load import MUNICIPAL, NATIONAL, row_loads
from clspd_geo.police.shifts import DEFAULT_SHIFTS, Shift, check_shifts, shift_of


@dataclass(frozen=True)
class Coordination:
    """Overlap and gaps of the national and municipal police sectors.

    Attributes
    ----------
    overlap
        One row per (PN sector, PM sector) pair that overlap, EPSG:4326: ``sector_pn``,
        ``sector_pm``, ``area_m2``, ``n_incidents``, then ``n_<shift code>`` per shift.
    overlap_area_m2
        Total area covered by both forces.
    overlap_by_shift
        Incidents in the overlap per shift: ``shift``, ``shift_label``, ``n_incidents``,
        ``load``.
    uncovered
        Places of the territory covered by no sector of any force, EPSG:4326, one row per
        part: ``area_m2``, ``n_incidents``. Empty when no territory was given.
    gaps_by_force
        Places of the territory a force does not cover, EPSG:4326: ``force``, ``area_m2``,
        ``n_incidents``.
    """

    overlap: gpd.GeoDataFrame
    overlap_area_m2: float
    overlap_by_shift: pd.DataFrame
    uncovered: gpd.GeoDataFrame
    gaps_by_force: gpd.GeoDataFrame


def _union(geoms: np.ndarray) -> shapely.Geometry:
    geoms = shapely.make_valid(np.asarray(geoms))
    return shapely.union_all(geoms) if len(geoms) else shapely.Polygon()


def coordination(sectors: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *,
                 territory: gpd.GeoDataFrame | None = None,
                 shifts: Sequence[Shift] = DEFAULT_SHIFTS,
                 weights: Mapping[str, float] | None = None,
                 forces: tuple[str, str] = (NATIONAL, MUNICIPAL),
                 min_area_m2: float = 100.0) -> Coordination:
    """Measure where national and municipal patrols overlap, and what nobody covers.

    Parameters
    ----------
    sectors
        Sectors of every force (``sector_id``, ``force``), any CRS.
    incidents
        Incidents (``occurred_at``, ``category``), any CRS; a row with an ``n`` column
        stands for ``n`` incidents (:func:`clspd_geo.police.load.row_loads`).
    territory
        Limits of the territory; without it, uncovered places and gaps are not computed.
    forces
        The two forces compared (national, municipal).
    min_area_m2
        Smaller slivers (digitising noise) are ignored, square metres.
    """
    check_shifts(shifts)
    crs.require_crs(sectors, layer="secteurs")
    work = crs.to_compute(sectors)
    epsg = work.crs.to_epsg()
    pts = crs.to_compute(incidents, epsg=epsg)
    when = shift_of(pts["occurred_at"], shifts=shifts)
    n, w = row_loads(pts, weights=weights)
    xy = crs.metric_xy(pts, epsg=epsg)
    px, py = xy[:, 0], xy[:, 1]
    ok_pt = ~np.isnan(px)
    codes = [s.code for s in shifts]

    def inside(geom: shapely.Geometry) -> np.ndarray:
        if geom.is_empty:
            return np.zeros(len(pts), dtype=bool)
        return shapely.contains_xy(geom, np.nan_to_num(px), np.nan_to_num(py)) & ok_pt

    pn = work[work["force"] == forces[0]]
    pm = work[work["force"] == forces[1]]
    rows = []
    geoms = []
    pm_geoms = shapely.make_valid(pm.geometry.to_numpy())
    tree = shapely.STRtree(pm_geoms)
    for a, ga in zip(pn["sector_id"].astype(str), shapely.make_valid(pn.geometry.to_numpy())):
        for j in tree.query(ga, predicate="intersects"):
            inter = polygonal(shapely.intersection(ga, pm_geoms[j]))
            if inter.is_empty or inter.area < min_area_m2:
                continue
            mask = inside(inter)
            row = {"sector_pn": a, "sector_pm": str(pm["sector_id"].iloc[j]),
                   "area_m2": float(inter.area), "n_incidents": int(n[mask].sum())}
            for c in codes:
                row[f"n_{c}"] = int(n[mask & (when["shift"] == c).to_numpy()].sum())
            rows.append(row)
            geoms.append(inter)
    overlap = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["sector_pn", "sector_pm", "area_m2", "n_incidents"]
                     + [f"n_{c}" for c in codes]),
        geometry=gpd.GeoSeries(geoms, crs=epsg))
    both = _union(np.asarray(geoms, dtype=object)) if geoms else shapely.Polygon()
    in_both = inside(both)
    by_shift = pd.DataFrame({
        "shift": codes,
        "shift_label": [s.label for s in shifts],
        "n_incidents": [int(n[in_both & (when["shift"] == c).to_numpy()].sum()) for c in codes],
        "load": [float(w[in_both & (when["shift"] == c).to_numpy()].sum()) for c in codes],
    })

    uncovered = gpd.GeoDataFrame({"area_m2": [], "n_incidents": []},
                                 geometry=gpd.GeoSeries([], crs=epsg))
    gaps = gpd.GeoDataFrame({"force": [], "area_m2": [], "n_incidents": []},
                            geometry=gpd.GeoSeries([], crs=epsg))
    if territory is not None:
        terr = _union(crs.to_compute(territory, epsg=epsg).geometry.to_numpy())
        all_union = _union(work.geometry.to_numpy())
        parts = [p for p in shapely.get_parts(polygonal(shapely.difference(terr, all_union)))
                 if p.area >= min_area_m2]
        uncovered = gpd.GeoDataFrame(
            {"area_m2": [float(p.area) for p in parts],
             "n_incidents": [int(n[inside(p)].sum()) for p in parts]},
            geometry=gpd.GeoSeries(parts, crs=epsg))
        g_rows, g_geoms = [], []
        for force in forces:
            fu = _union(work.loc[work["force"] == force].geometry.to_numpy())
            gap = polygonal(shapely.difference(terr, fu))
            parts = [p for p in shapely.get_parts(gap) if p.area >= min_area_m2]
            if not parts:
                continue
            gap = shapely.union_all(parts)
            g_rows.append({"force": force, "area_m2": float(gap.area),
                           "n_incidents": int(n[inside(gap)].sum())})
            g_geoms.append(gap)
        gaps = gpd.GeoDataFrame(pd.DataFrame(g_rows, columns=["force", "area_m2",
                                                               "n_incidents"]),
                                geometry=gpd.GeoSeries(g_geoms, crs=epsg))
    return Coordination(crs.to_storage(overlap), float(both.area), by_shift,
                        crs.to_storage(uncovered), crs.to_storage(gaps))
