"""clspd_geo.screens.video: cameras, coverage, siting, camera plan, before / after."""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import geopandas.testing
import numpy as np
import pandas as pd
import pytest

from clspd_geo import demo
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, density, indicators
from clspd_geo.errors import ClspdGeoError, EmptySelectionError
from clspd_geo.screens import reports, video
from clspd_geo.store import GeoPackageStore
from clspd_geo.video import before_after, camera_plan, cameras, coverage, siting

PARAMS = video.SitingParams(n_new=3, budget_eur=None, cost_eur=25_000.0, radius_m=100.0,
                            min_distance_m=0.0, source="grille", grid_m=250.0, clicks=(),
                            weights="egal", half_life_days=None)


def _three_months(view) -> indicators.Selection:
    end = indicators.default_selection(view.incidents()).end
    open_cats, _ = indicators.split_sensitive(indicators.default_selection(
        view.incidents()).categories)
    return indicators.Selection(end - dt.timedelta(days=91), end, tuple(open_cats))


def _direct_problem(view, sel, params=PARAMS, *, demand_sel=None):
    epsg = view.metric_epsg
    df = indicators.select(view.incidents(), demand_sel or sel)
    demand = siting.demand_from_incidents(df, epsg=epsg, category_weights=params.weights,
                                          half_life_days=params.half_life_days)
    terr = view.layer("territoire")
    cands = siting.candidates_from_points(siting.grid_sites(terr, spacing_m=params.grid_m),
                                          epsg=epsg, cost_eur=params.cost_eur, territory=terr,
                                          voies=view.layer("voies"))
    return demand, cands


def test_siting_params_are_hashable_and_frozen():
    assert hash(PARAMS) == hash(dataclasses.replace(PARAMS))
    with pytest.raises(dataclasses.FrozenInstanceError):
        PARAMS.n_new = 4  # type: ignore[misc]
    assert set(video.SITING_SOURCES) == {"carrefours", "grille", "clics"}
    assert set(video.SITING_DEMANDS) == {"faits", "accidents", "surface"}


def test_video_cameras_and_views(police, elu, memoised):
    valid, problems = memoised(lambda: video.video_cameras(police),
                               lambda: cameras.split_valid(police.layer("cameras")))
    assert len(valid) > 0
    memoised(lambda: video.video_views(police), lambda: cameras.view_polygons(valid))
    elu_valid, _ = video.video_cameras(elu)
    assert elu_valid.empty and video.video_views(elu).empty


def test_coverage_and_uncovered(police, memoised):
    sel = _three_months(police)
    rows = indicators.select(police.counts(), sel)
    valid, _ = cameras.split_valid(police.layer("cameras"))
    direct = coverage.assess(coverage.in_service(valid), rows, epsg=police.metric_epsg)
    cov, selected = memoised(lambda: video.coverage(police, sel), lambda: (direct, rows))
    assert len(selected) == cov.matrix.shape[0]
    memoised(lambda: video.uncovered_hotspots(police, sel),
             lambda: coverage.uncovered_hotspots(direct, cell_size_m=100.0, top=20))


def test_siting_problem_greedy_exact(police, memoised):
    sel = _three_months(police)
    valid, _ = cameras.split_valid(police.layer("cameras"))
    demand, cands = _direct_problem(police, sel)
    problem = siting.prepare(demand, cands, radius_m=PARAMS.radius_m, n_new=PARAMS.n_new,
                             budget_eur=None, existing=coverage.in_service(valid),
                             min_distance_m=0.0)
    memoised(lambda: video.siting_problem(police, sel, PARAMS), lambda: problem)
    g = memoised(lambda: video.greedy(police, sel, PARAMS),
                 lambda: siting.rescore(siting.greedy(problem), problem))
    assert len(g.sites) == 3 and g.rescored
    # Sites of the grid are named after the demo's streets, not by coordinates.
    assert all(not label[0].isdigit() for label in g.sites["label"])
    ex = video.exact(police, sel, PARAMS, time_limit_s=20.0)
    assert video.exact(police, sel, PARAMS, time_limit_s=20.0) is ex
    assert ex.covered_after >= g.covered_after - 1e-9 and ex.rescored


