"""Period presets of the sidebar: whole calendar months counted back from the data's end.

A preset is resolved against the last day that holds data (not today's date: the demo and
the aggregated releases end before today), and always gives whole months, ``[start, end)``
with ``end`` exclusive:

- « 12 derniers mois »: the twelve months up to the last month with data;
- « dernier mois », « dernier trimestre », « année civile »: the last *complete* calendar
  month, quarter or year of the data. With day-dated data a month is complete when the data
  reach its last day; with monthly atoms (every date on the 1st, as aggregated releases
  are dated, see :func:`resolution`) a month with data is complete;
- « depuis le 1er janvier »: from 1 January of the last data year to the end of its last
  month with data;
- « mois choisis »: the months the user picks (:func:`month_span`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

Resolution = Literal["jour", "mois"]
Preset = Literal["douze_mois", "dernier_mois", "dernier_trimestre", "annee_civile",
                 "depuis_janvier", "mois_choisis"]

PRESETS: dict[str, str] = {
    "douze_mois": "12 derniers mois",
    "dernier_mois": "Dernier mois",
    "dernier_trimestre": "Dernier trimestre",
    "annee_civile": "Année civile",
    "depuis_janvier": "Depuis le 1er janvier",
    "mois_choisis": "Mois choisis",
}
"""French label of each preset, in the order the sidebar lists them."""


def month_floor(d: dt.date) -> dt.date:
    """Return the first day of the month of ``d``."""
    return d.replace(day=1)


def add_months(d: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after (or before) the month of ``d``."""
    n = d.year * 12 + (d.month - 1) + months
    return dt.date(n // 12, n % 12 + 1, 1)


def resolution(timestamps: pd.Series) -> Resolution:
    """Return ``"mois"`` when every time stamp is the 1st of a month at midnight, else ``"jour"``.

    Aggregated releases date each monthly (or yearly) atom on the 1st: such data have no
    day, and the month of their last date holds a whole month.
    """
    ts = pd.to_datetime(timestamps).dropna().to_numpy("datetime64[ns]")
    if not len(ts):
        return "jour"
    # The 1st of a month at midnight: the stamp is its own month's start (to the second).
    monthly = ts.astype("datetime64[M]").astype("datetime64[ns]") == \
        ts.astype("datetime64[s]").astype("datetime64[ns]")
    return "mois" if bool(monthly.all()) else "jour"


def _complete_end(last_day: dt.date, res: Resolution) -> dt.date:
    # The first day after the last complete month of data.
    if res == "mois":
        return add_months(last_day, 1)
    nxt = last_day + dt.timedelta(days=1)
    return month_floor(nxt) if nxt.day == 1 else month_floor(last_day)


def resolve(preset: str, last_day: dt.date, *, res: Resolution = "jour"
            ) -> tuple[dt.date, dt.date]:
    """Return the ``[start, end)`` dates of a preset for data ending on ``last_day``.

    Parameters
    ----------
    preset
        A key of :data:`PRESETS` other than ``"mois_choisis"``.
    last_day
        The last day holding data (inclusive).
    res
        ``"jour"`` for day-dated data, ``"mois"`` for monthly atoms (:func:`resolution`).

    Raises
    ------
    ValueError
        Unknown preset, or ``"mois_choisis"`` (see :func:`month_span`).
    """
    if preset == "douze_mois":
        end = add_months(last_day, 1)
        return add_months(end, -12), end
    if preset == "depuis_janvier":
        return dt.date(last_day.year, 1, 1), add_months(last_day, 1)
    end = _complete_end(last_day, res)
    if preset == "dernier_mois":
        return add_months(end, -1), end
    if preset == "dernier_trimestre":
        q_end = dt.date(end.year, end.month - (end.month - 1) % 3, 1)
        return add_months(q_end, -3), q_end
    if preset == "annee_civile":
        y_end = dt.date(end.year, 1, 1)
        return dt.date(y_end.year - 1, 1, 1), y_end
    raise ValueError(f"unknown period preset {preset!r}")


def month_span(first_month: dt.date, last_month: dt.date) -> tuple[dt.date, dt.date]:
    """Return ``[start, end)`` covering two chosen months whole (in either order)."""
    lo, hi = sorted((month_floor(first_month), month_floor(last_month)))
    return lo, add_months(hi, 1)


def months_between(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """Return the first day of every month from ``first_day``'s to ``last_day``'s."""
    out, m = [], month_floor(first_day)
    while m <= last_day:
        out.append(m)
        m = add_months(m, 1)
    return out
