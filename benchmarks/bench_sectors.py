"""Benchmark the sector redesign against PySAL spopt on 1,000 grid cells (not a test).

Builds a 40 × 25 grid of 100 m cells (1,000 blocks) with a workload made of a smooth
background plus three hotspots (Poisson draws, fixed seed), then cuts it into K = 8 and
K = 20 sectors with:

- ``clspd``: :func:`clspd_geo.police.redesign.redesign` (seeded growth + local improvement);
- ``spopt max-p``: MaxPHeuristic with a load floor of 90 % of the mean sector load;
- ``spopt AZP``: AZP with K regions, on the cells' coordinates and load;
- ``spopt SKATER``: Skater with K regions, on the cells' coordinates and load;
- ``SKATER + clspd``: spopt's SKATER partition improved by
  :func:`clspd_geo.police.redesign.improve`.

For each: wall time, number of sectors, workload CV, max/mean, mean and smallest
Polsby–Popper, largest travel distance. Run::

    .venv/bin/python benchmarks/bench_sectors.py [--json FILE] [--skip-spopt]

spopt is an optional benchmark dependency (requirements-bench.txt); without it only the
clspd rows are printed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo import crs  # noqa: E402
from clspd_geo.police import blocks as blocks_mod  # noqa: E402
from clspd_geo.police import load, redesign  # noqa: E402

X0, Y0 = 650_000.0, 6_860_000.0
NX, NY, CELL_M = 40, 25, 100.0


def make_blocks(seed: int = 42) -> gpd.GeoDataFrame:
    """Return the 1,000 cells with a hotspot-shaped workload (EPSG:4326)."""
    rng = np.random.default_rng(seed)
    geoms, xy = [], []
    for j in range(NY):
        for i in range(NX):
            geoms.append(shapely.box(X0 + i * CELL_M, Y0 + j * CELL_M,
                                     X0 + (i + 1) * CELL_M, Y0 + (j + 1) * CELL_M))
            xy.append((i * CELL_M + CELL_M / 2, j * CELL_M + CELL_M / 2))
    xy = np.asarray(xy)
    mu = np.full(len(xy), 1.5)
    for (cx, cy), height, radius in (((1000, 1200), 25, 350), ((3000, 600), 15, 250),
                                     ((2400, 2000), 10, 400)):
        mu += height * np.exp(-((xy - (cx, cy)) ** 2).sum(1) / (2 * radius**2))
    load = rng.poisson(mu).astype(float)
    return gpd.GeoDataFrame({"block_id": [f"c{n}" for n in range(len(xy))], "load": load,
                             "n_incidents": load.astype(int), "x": xy[:, 0], "y": xy[:, 1]},
                            geometry=geoms, crs=2154).to_crs(4326)


def figures(blocks: gpd.GeoDataFrame, labels: np.ndarray, seconds: float) -> dict:
    """Figures of a partition given by integer labels."""
    labels = np.unique(np.asarray(labels), return_inverse=True)[1]
    out = redesign.dissolve(blocks, labels, force="police_nationale")
    b = load.balance(out["workload"])
    graph = blocks_mod.contiguity(blocks)
    contiguous = all(_connected(graph, np.flatnonzero(labels == r))
                     for r in range(labels.max() + 1))
    return {"seconds": round(seconds, 2), "n_sectors": int(labels.max() + 1),
            "cv": round(b.cv, 4), "max_over_mean": round(b.max_over_mean, 3),
            "pp_mean": round(float(out["polsby_popper"].mean()), 3),
            "pp_min": round(float(out["polsby_popper"].min()), 3),
            "max_distance_m": round(float(out["max_distance_m"].max())),
            "contiguous": contiguous}


def _connected(graph: blocks_mod.Graph, members: np.ndarray) -> bool:
    members = set(members.tolist())
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        u = stack.pop()
        for v in graph.neighbours[u]:
            if v in members and v not in seen:
                seen.add(v)
                stack.append(v)
    return seen == members


def run_clspd(blocks: gpd.GeoDataFrame, k: int) -> dict:
    t = time.perf_counter()
    res = redesign.redesign(blocks, k=k, seed=0)
    dt = time.perf_counter() - t
    lab = res.assignment["sector_id"].str[1:].astype(int).to_numpy() - 1
    return figures(blocks, lab, dt) | {"moves": res.iterations}


def _spopt_inputs(blocks: gpd.GeoDataFrame):
    from libpysal.weights import W

    graph = blocks_mod.contiguity(blocks)
    work = crs.to_compute(blocks).copy()
    crs.require_projected(work, layer="cellules")
    w = W({i: nb for i, nb in enumerate(graph.neighbours)}, silence_warnings=True)
    # Standardised attributes: position (compactness) and load (homogeneity).
    for col in ("x", "y", "load"):
        work[f"z_{col}"] = (work[col] - work[col].mean()) / work[col].std()
    return graph, work, w


def _spopt_labels(method: str, blocks: gpd.GeoDataFrame, k: int) -> np.ndarray:
    """Run one spopt regionaliser on the cells and return its labels."""
    from spopt.region import AZP, MaxPHeuristic, Skater

    graph, work, w = _spopt_inputs(blocks)
    attrs = ["z_x", "z_y", "z_load"]
    if method == "spopt max-p":
        np.random.seed(0)
        model = MaxPHeuristic(work, w, ["z_x", "z_y"], "load", 0.9 * work["load"].sum() / k,
                              top_n=2, max_iterations_construction=10, max_iterations_sa=2)
    elif method == "spopt AZP":
        model = AZP(work, w, attrs, n_clusters=k, random_state=0)
    else:
        model = Skater(work, w, attrs, n_clusters=k, floor=max(1, len(work) // (4 * k)))
    model.solve()
    return np.asarray(model.labels_)


def _child(method: str, k: int, queue) -> None:
    warnings.simplefilter("ignore")
    blocks = make_blocks()
    t = time.perf_counter()
    try:
        labels = _spopt_labels(method.replace(" + clspd", ""), blocks, k)
    except ImportError as err:
        queue.put(("absent", str(err)))
        return
    seconds = time.perf_counter() - t
    row = figures(blocks, labels, seconds)
    if method.endswith("+ clspd"):
        graph, work, _ = _spopt_inputs(blocks)
        t = time.perf_counter()
        xy = shapely.get_coordinates(shapely.centroid(work.geometry.to_numpy()))
        start = np.unique(labels, return_inverse=True)[1]
        lab, moves = redesign.improve(start, graph, work["load"].to_numpy(),
                                     shapely.area(work.geometry.to_numpy()), xy)
        row = figures(blocks, lab, seconds + time.perf_counter() - t) | {"moves": moves}
    queue.put(("ok", row))


def run_spopt(method: str, k: int, *, timeout_s: float) -> dict | str:
    """Run a spopt method in a child process; return its figures or why it has none."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(method, k, queue))
    proc.start()
    try:
        status, value = queue.get(timeout=timeout_s)
    except Exception:  # queue.Empty: the method did not finish in time
        proc.terminate()
        proc.join()
        return f"non terminé en {timeout_s:.0f} s (arrêté)"
    proc.join()
    if status == "absent":
        return f"spopt absent ({value}) : pip install -r requirements-bench.txt"
    return value


