"""What one filter change costs the server on the overview: figures, map build, map render.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_filter_change.py [--incidents 1000000] [--role police]

Builds (or reuses) a demo store, warms the overview for the default filters as a session
would, then for each of the first quartiers times what a session choosing that quartier
computes: the overview's figures (``field_screen.overview_kpis``), the publication note,
the map's layers (``panels.overview_map``) and its render (``map_cache.render``). It does
so twice in the same run: as the library is, and with this session's two changes undone
(``indicators.is_in`` back to ``Series.isin`` on every row; branca compiling every
rendered piece as a Jinja template), and prints the medians side by side.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(store: Path, role: str, n_quartiers: int) -> dict[str, float]:
    from clspd_geo import vocab
    from clspd_geo.access.gateway import Gateway
    from clspd_geo.screens import fields as field_screen
    from ui import map_cache, panels, warm

    gate = Gateway(str(store))
    view = gate.view(role, as_of=dt.date.today(), version=gate.version())
    filters = warm.default_filters(view)
    sel0 = field_screen.year_snapped(view, filters.with_categories(vocab.category_codes()))[0]
    field_screen.overview_kpis(view, sel0)
    map_cache.render(panels.overview_map(view, sel0, basemap="aucun"))
    steps: dict[str, list[float]] = {"chiffres": [], "note": [], "carte (couches)": [],
                                     "carte (rendu)": []}
    for q in list(view.layer("quartiers")["quartier_id"])[:n_quartiers]:
        sel = dataclasses.replace(sel0, quartiers=(q,))
        t0 = time.perf_counter()
        field_screen.overview_kpis(view, sel)
        t1 = time.perf_counter()
        field_screen.publication_note(view, sel)
        t2 = time.perf_counter()
        m = panels.overview_map(view, sel, basemap="aucun")
        t3 = time.perf_counter()
        map_cache.render(m)
        t4 = time.perf_counter()
        for key, s in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[key].append(s)
    return {k: statistics.median(v) for k, v in steps.items()}


def undo_changes() -> None:
    """Put back ``Series.isin`` on every row and branca's compile of every piece."""
    import branca.element
    import jinja2

    from clspd_geo.analysis import indicators

    branca.element.Template = jinja2.Template
    indicators.is_in = lambda column, values: column.isin(list(values)).to_numpy(dtype=bool)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--role", default="police")
    ap.add_argument("--quartiers", type=int, default=5, help="quartiers chosen in turn")
    ap.add_argument("--store", default=None, help="default: /tmp/clspd-bench/demo-N.gpkg")
    args = ap.parse_args()
    import os

    os.environ.setdefault("CLSPD_WARM", "0")
    from _stores import demo_store

    store = demo_store(args.incidents, path=args.store)
    now = measure(store, args.role, args.quartiers)
    undo_changes()  # a new role view: nothing memoised is reused, the store's reads are
    before = measure(store, args.role, args.quartiers)
    print(f"{args.incidents} faits, rôle {args.role}, médiane sur {args.quartiers} quartiers "
          f"(s) ; charge {os.getloadavg()[0]:.2f}")
    print("| étape | sans les deux changements | avec |")
    print("| --- | ---: | ---: |")
    for key in now:
        print(f"| {key} | {before[key]:.3f} | {now[key]:.3f} |")
    print(f"| total | {sum(before.values()):.3f} | {sum(now.values()):.3f} |")


if __name__ == "__main__":
    main()
