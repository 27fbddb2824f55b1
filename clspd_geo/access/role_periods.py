"""Periods snapped to a role's time atoms: whole months or years for aggregate roles.

A role that reads every incident category aggregated (:attr:`RoleView.time_atom`) reads
counts dated at the start of their month or year: a period means something to it only
in whole steps, and its default period ends with the last whole step of its data.
"""

from __future__ import annotations

import datetime as dt

from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators


def _round_to(d: dt.date, step: str) -> dt.date:
    """Return the start of the month (or year) nearest to ``d``."""
    if step == "annee":
        return dt.date(d.year + (1 if d.timetuple().tm_yday > 183 else 0), 1, 1)
    if d.day > 16:
        return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return d.replace(day=1)


def _add_step(d: dt.date, step: str) -> dt.date:
    if step == "annee":
        return dt.date(d.year + 1, 1, 1)
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def snap_period(view: RoleView, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Return ``[start, end)`` snapped to the role's time atoms (whole months or years).

    Both ends go to the nearest start of a month (or of a year) for a role that sees
    aggregates only (:attr:`RoleView.time_atom`), so that no atom is half inside the
    period; the period keeps at least one whole step. Other roles get it unchanged.

    Parameters
    ----------
    view
        The role view.
    start, end
        The period, ``end`` excluded (the day after the last day chosen).
    """
    step = view.time_atom
    if step is None:
        return start, end
    s, e = _round_to(start, step), _round_to(end, step)
    if e <= s:
        e = _add_step(s, step)
    return s, e


def default_period(view: RoleView) -> tuple[dt.date, dt.date]:
    """Return the default period ``[start, end)`` of the role: the last 12 months of data.

    For a role that reads atoms (:attr:`RoleView.time_atom`), the last atom's whole month
    (or year) is the last one in, and the period is whole steps; otherwise the period
    ends the day after the last incident
    (:func:`clspd_geo.analysis.indicators.default_selection`).
    """
    df = view.counts()
    default = indicators.default_selection(df)
    step = view.time_atom
    span = indicators.data_period(df)
    if step is None or span is None:
        return default.start, default.end
    def floor(d: dt.date) -> dt.date:
        return d.replace(day=1) if step == "mois" else dt.date(d.year, 1, 1)
    end = _add_step(floor(span[1]), step)
    return max(dt.date(end.year - 1, end.month, 1), floor(span[0])), end