SPOPT_METHODS = ("spopt SKATER", "SKATER + clspd", "spopt AZP", "spopt max-p")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--skip-spopt", action="store_true")
    parser.add_argument("--timeout-s", type=float, default=600.0,
                        help="time allowed to each spopt run (default 600 s)")
    args = parser.parse_args(argv)
    blocks = make_blocks()
    print(f"{len(blocks)} cellules de {CELL_M:.0f} m, charge totale "
          f"{blocks['load'].sum():.0f}", flush=True)
    results: dict[str, dict[str, dict | str]] = {}
    print(f"{'K':>3} {'méthode':<16} {'s':>7} {'secteurs':>8} {'CV':>7} {'max/moy':>7} "
          f"{'PP moy':>6} {'PP min':>6} {'dist max m':>10} {'contigu':>7}", flush=True)
    for k in (8, 20):
        rows: dict[str, dict | str] = {}
        methods = ("clspd",) + (() if args.skip_spopt else SPOPT_METHODS)
        for name in methods:
            r = run_clspd(blocks, k) if name == "clspd" else run_spopt(
                name, k, timeout_s=args.timeout_s)
            rows[name] = r
            if isinstance(r, str):
                print(f"{k:>3} {name:<16} {r}", flush=True)
                continue
            print(f"{k:>3} {name:<16} {r['seconds']:>7.2f} {r['n_sectors']:>8} "
                  f"{r['cv']:>7.1%} {r['max_over_mean']:>7.2f} {r['pp_mean']:>6.2f} "
                  f"{r['pp_min']:>6.2f} {r['max_distance_m']:>10} {str(r['contiguous']):>7}",
                  flush=True)
        results[str(k)] = rows
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
