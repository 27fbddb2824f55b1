"""Benchmark of camera siting (MCLP) on exact demand: claimed vs re-scored coverage, time, gap.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_siting.py [--demo-incidents 20000 1000000]
        [--paris-year 2012] [--baseline] [--spopt] [--compare] [--no-paris]

Instances (demand = the real points, only points at the same position merged):

- **Paris** (when ../shared/data is there): the road accidents of one year as demand, the
  707 Paris camera sites as existing domes seeing 50 m, new cameras seeing 75 m, p = 40;
  candidates (a) the 17,050 OpenStreetMap street crossings
  (``videoprotection/paris_street_intersections_osm.csv.gz``) and (b) the vertices of the
  main roads (``roads/osm_paris_main_roads_2023_antuki.gpkg``) inside Paris, named after
  their streets (:func:`clspd_geo.video.siting.road_labels`);
- **demo**: the fictitious territory with N incidents (seed 0), 10,000 candidate sites on a
  regular grid, new cameras seeing 100 m, p = 100, the demo's cameras in service existing.

For each instance and method (greedy with its Lagrangian bound, exact) it prints the time,
the covered weight the solver claims, the covered weight re-scored on the points by
:func:`clspd_geo.video.siting.rescore`, an independent plain KD-tree recount on the raw
points (exact answer only), the proven bound and the gap. ``--baseline`` adds the whole
model handed to HiGHS at once through scipy.optimize.milp; ``--compare`` adds the exact
pipeline without its swap local search (the previous version); ``--spopt`` adds spopt's MCLP
(PuLP + CBC; requirements-bench.txt) on the smallest demo instance.

The figures of the last run are in docs/siting.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo import crs, demo  # noqa: E402
from clspd_geo.video import coverage, siting  # noqa: E402


def _spopt(problem: siting.Problem, p: int) -> tuple[float, float, float]:
    """Solve the same instance with spopt's MCLP; return (objective, build s, solve s)."""
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    c, d = problem.candidates, problem.demand
    keep = ~problem.blocked
    t0 = time.perf_counter()
    cost = cdist(np.column_stack([d.x, d.y]), np.column_stack([c.x[keep], c.y[keep]]))
    model = MCLP.from_cost_matrix(cost, problem.weight, service_radius=problem.radius_m,
                                  p_facilities=p, name="mclp")
    t1 = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    t2 = time.perf_counter()
    return float(pulp.value(model.problem.objective)), t1 - t0, t2 - t1


def _baseline(problem: siting.Problem, time_limit_s: float) -> tuple[float, str, float]:
    """The whole compact model handed to HiGHS' branch-and-cut at once, through
    scipy.optimize.milp: (seconds, status, covered)."""
    from scipy import optimize, sparse

    from clspd_geo.video.siting import exact_solver

    t0 = time.perf_counter()
    model = exact_solver.compact(problem)
    m, n = model.cover_t.shape
    a = sparse.vstack([sparse.hstack([-model.cover_t.astype(float), sparse.identity(m)]),
                       sparse.csr_array(np.r_[np.ones(n), np.zeros(m)][None, :])], format="csr")
    res = optimize.milp(np.r_[np.zeros(n), -model.weight],
                        constraints=optimize.LinearConstraint(a, -np.inf,
                                                              np.r_[np.zeros(m), problem.n_new]),
                        integrality=np.r_[np.ones(n), np.zeros(m)], bounds=optimize.Bounds(0, 1),
                        options={"time_limit": time_limit_s, "mip_rel_gap": 1e-6,
                                 "presolve": False})
    covered = problem.covered_before + (-float(res.fun) if res.x is not None else 0.0)
    status = "optimal" if res.status == 0 else "time limit"
    return time.perf_counter() - t0, status, covered


