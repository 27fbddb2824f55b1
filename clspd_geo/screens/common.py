"""Computations shared by several pages: grid, incident and accident cells, the cameras and
facilities of the chosen communes, camera views."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import pandas as pd

from clspd_geo import config
from clspd_geo.access import role_periods
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, indicators, periods, selection
from clspd_geo.video import cameras


def grid(view: RoleView, *, cell_m: float) -> cells.Grid:
    """Return the square grid over the territory (memoised per cell side).

    Parameters
    ----------
    view
        The role view.
    cell_m
        Side of the cells, metres (the territory's metric CRS).
    """
    return view.memo(("common.grid", float(cell_m)), lambda: cells.grid_for(
        view.layer("territoire"), cell_size_m=cell_m))


def incident_cells(view: RoleView, sel: indicators.Selection, *,
                   cell_m: float = config.HOTSPOT_CELL_M) -> gpd.GeoDataFrame:
    """Return the graduated-cell layer of the selected incidents the role sees.

    Parameters
    ----------
    view
        The role view.
    sel
        The selection (pass only the categories that may be drawn as cells).
    cell_m
        Side of the cells, metres.

    Returns
    -------
    GeoDataFrame
        :func:`clspd_geo.analysis.indicators.incident_cells`, EPSG:4326.
    """
    return view.memo(("common.incident_cells", sel, float(cell_m)),
                     lambda: indicators.incident_cells(view.counts(), sel,
                                                       grid(view, cell_m=cell_m)))


def accident_cells(view: RoleView, sel: indicators.Selection, *,
                   cell_m: float = config.HOTSPOT_CELL_M) -> gpd.GeoDataFrame:
    """Return the accident cells of the selection's period (EPSG:4326)."""
    return view.memo(("common.accident_cells", sel, float(cell_m)),
                     lambda: indicators.accident_cells(accidents(view, sel), sel,
                                                       grid(view, cell_m=cell_m)))


def accidents(view: RoleView, sel: indicators.Selection) -> gpd.GeoDataFrame:
    """Return the accidents of the selection's communes (all when none is chosen), any date."""
    if not sel.communes:
        return view.layer("accidents")
    return view.memo(("common.accidents", sel.communes), lambda: selection.of_communes(
        view.layer("accidents"), sel.communes))


def commune_cameras(view: RoleView, communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return the cameras the role sees in these communes (INSEE codes; all when none)."""
    if not communes:
        return view.layer("cameras")
    return view.memo(("common.commune_cameras", tuple(communes)), lambda: selection.of_communes(
        view.layer("cameras"), communes))


def commune_facilities(view: RoleView, communes: tuple[str, ...] = (), *,
                       confidential: bool = False) -> gpd.GeoDataFrame:
    """Return the partner facilities the role sees in these communes (all when none).

    Confidential places are left out unless asked (:meth:`RoleView.facilities`)."""
    if not communes:
        return view.facilities(confidential=confidential)
    return view.memo(("common.commune_facilities", tuple(communes), confidential),
                     lambda: selection.of_communes(view.facilities(confidential=confidential),
                                                   communes))


def camera_views(view: RoleView, communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return the view polygons of the cameras the role sees in these communes (all when
    none; EPSG:4326; empty if none)."""
    def compute() -> gpd.GeoDataFrame:
        cams = commune_cameras(view, communes)
        return cams if cams.empty else cameras.view_polygons(cams)
    return view.memo(("common.camera_views", tuple(communes)), compute)


def sensitive_quartier_counts(view: RoleView,
                              sel: indicators.Selection) -> gpd.GeoDataFrame | None:
    """Return the sensitive incidents of a selection counted per quartier, small counts hidden.

    Sensitive categories (victims, minors, domestic violence, radicalisation) are never
    drawn as cells: only as counts per quartier, where counts from 1 to k−1 are hidden
    (k is :attr:`RoleView.small_count_k`).

    Parameters
    ----------
    view
        The role view.
    sel
        The selection; only its sensitive categories are counted.

    Returns
    -------
    GeoDataFrame or None
        :func:`clspd_geo.analysis.indicators.quartier_counts` (columns ``faits`` and
        ``faits_affiches``), EPSG:4326; None when the selection has no sensitive category.
    """
    _, sensitive = indicators.split_sensitive(sel.categories)
    if not sensitive:
        return None
    only = dataclasses.replace(sel, categories=tuple(sensitive))
    return view.memo(("common.sensitive_quartier_counts", only),
                     lambda: indicators.quartier_counts(view.counts(), view.layer("quartiers"),
                                                        only, k=view.small_count_k))


def period_basis(view: RoleView) -> tuple[pd.DataFrame, tuple[dt.date, dt.date], str]:
    """Return what the sidebar's period presets are computed from, for this role.

    ``(frame, span, resolution)``: the role's released incidents (:meth:`RoleView.counts`;
    the accidents when it has none: a
    commune loaded without incidents), the first and last day they cover, and the finest
    time resolution they carry (:func:`clspd_geo.analysis.periods.resolution`). Computed
    once per view (the sidebar asks at every run).
    """
    return view.memo(("period_basis",), lambda: _period_basis(view))


def _period_basis(view: RoleView) -> tuple[pd.DataFrame, tuple[dt.date, dt.date], str]:
    df = view.counts()
    if df.empty:
        df = view.layer("accidents")
        default = indicators.default_selection(df)
    else:
        default = selection.Selection(*role_periods.default_period(view))
    span = indicators.data_period(df) or (default.start, default.end - dt.timedelta(days=1))
    res = periods.resolution(df["occurred_at"]) if len(df) else "jour"
    return df, span, res


def whole_area(view: RoleView) -> str:
    """Return where facts released at the top level are published, in French words.

    « l'ensemble du territoire » for one commune; « l'ensemble de leur commune » when the
    territory has several (the release's top level is then each commune).
    """
    terr = view.layer("territoire")
    several = "insee_code" in terr.columns and terr["insee_code"].nunique() > 1
    return "l'ensemble de leur commune" if several else "l'ensemble du territoire"
