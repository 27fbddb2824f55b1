"""What the user selected: a period, incident categories, communes and quartiers.

One :class:`Selection` type serves the sidebar filters (no category yet), every page and
every analysis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs

AREA_MIN_SHARE = 0.01
"""An area belongs to the chosen communes when at least this share of it lies in them: a
sector drawn along a commune border by another source does not join the neighbour."""


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
    def days(self) -> int:
        """Length of the period in days."""
        return (self.end - self.start).days


def commune_names(territoire: pd.DataFrame) -> dict[str, str]:
    """Return ``{insee_code: name}`` of the territory's communes, in layer order.

    A commune without a name is shown by its INSEE code.
    """
    if territoire.empty or "insee_code" not in territoire.columns:
        return {}
    names = (territoire["name"] if "name" in territoire.columns
             else pd.Series(None, index=territoire.index))
    return {str(c): (str(n) if pd.notna(n) and str(n) else str(c))
            for c, n in zip(territoire["insee_code"], names, strict=True)}


def of_communes(frame: pd.DataFrame, communes: Iterable[str]) -> pd.DataFrame:
    """Return the rows of a layer in these communes (by ``insee_code``; all when none given).

    Serves every layer keyed by commune: points, quartiers, the territory itself. A layer
    without ``insee_code`` (written before the communes were filled) is returned whole: its
    rows cannot be told apart.
    """
    chosen = [str(c) for c in communes]
    if not chosen or "insee_code" not in frame.columns:
        return frame
    return frame[frame["insee_code"].astype("string").isin(chosen).to_numpy(dtype=bool)]


def quartiers_in(quartiers: pd.DataFrame, communes: Iterable[str]) -> pd.DataFrame:
    """Return the quartiers of these communes (INSEE codes; all quartiers when none given)."""
    return of_communes(quartiers, communes)


def communes_in(territoire: pd.DataFrame, communes: Iterable[str]) -> pd.DataFrame:
    """Return the territory rows of these communes (the whole territory when none given)."""
    return of_communes(territoire, communes)


def areas_in(areas: gpd.GeoDataFrame, territoire: gpd.GeoDataFrame,
             communes: Iterable[str], *, min_share: float = AREA_MIN_SHARE
             ) -> gpd.GeoDataFrame:
    """Return the areas (patrol sectors…) that overlap these communes (all when none given).

    Parameters
    ----------
    areas
        Polygon layer, any CRS.
    territoire
        The communes (``insee_code`` and polygons).
    communes
        INSEE codes; none, or a territory without ``insee_code``, keeps every area.
    min_share
        Smallest share of an area's surface inside the chosen communes (measured in the
        territory's metric CRS) for it to be kept.
    """
    chosen = [str(c) for c in communes]
    if not chosen or areas.empty or "insee_code" not in territoire.columns:
        return areas
    epsg = crs.metric_epsg(territoire)
    inside = crs.to_compute(communes_in(territoire, chosen), epsg=epsg).geometry.union_all()
    metric = crs.to_compute(areas, epsg=epsg).geometry
    surface = metric.area.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = metric.intersection(inside).area.to_numpy() / surface
    return areas[np.nan_to_num(share) >= min_share]
