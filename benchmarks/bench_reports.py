"""Time the plenary report on the 20k and the 1M demo (benchmark, not a test).

Run: ``python benchmarks/bench_reports.py [--sizes 20000 1000000]``. The demo stores are
built once into ``benchmarks/out/`` (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from clspd_geo import demo
from clspd_geo.access.gateway import Gateway
from clspd_geo.reports import plenary
from clspd_geo.store import GeoPackageStore

OUT = Path(__file__).resolve().parent / "out"


def store_of(n: int) -> Path:
    """Return the demo store of ``n`` incidents, built on first use."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"demo_{n}.gpkg"
    if not path.exists():
        GeoPackageStore(path, create=True).write_many(demo.build_demo(seed=1, n_incidents=n),
                                                      source=demo.source_label(1))
    return path


def main() -> None:
    """Print the time, pages and size of the plenary report per demo size."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=int, default=[20_000, 1_000_000])
    ap.add_argument("--role", default="elu")
    args = ap.parse_args()
    end = dt.date.today().replace(day=1)
    start = end.replace(year=end.year - 1)
    for n in args.sizes:
        path = store_of(n)
        t0 = time.perf_counter()
        view = Gateway(str(path)).view(args.role)
        data = plenary.build_pdf(view, start=start, end=end)
        secs = time.perf_counter() - t0
        (OUT / f"rapport_{n}.pdf").write_bytes(data)
        print(f"{n:>9} faits  {secs:6.1f} s  {len(data) / 1e6:5.2f} Mo")


if __name__ == "__main__":
    main()
