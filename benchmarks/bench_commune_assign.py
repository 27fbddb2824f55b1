"""Benchmark of the commune every writer gives each point (``clspd_geo.store.communes``).

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_commune_assign.py [--points 1000000] [--communes 40]

Builds the synthetic département of ``bench_scale.py`` (square communes of 5 km) and its
incidents, then prints the time :func:`clspd_geo.store.communes.assign_communes` takes for
``--points`` points and how many get the commune the generator placed them in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale  # noqa: E402

from clspd_geo.store import communes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--communes", type=int, default=40)
    args = ap.parse_args()
    terr, _, boxes = bench_scale.territory(args.communes)
    for n in sorted({args.points // 10, args.points}):
        pts = bench_scale.incidents(boxes, n=n, start=dt.date(2021, 1, 1),
                                    end=dt.date(2026, 1, 1), seed=0, id_prefix="p")
        t = time.perf_counter()
        got = communes.assign_communes(pts, terr)
        took = time.perf_counter() - t
        same = float((got.to_numpy() == pts["insee_code"].to_numpy()).mean())
        print(f"{n:>10,} points, {args.communes} communes : {took:.2f} s, "
              f"{100 * same:.2f} % dans la commune du générateur")


if __name__ == "__main__":
    main()
