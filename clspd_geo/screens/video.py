"""The video-protection page: camera network, coverage, siting of new cameras, camera plan."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from clspd_geo import _format, safe, vocab
from clspd_geo.access import policy
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, density, indicators, selection
from clspd_geo.errors import EmptySelectionError
from clspd_geo.screens import common
from clspd_geo.video import before_after, camera_plan, cameras, siting
from clspd_geo.video import coverage as coverage_mod
from clspd_geo.video import seen_bounds as seen_bounds_mod


@dataclass(frozen=True)
class SitingParams:
    """What the planner asked for on the video-protection page (plain, hashable values).

    Attributes
    ----------
    n_new
        Number of new cameras (None: as many as the budget allows).
    budget_eur
        Budget, euros (None: ``n_new`` cameras).
    cost_eur
        Cost of one site, euros.
    radius_m
        Radius of the disc a new dome camera sees, metres.
    min_distance_m
        Smallest distance between two new sites, metres.
    source
        Where candidate sites come from (a key of :data:`SITING_SOURCES`).
    grid_m
        Spacing of the grid of candidate sites, metres (``source == "grille"``).
    clicks
        ``(lon, lat)`` of the points clicked on the map, degrees (``source == "clics"``).
    weights
        Category weights of the incidents (``"egal"`` or ``"gravite"``); accidents are
        always weighted by severity (:data:`clspd_geo.video.siting.ACCIDENT_WEIGHTS`).
    half_life_days
        Half-life of the recency weight, days (None: no decay).
    demand
        What is covered (a key of :data:`SITING_DEMANDS`).
    """

    n_new: int | None
    budget_eur: float | None
    cost_eur: float
    radius_m: float
    min_distance_m: float
    source: str
    grid_m: float
    clicks: tuple[tuple[float, float], ...]
    weights: str
    half_life_days: float | None
    demand: str = "faits"


SITING_SOURCES = {"carrefours": "Carrefours des voies", "grille": "Grille sur le territoire",
                  "clics": "Points cliqués sur la carte"}
"""Where candidate sites come from, with their French labels."""

SITING_DEMANDS = {"faits": "Faits pondérés", "accidents": "Accidents (gravité)",
                  "surface": "Surface des points chauds"}
"""What the new cameras should cover, with their French labels."""


def video_cameras(view: RoleView, communes: tuple[str, ...] = ()
                  ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the cameras whose views can be computed, and the problems of the layer.

    Parameters
    ----------
    communes
        Keep the valid cameras of these communes (INSEE codes; all when none). The
        problems stay those of the whole layer: every camera enters the coverage.
        Coverage figures use every camera (an incident of a commune may be seen by a
        camera of its neighbour): only what is drawn or listed is kept to the communes.

    Returns
    -------
    tuple
        ``(valid cameras, problems)`` of :func:`clspd_geo.video.cameras.split_valid`; both
        empty for a role that sees no camera.
    """
    if communes:
        def compute() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
            valid, problems = video_cameras(view)
            return selection.of_communes(valid, communes), problems
        return view.memo(("video.video_cameras", tuple(communes)), compute)
    return view.memo(("video.video_cameras",),
                     lambda: cameras.split_valid(view.layer("cameras")))