def test_siting_on_accidents_weighted_by_severity(police):
    sel = _three_months(police)
    params = dataclasses.replace(PARAMS, demand="accidents")
    acc = indicators.accidents_in(police.layer("accidents"), sel.start, sel.end)
    problem = video.siting_problem(police, sel, params)
    assert problem.total_weight == pytest.approx(float(siting.accident_weights(acc).sum()))
    assert problem.demand.n_source == len(acc) > 0
    g = video.greedy(police, sel, params)
    assert g.covered_after > g.covered_before


def test_siting_asking_more_cameras_than_sites_is_refused(police):
    params = dataclasses.replace(PARAMS, grid_m=2_000.0, n_new=500)
    with pytest.raises(ClspdGeoError, match="il n.y a que .* sites? candidats? dans"):
        video.siting_problem(police, _three_months(police), params)


def test_out_of_sample(police, memoised):
    sel = _three_months(police)
    train_sel = indicators.Selection(sel.start - dt.timedelta(days=91), sel.start,
                                     sel.categories, sel.quartiers)
    valid, _ = cameras.split_valid(police.layer("cameras"))
    train, cands = _direct_problem(police, sel, demand_sel=train_sel)
    test, _ = _direct_problem(police, sel)
    memoised(lambda: video.out_of_sample(police, sel, PARAMS),
             lambda: siting.out_of_sample(train, test, cands, radius_m=100.0, n_new=3,
                                          budget_eur=None, existing=coverage.in_service(valid),
                                          min_distance_m=0.0))


def test_candidates_need_roads_or_clicks(police):
    clicks = dataclasses.replace(PARAMS, source="clics")
    with pytest.raises(EmptySelectionError, match="Aucun point cliqué"):
        video.siting_problem(police, _three_months(police), clicks)


def test_camera_plan_html(police, elu, memoised):
    valid, _ = cameras.split_valid(police.layer("cameras"))
    terr, quart = police.layer("territoire"), police.layer("quartiers")
    roads = police.layer("voies")
    memoised(lambda: video.camera_plan_html(police),
             lambda: camera_plan.to_html(valid, territoire=terr, quartiers=quart,
                                               voies=roads))
    new = siting.as_cameras(video.greedy(police, _three_months(police), PARAMS), radius_m=100.0)
    both = gpd.GeoDataFrame(pd.concat([valid, new], ignore_index=True))
    html = memoised(lambda: video.camera_plan_html(police, new),
                    lambda: camera_plan.to_html(both, territoire=terr, quartiers=quart,
                                                   voies=roads))
    assert html != video.camera_plan_html(police)


def test_before_after_table(police, memoised):
    valid, _ = cameras.split_valid(police.layer("cameras"))
    memoised(lambda: video.before_after_table(police),
             lambda: before_after.before_after(valid, police.incidents(),
                                               epsg=police.metric_epsg))


def test_sites_csv_is_formula_safe():
    """A road name edited in QGIS (never imported) is exported as text, not as a formula."""
    import io
    from types import SimpleNamespace

    from shapely.geometry import Point

    sites = gpd.GeoDataFrame(
        {"site_id": ["s1", "s2"], "road": ['=HYPERLINK("http://x","Boulevard")',
                                           "@SUM(1+1)*cmd|x"], "gain": [-1, 3]},
        geometry=[Point(2.3, 48.85), Point(2.31, 48.86)], crs=4326)
    raw = video.sites_csv(SimpleNamespace(sites=sites)).decode("utf-8")
    back = pd.read_csv(io.StringIO(raw))
    assert list(back["road"]) == ['\'=HYPERLINK("http://x","Boulevard")', "'@SUM(1+1)*cmd|x"]
    assert list(back["gain"]) == [-1, 3]
    assert list(back["lon"]) == [2.3, 2.31]
    for line in raw.splitlines()[1:]:
        assert not any(cell.lstrip('"').startswith(("=", "@")) for cell in line.split(","))


def test_siting_on_zone_released_incidents_says_the_demand_is_too_coarse(store, police):
    from clspd_geo.access.view import RoleView

    vp = RoleView(store, "videoprotection", as_of=police.as_of)
    sel = indicators.default_selection(vp.incidents())
    params = dataclasses.replace(PARAMS, n_new=60, grid_m=75.0)
    problem = video.siting_problem(vp, sel, params)
    assert problem.demand.units < 60
    g = video.greedy(vp, sel, params)
    assert len(g.sites) <= problem.demand.units
    assert g.note.startswith(f"Demande trop grossière : {problem.demand.units} points de "
                             "demande seulement pour 60 caméras demandées")
    n = len(g.sites)
    assert f"d'où {n} site{'s' if n > 1 else ''} proposé{'s' if n > 1 else ''} au lieu de 60" \
        in g.message


