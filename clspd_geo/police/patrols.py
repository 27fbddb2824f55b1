"""Patrol workload: incidents per sector, shift and weekday, and national/municipal coordination.

The workload of a sector is the number of incidents that fall in it, each weighted by the
severity of its category (weights from :func:`clspd_geo.vocab.severity_weights`, editable).
Shifts (*vacations*) are a setting: by default 06–14, 14–22 and 22–06. A shift that crosses
midnight belongs to the day it starts on: an incident on Tuesday at 02:00 is counted in
Monday's night shift, as the crew that handled it saw it.

Balance is read with two figures over the sectors of one force: the ratio of the largest
load to the mean (``max_over_mean``, 1 is perfect) and the coefficient of variation (``cv``,
population standard deviation over the mean, 0 is perfect).

Coordination compares the national (PN) and municipal (PM) police sectors: where they overlap
(area, incidents by shift), the places no sector covers, and, when patrol hours are given,
incidents per patrol hour by sector and shift.

Areas and distances are measured in the territory's metric CRS (:func:`crs.to_compute`);
geometries are handed back in EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs, vocab
from clspd_geo.errors import EmptySelectionError, SchemaError

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NATIONAL = "police_nationale"
MUNICIPAL = "police_municipale"


@dataclass(frozen=True)
class Shift:
    """A patrol shift (*vacation*): ``[start_h, end_h)`` in local hours, may cross midnight.

    Attributes
    ----------
    code
        Stable identifier (``"matin"``, ``"apres_midi"``, ``"nuit"``).
    label
        French label shown to users.
    start_h, end_h
        Start and end in hours since midnight (0–24, fractions for minutes). ``end_h`` smaller
        than ``start_h`` means the shift crosses midnight; equal means a 24-hour shift.
    """

    code: str
    label: str
    start_h: float
    end_h: float

    @property
    def crosses_midnight(self) -> bool:
        """Tell whether the shift ends the next day."""
        return self.end_h < self.start_h

    @property
    def hours(self) -> float:
        """Length of the shift in hours."""
        length = (self.end_h - self.start_h) % 24
        return 24.0 if length == 0 else float(length)

    def contains(self, hour: np.ndarray) -> np.ndarray:
        """Return a boolean mask of the fractional hours (0–24) that fall in the shift."""
        hour = np.asarray(hour, dtype=float)
        if self.start_h == self.end_h:
            return np.ones(hour.shape, dtype=bool)
        if self.crosses_midnight:
            return (hour >= self.start_h) | (hour < self.end_h)
        return (hour >= self.start_h) & (hour < self.end_h)


DEFAULT_SHIFTS: tuple[Shift, ...] = (
    Shift("matin", "Matin (06 h – 14 h)", 6, 14),
    Shift("apres_midi", "Après-midi (14 h – 22 h)", 14, 22),
    Shift("nuit", "Nuit (22 h – 06 h)", 22, 6),
)


def _fmt_h(hour: float) -> str:
    h = int(hour) % 24
    m = int(round((hour - int(hour)) * 60))
    return f"{h:02d} h {m:02d}" if m else f"{h:02d} h"


SHIFT_NAMES = {"matin": "Matin", "apres_midi": "Après-midi", "nuit": "Nuit", "jour": "Jour",
               "soir": "Soir"}


def make_shifts(bounds: Sequence[tuple[str, float, float]]) -> tuple[Shift, ...]:
    """Build and check shifts from ``(code, start_h, end_h)`` triples; labels are generated.

    A known code gets its French name (``"apres_midi"`` → "Après-midi (14 h – 22 h)").
    """
    shifts = tuple(Shift(str(code), f"{SHIFT_NAMES.get(str(code), str(code))} "
                         f"({_fmt_h(float(s))} – {_fmt_h(float(e))})", float(s), float(e))
                   for code, s, e in bounds)
    check_shifts(shifts)
    return shifts


def check_shifts(shifts: Sequence[Shift]) -> None:
    """Check that the shifts cover every minute of the day exactly once.

    Raises
    ------
    SchemaError
        No shift, a duplicate code, an hour outside 0–24, two shifts that overlap (the hours
        are named), or hours that no shift covers (the hours are named).
    """
    if not shifts:
        raise SchemaError("Aucune vacation n'est définie : indiquez au moins une vacation "
                          "(par exemple 06 h – 14 h, 14 h – 22 h, 22 h – 06 h).")
    codes = [s.code for s in shifts]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise SchemaError(f"Vacations en double : {', '.join(dup)}. Donnez un nom différent "
                          "à chaque vacation.")
    for s in shifts:
        if not (0 <= s.start_h <= 24 and 0 <= s.end_h <= 24):
            raise SchemaError(f"La vacation « {s.code} » a des heures hors de 0 h – 24 h "
                              f"({s.start_h:g} → {s.end_h:g}). Corrigez ses horaires.")
    minutes = np.arange(24 * 60) / 60.0
    cover = np.zeros((len(shifts), minutes.size), dtype=bool)
    for i, s in enumerate(shifts):
        cover[i] = s.contains(minutes)
    total = cover.sum(axis=0)
    problems: list[str] = []
    for i in range(len(shifts)):
        for j in range(i + 1, len(shifts)):
            both = cover[i] & cover[j]
            if both.any():
                problems.append(f"les vacations « {shifts[i].code} » et « {shifts[j].code} » "
                                f"se chevauchent ({_spans(both)})")
    if (total == 0).any():
        problems.append(f"aucune vacation ne couvre {_spans(total == 0)}")
    if problems:
        msg = ("Les horaires des vacations sont incohérents : " + " ; ".join(problems)
               + ". Chaque heure de la journée doit appartenir à une seule vacation.")
        raise SchemaError(msg)


def _spans(mask: np.ndarray) -> str:
    """Describe the minutes set in a 1,440-long mask as French hour ranges (wrapping midnight)."""
    spans: list[list[int]] = []
    start = None
    for minute, on in enumerate(list(mask) + [False]):
        if on and start is None:
            start = minute
        elif not on and start is not None:
            spans.append([start, minute])
            start = None
    if len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == len(mask):
        first = spans.pop(0)
        spans[-1][1] = first[1]
    return ", ".join(f"{_fmt_h(a / 60)} – {_fmt_h(b / 60)}" for a, b in spans)


def shift_of(times: pd.Series, *, shifts: Sequence[Shift] = DEFAULT_SHIFTS) -> pd.DataFrame:
    """Return the shift and the shift's day of each time.

    Parameters
    ----------
    times
        Local date-times (naive or aware; the wall-clock hour is used).

    Returns
    -------
    DataFrame
        Same index, columns ``shift`` (code, None for a missing time), ``shift_date`` (the
        day the shift started: the previous day for the early hours of a night shift) and
        ``weekday`` (0 = Monday, of ``shift_date``).
    """
    check_shifts(shifts)
    t = pd.to_datetime(times)
    hour = (t.dt.hour + t.dt.minute / 60 + t.dt.second / 3600).to_numpy(dtype=float)
    code = np.full(len(t), None, dtype=object)
    back = np.zeros(len(t), dtype=bool)
    ok = ~np.isnan(hour)
    for s in shifts:
        inside = ok & s.contains(np.nan_to_num(hour))
        code[inside] = s.code
        if s.crosses_midnight:
            back |= inside & (hour < s.end_h)
    day = t.dt.normalize() - pd.to_timedelta(back.astype(int), unit="D")
    return pd.DataFrame({"shift": code, "shift_date": day,
                         "weekday": day.dt.day_of_week.astype("Int64")}, index=times.index)


@dataclass(frozen=True)
class Balance:
    """Balance of a set of loads.

    Attributes
    ----------
    mean, max
        Mean and largest load.
    max_over_mean
        ``max / mean`` (1 = perfectly balanced; NaN when the mean is 0).
    cv
        Coefficient of variation: population standard deviation / mean (0 = balanced).
    """

    mean: float
    max: float
    max_over_mean: float
    cv: float


def balance(loads: Sequence[float] | np.ndarray | pd.Series) -> Balance:
    """Return the balance indicators of loads (one per sector)."""
    v = np.asarray(loads, dtype=float)
    if v.size == 0:
        return Balance(float("nan"), float("nan"), float("nan"), float("nan"))
    mean = float(v.mean())
    mx = float(v.max())
    if mean == 0:
        return Balance(0.0, mx, float("nan"), float("nan"))
    return Balance(mean, mx, mx / mean, float(v.std(ddof=0) / mean))


def incident_weights(categories: pd.Series, *, weights: Mapping[str, float] | None = None,
                     default_weight: float = 1.0) -> np.ndarray:
    """Return the workload weight of each incident from its category.

    ``weights`` defaults to the severities of the vocabulary; a category it does not list
    weighs ``default_weight``.
    """
    table = vocab.severity_weights() if weights is None else dict(weights)
    bad = {k: v for k, v in table.items() if not np.isfinite(v) or v < 0}
    if bad:
        sample = ", ".join(f"{k} = {v}" for k, v in list(bad.items())[:5])
        raise SchemaError(f"Poids de gravité invalides ({sample}) : un poids doit être un "
                          "nombre positif ou nul.")
    w = categories.map(table).astype(float)
    return w.fillna(default_weight).to_numpy()


def sector_of(points: gpd.GeoDataFrame, sectors: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the (point, sector) pairs where a point lies in a sector.

    A point lies in several sectors where sectors overlap (a PN and a PM sector, typically):
    it then appears once per sector. Points in no sector do not appear.

    Returns
    -------
    DataFrame
        ``point`` (positional index into ``points``) and ``sector`` (positional index into
        ``sectors``).
    """
    crs.require_crs(points, layer="incidents")
    crs.require_crs(sectors, layer="secteurs")
    work_s = crs.to_compute(sectors)
    work_p = crs.to_compute(points, epsg=work_s.crs.to_epsg())
    geoms = work_p.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(valid)
    tree = shapely.STRtree(shapely.make_valid(work_s.geometry.to_numpy()))
    p, s = tree.query(geoms[idx], predicate="intersects")
    return pd.DataFrame({"point": idx[p], "sector": s})