def video_views(view: RoleView, communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return the view polygons of the valid cameras of these communes (all when none;
    EPSG:4326)."""
    def compute() -> gpd.GeoDataFrame:
        valid, _ = video_cameras(view, communes)
        return cameras.view_polygons(valid) if len(valid) else valid
    return view.memo(("video.video_views", tuple(communes)), compute)


def cover_categories(view: RoleView) -> list[str]:
    """Return the incident categories the coverage and the siting may take: those the role
    sees in some form, in the vocabulary's order (a category it never sees would count
    nothing)."""
    return [c for c in vocab.category_codes() if view.category_rule(c).access != "never"]


def coverage(view: RoleView, sel: indicators.Selection
             ) -> tuple[coverage_mod.Coverage, pd.DataFrame]:
    """Return ``(Coverage, selected incidents)`` for the cameras in service.

    The selected incidents are the rows of :meth:`RoleView.counts` the coverage was
    computed on, in the same order (shared: never modify them); each stands for its ``n``
    incidents, which every figure of :mod:`clspd_geo.video.coverage` weighs
    (:attr:`clspd_geo.video.coverage.Coverage.weights`).
    """
    def compute() -> tuple[coverage_mod.Coverage, pd.DataFrame]:
        valid, _ = video_cameras(view)
        rows = view.counts(sel)
        return coverage_mod.assess(coverage_mod.in_service(valid), rows,
                                   epsg=view.metric_epsg), rows
    return view.memo(("video.coverage", sel), compute)


def seen_bounds(view: RoleView, sel: indicators.Selection
                ) -> tuple[seen_bounds_mod.SeenBounds, pd.DataFrame]:
    """Return the share of the selection's incidents the cameras see, as sure and possible.

    The rows a role reads by cell, quartier or commune are bounded by their zone
    (:mod:`clspd_geo.video.seen_bounds`); rows at their own position count as
    :func:`coverage` says. Returns ``(total, per category)``; equal bounds mean the share is
    exact.
    """
    def compute() -> tuple[seen_bounds_mod.SeenBounds, pd.DataFrame]:
        cov, rows = coverage(view, sel)
        valid, _ = video_cameras(view)
        live = coverage_mod.in_service(valid)
        views = cameras.view_polygons(live) if len(live) else live
        sure, possible = seen_bounds_mod.row_bounds(
            rows, seen=cov.seen, views=views, quartiers=view.layer("quartiers"),
            territoire=view.layer("territoire"), epsg=view.metric_epsg,
            cell_size_m=policy.GRID_CELL_M)
        return (seen_bounds_mod.total(rows, sure, possible),
                seen_bounds_mod.bounds_by(rows, sure, possible, by="category"))
    return view.memo(("video.seen_bounds", sel), compute)


def bounds_note(bounds: seen_bounds_mod.SeenBounds) -> str:
    """Return the French sentence that says why the share seen is a range, and what it means."""
    zoned = bounds.incidents - bounds.exact
    verb = "est publié" if zoned == 1 else "sont publiés"
    return (f"Part connue entre deux bornes : pour votre rôle, {_format.count(zoned, 'fait')} "
            f"sur {_format.number(bounds.incidents)} {verb} par maille de "
            f"{policy.GRID_CELL_M:.0f} m, par quartier ou par commune, sans position exacte. "
            "Un fait compte comme vu à coup sûr quand toute sa zone est dans le champ des "
            "caméras, comme peut-être vu quand sa zone touche un champ ; la part vraie est "
            "entre les deux, et la mesurer demande les positions des faits, que votre rôle ne "
            "voit pas. " + ZONED_NOTE)


ZONED_NOTE = ("Les tableaux détaillés et l'implantation placent les faits publiés par zone au "
              "centre de leur zone (maille, point du quartier ou de la commune) : leurs "
              "chiffres sont indicatifs.")
"""What the detail tables and the siting answer are worth when some facts are released by
zone."""


def camera_table(view: RoleView, sel: indicators.Selection) -> pd.DataFrame:
    """Return what each camera in service of the selection's communes is worth.

    :func:`clspd_geo.video.coverage.per_camera` on the coverage of the selection (every
    camera in service, the selection's incidents), keeping the rows of the cameras of the
    selection's communes (all when none is chosen).
    """
    def compute() -> pd.DataFrame:
        cov, rows = coverage(view, sel)
        valid, _ = video_cameras(view)
        table = coverage_mod.per_camera(cov, rows, coverage_mod.in_service(valid))
        if not sel.communes:
            return table
        ids = set(video_cameras(view, sel.communes)[0]["camera_id"].astype(str))
        return table[table["camera_id"].astype(str).isin(ids).to_numpy()].reset_index(drop=True)
    return view.memo(("video.camera_table", sel), compute)


def uncovered_hotspots(view: RoleView, sel: indicators.Selection, *,
                       cell_m: float = 100.0) -> gpd.GeoDataFrame:
    """Return the 20 cells of ``cell_m`` metres with the most incidents seen by no camera."""
    return view.memo(("video.uncovered_hotspots", sel, float(cell_m)),
                     lambda: coverage_mod.uncovered_hotspots(coverage(view, sel)[0],
                                                             cell_size_m=cell_m, top=20))


def _candidates(view: RoleView, params: SitingParams) -> siting.Candidates:
    territoire = view.layer("territoire")
    voies = view.layer("voies")
    label = None
    if params.source == "carrefours":
        if voies.empty:
            raise EmptySelectionError("Aucune voie n'est chargée : choisissez la grille ou "
                                      "cliquez des points sur la carte.")
        points, label = siting.street_crossings(voies), "name"
    elif params.source == "grille":
        points = siting.grid_sites(territoire, spacing_m=params.grid_m)
    else:
        if not params.clicks:
            raise EmptySelectionError("Aucun point cliqué : cliquez sur la carte les lieux "
                                      "possibles, puis relancez.")
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(
            [c[0] for c in params.clicks], [c[1] for c in params.clicks]), crs=4326)
    return siting.candidates_from_points(points, epsg=view.metric_epsg, label_column=label,
                                         cost_eur=params.cost_eur, territory=territoire,
                                         voies=None if voies.empty else voies)


def _demand(view: RoleView, sel: indicators.Selection, params: SitingParams) -> siting.Demand:
    epsg = view.metric_epsg
    if params.demand == "accidents":
        acc = common.accidents(view, sel)
        return siting.demand_from_accidents(indicators.accidents_in(acc, sel.start, sel.end)
                                            if len(acc) else acc, epsg=epsg)
    # A released row stands for its n incidents at its position: the demand weighs it by n
    # (siting.incident_weights), as the n points it would expand to.
    df = view.counts(sel)
    if params.demand != "surface":
        return siting.demand_from_incidents(df, epsg=epsg, category_weights=params.weights,
                                            half_life_days=params.half_life_days)
    # Hotspot surface: kernel density of the weighted incidents, densest 20 % of the cells.
    territoire = view.layer("territoire")
    g = cells.grid_for(territoire, cell_size_m=50.0, epsg=epsg)
    w = siting.incident_weights(df, category_weights=params.weights,
                                half_life_days=params.half_life_days)
    dens = density.density_xy(g, df["x"].to_numpy(), df["y"].to_numpy(),
                               inside=cells.inside_mask(g, territoire), weights=w,
                               n=indicators.weights(df))
    return siting.demand_from_surface(dens.frame(top_share=0.2), column="density_per_km2",
                                      epsg=epsg, label="densité des faits")


def siting_problem(view: RoleView, sel: indicators.Selection,
                   params: SitingParams) -> siting.Problem:
    """Return the prepared siting problem of the selection and the planner's parameters.

    Raises
    ------
    ClspdGeoError
        No candidate site (no roads, no click), no demand, or inconsistent parameters.
    """
    def compute() -> siting.Problem:
        valid, _ = video_cameras(view)
        return siting.prepare(_demand(view, sel, params), _candidates(view, params),
                              radius_m=params.radius_m, n_new=params.n_new,
                              budget_eur=params.budget_eur,
                              existing=coverage_mod.in_service(valid),
                              min_distance_m=params.min_distance_m)
    return view.memo(("video.siting_problem", sel, params), compute)


def greedy(view: RoleView, sel: indicators.Selection,
           params: SitingParams) -> siting.SitingResult:
    """Return the greedy choice of sites, with its proven bound, re-scored on the points."""
    def compute() -> siting.SitingResult:
        problem = siting_problem(view, sel, params)
        return siting.rescore(siting.greedy(problem), problem)
    return view.memo(("video.greedy", sel, params), compute)


def exact(view: RoleView, sel: indicators.Selection, params: SitingParams, *,
          time_limit_s: float) -> siting.SitingResult:
    """Return the exact (HiGHS) choice of sites, the greedy one when time runs out first.

    The figures are re-scored on the demand points (:func:`clspd_geo.video.siting.rescore`).

    Parameters
    ----------
    time_limit_s
        Time limit of the solver, seconds.
    """
    def compute() -> siting.SitingResult:
        problem = siting_problem(view, sel, params)
        return siting.rescore(siting.exact(problem, time_limit_s=time_limit_s,
                                           fallback=greedy(view, sel, params)), problem)
    return view.memo(("video.exact", sel, params, float(time_limit_s)), compute)


def out_of_sample(view: RoleView, sel: indicators.Selection,
                  params: SitingParams) -> siting.OutOfSample:
    """Choose sites on the period of the same length before ``sel`` and score them on ``sel``."""
    def compute() -> siting.OutOfSample:
        days = (sel.end - sel.start).days
        train_sel = dataclasses.replace(sel, start=sel.start - dt.timedelta(days=days),
                                        end=sel.start)
        valid, _ = video_cameras(view)
        return siting.out_of_sample(_demand(view, train_sel, params),
                                    _demand(view, sel, params), _candidates(view, params),
                                    radius_m=params.radius_m, n_new=params.n_new,
                                    budget_eur=params.budget_eur,
                                    existing=coverage_mod.in_service(valid),
                                    min_distance_m=params.min_distance_m)
    return view.memo(("video.out_of_sample", sel, params), compute)


def plan_layers(view: RoleView, communes: tuple[str, ...] = ()
                ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the territory, quartiers and streets a camera plan draws for these communes
    (all when none): the plan of one commune shows that commune, not the whole store."""
    return tuple(selection.of_communes(view.layer(name), communes)  # type: ignore[return-value]
                 for name in ("territoire", "quartiers", "voies"))


def plan_cameras(view: RoleView, new_sites: gpd.GeoDataFrame | None = None,
                 communes: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Return the cameras of a plan: the valid cameras of these communes (all when none),
    then the proposed sites (« en projet »)."""
    valid, _ = video_cameras(view, communes)
    return valid if new_sites is None else pd.concat([valid, new_sites], ignore_index=True)


def camera_plan_html(view: RoleView, new_sites: gpd.GeoDataFrame | None = None, *,
                     communes: tuple[str, ...] = ()) -> str:
    """Return the printable camera plan, with the proposed sites as « en projet ».

    Parameters
    ----------
    new_sites
        Proposed cameras (:func:`clspd_geo.video.siting.as_cameras`), EPSG:4326; the result
        is memoised on their ``camera_id``.
    communes
        The plan of these communes (INSEE codes; the whole territory when none): their
        cameras, outline, quartiers and streets.
    """
    key = () if new_sites is None else tuple(map(str, new_sites["camera_id"]))

    def compute() -> str:
        territoire, quartiers, voies = plan_layers(view, communes)
        return camera_plan.to_html(plan_cameras(view, new_sites, communes),
                                   territoire=territoire, quartiers=quartiers, voies=voies)
    return view.memo(("video.camera_plan_html", key, tuple(communes)), compute)


def sites_csv(result: siting.SitingResult) -> bytes:
    """Return the proposed sites as the « Sites (CSV) » export (UTF-8, formula-safe).

    One row per site with its attributes and ``lon``/``lat`` (7 decimals); every
    text cell goes through :func:`clspd_geo.safe.csv_bytes`, so a road name such as
    ``=HYPERLINK(…)`` edited in QGIS is exported as text, not as a formula.
    """
    lonlat = result.sites.get_coordinates()
    table = pd.DataFrame(result.sites.drop(columns=result.sites.geometry.name)).assign(
        lon=lonlat["x"].round(7), lat=lonlat["y"].round(7))
    return safe.csv_bytes(table)


def before_after_table(view: RoleView, communes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return the before / after comparison of every dated camera of these communes (all
    when none), on all incidents (the rows of :meth:`RoleView.counts`, weighed by ``n``)."""
    def compute() -> pd.DataFrame:
        valid, _ = video_cameras(view, communes)
        return before_after.before_after(valid, view.counts(), epsg=view.metric_epsg)
    return view.memo(("video.before_after_table", tuple(communes)), compute)
