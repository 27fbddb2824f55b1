"""The police coordination page: workload per shift, coordination, patrol briefs, redesigns.

Categories that the role reads only as monthly or yearly atoms have no time of day: they
cannot be put in a shift, so every analysis here leaves them out (:func:`timed_categories`).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from clspd_geo import vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import selection
from clspd_geo.police import load, patrol_brief, patrols, sector_checks, sectors

ShiftBounds = tuple[tuple[str, float, float], ...]
"""``(code, start hour, end hour)`` of each shift (:func:`clspd_geo.police.patrols.make_shifts`)."""

Weights = tuple[tuple[str, float], ...]
"""``(category code, weight)`` pairs of the workload (hashable form of a mapping)."""


def timed_categories(view: RoleView) -> list[str]:
    """Return the categories the role reads with their exact time (the others have no hour)."""
    return [c for c in vocab.category_codes() if view.category_rule(c).access == "exact"]


def sectors_in(view: RoleView, communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return the patrol sectors that overlap these communes (all when none given).

    :func:`clspd_geo.analysis.selection.areas_in`: a sector is kept when at least 1 % of
    its surface lies in the chosen communes.
    """
    if not communes:
        return view.layer("secteurs")
    return view.memo(("police.sectors_in", tuple(communes)), lambda: selection.areas_in(
        view.layer("secteurs"), view.layer("territoire"), communes))


def _points(view: RoleView, start: dt.date, end: dt.date,
            communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    # The incidents of [start, end) of the communes with a time of day, as points (EPSG:4326):
    # one row per released row of RoleView.counts, with the incidents it stands for in ``n``
    # (1 for the categories read exactly, the only ones kept here).
    def compute() -> gpd.GeoDataFrame:
        df = selection.of_communes(view.counts(), communes)
        t = df["occurred_at"]
        timed = df["category"].astype(str).isin(timed_categories(view))
        return load.released_points(
            df[(t >= pd.Timestamp(start)) & (t < pd.Timestamp(end)) & timed.to_numpy()])
    return view.memo(("police._points", start, end, tuple(communes)), compute)


def workload(view: RoleView, *, start: dt.date, end: dt.date, bounds: ShiftBounds,
             weights: Weights, communes: tuple[str, ...] = ()) -> patrols.Workload:
    """Return the weighted workload of each sector and shift over ``[start, end)``.

    Only the incidents of ``communes`` (INSEE codes; all when none) and the sectors that
    overlap them (:func:`sectors_in`) count.

    Raises
    ------
    ClspdGeoError
        No sector layer, or inconsistent shifts.
    """
    return view.memo(("police.workload", start, end, tuple(bounds), tuple(weights),
                      tuple(communes)),
                     lambda: patrols.workload(
                         _points(view, start, end, communes), sectors_in(view, communes),
                         shifts=patrols.make_shifts(bounds), weights=dict(weights),
                         period=(pd.Timestamp(start), pd.Timestamp(end))))


def coordination(view: RoleView, *, start: dt.date, end: dt.date, bounds: ShiftBounds,
                 weights: Weights, communes: tuple[str, ...] = ()
                 ) -> tuple[patrols.Coordination, sector_checks.SectorCheck]:
    """Return ``(Coordination, SectorCheck)``: overlaps, gaps and checks of the sectors.

    Within ``communes`` (INSEE codes; all when none): their incidents, the sectors that
    overlap them, and the gaps inside their limits.
    """
    def compute() -> tuple[patrols.Coordination, sector_checks.SectorCheck]:
        points = _points(view, start, end, communes)
        secteurs = sectors_in(view, communes)
        territory = selection.communes_in(view.layer("territoire"), communes)
        co = patrols.coordination(secteurs, points, territory=territory,
                                  shifts=patrols.make_shifts(bounds), weights=dict(weights))
        return co, sector_checks.check_sectors(secteurs, incidents=points)
    return view.memo(("police.coordination", start, end, tuple(bounds), tuple(weights),
                      tuple(communes)), compute)


def brief(view: RoleView, *, end: dt.date, sector_id: str, shift: str, days: int,
          bounds: ShiftBounds, communes: tuple[str, ...] = ()) -> patrol_brief.PatrolBrief:
    """Return the :class:`PatrolBrief` of one sector and shift for the ``days`` before ``end``.

    Only the incidents of ``communes`` (INSEE codes; all when none) count. The brief
    compares the last ``days`` days with the ``days`` before them; its printable
    page is :func:`brief_html` (made only when it is downloaded).

    Raises
    ------
    ClspdGeoError
        E.g. no incident in that sector and shift: the page shows it and goes on.
    """
    def compute() -> patrol_brief.PatrolBrief:
        start = end - dt.timedelta(days=2 * days)
        return patrol_brief.build_brief(
            view.layer("secteurs"), _points(view, start, end, communes), sector_id=sector_id,
            shift=shift, facilities=view.layer("equipements"),
            shifts=patrols.make_shifts(bounds), as_of=pd.Timestamp(end), recent_days=days)
    return view.memo(("police.brief", end, sector_id, shift, days, tuple(bounds),
                      tuple(communes)), compute)


def brief_html(view: RoleView, brief_: patrol_brief.PatrolBrief) -> str:
    """Return the printable HTML page of a patrol brief, on the role's street background."""
    return patrol_brief.to_html(brief_, voies=view.layer("voies"))


def redesign(view: RoleView, *, start: dt.date, end: dt.date, k: int, force: str, blocks: str,
             cell_m: float, keep_split: bool, weights: Weights,
             communes: tuple[str, ...] = ()) -> tuple[sectors.Redesign, pd.DataFrame]:
    """Return ``(Redesign, comparison table)``: ``k`` balanced sectors of one force.

    Parameters
    ----------
    blocks
        ``"quartiers"`` (sectors made of whole quartiers) or anything else (grid cells of
        ``cell_m`` metres).
    communes
        Redesign the sectors overlapping these communes (INSEE codes; all when none) on
        their incidents and quartiers.

    Raises
    ------
    ClspdGeoError
        E.g. more sectors than blocks: the page shows it and goes on.
    """
    def compute() -> tuple[sectors.Redesign, pd.DataFrame]:
        quartiers = (selection.quartiers_in(view.layer("quartiers"), communes)
                     if blocks == "quartiers" else None)
        return sectors.propose(sectors_in(view, communes), _points(view, start, end, communes),
                               k=k, force=force, blocks=quartiers, cell_size_m=cell_m,
                               keep_split=keep_split, weights=dict(weights))
    return view.memo(("police.redesign", start, end, k, force, blocks, float(cell_m),
                      bool(keep_split), tuple(weights), tuple(communes)), compute)