@dataclass(frozen=True)
class Workload:
    """Workload of the sectors.

    Attributes
    ----------
    table
        One row per sector × shift × weekday: ``sector_id``, ``name``, ``force``, ``shift``,
        ``weekday`` (0 = Monday), ``weekday_label``, ``n_incidents``, ``load`` (weighted).
        Every combination is present (zeros included).
    by_sector_shift
        One row per sector × shift: ``sector_id``, ``name``, ``force``, ``shift``,
        ``shift_label``, ``n_incidents``, ``load``, ``load_share`` (of the force and shift).
    by_sector
        One row per sector: ``sector_id``, ``name``, ``force``, ``n_incidents``, ``load``.
    balance
        One row per force × shift (``shift`` = ``"toutes"`` for the whole day):
        ``force``, ``shift``, ``n_sectors``, ``mean``, ``max``, ``max_over_mean``, ``cv``.
    outside
        Number of incidents (with a time) that fall in no sector.
    n_days
        Days covered by the incidents' period (for rates per week and per patrol hour).
    shifts
        The shifts used.
    """

    table: pd.DataFrame
    by_sector_shift: pd.DataFrame
    by_sector: pd.DataFrame
    balance: pd.DataFrame
    outside: int
    n_days: float
    shifts: tuple[Shift, ...]


