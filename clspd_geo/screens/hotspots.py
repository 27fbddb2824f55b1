"""The hotspot panel of a page: map layer, hour × weekday table, forecast accuracy.

Point analyses are offered only to a role that sees the facts as points
(:func:`point_analysis_note` says why not otherwise); a role that sees aggregates gets
its quartier totals and its own released cells (:func:`aggregate_areas`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import shapely

from clspd_geo import _format, config
from clspd_geo.access import policy, release
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, forecast, hotspots, indicators, rates, temporal
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
        # One row per incident: the kernel's bandwidth is measured on the points themselves
        # (offered on exact points, where the release already has one row per incident).
        df = release.expand(view.counts(sel))
        area = hotspots.study_area(view.layer("territoire"), view.layer("quartiers"),
                                   sel.quartiers, communes=sel.communes)
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
        rows = view.counts(sel, timed=True)
        if rows.empty:
            raise EmptySelectionError(NO_TIME_OF_DAY)
        return temporal.hour_weekday(release.expand(rows))  # timed rows: one incident each
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
        df = view.counts()
        span = indicators.data_period(df)
        first = span[0] if span else end
        train, test = forecast.monthly_periods(end, first=first)
        # Offered only on exact points (:func:`sees_points`): one incident per row.
        every = release.expand(indicators.select(df, indicators.Selection(
            first, end, tuple(categories))))
        g = common.grid(view, cell_m=cell_m)
        inside = cells.inside_mask(g, view.layer("territoire"))
        return forecast.evaluate_xy(g, inside, every["x"].to_numpy(), every["y"].to_numpy(),
                                    every["occurred_at"].to_numpy("datetime64[ns]"),
                                    train=train, test=test)
    return view.memo(("hotspots.forecast_report", tuple(categories), end, float(cell_m)),
                     compute)


# -- what the role's data supports ------------------------------------------------------------
def sees_points(view: RoleView, categories: tuple[str, ...] | list[str]) -> bool:
    """Tell whether the role sees every one of these categories as exact points."""
    return bool(categories) and all(view.finest_zone(c) == "point" for c in categories)


def point_analysis_note(view: RoleView, categories: tuple[str, ...] | list[str]) -> str | None:
    """Return why point analyses are not offered to this role, or None when they are.

    The hotspot map, the forecast, the hour × weekday table and per-cell statistics need
    exact points (and real times): on facts moved to cell or quartier centres and dated
    at the start of their month they would show a precision that is not there.
    """
    if sees_points(view, categories):
        return None
    zones = {view.finest_zone(c) for c in categories} - {None, "point"}
    words = {"grille": f"par cellule de {view.grid_cell_m:.0f} m", "quartier": "par quartier",
             "territoire": "pour l'ensemble du territoire"}
    seen = " ou ".join(words[z] for z in ("grille", "quartier", "territoire") if z in zones)
    who = [label for code, label in view.roles().items()
           if all(policy.finest_zone(code, c) == "point" for c in categories)]
    runners = (" ; ces analyses peuvent être faites par les rôles qui voient les faits "
               f"exacts : {', '.join(who)}." if who else " ; aucun rôle ne voit ces faits "
               "exactement.")
    return (f"Pour votre rôle ({view.role_label}), ces faits ne sont publiés que "
            f"{seen or 'agrégés'} et par mois, sans lieu ni heure exacts : la carte des "
            "points chauds, la prévision, le tableau par heure et les statistiques par "
            f"cellule ne sont pas proposés{runners}")


@dataclass(frozen=True)
class AggregateAreas:
    """What a role that sees aggregates may draw of a selection.

    Attributes
    ----------
    rates
        The quartiers with their totals (rate per 1,000 residents where the population
        is known), small counts suppressed with the role's k.
    cells
        The release's own grid cells of the role (EPSG:4326, ``faits``), each a sum of
        atoms of at least k facts; empty when the role has none.
    n_total
        Facts of the selection the role sees.
    n_outside
        Of which in no quartier (published only for the whole territory, or outside every
        quartier polygon): on no map.
    whole
        Where the top-level facts are published, in words (:func:`common.whole_area`).
    """

    rates: rates.QuartierRates
    cells: gpd.GeoDataFrame
    n_total: int
    n_outside: int
    whole: str = "l'ensemble du territoire"

    def note(self) -> str:
        """Return the French sentence on what the map leaves out (empty when nothing)."""
        if not self.n_outside:
            return ""
        return (f"{_format.number(self.n_outside)} des {_format.number(self.n_total)} faits "
                "non sensibles de la sélection ne sont rattachés à aucun quartier pour votre rôle (publiés "
                f"seulement pour {self.whole}, ou situés hors des quartiers) : ils "
                "ne figurent pas sur la carte.")


def aggregate_areas(view: RoleView, sel: indicators.Selection) -> AggregateAreas:
    """Return the quartier choropleth and the released cells of a selection for this role.

    Nothing is drawn where the role cannot see it: facts released at the quartier level
    count in their quartier only, never in a cell at the quartier's representative point.
    """
    def compute() -> AggregateAreas:
        rows = view.counts(sel)
        level = rows["zone_level"].astype(str).to_numpy()
        in_q = rows[rows["quartier_id"].notna().to_numpy()]
        qr = rates.rates_by_quartier(in_q, view.layer("quartiers"), k=view.small_count_k,
                                     communes=sel.communes)
        grid_rows = rows[level == "grille"]
        half = view.grid_cell_m / 2
        if len(grid_rows):
            per_cell = grid_rows.assign(faits=indicators.weights(grid_rows)).groupby(
                ["x", "y"])["faits"].sum().reset_index()
            geoms = shapely.box(per_cell["x"] - half, per_cell["y"] - half,
                                per_cell["x"] + half, per_cell["y"] + half)
            cells_gdf = gpd.GeoDataFrame({"faits": per_cell["faits"].to_numpy()},
                                         geometry=geoms, crs=view.metric_epsg).to_crs(4326)
        else:
            cells_gdf = gpd.GeoDataFrame({"faits": []}, geometry=[], crs=4326)
        n_total = int(indicators.weights(rows).sum())
        return AggregateAreas(qr, cells_gdf, n_total,
                              n_total - int(indicators.weights(in_q).sum()),
                              common.whole_area(view))
    return view.memo(("hotspots.aggregate_areas", sel), compute)
