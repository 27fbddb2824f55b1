"""Patrol shifts (*vacations*): hours of the day, which shift a time belongs to, editable table.

Shifts are a setting: by default 06–14, 14–22 and 22–06. They must cover every minute of the
day exactly once (:func:`check_shifts`). A shift that crosses midnight belongs to the day it
starts on: an incident on Tuesday at 02:00 is counted in Monday's night shift, as the crew that
handled it saw it (:func:`shift_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clspd_geo.errors import SchemaError


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


def format_hour(hour: float) -> str:
    """Format fractional hours as French clock time: 6.5 → "06 h 30", 22 → "22 h"."""
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
                         f"({format_hour(float(s))} – {format_hour(float(e))})", float(s),
                         float(e))
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
    return ", ".join(f"{format_hour(a / 60)} – {format_hour(b / 60)}" for a, b in spans)


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


# -- editable table (for a page's data editor) -----------------------------------------------

SHIFT_COLUMNS = {"code": "Vacation", "start_h": "Début (h)", "end_h": "Fin (h)"}


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
