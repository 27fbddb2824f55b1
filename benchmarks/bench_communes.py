"""Benchmark of the commune comparison on the intercommunal demo.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_communes.py [--incidents 1000000] [--communes 5]

Builds the intercommunal demo in memory, prepares its incidents as the role view does, then
times :func:`clspd_geo.analysis.communes.compare` over the last year, all categories, with
each way of finding an incident's commune: by its quartier, and by point in polygon (the
quartiers left out); then on a working group's release from the atoms, weighted (one row
per released atom with its count, as ``RoleView.counts`` gives it) and expanded to one row
per incident (``release.expand``, the expansion not timed). Prints the build time, each
comparison's time and its rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clspd_geo import demo, vocab  # noqa: E402
from clspd_geo.access import release  # noqa: E402
from clspd_geo.analysis import communes, indicators  # noqa: E402
from clspd_geo.store import atoms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=demo.MAX_COMMUNES)
    args = parser.parse_args()
    started = time.perf_counter()
    layers = demo.build_demo(seed=1, n_incidents=args.incidents, n_communes=args.communes)
    df = indicators.prepare_incidents(layers["incidents"], epsg=2154)
    print(f"demo of {args.communes} communes, {args.incidents:,} incidents: built and prepared "
          f"in {time.perf_counter() - started:.1f} s")
    sel = indicators.Selection(dt.date(2025, 11, 1), dt.date(2026, 11, 1),
                               tuple(vocab.category_codes()))
    zones = release.zones_for(layers["territoire"], layers["quartiers"], epsg=2154)
    weighted = release.restrict_atoms(atoms.atoms_of_prepared(df), role_code="groupe_travail",
                                      zones=zones, as_of=dt.date(2026, 11, 15))
    for label, frame in (("by quartier", df), ("point in polygon", df.assign(quartier_id=None)),
                         (f"of {len(weighted):,} weighted rows", weighted),
                         ("of the same rows expanded", release.expand(weighted))):
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            res = communes.compare(frame, layers["territoire"], layers["quartiers"], sel, k=5,
                                   epsg=2154)
            best = min(best, time.perf_counter() - t)
        print(f"compare, commune {label}: {best:.2f} s (best of 3), {len(res.rows)} rows, "
              f"{res.unattributed[communes.ALL_FACTS]} facts in no commune")


if __name__ == "__main__":
    main()
