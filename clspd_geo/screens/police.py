"""The police coordination page: workload per shift, coordination, patrol briefs, redesigns.

Categories that the role reads only as monthly or yearly atoms have no time of day: they
cannot be put in a shift, so every analysis here leaves them out (:func:`timed_categories`).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from clspd_geo import config, vocab
from clspd_geo.access.view import RoleView
from clspd_geo.police import patrol_brief, patrols, sector_checks, sectors

ShiftBounds = tuple[tuple[str, float, float], ...]
"""``(code, start hour, end hour)`` of each shift (:func:`clspd_geo.police.patrols.make_shifts`)."""

Weights = tuple[tuple[str, float], ...]
"""``(category code, weight)`` pairs of the workload (hashable form of a mapping)."""


def timed_categories(view: RoleView) -> list[str]:
    """Return the categories the role reads with their exact time (the others have no hour)."""
    return [c for c in vocab.category_codes() if view.category_rule(c).access == "exact"]


def _points(view: RoleView, start: dt.date, end: dt.date) -> gpd.GeoDataFrame:
    # The incidents of [start, end) with a time of day, as points (EPSG:4326).
    def compute() -> gpd.GeoDataFrame:
        df = view.incidents()
        t = df["occurred_at"]
        timed = df["category"].astype(str).isin(timed_categories(view))
        part = df[(t >= pd.Timestamp(start)) & (t < pd.Timestamp(end)) & timed.to_numpy()]
        return gpd.GeoDataFrame(
            {"occurred_at": part["occurred_at"].to_numpy(),
             "category": part["category"].astype(str).to_numpy()},
            geometry=gpd.points_from_xy(part["lon"], part["lat"]), crs=config.STORAGE_CRS)
    return view.memo(("police._points", start, end), compute)


def workload(view: RoleView, *, start: dt.date, end: dt.date, bounds: ShiftBounds,
             weights: Weights) -> patrols.Workload:
    """Return the weighted workload of each sector and shift over ``[start, end)``.

    Raises
    ------
    ClspdGeoError
        No sector layer, or inconsistent shifts.
    """
    return view.memo(("police.workload", start, end, tuple(bounds), tuple(weights)),
                     lambda: patrols.workload(
                         _points(view, start, end), view.layer("secteurs"),
                         shifts=patrols.make_shifts(bounds), weights=dict(weights),
                         period=(pd.Timestamp(start), pd.Timestamp(end))))


def coordination(view: RoleView, *, start: dt.date, end: dt.date, bounds: ShiftBounds,
                 weights: Weights) -> tuple[patrols.Coordination, sector_checks.SectorCheck]:
    """Return ``(Coordination, SectorCheck)``: overlaps, gaps and checks of the sectors."""
    def compute() -> tuple[patrols.Coordination, sector_checks.SectorCheck]:
        points = _points(view, start, end)
        secteurs = view.layer("secteurs")
        co = patrols.coordination(secteurs, points, territory=view.layer("territoire"),
                                  shifts=patrols.make_shifts(bounds), weights=dict(weights))
        return co, sector_checks.check_sectors(secteurs, incidents=points)
    return view.memo(("police.coordination", start, end, tuple(bounds), tuple(weights)),
                     compute)


def brief(view: RoleView, *, end: dt.date, sector_id: str, shift: str, days: int,
          bounds: ShiftBounds) -> patrol_brief.PatrolBrief:
    """Return the :class:`PatrolBrief` of one sector and shift for the ``days`` before ``end``.

    The brief compares the last ``days`` days with the ``days`` before them; its printable
    page is :func:`brief_html` (made only when it is downloaded).

    Raises
    ------
    ClspdGeoError
        E.g. no incident in that sector and shift: the page shows it and goes on.
    """
    def compute() -> patrol_brief.PatrolBrief:
        start = end - dt.timedelta(days=2 * days)
        return patrol_brief.build_brief(
            view.layer("secteurs"), _points(view, start, end), sector_id=sector_id,
            shift=shift, facilities=view.layer("equipements"),
            shifts=patrols.make_shifts(bounds), as_of=pd.Timestamp(end), recent_days=days)
    return view.memo(("police.brief", end, sector_id, shift, days, tuple(bounds)), compute)


def brief_html(view: RoleView, brief_: patrol_brief.PatrolBrief) -> str:
    """Return the printable HTML page of a patrol brief, on the role's street background."""
    return patrol_brief.to_html(brief_, voies=view.layer("voies"))


def redesign(view: RoleView, *, start: dt.date, end: dt.date, k: int, force: str, blocks: str,
             cell_m: float, keep_split: bool, weights: Weights
             ) -> tuple[sectors.Redesign, pd.DataFrame]:
    """Return ``(Redesign, comparison table)``: ``k`` balanced sectors of one force.

    Parameters
    ----------
    blocks
        ``"quartiers"`` (sectors made of whole quartiers) or anything else (grid cells of
        ``cell_m`` metres).

    Raises
    ------
    ClspdGeoError
        E.g. more sectors than blocks: the page shows it and goes on.
    """
    def compute() -> tuple[sectors.Redesign, pd.DataFrame]:
        quartiers = view.layer("quartiers") if blocks == "quartiers" else None
        return sectors.propose(view.layer("secteurs"), _points(view, start, end), k=k,
                               force=force, blocks=quartiers, cell_size_m=cell_m,
                               keep_split=keep_split, weights=dict(weights))
    return view.memo(("police.redesign", start, end, k, force, blocks, float(cell_m),
                      bool(keep_split), tuple(weights)), compute)
