"""French number and date formatting for the sentences and tables the library writes.

A decimal comma, a narrow no-break space (U+202F) between thousands, and « % » after a
narrow no-break space too, as the French typographic rules want: ``number(12345.6, decimals=1)``
gives ``"12 345,6"`` and ``percent(37.5)`` gives ``"38 %"``. Dates read « 12 mars 2026 »
(:func:`date`), nouns agree with their count (:func:`count`: « 1 fait », « 2 faits »), and
:func:`table` writes a whole table the same way (« – » for a missing value, never « None »).
"""

from __future__ import annotations

import datetime as dt
import numbers

import pandas as pd

THOUSANDS = "\u202f"
"""Thousands separator: narrow no-break space."""
BEFORE_PERCENT = "\u202f"
"""Space before « % »: narrow no-break space, as the app and the reports write it."""


def number(x: float, *, decimals: int = 0, grouped: bool = True) -> str:
    """Return ``x`` written the French way, rounded to ``decimals`` places.

    Parameters
    ----------
    x
        The number.
    decimals
        Places after the decimal comma.
    grouped
        Separate thousands with a narrow no-break space (``False``: ``12345,6``).
    """
    text = f"{x:,.{decimals}f}" if grouped else f"{x:.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",")


def percent(share_pct: float, *, decimals: int = 0) -> str:
    """Return a percentage (already in percent: 37.5 for 37.5 %) as ``"37,5 %"``."""
    return number(share_pct, decimals=decimals) + BEFORE_PERCENT + "%"


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
"""French month names, January first."""
MISSING = "–"
"""What a table shows for a missing value (never « None » or « nan »)."""


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def date(d: dt.date | dt.datetime | str | None) -> str:
    """Return a date as « 12 mars 2026 » (« 1er mars 2026 » on the first), or « – » if missing.

    Strings are read as ISO dates (``"2026-03-12"`` or ``"2026-03-12T08:30:00"``).
    """
    if _is_missing(d) or d == "":
        return MISSING
    if isinstance(d, str):
        d = dt.datetime.fromisoformat(d)
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


def datetime_text(t: dt.datetime | str | None) -> str:
    """Return a time stamp as « 12 mars 2026 à 08:30 », or « – » if missing."""
    if _is_missing(t) or t == "":
        return MISSING
    if isinstance(t, str):
        t = dt.datetime.fromisoformat(t)
    if not isinstance(t, dt.datetime):
        return date(t)
    return f"{date(t)} à {t:%H:%M}"


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """Return the noun agreeing with ``n``: singular for 0, 1 and below 2 (French rule).

    ``plural(1, "fait")`` gives ``"fait"``, ``plural(2, "fait")`` gives ``"faits"``; the default
    plural adds
    « s » to every word (« fait sensible » → « faits sensibles »).
    """
    if abs(n) < 2:
        return singular
    return plural_form or " ".join(w + "s" for w in singular.split(" "))


def count(n: float, singular: str, plural_form: str | None = None) -> str:
    """Return ``n`` and the agreeing noun: « 1 fait », « 1 040 faits »."""
    return f"{number(n)} {plural(n, singular, plural_form)}"


def cell(x: object, *, decimals: int = 1) -> str:
    """Return a table value as text: French numbers, « – » when missing, text unchanged.

    Integers keep no decimals; other floats get ``decimals`` places (decimal comma);
    dates read « 12 mars 2026 ».
    """
    if _is_missing(x):
        return MISSING
    if isinstance(x, bool):
        return "oui" if x else "non"
    if isinstance(x, numbers.Integral):
        return number(int(x))
    if isinstance(x, numbers.Real):
        v = float(x)
        return number(v) if v.is_integer() else number(v, decimals=decimals)
    if isinstance(x, (dt.date, dt.datetime)):
        return date(x)
    return str(x)


def table(df: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """Return a copy of a table for display: every number, date and missing value as text.

    Text columns are kept; numbers go through :func:`cell` (decimal comma, narrow
    no-break spaces, ``decimals`` places for non-integers), missing values read « – ».
    """
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        out[col] = pd.Series([cell(x, decimals=decimals) for x in df[col]], index=df.index,
                             dtype=object)
    return out


def singular(noun: str) -> str:
    """Return the singular of a regular French plural noun phrase (« faits sensibles »)."""
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 2 else w for w in noun.split(" "))
