"""The hotspot panel of a page: map layer, hour × weekday table, forecast accuracy."""

from __future__ import annotations

import datetime as dt

from clspd_geo import config
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, forecast, hotspots, indicators, temporal
from clspd_geo.errors import EmptySelectionError
from clspd_geo.screens import common

NO_TIME_OF_DAY = ("Pour votre rôle, ces faits ne sont publiés que par mois ou par année, sans "
                  "jour ni heure : pas de tableau par jour de la semaine et par heure.")
"""Why there is no hour × weekday table when no selected fact has a real time of day."""


def hotspot_map(view: RoleView, sel: indicators.Selection, *,
                mode: hotspots.MapMode) -> hotspots.HotspotMap:
    """Return the hotspot layer of the selected incidents over the study area.

    Parameters
    ----------
    view
        The role view.
    sel
        The selection (pass only the categories that may be mapped finely); its quartiers
        bound the study area.
    mode
        One of :data:`clspd_geo.analysis.hotspots.MAP_MODES`.

    Raises
    ------
    ClspdGeoError
        Too few incidents for the method, or an empty study area.
    """
    def compute() -> hotspots.HotspotMap:
        df = view.incidents(sel)
        area = hotspots.study_area(view.layer("territoire"), view.layer("quartiers"),
                                   sel.quartiers)
        return hotspots.hotspot_map(df["x"].to_numpy(), df["y"].to_numpy(), area, mode=mode)
    return view.memo(("hotspots.hotspot_map", sel, mode), compute)


def hour_table(view: RoleView, sel: indicators.Selection) -> temporal.HourWeekday:
    """Return the selected incidents by weekday and hour, from the rows with a real time.

    Raises
    ------
    EmptySelectionError
        No selected incident has a real day and time for this role (facts released by month
        or year carry no time of day).
    """
    def compute() -> temporal.HourWeekday:
        rows = view.incidents(sel, timed=True)
        if rows.empty:
            raise EmptySelectionError(NO_TIME_OF_DAY)
        return temporal.hour_weekday(rows)
    return view.memo(("hotspots.hour_table", sel), compute)


def forecast_report(view: RoleView, categories: tuple[str, ...], *, end: dt.date,
                    cell_m: float = config.HOTSPOT_CELL_M) -> forecast.ForecastReport:
    """Return how well each hotspot method of last year predicts the month before ``end``.

    Parameters
    ----------
    view
        The role view.
    categories
        The incident categories (the finely mapped ones of the page).
    end
        End of the selected period (the month evaluated is the last one before it).
    cell_m
        Side of the grid cells over the whole territory, metres.

    Raises
    ------
    ClspdGeoError
        Too few incidents to learn from or to test on.
    """
    def compute() -> forecast.ForecastReport:
        df = view.incidents()
        span = indicators.data_period(df)
        first = span[0] if span else end
        train, test = forecast.monthly_periods(end, first=first)
        every = indicators.select(df, indicators.Selection(first, end, tuple(categories)))
        g = common.grid(view, cell_m=cell_m)
        inside = cells.inside_mask(g, view.layer("territoire"))
        return forecast.evaluate_xy(g, inside, every["x"].to_numpy(), every["y"].to_numpy(),
                                    every["occurred_at"].to_numpy("datetime64[ns]"),
                                    train=train, test=test)
    return view.memo(("hotspots.forecast_report", tuple(categories), end, float(cell_m)),
                     compute)
