"""Benchmark of the video-protection and police analyses on the weighted release.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_weighted_video_police.py [--incidents 300000] [--seed 0]

Builds the demo territory with ``--incidents`` incidents, releases it to the
``videoprotection`` and ``police`` roles from the atoms
(:func:`clspd_geo.access.release.restrict_atoms`: one row per atom with its count ``n``, what
:meth:`clspd_geo.access.view.RoleView.counts` returns) and expands it
(:func:`clspd_geo.access.release.expand`, what :meth:`RoleView.incidents` returns). Then
times, on both tables, what the two pages compute:

- video protection (the last 12 months, every category): coverage by the cameras in
  service (:func:`clspd_geo.video.coverage.assess`, ``share_by``, ``per_camera``,
  ``uncovered_hotspots``), the before / after table of every dated camera and the siting
  demand (incidents weighted by severity, half-life 180 days);
- police (the timed categories, exact points ``n`` = 1, as the page keeps them): workload
  per sector × shift and the PN / PM coordination.

Prints the rows of each table, the time of the expansion, of each step on each table, and
checks that the figures are the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clspd_geo import crs, demo, vocab  # noqa: E402
from clspd_geo.access import policy, release  # noqa: E402
from clspd_geo.analysis import indicators  # noqa: E402
from clspd_geo.police import load, patrols  # noqa: E402
from clspd_geo.store import atoms  # noqa: E402
from clspd_geo.video import before_after, cameras, coverage, siting  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def video_steps(rows: pd.DataFrame, cams: gpd.GeoDataFrame, dated: gpd.GeoDataFrame,
                epsg: int) -> dict[str, tuple[object, float]]:
    out = {}
    out["coverage.assess"] = timed(lambda: coverage.assess(cams, rows, epsg=epsg))
    cov = out["coverage.assess"][0]
    out["share_by"] = timed(lambda: coverage.share_by(cov, rows, by="category"))
    out["per_camera"] = timed(lambda: coverage.per_camera(cov, rows, cams))
    out["uncovered_hotspots"] = timed(lambda: coverage.uncovered_hotspots(cov))
    out["before_after"] = timed(lambda: before_after.before_after(dated, rows, epsg=epsg))
    out["siting demand"] = timed(lambda: siting.demand_from_incidents(
        rows, epsg=epsg, category_weights="gravite", half_life_days=180.0))
    return out


def police_steps(points: gpd.GeoDataFrame, secteurs: gpd.GeoDataFrame,
                 territoire: gpd.GeoDataFrame) -> dict[str, tuple[object, float]]:
    return {"workload": timed(lambda: patrols.workload(points, secteurs)),
            "coordination": timed(lambda: patrols.coordination(secteurs, points,
                                                               territory=territoire))}


def same(a: object, b: object) -> bool:
    if isinstance(a, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
            return True
        except AssertionError:
            return False
    if isinstance(a, siting.Demand):
        return (np.array_equal(a.x, b.x) and np.allclose(a.weight, b.weight, rtol=1e-9)
                and a.n_source == b.n_source)
    if isinstance(a, patrols.Workload):
        return same(a.by_sector_shift, b.by_sector_shift) and a.outside == b.outside
    if isinstance(a, patrols.Coordination):
        return same(a.overlap_by_shift, b.overlap_by_shift) and same(
            pd.DataFrame(a.uncovered.drop(columns="geometry")),
            pd.DataFrame(b.uncovered.drop(columns="geometry")))
    return True  # the Coverage itself: its tables are compared


def report(title: str, weighted: dict, expanded: dict) -> None:
    print(f"\n{title}")
    print(f"  {'step':<20} {'weighted s':>11} {'expanded s':>11}  same figures")
    for k in weighted:
        ok = same(weighted[k][0], expanded[k][0])
        print(f"  {k:<20} {weighted[k][1]:>11.3f} {expanded[k][1]:>11.3f}  {'yes' if ok else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    frames, t = timed(lambda: demo.build_demo(seed=args.seed, n_incidents=args.incidents))
    print(f"demo: {args.incidents:,} incidents built in {t:.1f} s")
    epsg = crs.metric_epsg(frames["territoire"])
    prepared = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    atoms_ = atoms.atoms_of_prepared(prepared)
    as_of = (prepared["occurred_at"].max() + pd.Timedelta(days=30)).date()
    valid, _ = cameras.split_valid(frames["cameras"])
    cams = coverage.in_service(valid)

    for role in ("videoprotection", "police"):
        weighted = release.restrict_atoms(atoms_, role_code=role, zones=zones, as_of=as_of,
                                          points=prepared)
        expanded, t_exp = timed(lambda: release.expand(weighted))
        print(f"\n{role}: {len(weighted):,} weighted rows, {len(expanded):,} incidents "
              f"(expansion {t_exp:.2f} s)")
        end = dt.date(as_of.year, as_of.month, 1)
        sel = indicators.Selection(dt.date(end.year - 1, end.month, 1), end,
                                   tuple(vocab.category_codes()))
        if role == "videoprotection":
            w_rows, e_rows = indicators.select(weighted, sel), indicators.select(expanded, sel)
            report(f"  video protection, {len(w_rows):,} / {len(e_rows):,} rows of the last "
                   "12 months", video_steps(w_rows, cams, valid, epsg),
                   video_steps(e_rows, cams, valid, epsg))
        else:
            timed_cats = [c for c in vocab.category_codes()
                          if policy.category_rule(role, c).access == "exact"]
            keep = [indicators.mask(df, sel) & df["category"].astype(str).isin(timed_cats)
                    .to_numpy() for df in (weighted, expanded)]
            w_pts, e_pts = (load.released_points(weighted[keep[0]]),
                            load.released_points(expanded[keep[1]]))
            report(f"  police, {len(w_pts):,} / {len(e_pts):,} timed points of the last 12 "
                   "months", police_steps(w_pts, frames["secteurs"], frames["territoire"]),
                   police_steps(e_pts, frames["secteurs"], frames["territoire"]))


if __name__ == "__main__":
    main()
