"""Benchmark of crash safety: writers of a GeoPackage store killed with SIGKILL at random moments.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_kill.py [--runs 100] [--seed 0] [--incidents 1500]

Builds a small demo store, then, ``--runs`` times: copies it, starts a writer process
doing one of four writes (an import replacing ``equipements`` as ``pipeline.commit`` writes
it, an append of facilities, a plan edit saved row by row, a demo rebuild of every layer),
kills it with SIGKILL after a random delay between 0 and 1.2 times that write's duration,
and checks the store: it opens, ``PRAGMA integrity_check`` says ``ok``, every layer holds
exactly the rows of the state before the write or of the state after it (identifiers and
row versions, all layers the same side), and the next writer's lock clears what the dead
one left. Prints the runs, the failures by kind and the time.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OPS = ("import", "append", "edit", "demo")
PRELOAD = ["geopandas", "pyogrio", "clspd_geo.store", "clspd_geo.demo",
           "clspd_geo.plan.actions"]


def build_template(path: Path, *, n_incidents: int) -> None:
    """Write the small demo store every run starts from."""
    from clspd_geo import demo
    from clspd_geo.store import GeoPackageStore

    demo.install(GeoPackageStore(path, create=True), seed=0, n_incidents=n_incidents)


def _prepare(op: str, path: Path, n_incidents: int):
    """Return a callable doing the write ``op`` on ``path`` (inputs prepared beforehand)."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from clspd_geo import demo
    from clspd_geo.plan import actions
    from clspd_geo.store import GeoPackageStore

    st = GeoPackageStore(path)
    if op == "import":
        # What ``pipeline.commit`` does for a replacement: write_many at the version read.
        fac = st.read("equipements")
        fac["facility_id"] = "I-" + fac["facility_id"].astype(str)
        version = st.version()
        return lambda: st.write_many({"equipements": fac}, source="import bench_kill",
                                     expected_version=version)
    if op == "append":
        ids = [f"K-{k}" for k in range(50)]
        gdf = gpd.GeoDataFrame({"facility_id": ids, "name": ids, "kind": ["mairie"] * 50},
                               geometry=[Point(2.35 + 1e-4 * k, 48.85) for k in range(50)],
                               crs=4326)
        return lambda: st.append_many({"equipements": gdf}, source="bench_kill")
    if op == "edit":
        base = st.read("actions")
        field = str(base["field"].iloc[0])
        ed = actions.editor_frame(base, field)
        ed.loc[ed.index[0], "title"] = "Titre après la saisie"
        new = {c: None for c in actions.EDITOR_COLUMNS}
        new.update(title="Action ajoutée", lead_partner="maire", status="prevue")
        ed = pd.concat([ed, pd.DataFrame([new])], ignore_index=True)
        return lambda: actions.save_edits(st, base, field, ed, by="bench_kill")
    return lambda: demo.install(st, seed=1, n_incidents=max(100, n_incidents // 2))


def worker(op: str, path: str, n_incidents: int, ready, go, done) -> None:
    """One writer: prepare, say ready, wait for go, write, say done."""
    write = _prepare(op, Path(path), n_incidents)
    ready.set()
    go.wait()
    write()
    done.set()


def state(path: Path) -> dict[str, tuple]:
    """Return ``{layer: (rows, hash of (id, row version) pairs)}`` of every layer."""
    import hashlib

    from clspd_geo import schemas
    from clspd_geo.store import GeoPackageStore, rows

    st = GeoPackageStore(path)
    out = {}
    for layer in sorted(st.table_names() & set(schemas.LAYERS)):
        gdf = st.read(layer)
        if schemas.schema(layer).id_column:
            pairs = sorted(rows.row_versions(gdf, layer).items())
        else:
            pairs = sorted(map(str, gdf.drop(columns="geometry").astype(str).values.tolist()))
        out[layer] = (len(gdf), hashlib.sha256(repr(pairs).encode()).hexdigest()[:16])
    return out


def check(path: Path, before: dict, after: dict) -> tuple[str, str | None]:
    """Return (``"old"``/``"new"``, failure kind or None) for the store left at ``path``."""
    from clspd_geo.store import GeoPackageStore, locking

    try:
        GeoPackageStore(path)
    except Exception as err:  # noqa: BLE001 - any failure to open is the finding
        return "?", f"open: {type(err).__name__}"
    con = sqlite3.connect(path)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
    if ok != "ok":
        return "?", "integrity"
    got = state(path)
    side = "old" if got == before else "new" if got == after else "?"
    if side == "?":
        return side, "mixed"
    with locking.exclusive(path):  # what the next writer does after a dead one
        pass
    left = sorted(p.name for p in path.parent.iterdir()
                  if p.name not in (path.name, f"{path.name}.lock"))
    if left or locking.lock_path(path).read_text():
        sizes = ", ".join(f"{n} ({(path.parent / n).stat().st_size} B)" for n in left)
        print(f"  not cleaned: {sizes or 'lock file still names a pid'}", flush=True)
        return side, "not cleaned"
    return side, None


def _wait_ready(proc, ready, timeout_s: float = 120.0) -> bool:
    """Wait for a writer to be ready; False at once if it died preparing."""
    deadline = time.monotonic() + timeout_s
    while not ready.wait(0.05):
        if not proc.is_alive() or time.monotonic() > deadline:
            return False
    return True


def calibrate(ctx, template: Path, work: Path, n_incidents: int) -> dict[str, tuple]:
    """Run each write to completion once: ``{op: (state after, seconds)}``."""
    out = {}
    for op in OPS:
        path = work / f"cal-{op}" / "s.gpkg"
        path.parent.mkdir()
        shutil.copyfile(template, path)
        ready, go, done = ctx.Event(), ctx.Event(), ctx.Event()
        proc = ctx.Process(target=worker, args=(op, str(path), n_incidents, ready, go, done))
        proc.start()
        _wait_ready(proc, ready)
        t0 = time.perf_counter()
        go.set()
        done.wait(300)
        seconds = time.perf_counter() - t0
        proc.join(60)
        if proc.exitcode != 0:
            raise SystemExit(f"the {op} write fails even when not killed (exit {proc.exitcode})")
        out[op] = (state(path), seconds)
    return out


def run(*, runs: int = 100, seed: int = 0, n_incidents: int = 1500,
        verbose: bool = True) -> dict:
    """Kill ``runs`` writers; return the figures (runs, sides, failures by kind, seconds)."""
    t_start = time.perf_counter()
    rng = random.Random(seed)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    with tempfile.TemporaryDirectory(prefix="bench_kill_") as tmp:
        work = Path(tmp)
        template = work / "modele.gpkg"
        build_template(template, n_incidents=n_incidents)
        before = state(template)
        cal = calibrate(ctx, template, work, n_incidents)
        if verbose:
            print(f"demo store: {template.stat().st_size / 1e6:.1f} MB, "
                  f"{n_incidents} incidents; full write times: "
                  + ", ".join(f"{op} {s:.2f} s" for op, (_, s) in cal.items()))
        failures: Counter = Counter()
        sides: Counter = Counter()
        examples: list[str] = []
        for i in range(runs):
            op = OPS[i % len(OPS)]
            after, seconds = cal[op]
            path = work / f"run-{i}" / "s.gpkg"
            path.parent.mkdir()
            shutil.copyfile(template, path)
            ready, go, done = ctx.Event(), ctx.Event(), ctx.Event()
            proc = ctx.Process(target=worker,
                               args=(op, str(path), n_incidents, ready, go, done))
            proc.start()
            if not _wait_ready(proc, ready):
                failures["worker not ready"] += 1
                proc.kill()
                proc.join()
                continue
            delay = rng.uniform(0, 1.2 * seconds)
            go.set()
            time.sleep(delay)
            proc.kill()  # SIGKILL
            proc.join(30)
            side, failure = check(path, before, after)
            sides[f"{op}:{side}"] += 1
            if failure:
                failures[failure] += 1
                examples.append(f"run {i} ({op}, killed after {delay:.3f} s): {failure}")
            shutil.rmtree(path.parent, ignore_errors=True)
    figures = {"runs": runs, "failures": dict(failures), "sides": dict(sorted(sides.items())),
               "seconds": time.perf_counter() - t_start, "examples": examples}
    if verbose:
        print(f"runs: {runs}   failures: {sum(failures.values())}"
              + (f" {dict(failures)}" if failures else ""))
        print("left as (op:old/new): " + ", ".join(f"{k} {v}" for k, v in figures["sides"].items()))
        for line in examples[:10]:
            print("  " + line)
        print(f"time: {figures['seconds']:.1f} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--incidents", type=int, default=1500)
    args = parser.parse_args()
    figures = run(runs=args.runs, seed=args.seed, n_incidents=args.incidents)
    sys.exit(1 if figures["failures"] else 0)


if __name__ == "__main__":
    main()