def _period_days(times: pd.Series, period: tuple[pd.Timestamp, pd.Timestamp] | None) -> float:
    if period is not None:
        start, end = (pd.Timestamp(x) for x in period)
        return max((end - start) / pd.Timedelta(days=1), 1e-9)
    t = pd.to_datetime(times).dropna()
    if t.empty:
        return float("nan")
    return float((t.max().normalize() - t.min().normalize()).days + 1)


def workload(incidents: gpd.GeoDataFrame, sectors: gpd.GeoDataFrame, *,
             shifts: Sequence[Shift] = DEFAULT_SHIFTS,
             weights: Mapping[str, float] | None = None, default_weight: float = 1.0,
             time_column: str = "occurred_at", category_column: str = "category",
             sector_column: str = "sector_id", force_column: str = "force",
             period: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> Workload:
    """Return the workload per sector × shift × weekday, weighted by category severity.

    Parameters
    ----------
    incidents
        Points with a time and a category (any CRS).
    sectors
        Sector polygons (any CRS) with an id and, optionally, a force.
    shifts
        The shifts (checked: they must cover the day exactly once).
    weights
        ``{category: weight}``; default: the vocabulary's severities (1–5).
    default_weight
        Weight of a category absent from ``weights``.
    time_column, category_column, sector_column, force_column
        Column names (the store's by default; Portland's ``DISTRICT`` works as well).
    period
        ``(start, end)`` of the observation period, for :attr:`Workload.n_days`; default: the
        days between the first and the last incident.

    Raises
    ------
    SchemaError
        Bad shifts or weights, or a missing column.
    EmptySelectionError
        No sector.
    """
    check_shifts(shifts)
    for col, layer, frame in ((time_column, "incidents", incidents),
                              (sector_column, "secteurs", sectors)):
        if col not in frame.columns:
            raise SchemaError(f"La colonne « {col} » manque dans la couche « {layer} ».")
    if sectors.empty:
        raise EmptySelectionError("Aucun secteur de patrouille : importez la couche "
                                  "« secteurs » avant de calculer la charge.")
    sec = pd.DataFrame({
        "sector_id": sectors[sector_column].astype(str).to_numpy(),
        "name": (sectors["name"].astype(str).to_numpy() if "name" in sectors.columns
                 else sectors[sector_column].astype(str).to_numpy()),
        "force": (sectors[force_column].astype(str).to_numpy() if force_column in sectors.columns
                  else np.full(len(sectors), "")),
    })
    cats = (incidents[category_column] if category_column in incidents.columns
            else pd.Series(None, index=incidents.index, dtype=object))
    w = incident_weights(cats, weights=weights, default_weight=default_weight)
    when = shift_of(incidents[time_column], shifts=shifts)
    pairs = sector_of(incidents, sectors)
    has_time = when["shift"].notna().to_numpy()
    pairs = pairs[has_time[pairs["point"].to_numpy()]]
    located = np.zeros(len(incidents), dtype=bool)
    located[pairs["point"].to_numpy()] = True
    outside = int((~located & has_time).sum())

    rows = pd.DataFrame({
        "sector": pairs["sector"].to_numpy(),
        "shift": when["shift"].to_numpy()[pairs["point"].to_numpy()],
        "weekday": when["weekday"].to_numpy(dtype=float, na_value=np.nan)[
            pairs["point"].to_numpy()].astype(int),
        "load": w[pairs["point"].to_numpy()],
    })
    agg = rows.groupby(["sector", "shift", "weekday"]).agg(
        n_incidents=("load", "size"), load=("load", "sum"))
    full = pd.MultiIndex.from_product(
        [range(len(sec)), [s.code for s in shifts], range(7)],
        names=["sector", "shift", "weekday"])
    agg = agg.reindex(full, fill_value=0).reset_index()
    table = sec.iloc[agg["sector"].to_numpy()].reset_index(drop=True).join(
        agg.drop(columns="sector"))
    table["weekday_label"] = table["weekday"].map(dict(enumerate(WEEKDAYS_FR)))
    table["n_incidents"] = table["n_incidents"].astype(int)
    table["load"] = table["load"].astype(float)
    table = table[["sector_id", "name", "force", "shift", "weekday", "weekday_label",
                   "n_incidents", "load"]]

    keys = ["sector_id", "name", "force"]
    by_ss = table.groupby(keys + ["shift"], sort=False, as_index=False)[
        ["n_incidents", "load"]].sum()
    labels = {s.code: s.label for s in shifts}
    by_ss.insert(4, "shift_label", by_ss["shift"].map(labels))
    tot = by_ss.groupby(["force", "shift"])["load"].transform("sum")
    by_ss["load_share"] = np.where(tot > 0, by_ss["load"] / tot.where(tot > 0, 1), 0.0)
    by_sector = table.groupby(keys, sort=False, as_index=False)[["n_incidents", "load"]].sum()

    bal_rows = []
    for force, grp in by_sector.groupby("force", sort=False):
        b = balance(grp["load"])
        bal_rows.append({"force": force, "shift": "toutes", "n_sectors": len(grp),
                         **b.__dict__})
        for code in labels:
            g = by_ss[(by_ss["force"] == force) & (by_ss["shift"] == code)]
            b = balance(g["load"])
            bal_rows.append({"force": force, "shift": code, "n_sectors": len(g), **b.__dict__})
    bal = pd.DataFrame(bal_rows, columns=["force", "shift", "n_sectors", "mean", "max",
                                          "max_over_mean", "cv"])
    return Workload(table, by_ss, by_sector, bal, outside,
                    _period_days(incidents[time_column], period), tuple(shifts))


def load_pivot(result: Workload, *, force: str | None = None,
               value: str = "load") -> pd.DataFrame:
    """Return a sector × shift table of ``value`` (``"load"`` or ``"n_incidents"``).

    Rows are sectors (``sector_id``), columns the shift codes in their order, plus
    ``total``. Only the sectors of ``force`` when given.
    """
    df = result.by_sector_shift
    if force is not None:
        df = df[df["force"] == force]
    pivot = df.pivot_table(index="sector_id", columns="shift", values=value, aggfunc="sum",
                           sort=False)
    pivot = pivot.reindex(columns=[s.code for s in result.shifts]).fillna(0)
    pivot["total"] = pivot.sum(axis=1)
    pivot.columns.name = None
    return pivot


def load_map_frame(result: Workload, sectors: gpd.GeoDataFrame, *,
                   sector_column: str = "sector_id") -> gpd.GeoDataFrame:
    """Return the sectors (EPSG:4326) with one load column per shift, for a choropleth.

    Adds ``load_<shift code>``, ``n_<shift code>`` and ``load_total``.
    """
    out = crs.to_storage(sectors).copy()
    key = out[sector_column].astype(str)
    for s in result.shifts:
        part = result.by_sector_shift[result.by_sector_shift["shift"] == s.code]
        out[f"load_{s.code}"] = key.map(dict(zip(part["sector_id"], part["load"]))).fillna(0.0)
        out[f"n_{s.code}"] = key.map(dict(zip(part["sector_id"], part["n_incidents"]))).fillna(
            0).astype(int)
    out["load_total"] = key.map(dict(zip(result.by_sector["sector_id"],
                                          result.by_sector["load"]))).fillna(0.0)
    return out


# -- national / municipal coordination ---------------------------------------------------------

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


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry (intersections may yield lines and points)."""
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6) and not p.is_empty]
    return shapely.union_all(polys) if polys else shapely.Polygon()


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
        Incidents (``occurred_at``, ``category``), any CRS.
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
    w = incident_weights(pts["category"] if "category" in pts.columns
                         else pd.Series(None, index=pts.index, dtype=object), weights=weights)
    xy = shapely.get_coordinates(pts.geometry.to_numpy())
    ok_pt = ~(shapely.is_missing(pts.geometry.to_numpy()) | shapely.is_empty(
        pts.geometry.to_numpy()))
    px = np.full(len(pts), np.nan)
    py = np.full(len(pts), np.nan)
    px[ok_pt], py[ok_pt] = xy[:, 0], xy[:, 1]
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
            inter = _polygonal(shapely.intersection(ga, pm_geoms[j]))
            if inter.is_empty or inter.area < min_area_m2:
                continue
            mask = inside(inter)
            row = {"sector_pn": a, "sector_pm": str(pm["sector_id"].iloc[j]),
                   "area_m2": float(inter.area), "n_incidents": int(mask.sum())}
            for c in codes:
                row[f"n_{c}"] = int((mask & (when["shift"] == c).to_numpy()).sum())
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
        "n_incidents": [int((in_both & (when["shift"] == c).to_numpy()).sum()) for c in codes],
        "load": [float(w[in_both & (when["shift"] == c).to_numpy()].sum()) for c in codes],
    })

    uncovered = gpd.GeoDataFrame({"area_m2": [], "n_incidents": []},
                                 geometry=gpd.GeoSeries([], crs=epsg))
    gaps = gpd.GeoDataFrame({"force": [], "area_m2": [], "n_incidents": []},
                            geometry=gpd.GeoSeries([], crs=epsg))
    if territory is not None:
        terr = _union(crs.to_compute(territory, epsg=epsg).geometry.to_numpy())
        all_union = _union(work.geometry.to_numpy())
        parts = [p for p in shapely.get_parts(_polygonal(shapely.difference(terr, all_union)))
                 if p.area >= min_area_m2]
        uncovered = gpd.GeoDataFrame(
            {"area_m2": [float(p.area) for p in parts],
             "n_incidents": [int(inside(p).sum()) for p in parts]},
            geometry=gpd.GeoSeries(parts, crs=epsg))
        g_rows, g_geoms = [], []
        for force in forces:
            fu = _union(work.loc[work["force"] == force].geometry.to_numpy())
            gap = _polygonal(shapely.difference(terr, fu))
            parts = [p for p in shapely.get_parts(gap) if p.area >= min_area_m2]
            if not parts:
                continue
            gap = shapely.union_all(parts)
            g_rows.append({"force": force, "area_m2": float(gap.area),
                           "n_incidents": int(inside(gap).sum())})
            g_geoms.append(gap)
        gaps = gpd.GeoDataFrame(pd.DataFrame(g_rows, columns=["force", "area_m2",
                                                               "n_incidents"]),
                                geometry=gpd.GeoSeries(g_geoms, crs=epsg))
    return Coordination(crs.to_storage(overlap), float(both.area), by_shift,
                        crs.to_storage(uncovered), crs.to_storage(gaps))


# -- presence against need --------------------------------------------------------------------

def default_patrol_hours(sectors: gpd.GeoDataFrame, *,
                         shifts: Sequence[Shift] = DEFAULT_SHIFTS,
                         crews: float = 1.0) -> pd.DataFrame:
    """Return an editable patrol-hours table: every sector × shift, one crew all week.

    Columns ``sector_id``, ``force``, ``shift``, ``hours_per_week`` (``crews`` × shift
    length × 7 days).
    """
    rows = [{"sector_id": str(sid), "force": str(force), "shift": s.code,
             "hours_per_week": float(crews * s.hours * 7)}
            for sid, force in zip(sectors["sector_id"], sectors["force"]) for s in shifts]
    return pd.DataFrame(rows, columns=["sector_id", "force", "shift", "hours_per_week"])


def per_patrol_hour(result: Workload, hours: pd.DataFrame) -> pd.DataFrame:
    """Return incidents per patrol hour by sector and shift, and where presence lags need.

    Parameters
    ----------
    result
        A :func:`workload` result (its period gives the number of weeks).
    hours
        ``sector_id``, ``shift``, ``hours_per_week`` (patrol hours spent in the sector on that
        shift in an average week). Pairs missing from the table count as 0 hours.

    Returns
    -------
    DataFrame
        One row per sector × shift of the workload: ``sector_id``, ``name``, ``force``,
        ``shift``, ``n_incidents``, ``load``, ``hours_per_week``, ``patrol_hours`` (over the
        period), ``incidents_per_hour`` and ``load_per_hour`` (NaN with 0 hours),
        ``need_share`` and ``presence_share`` (of the force's total load and hours, all shifts),
        ``gap`` (``need_share - presence_share``: positive where presence lags need).

    Raises
    ------
    SchemaError
        Missing columns, or negative hours.
    """
    missing = [c for c in ("sector_id", "shift", "hours_per_week") if c not in hours.columns]
    if missing:
        raise SchemaError("Le tableau des heures de patrouille n'a pas les colonnes : "
                          + ", ".join(missing) + ".")
    h = pd.to_numeric(hours["hours_per_week"], errors="coerce")
    if h.isna().any() or (h < 0).any():
        raise SchemaError("Les heures de patrouille doivent être des nombres positifs ou nuls "
                          "(une valeur est vide ou négative).")
    table = pd.DataFrame({"sector_id": hours["sector_id"].astype(str),
                          "shift": hours["shift"].astype(str), "hours_per_week": h})
    table = table.groupby(["sector_id", "shift"], as_index=False)["hours_per_week"].sum()
    out = result.by_sector_shift.drop(columns=["shift_label", "load_share"]).merge(
        table, on=["sector_id", "shift"], how="left")
    out["hours_per_week"] = out["hours_per_week"].fillna(0.0)
    weeks = result.n_days / 7 if np.isfinite(result.n_days) else np.nan
    out["patrol_hours"] = out["hours_per_week"] * weeks
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = out["patrol_hours"] > 0
        out["incidents_per_hour"] = np.where(pos, out["n_incidents"] / out["patrol_hours"],
                                             np.nan)
        out["load_per_hour"] = np.where(pos, out["load"] / out["patrol_hours"], np.nan)
    load_tot = out.groupby("force")["load"].transform("sum")
    hour_tot = out.groupby("force")["hours_per_week"].transform("sum")
    out["need_share"] = np.where(load_tot > 0, out["load"] / load_tot.where(load_tot > 0, 1), 0.0)
    out["presence_share"] = np.where(hour_tot > 0,
                                     out["hours_per_week"] / hour_tot.where(hour_tot > 0, 1), 0.0)
    out["gap"] = out["need_share"] - out["presence_share"]
    return out


# -- editable settings (tables for a page's data editor) ---------------------------------------

SHIFT_COLUMNS = {"code": "Vacation", "start_h": "Début (h)", "end_h": "Fin (h)"}
WEIGHT_COLUMNS = {"code": "Code", "label": "Catégorie", "weight": "Poids"}


def shift_table(shifts: Sequence[Shift] = DEFAULT_SHIFTS) -> pd.DataFrame:
    """Return shifts as an editable table (French column names)."""
    return pd.DataFrame({SHIFT_COLUMNS["code"]: [s.code for s in shifts],
                         SHIFT_COLUMNS["start_h"]: [float(s.start_h) for s in shifts],
                         SHIFT_COLUMNS["end_h"]: [float(s.end_h) for s in shifts]})


def shift_bounds(table: pd.DataFrame) -> tuple[tuple[str, float, float], ...]:
    """Return ``(code, start_h, end_h)`` triples from an edited :func:`shift_table`.

    Raises
    ------
    SchemaError
        An empty name or hour (the rows are named).
    """
    rows = table.dropna(how="all")
    bad = rows[rows.isna().any(axis=1) | (rows[SHIFT_COLUMNS["code"]].astype(str).str.strip()
                                          == "")]
    if len(bad):
        raise SchemaError(f"Vacation incomplète à la ligne {int(bad.index[0]) + 1} : donnez un "
                          "nom, une heure de début et une heure de fin.")
    return tuple((str(r[0]).strip(), float(r[1]), float(r[2])) for r in rows[
        list(SHIFT_COLUMNS.values())].itertuples(index=False))


def weight_table(weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Return severity weights as an editable table (every category of the vocabulary)."""
    table = vocab.severity_weights() if weights is None else dict(weights)
    return pd.DataFrame({WEIGHT_COLUMNS["code"]: [c.code for c in vocab.INCIDENT_CATEGORIES],
                         WEIGHT_COLUMNS["label"]: [c.label for c in vocab.INCIDENT_CATEGORIES],
                         WEIGHT_COLUMNS["weight"]: [float(table.get(c.code, c.severity))
                                                    for c in vocab.INCIDENT_CATEGORIES]})


def weight_items(table: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Return sorted ``(category, weight)`` pairs from an edited :func:`weight_table`.

    Raises
    ------
    SchemaError
        A weight is empty or negative.
    """
    w = pd.to_numeric(table[WEIGHT_COLUMNS["weight"]], errors="coerce")
    if w.isna().any() or (w < 0).any():
        raise SchemaError("Chaque poids de gravité doit être un nombre positif ou nul.")
    return tuple(sorted(zip(table[WEIGHT_COLUMNS["code"]].astype(str), w.astype(float))))


def weekday_pivot(result: Workload, *, force: str | None = None,
                  shift: str | None = None) -> pd.DataFrame:
    """Return a sector × weekday table of load (one shift, or all shifts when None).

    Columns are French weekday names (lundi … dimanche); index ``sector_id``.
    """
    df = result.table
    if force is not None:
        df = df[df["force"] == force]
    if shift is not None:
        df = df[df["shift"] == shift]
    pivot = df.pivot_table(index="sector_id", columns="weekday", values="load", aggfunc="sum",
                           sort=False).reindex(columns=range(7)).fillna(0)
    pivot.columns = list(WEEKDAYS_FR)
    return pivot
