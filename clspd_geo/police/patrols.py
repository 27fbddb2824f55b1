"""Patrol workload: incidents per sector, shift and weekday, and patrol hours against need.

The workload of a sector is the number of incidents that fall in it, each weighted by the
severity of its category (:mod:`clspd_geo.police.load`), per shift (:mod:`clspd_geo.police.shifts`)
and weekday. Balance is read over the sectors of one force with ``max_over_mean`` and ``cv``
(:func:`clspd_geo.police.load.balance`). When patrol hours are given, :func:`per_patrol_hour`
gives incidents per patrol hour by sector and shift, and where presence lags need.

The national/municipal overlap is in :mod:`clspd_geo.police.coordination`. Names that pages,
``ui.py`` and the map builders call as ``patrols.<name>`` (shifts, weight tables,
coordination) are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs
from clspd_geo.errors import EmptySelectionError, SchemaError
from clspd_geo.police.coordination import Coordination, coordination
from clspd_geo.police.load import balance, row_loads, sector_of, weight_items, weight_table
from clspd_geo.police.shifts import (DEFAULT_SHIFTS, Shift, check_shifts, make_shifts,
                                     shift_bounds, shift_of, shift_table)

__all__ = [
    # re-exported for callers outside the police package (pages/police.py, ui.py,
    # maps/patrol_layers.py)
    "DEFAULT_SHIFTS", "Coordination", "Shift", "coordination", "make_shifts", "shift_bounds",
    "shift_table", "weight_items", "weight_table",
    # defined here
    "WEEKDAYS_FR", "Workload", "default_patrol_hours", "load_map_frame", "load_pivot",
    "per_patrol_hour", "weekday_pivot", "workload",
]

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


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
        Points with a time and a category (any CRS); a row with an ``n`` column stands
        for ``n`` incidents (:func:`clspd_geo.police.load.row_loads`).
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
    n, w = row_loads(incidents, weights=weights, default_weight=default_weight,
                     category_column=category_column)
    when = shift_of(incidents[time_column], shifts=shifts)
    pairs = sector_of(incidents, sectors)
    has_time = when["shift"].notna().to_numpy()
    pairs = pairs[has_time[pairs["point"].to_numpy()]]
    located = np.zeros(len(incidents), dtype=bool)
    located[pairs["point"].to_numpy()] = True
    outside = int(n[~located & has_time].sum())

    point = pairs["point"].to_numpy()
    rows = pd.DataFrame({
        "sector": pairs["sector"].to_numpy(),
        "shift": when["shift"].to_numpy()[point],
        "weekday": when["weekday"].to_numpy(dtype=float, na_value=np.nan)[point].astype(int),
        "n": n[point], "load": w[point],
    })
    agg = rows.groupby(["sector", "shift", "weekday"]).agg(
        n_incidents=("n", "sum"), load=("load", "sum"))
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
