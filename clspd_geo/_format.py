"""French number formatting for the sentences and tables the library writes.

A decimal comma, a narrow no-break space (U+202F) between thousands, and « % » after a
narrow no-break space too, as the French typographic rules want: ``number(12345.6, decimals=1)``
gives ``"12 345,6"`` and ``percent(37.5)`` gives ``"38 %"``.
"""

from __future__ import annotations

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
