"""When incidents happen: hour × weekday table, monthly trend, and change between periods.

The change test (:func:`period_change`) treats the counts of a zone in two periods as
Poisson: given the total ``n1 + n2``, the second count follows a binomial law with
probability ``d2 / (d1 + d2)`` (the share of the time covered by the second period) when
nothing changed. The exact two-sided binomial p-value says whether the change is more than
chance; with many zones the p-values are corrected with Benjamini–Hochberg, so the zones
flagged "significant" hold few false alarms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from clspd_geo.analysis import spatial_stats
from clspd_geo.errors import EmptySelectionError, SchemaError

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc.")
Period = tuple[dt.date | dt.datetime, dt.date | dt.datetime]


def _times(frame: pd.DataFrame, column: str = "occurred_at") -> pd.Series:
    if column not in frame.columns:
        raise SchemaError(f"La colonne de date « {column} » est absente de la couche.")
    return pd.to_datetime(frame[column], errors="coerce")


def _ts(value: dt.date | dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(value)


@dataclass(frozen=True)
class HourWeekday:
    """Incidents by weekday (rows, Monday first) and hour of the day (columns 0–23).

    Attributes
    ----------
    table
        7 × 24 counts (or weight sums); index: French weekday names; columns: hours.
    n_incidents
        Incidents counted.
    hours_known
        False when every time is midnight (dates without hours, e.g. some exports): the
        hour columns then mean nothing and only the weekday totals should be shown.
    """

    table: pd.DataFrame
    n_incidents: int
    hours_known: bool

    def weekday_totals(self) -> pd.Series:
        """Return the total per weekday."""
        return self.table.sum(axis=1)

    def suppressed(self, *, k: int) -> pd.DataFrame:
        """Return the table as text with counts from 1 to k−1 shown as "< k".

        Used when sensitive categories are included: a single incident in a time slot
        could point to a person.
        """
        return self.table.map(lambda v: f"< {k}" if 0 < v < k else f"{v:.0f}")

    def peak(self) -> str:
        """Return a French sentence naming the busiest weekday and hour."""
        if not self.hours_known:
            day = self.weekday_totals().idxmax()
            return f"Le jour le plus chargé est le {day} (heures non renseignées)."
        stacked = self.table.stack()
        (day, hour) = stacked.idxmax()
        return f"Le créneau le plus chargé est le {day} entre {hour} h et {hour + 1} h."


def hour_weekday(incidents: pd.DataFrame, *, column: str = "occurred_at",
                 weights: np.ndarray | None = None) -> HourWeekday:
    """Count incidents by weekday and hour (local time as stored).

    Raises
    ------
    EmptySelectionError
        No incident with a date.
    """
    t = _times(incidents, column)
    ok = t.notna().to_numpy()
    if not ok.any():
        raise EmptySelectionError("Aucun fait daté dans la sélection : pas de tableau horaire.")
    tt = t[ok]
    day = tt.dt.day_of_week.to_numpy()
    hour = tt.dt.hour.to_numpy()
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    counts = np.bincount(day * 24 + hour, weights=w, minlength=7 * 24).reshape(7, 24)
    table = pd.DataFrame(counts, index=pd.Index(WEEKDAYS_FR, name="jour"),
                         columns=pd.Index(range(24), name="heure"))
    hours_known = bool((tt.dt.hour != 0).any() or (tt.dt.minute != 0).any())
    return HourWeekday(table, int(ok.sum()), hours_known)


def monthly_trend(incidents: pd.DataFrame, *, end: dt.date | None = None, months: int = 12,
                  column: str = "occurred_at") -> pd.DataFrame:
    """Return the counts of the last ``months`` months with the same month a year earlier.

    Parameters
    ----------
    end
        First day after the period (default: the month after the latest incident).

    Returns
    -------
    DataFrame
        One row per month: ``month`` (first day), ``label`` (French), ``n_incidents``,
        ``n_incidents_last_year``, ``change_pct`` (``NaN`` when last year had none) and
        ``complete_last_year`` (False when the data do not reach back that far).
    """
    t = _times(incidents, column).dropna()
    if t.empty:
        raise EmptySelectionError("Aucun fait daté dans la sélection : pas de tendance.")
    if end is None:
        last = t.max()
        end_ts = (last.to_period("M") + 1).to_timestamp()
    else:
        end_ts = _ts(end).to_period("M").to_timestamp()
    start_ts = (end_ts.to_period("M") - months).to_timestamp()
    periods = t.dt.to_period("M")
    counts = periods.value_counts()
    month_index = pd.period_range(start_ts, periods=months, freq="M")
    current = np.array([counts.get(p, 0) for p in month_index], dtype=int)
    previous = np.array([counts.get(p - 12, 0) for p in month_index], dtype=int)
    first = t.min().to_period("M")
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(previous > 0, 100.0 * (current - previous) / previous, np.nan)
    return pd.DataFrame({
        "month": month_index.to_timestamp(),
        "label": [f"{MONTHS_FR[p.month - 1]} {p.year}" for p in month_index],
        "n_incidents": current,
        "n_incidents_last_year": previous,
        "change_pct": change,
        "complete_last_year": [p - 12 >= first for p in month_index],
    })


def _verdict(n1: np.ndarray, n2: np.ndarray, expected2: np.ndarray, sig: np.ndarray) -> list[str]:
    out = []
    for a, b, e, s in zip(n1, n2, expected2, sig, strict=True):
        if a + b == 0:
            out.append("aucun fait")
        elif not s:
            out.append("variation compatible avec le hasard")
        elif b > e:
            out.append("hausse significative")
        else:
            out.append("baisse significative")
    return out


def change_test(before: np.ndarray, after: np.ndarray, *, days_before: float,
                days_after: float, alpha: float = 0.05) -> pd.DataFrame:
    """Test, zone by zone, whether the change between two periods is more than chance.

    Parameters
    ----------
    before, after
        Counts per zone in each period.
    days_before, days_after
        Lengths of the periods, days (unequal periods are compared per day).
    alpha
        False-discovery rate of the "significant" flag.

    Returns
    -------
    DataFrame
        ``n_before``, ``n_after``, ``expected_after`` (what the first period's rate gives
        in the second), ``change_pct`` (per day), ``p_value`` (exact binomial, two-sided),
        ``q_value`` (Benjamini–Hochberg), ``significant`` and the French ``verdict``.
    """
    n1 = np.asarray(before, dtype=np.int64)
    n2 = np.asarray(after, dtype=np.int64)
    if days_before <= 0 or days_after <= 0:
        raise EmptySelectionError("Les deux périodes comparées doivent durer au moins un jour.")
    share = days_after / (days_before + days_after)
    total = n1 + n2
    lower = stats.binom.cdf(n2, total, share)
    upper = stats.binom.sf(n2 - 1, total, share)
    p = np.minimum(1.0, 2 * np.minimum(lower, upper))
    p = np.where(total == 0, 1.0, p)
    q = spatial_stats.fdr_bh(p)
    expected = n1 * days_after / days_before
    rate1 = n1 / days_before
    rate2 = n2 / days_after
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(rate1 > 0, 100.0 * (rate2 - rate1) / rate1, np.nan)
    sig = q <= alpha
    return pd.DataFrame({
        "n_before": n1, "n_after": n2, "expected_after": expected, "change_pct": change,
        "p_value": p, "q_value": q, "significant": sig,
        "verdict": _verdict(n1, n2, expected, sig),
    })


def period_change(incidents: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, before: Period,
                  after: Period, zone_id: str, column: str = "occurred_at",
                  alpha: float = 0.05) -> gpd.GeoDataFrame:
    """Return, per zone (quartier or cell), the change between two periods and its test.

    Incidents are assigned to zones by their ``zone_id`` column when present, else by a
    spatial join (point in polygon, in the zones' CRS).

    Parameters
    ----------
    incidents
        Points with ``column`` (dates).
    zones
        Polygons with an id column ``zone_id``.
    before, after
        ``(start, end)`` periods, end excluded.

    Returns
    -------
    GeoDataFrame
        The zones (EPSG:4326) with the columns of :func:`change_test`.

    Raises
    ------
    EmptySelectionError
        A period is empty or the second starts before the first ends.
    """
    b0, b1 = _ts(before[0]), _ts(before[1])
    a0, a1 = _ts(after[0]), _ts(after[1])
    if b1 <= b0 or a1 <= a0:
        raise EmptySelectionError("Une période est vide : sa fin doit suivre son début.")
    if a0 < b1:
        msg = ("La seconde période commence avant la fin de la première : choisissez deux "
               "périodes successives (d'abord « avant », puis « après »).")
        raise EmptySelectionError(msg)
    if zone_id not in zones.columns:
        raise SchemaError(f"La colonne « {zone_id} » est absente de la couche des zones.")
    t = _times(incidents, column)
    if zone_id in incidents.columns:
        zid = incidents[zone_id].astype("string")
    else:
        joined = gpd.sjoin(incidents[[incidents.geometry.name]].to_crs(zones.crs),
                           zones[[zone_id, zones.geometry.name]], how="left",
                           predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        zid = joined[zone_id].astype("string").reindex(incidents.index)
    ids = zones[zone_id].astype("string")
    in_b = ((t >= b0) & (t < b1)).to_numpy()
    in_a = ((t >= a0) & (t < a1)).to_numpy()
    if not in_b.any() and not in_a.any():
        raise EmptySelectionError("Aucun fait dans les deux périodes comparées.")
    n_before = zid[in_b].value_counts().reindex(ids, fill_value=0).to_numpy()
    n_after = zid[in_a].value_counts().reindex(ids, fill_value=0).to_numpy()
    days_b = (b1 - b0) / pd.Timedelta(days=1)
    days_a = (a1 - a0) / pd.Timedelta(days=1)
    table = change_test(n_before, n_after, days_before=days_b, days_after=days_a, alpha=alpha)
    out = zones.reset_index(drop=True).copy()
    for col in table.columns:
        out[col] = table[col].to_numpy()
    return out.to_crs(4326)