def test_figures_of_a_role_reading_atoms_are_those_of_one_row_per_incident(store, police):
    """The video-protection role reads atoms of many incidents: the page's figures, computed
    on :meth:`RoleView.counts`, are those of the incidents they expand to."""
    from clspd_geo.access.view import RoleView

    vp = RoleView(store, "videoprotection", as_of=police.as_of)
    sel = indicators.default_selection(vp.incidents())
    cov, rows = video.coverage(vp, sel)
    assert rows["n"].max() > 1 and len(rows) < len(vp.incidents(sel))
    expanded = vp.incidents(sel)
    valid, _ = cameras.split_valid(vp.layer("cameras"))
    direct = coverage.assess(coverage.in_service(valid), expanded, epsg=vp.metric_epsg)
    for by in ("total", "category"):
        pd.testing.assert_frame_equal(coverage.share_by(cov, rows, by=by),
                                      coverage.share_by(direct, expanded, by=by))
    pd.testing.assert_frame_equal(
        video.camera_table(vp, sel),
        coverage.per_camera(direct, expanded, coverage.in_service(valid)))
    gpd.testing.assert_geodataframe_equal(
        video.uncovered_hotspots(vp, sel),
        coverage.uncovered_hotspots(direct, cell_size_m=100.0, top=20))
    pd.testing.assert_frame_equal(
        video.before_after_table(vp),
        before_after.before_after(valid, vp.incidents(), epsg=vp.metric_epsg))
    params = dataclasses.replace(PARAMS, weights="gravite")
    demand, _ = _direct_problem(vp, sel, params)
    problem = video.siting_problem(vp, sel, params)
    assert (problem.demand.n_source, problem.demand.description) == (demand.n_source,
                                                                     demand.description)
    np.testing.assert_array_equal(problem.demand.weight, demand.weight)
    # The hotspot surface: the kernel density of the expanded incidents, densest 20 %.
    surface = video.siting_problem(vp, sel, dataclasses.replace(PARAMS, demand="surface")).demand
    terr, epsg = vp.layer("territoire"), vp.metric_epsg
    g = cells.grid_for(terr, cell_size_m=50.0, epsg=epsg)
    dens = density.density_xy(g, expanded["x"].to_numpy(), expanded["y"].to_numpy(),
                              inside=cells.inside_mask(g, terr),
                              weights=siting.incident_weights(expanded))
    direct = siting.demand_from_surface(dens.frame(top_share=0.2), column="density_per_km2",
                                        epsg=epsg)
    assert surface.units == direct.units > 0
    np.testing.assert_array_equal(surface.x, direct.x)
    np.testing.assert_allclose(surface.weight, direct.weight, rtol=1e-9)


@pytest.fixture(scope="module")
def three_communes(tmp_path_factory) -> RoleView:
    """The police's view of an intercommunal demo (3 communes)."""
    s = GeoPackageStore(tmp_path_factory.mktemp("plan") / "cispd.gpkg", create=True)
    s.write_many(demo.build_demo(seed=3, n_incidents=2000, n_communes=3),
                 source=demo.source_label(3))
    return RoleView(s, "police", as_of=dt.date(2026, 11, 25))


def test_the_camera_plan_of_one_commune_shows_that_commune_only(three_communes):
    view = three_communes
    terr = view.layer("territoire")
    one = str(terr["insee_code"].iloc[1])
    name, others = str(terr["name"].iloc[1]), [str(n) for n in terr["name"].iloc[[0, 2]]]
    valid, _ = cameras.split_valid(view.layer("cameras"))
    mine = valid[valid["insee_code"] == one]
    assert 0 < len(mine) < len(valid)
    html = video.camera_plan_html(view, communes=(one,))
    assert name in html and not any(n in html for n in others)
    for cam in valid["camera_id"]:  # the plan's table cells hold the identifiers
        assert (f">{cam}<" in html) == (cam in set(mine["camera_id"]))
    assert all(n in video.camera_plan_html(view) for n in [name, *others])
    pdf = reports.camera_plan_pdf(view, communes=(one,))
    assert pdf.startswith(b"%PDF") and pdf != reports.camera_plan_pdf(view)
