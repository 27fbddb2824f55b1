"""What the police page's first analysis costs: the workload per sector and shift.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_police_load.py [--incidents 1000000]

Builds (or reuses) a demo store, releases it to the police, then times
``screens.police.workload`` for the sidebar's default period (what the page's « Charge par
secteur et vacation » computes on a first visit), twice in the same run: with the points
tested against each sector by their coordinates (``police.load.sector_of``, a few sectors)
and with the STRtree of every point (``FEW_SECTORS = 0``, the way it was). Median of
``--runs``; each run on a new role view, so nothing memoised is reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store", default=None, help="default: /tmp/clspd-bench/demo-N.gpkg")
    args = ap.parse_args()
    os.environ.setdefault("CLSPD_WARM", "0")
    from clspd_geo.access.gateway import Gateway
    from clspd_geo.police import load, patrols
    from clspd_geo.screens import police as police_screen
    from ui import warm

    from _stores import demo_store

    store = demo_store(args.incidents, path=args.store)
    gate = Gateway(str(store))
    version = gate.version()
    bounds = patrols.shift_bounds(patrols.shift_table())
    weights = patrols.weight_items(patrols.weight_table())
    few = load.FEW_SECTORS
    times: dict[str, list[float]] = {"par secteur (coordonnées)": [], "arbre STRtree": []}
    for _ in range(args.runs):
        for label, limit in (("par secteur (coordonnées)", few), ("arbre STRtree", 0)):
            load.FEW_SECTORS = limit
            view = gate.view("police", as_of=dt.date.today(), version=version)
            view.counts()
            flt = warm.default_filters(view)
            t = time.perf_counter()
            police_screen.workload(view, start=flt.start, end=flt.end, bounds=bounds,
                                   weights=weights, communes=flt.communes)
            times[label].append(time.perf_counter() - t)
    print(f"{args.incidents} faits, police, médiane de {args.runs} ; charge "
          f"{os.getloadavg()[0]:.2f}")
    for label, values in times.items():
        print(f"  charge par secteur et vacation, {label} : {statistics.median(values):.2f} s")


if __name__ == "__main__":
    main()