def _recount(raw_xy: np.ndarray, raw_w: np.ndarray, existing_xy: np.ndarray,
             existing_r: float | None, sites: gpd.GeoDataFrame, radius_m: float,
             epsg: int) -> float:
    """Plain KD-tree recount on the raw points (domes only): weight covered after."""
    tree = cKDTree(raw_xy)
    hit = np.zeros(len(raw_xy), dtype=bool)
    if existing_r is not None and len(existing_xy):
        for near in tree.query_ball_point(existing_xy, r=existing_r):
            hit[near] = True
    s = sites.to_crs(epsg)
    for near in tree.query_ball_point(np.column_stack([s.geometry.x, s.geometry.y]),
                                      r=radius_m):
        hit[near] = True
    return float(raw_w[hit].sum())


def _run(label: str, problem: siting.Problem, args: argparse.Namespace, *,
         recount=None) -> None:
    total = problem.total_weight
    pct = lambda v: f"{100 * v / total:5.2f} %"  # noqa: E731
    print(f"\n{label}: {len(problem.candidates):,} sites × {problem.demand.units:,} demand "
          f"points ({problem.demand.description}), p = {problem.n_new}, radius "
          f"{problem.radius_m:g} m; existing cameras cover {problem.covered_before:,.0f} "
          f"of {total:,.0f} ({pct(problem.covered_before)})")
    g = siting.greedy(problem)
    gr = siting.rescore(g, problem)
    print(f"  greedy  {g.seconds:7.2f} s  claimed {g.covered_after:,.1f}  re-scored "
          f"{gr.covered_after:,.1f} ({pct(gr.covered_after)})  bound {gr.bound:,.1f}  "
          f"gap {100 * gr.gap:.3f} %")
    if args.compare:
        # The same exact pipeline without the swap local search (the previous version).
        o = siting.exact(problem, time_limit_s=args.time_limit_s, fallback=gr,
                         local_search_share=0.0)
        orr = siting.rescore(o, problem)
        print(f"  exact, no local search (old) {o.seconds:7.2f} s  claimed "
              f"{o.covered_after:,.1f}  re-scored {orr.covered_after:,.1f} "
              f"({pct(orr.covered_after)})  bound {orr.bound:,.1f}  gap "
              f"{100 * orr.gap:.3f} %  status {o.status}")
    e = siting.exact(problem, time_limit_s=args.time_limit_s, fallback=gr)
    er = siting.rescore(e, problem)
    line = (f"  exact{' (new)' if args.compare else ''}   {e.seconds:7.2f} s  claimed "
            f"{e.covered_after:,.1f}  re-scored "
            f"{er.covered_after:,.1f} ({pct(er.covered_after)})  bound {er.bound:,.1f}  "
            f"gap {100 * er.gap:.3f} %  status {e.status}")
    if recount is not None:
        line += f"  KD-tree recount {recount(er.sites):,.1f}"
    print(line)
    if args.baseline:
        secs, status, covered = _baseline(problem, args.time_limit_s)
        print(f"  baseline (whole model to scipy.optimize.milp) {secs:7.2f} s  {status}  "
              f"covered {covered:,.1f}")
    if args.spopt and label.startswith("demo") and problem.demand.units <= 50_000:
        try:
            obj, build, solve = _spopt(problem, int(problem.n_new))
        except ImportError:
            print("  spopt: not installed (pip install -r requirements-bench.txt)")
        else:
            print(f"  spopt MCLP (PuLP+CBC): build {build:.1f} s, solve {solve:.1f} s, "
                  f"objective {obj:,.1f} vs exact {er.covered_after - er.covered_before:,.1f}")


