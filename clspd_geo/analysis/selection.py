"""What the user selected: a period, incident categories, communes and quartiers.

One :class:`Selection` type serves the sidebar filters (no category yet), every page and
every analysis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace


def minus_year(d: dt.date) -> dt.date:
    """Return the same day one year earlier (28 February for a 29 February)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


@dataclass(frozen=True)
class Selection:
    """What the user selected: a period ``[start, end)``, categories, quartiers, communes.

    ``quartiers`` empty means the whole territory (of the chosen communes); ``communes``
    (INSEE codes) empty means every commune of the territory; ``categories`` empty means
    none chosen yet (the sidebar's filters, before a page adds its categories).
    """

    start: dt.date
    end: dt.date
    categories: tuple[str, ...] = ()
    quartiers: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()

    def previous_year(self) -> Selection:
        """Return the same selection one year earlier."""
        return replace(self, start=minus_year(self.start), end=minus_year(self.end))

    def with_categories(self, categories: Iterable[str]) -> Selection:
        """Return the same period, communes and quartiers with these categories."""
        return replace(self, categories=tuple(categories))

    @property
    def is_everywhere(self) -> bool:
        """Tell whether the selection covers the whole territory (no commune, no quartier)."""
        return not self.quartiers and not self.communes

    @property
    def days(self) -> int:
        """Length of the period in days."""
        return (self.end - self.start).days
