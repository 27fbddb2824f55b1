"""Benchmark of camera siting (MCLP): greedy and exact HiGHS against spopt's MCLP.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_siting.py [--incidents 1000000] [--skip-spopt]

It builds the demo territory with N incidents (seed 0), aggregates them into 50 m demand
cells, and places candidate sites on a regular grid over the commune (about 2,000 and
10,000 sites); then, when ../shared/data is there, the Paris instance (2012–2013 road
accidents, the 17,050 OpenStreetMap street crossings, the 707 camera sites). New cameras see
100 m; the cameras in service already count (the demand they see is removed, for every
solver alike). For each instance and number of new cameras it prints the time to build the
sparse coverage matrix, the greedy time (alone, and with its Lagrangian bound), its covered
weight and gap to the proven bound, the exact solver's time, status, covered weight and
proven gap, and the baseline measured in the same run: the whole model handed to HiGHS at
once through scipy.optimize.milp (the method before siting.exact_solver). On the smallest demo
instance it also runs spopt's MCLP (PuLP + CBC, the path of spopt's documentation, built from
a dense distance matrix) with the same residual weights, and prints both objectives and the
speed-up. spopt and PuLP are optional (requirements-bench.txt).

The figures of the last run are in docs/siting.md (included in the README).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo import crs, demo  # noqa: E402
from clspd_geo.video import coverage, siting  # noqa: E402


def _instance(layers: dict, demand: siting.Demand, n_sites: int) -> siting.Candidates:
    area = float(crs.to_compute(layers["territoire"]).area.sum())
    grid = siting.grid_sites(layers["territoire"], spacing_m=float(np.sqrt(area / n_sites)))
    return siting.candidates_from_points(grid, epsg=demand.epsg, id_column="site_id")


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
    scipy.optimize.milp (the method before the LP reduction): (seconds, status, covered)."""
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


def _run(label: str, demand: siting.Demand, cand: siting.Candidates, existing, p: int,
         args: argparse.Namespace) -> tuple[siting.Problem, siting.SitingResult, float]:
    t0 = time.perf_counter()
    problem = siting.prepare(demand, cand, radius_m=100.0, n_new=p, existing=existing)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    m0 = siting.coverage_matrix(cand.x, cand.y, demand.x, demand.y, radius_m=100.0)
    t_matrix = time.perf_counter() - t0
    plain = min((siting.greedy(problem, bound_iterations=0) for _ in range(3)),
                key=lambda r: r.seconds)
    g = min((siting.greedy(problem) for _ in range(3)), key=lambda r: r.seconds)
    e = siting.exact(problem, time_limit_s=args.time_limit_s, fallback=g)
    print(f"\n{label}: {len(cand):,} sites, {p} new cameras: coverage matrix "
          f"{t_matrix * 1e3:.0f} ms ({m0.nnz:,} pairs), prepare (with existing cameras) "
          f"{t_prep * 1e3:.0f} ms")
    print(f"  greedy            {plain.seconds * 1e3:7.1f} ms  covered "
          f"{plain.covered_after:,.0f}  gap to its bound {100 * plain.gap:5.2f} %")
    print(f"  greedy + Lagrange {g.seconds * 1e3:7.1f} ms  covered "
          f"{g.covered_after:,.0f}  gap to its bound {100 * g.gap:5.2f} %")
    print(f"  exact             {e.seconds:7.2f} s   covered {e.covered_after:,.0f}  "
          f"status {e.status}  proven gap {100 * e.gap:.3f} %  "
          f"(greedy is {100 * (e.covered_after - g.covered_after) / e.covered_after:.2f}"
          " % below)")
    if not args.skip_baseline:
        secs, status, covered = _baseline(problem, args.time_limit_s)
        print(f"  baseline: whole model to HiGHS at once {secs:7.2f} s, {status}, covered "
              f"{covered:,.0f}; exact is {secs / e.seconds:.1f}x faster")
    return problem, e, t_prep


def _paris(folder: Path) -> tuple[siting.Demand, siting.Candidates, gpd.GeoDataFrame]:
    """Paris: 2012–2013 road accidents, the OSM street crossings, the 707 camera sites."""
    acc = pd.concat([pd.read_csv(folder / "accidents" / f"paris_accidents_{y}.csv.gz")
                     for y in (2012, 2013)]).dropna(subset=["lon", "lat"])
    inc = gpd.GeoDataFrame({"category": np.full(len(acc), "conduite_dangereuse")},
                           geometry=gpd.points_from_xy(acc["lon"], acc["lat"]), crs=4326)
    demand = siting.demand_from_incidents(inc, epsg=2154, cell_size_m=50.0)
    cr = pd.read_csv(folder / "videoprotection" / "paris_street_intersections_osm.csv.gz")
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(cr["lon"], cr["lat"]), crs=4326)
    cand = siting.candidates_from_points(sites, epsg=2154)
    cams = pd.read_csv(folder / "videoprotection" / "paris_cameras_geocoded_2019.csv",
                       sep=";").dropna(subset=["lon", "lat"])
    existing = gpd.GeoDataFrame(
        {"camera_id": [f"P{i}" for i in range(len(cams))], "bearing_deg": np.nan,
         "fov_deg": 360.0, "range_m": 100.0},
        geometry=gpd.points_from_xy(cams["lon"], cams["lat"]), crs=4326)
    return demand, cand, existing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sites", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--new", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--time-limit-s", type=float, default=60.0)
    parser.add_argument("--skip-spopt", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--shared-data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data",
                        help="folder of the real samples (Paris instance; skipped if absent)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    layers = demo.build_demo(seed=args.seed, n_incidents=args.incidents)
    print(f"demo: {args.incidents:,} incidents built in {time.perf_counter() - t0:.1f} s")
    epsg = crs.metric_epsg(layers["territoire"])
    t0 = time.perf_counter()
    demand = siting.demand_from_incidents(layers["incidents"], epsg=epsg, cell_size_m=50.0)
    print(f"demand: {len(demand.x):,} cells of 50 m, total weight {demand.total:,.0f} "
          f"({time.perf_counter() - t0:.2f} s, projection included)")
    existing = coverage.in_service(layers["cameras"])
    print(f"existing cameras in service: {len(existing)}")

    for n_sites in args.sites:
        cand = _instance(layers, demand, n_sites)
        for p in args.new:
            problem, e, t_prep = _run("demo", demand, cand, existing, p, args)
            if not args.skip_spopt and n_sites == min(args.sites) and p == min(args.new):
                try:
                    obj, build, solve = _spopt(problem, p)
                except ImportError:
                    print("  spopt: not installed (pip install -r requirements-bench.txt)")
                    continue
                ours = e.covered_after - e.covered_before
                print(f"  spopt MCLP (PuLP+CBC): build {build:.1f} s, solve {solve:.1f} s, "
                      f"objective {obj:,.0f} vs ours {ours:,.0f} "
                      f"({'equal' if abs(obj - ours) <= 1e-6 * max(ours, 1) else 'DIFFERENT'})"
                      f"; speed-up {(build + solve) / (t_prep + e.seconds):.0f}x "
                      "(ours: prepare + exact)")
    if (args.shared_data / "accidents").is_dir():
        demand, cand, existing = _paris(args.shared_data)
        print(f"\nParis: {len(demand.x):,} demand cells of 50 m (2012–2013 accidents), "
              f"{len(cand):,} street crossings, {len(existing)} camera sites")
        for p in args.new:
            _run("Paris", demand, cand, existing, p, args)
    else:
        print(f"\nParis instance skipped: {args.shared_data} not found")


if __name__ == "__main__":
    main()
