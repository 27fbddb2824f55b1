"""French typography of the printed reports: numbers, percentages, quotes and punctuation.

French print puts a narrow no-break space (U+202F) before ``; : ! ?`` and inside « »
quotes, writes decimals with a comma and groups thousands with a narrow no-break space
(20 000, 3,5 %). Every figure a report prints goes through this module, and so does every
count of incidents: :func:`count` prints a count from 1 to k−1 as « < k », the same
small-count suppression as on screen.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from clspd_geo import _format

NNBSP = "\u202f"
"""Narrow no-break space: before ; : ! ?, inside « », between thousands."""
NBSP = "\u00a0"
"""No-break space: between a number and its unit."""

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
"""French month names, January first."""

_BEFORE_PUNCT = re.compile(r"[ \u00a0\u202f]*([;:!?])(?=\s|$)")
_QUOTES = re.compile(r"[«\"“]\s*([^«»\"”“]*?)\s*[»\"”]")


def number(value: float, *, digits: int = 0) -> str:
    """Return a number the French way: ``1234567.891`` → ``"1 234 567,9"`` (digits=1).

    Parameters
    ----------
    value
        The number; NaN or None reads « — ».
    digits
        Decimals kept (rounded half away from zero by Python's formatting).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _format.number(value, decimals=digits)


def percent(value: float | None, *, digits: int = 0, signed: bool = False) -> str:
    """Return a percentage: ``12.5`` → ``"12,5 %"`` (``"+12,5 %"`` when signed); « — » for None.

    A signed change that rounds to zero at ``digits`` keeps one more decimal
    (``0.3`` → ``"+0,3 %"``, as the screen's KPIs do), and one still zero there reads
    ``"0 %"`` with no sign: never « +0 % » nor « −0 % ».
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if not signed:
        return f"{number(value, digits=digits)}{NNBSP}%"
    text = number(abs(value), digits=digits)
    if not text.strip("0,"):
        text = number(abs(value), digits=digits + 1)
        if not text.strip("0,"):
            return f"0{NNBSP}%"
    return f"{'+' if value > 0 else '−'}{text}{NNBSP}%"


def count(value: float | None, *, k: int) -> str:
    """Return a count of incidents, « < k » when it lies from 1 to k−1 (small-count suppression).

    Parameters
    ----------
    value
        The count (None reads « — »).
    k
        The role's small-count threshold (:attr:`clspd_geo.access.view.RoleView.small_count_k`).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if 0 < value < k:
        return f"<{NNBSP}{k}"
    return number(value)


def is_printable_count(value: float, *, k: int) -> bool:
    """Tell whether a count may be printed as a number (0 or at least k)."""
    return value == 0 or value >= k


def quote(text: str) -> str:
    """Return ``text`` between French quotes with narrow no-break spaces: « text »."""
    return f"«{NNBSP}{text.strip()}{NNBSP}»"


def fix(text: str) -> str:
    """Return text with French punctuation spacing and quotes.

    A narrow no-break space goes before ``; : ! ?`` (a colon inside a time or a URL,
    with no space after it, is left alone) and straight or English quotes become « ».
    """
    out = _QUOTES.sub(lambda m: quote(m.group(1)), text)
    return _BEFORE_PUNCT.sub(lambda m: NNBSP + m.group(1), out)


def date_long(day: dt.date) -> str:
    """Return a date in words: ``2025-03-01`` → ``"1er mars 2025"``."""
    d = "1er" if day.day == 1 else str(day.day)
    return f"{d} {MONTHS[day.month - 1]} {day.year}"


def period(start: dt.date, end: dt.date) -> str:
    """Return a half-open period ``[start, end)`` in words: « du 1er janvier au 31 décembre 2025 »."""
    last = end - dt.timedelta(days=1)
    first = date_long(start)
    if start.year == last.year:
        first = first.rsplit(" ", 1)[0]
    return f"du {first} au {date_long(last)}"


def month_label(day: dt.date) -> str:
    """Return « mars 2025 » for any day of March 2025."""
    return f"{MONTHS[day.month - 1]} {day.year}"