def _paris(folder: Path, year: int, args: argparse.Namespace) -> None:
    acc = pd.read_csv(folder / "accidents" / f"paris_accidents_{year}.csv.gz").dropna(
        subset=["lon", "lat"])
    inc = gpd.GeoDataFrame({"category": np.full(len(acc), "conduite_dangereuse")},
                           geometry=gpd.points_from_xy(acc["lon"], acc["lat"]), crs=4326)
    demand = siting.demand_from_incidents(inc, epsg=2154)
    cams = pd.read_csv(folder / "videoprotection" / "paris_cameras_geocoded_2019.csv",
                       sep=";").dropna(subset=["lon", "lat"])
    existing = gpd.GeoDataFrame(
        {"camera_id": [f"P{i}" for i in range(len(cams))], "bearing_deg": np.nan,
         "fov_deg": 360.0, "range_m": 50.0},
        geometry=gpd.points_from_xy(cams["lon"], cams["lat"]), crs=4326)
    raw = inc.to_crs(2154)
    raw_xy = np.column_stack([raw.geometry.x, raw.geometry.y])
    ex_xy = np.column_stack([existing.to_crs(2154).geometry.x, existing.to_crs(2154).geometry.y])

    def recount(sites: gpd.GeoDataFrame) -> float:
        return _recount(raw_xy, np.ones(len(raw_xy)), ex_xy, 50.0, sites, 75.0, 2154)

    cr = pd.read_csv(folder / "videoprotection" / "paris_street_intersections_osm.csv.gz")
    crossings = gpd.GeoDataFrame({"name": cr["nom1"] + " × " + cr["nom2"]},
                                 geometry=gpd.points_from_xy(cr["lon"], cr["lat"]), crs=4326)
    roads = gpd.read_file(folder / "roads" / "osm_paris_main_roads_2023_antuki.gpkg")
    paris = gpd.read_file(folder / "boundaries" / "departement-75-paris.geojson")
    xy = np.unique(np.round(shapely.get_coordinates(roads.to_crs(2154).geometry.to_numpy()),
                            1), axis=0)
    vertices = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=2154)
    for label, points, kwargs in (
            ("OSM street crossings", crossings, {"label_column": "name"}),
            ("main-road vertices", vertices, {"territory": paris, "voies": roads})):
        t0 = time.perf_counter()
        cand = siting.candidates_from_points(points, epsg=2154, **kwargs)
        problem = siting.prepare(demand, cand, radius_m=75.0, n_new=40, existing=existing)
        print(f"\n[Paris {year}, {label}] candidates and coverage matrix built in "
              f"{time.perf_counter() - t0:.1f} s; first labels: {', '.join(cand.labels[:2])}")
        _run(f"Paris {year} accidents, {label}", problem, args, recount=recount)


def _demo(n_incidents: int, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    layers = demo.build_demo(seed=0, n_incidents=n_incidents)
    epsg = crs.metric_epsg(layers["territoire"])
    demand = siting.demand_from_incidents(layers["incidents"], epsg=epsg)
    area = float(crs.to_compute(layers["territoire"]).area.sum())
    grid = siting.grid_sites(layers["territoire"], spacing_m=float(np.sqrt(area / 10_000)))
    cand = siting.candidates_from_points(grid, epsg=epsg, id_column="site_id")
    problem = siting.prepare(demand, cand, radius_m=100.0, n_new=100,
                             existing=coverage.in_service(layers["cameras"]))
    print(f"\n[demo, {n_incidents:,} incidents] built and prepared in "
          f"{time.perf_counter() - t0:.1f} s")
    _run(f"demo {n_incidents:,} incidents", problem, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-incidents", type=int, nargs="*", default=[20_000])
    parser.add_argument("--paris-year", type=int, default=2012, choices=(2012, 2013))
    parser.add_argument("--time-limit-s", type=float, default=30.0)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--spopt", action="store_true")
    parser.add_argument("--compare", action="store_true",
                        help="also run the exact pipeline without the swap local search "
                             "(the previous version), on the same instance")
    parser.add_argument("--no-paris", action="store_true", help="skip the Paris instances")
    parser.add_argument("--shared-data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data",
                        help="folder of the real samples (Paris instances; skipped if absent)")
    args = parser.parse_args()
    print(f"load average at start: {', '.join(f'{v:.1f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    if args.no_paris:
        print("Paris instances skipped (--no-paris)")
    elif (args.shared_data / "accidents").is_dir():
        _paris(args.shared_data, args.paris_year, args)
    else:
        print(f"Paris instances skipped: {args.shared_data} not found")
    for n in args.demo_incidents:
        _demo(n, args)


if __name__ == "__main__":
    main()
