"""Scale benchmark: a synthetic département in PostGIS, against the GeoPackage path.

Run on demand (not a test), on loopback only:

    .venv/bin/python benchmarks/bench_scale.py [--incidents 1000000] [--communes 40]
        [--gpkg-max 1000000] [--seed 0]

Builds a synthetic département: ``--communes`` square communes of 5 km (a grid, in
Lambert-93), four quartiers each, and ``--incidents`` incidents over the five years
2021–2025 (communes weighted by a log-normal population, 70 % of each commune's incidents
around three hotspots; every category of the vocabulary; an ``insee_code`` column per
incident, which the stores' writers fill again from the communes' polygons). Starts a
throw-away PostgreSQL 15 + PostGIS server on 127.0.0.1 (the tests' starter,
``tests/pg_server.py``), loads the territory and the incidents year by year
(``append_many``), then times:

- the import of one more month (2026-01, ``incidents / 60`` rows) as the app and the
  command line do it: a CSV read and checked by :mod:`clspd_geo.importing.pipeline`, then
  written in the « ajouter / mettre à jour » mode (the store's upsert by identifier and the
  refresh of that month's atoms, in one transaction), then the same file again (0 change);
- the preparation of every role's release of that version, kept in the base for every app
  process, as the import command does after writing (``keep_releases``, a fresh process);
- from a cold app process (a fresh interpreter per role, ``elu`` aggregate only and
  ``police`` with points): the role's release, then for one commune (``Selection.communes``)
  and for the whole département the
  overview figures (total, per action field, per quartier, last 12 months), the data of the
  overview map's incident layer (cells, or quartier totals for an aggregate role) and the
  hotspot surfaces of :mod:`clspd_geo.analysis.hotspots` (kernel density and Gi*); the
  process's peak memory (RSS);
- per-role reads in one process (every role's release, after the first);
- the police's point read of one commune's bounding box over one month (``point_read``).

The same steps run on a GeoPackage holding the first ``--gpkg-max`` incidents (the
largest size it is asked to hold; ``--gpkg-max 0`` skips it). Prints the figures, the PostgreSQL server's memory
(RSS of its processes) and the sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # pg_server: the tests' throw-away PostGIS server

COMMUNE_M = 5000.0
ORIGIN_L93 = (600_000.0, 6_600_000.0)
YEARS = (2021, 2022, 2023, 2024, 2025)
AS_OF = dt.date(2026, 3, 15)
ROLES = ("public", "partenaire", "elu", "groupe_travail", "police", "videoprotection")


# -- the synthetic département -----------------------------------------------------------------

def _grid(n_communes: int) -> tuple[int, int]:
    cols = int(round(n_communes ** 0.5 * 1.3)) or 1
    return cols, -(-n_communes // cols)


def territory(n_communes: int):
    """Return ``(territoire, quartiers, communes)``: the layers and the communes' boxes."""
    import geopandas as gpd
    from shapely.geometry import box

    cols, _ = _grid(n_communes)
    x0, y0 = ORIGIN_L93
    communes, quartiers = [], []
    for i in range(n_communes):
        cx, cy = x0 + (i % cols) * COMMUNE_M, y0 + (i // cols) * COMMUNE_M
        insee = f"99{i:03d}"
        communes.append((insee, cx, cy))
        h = COMMUNE_M / 2
        for j, (dx, dy) in enumerate(((0, 0), (h, 0), (0, h), (h, h))):
            quartiers.append({"quartier_id": f"{insee}-q{j + 1}", "name": f"Quartier {j + 1} "
                              f"de la commune {i + 1}", "insee_code": insee, "qpv": j == 0,
                              "population": 2500 + 100 * j, "geometry": box(
                                  cx + dx, cy + dy, cx + dx + h, cy + dy + h)})
    q = gpd.GeoDataFrame(quartiers, crs=2154).to_crs(4326)
    # One territoire row per commune: the stores' writers give each incident its commune.
    terr = gpd.GeoDataFrame({"insee_code": [c[0] for c in communes],
                             "name": [f"Commune {i + 1}" for i in range(n_communes)],
                             "population": [10_000] * n_communes,
                             "fictitious": [True] * n_communes},
                            geometry=[box(cx, cy, cx + COMMUNE_M, cy + COMMUNE_M)
                                      for _, cx, cy in communes], crs=2154).to_crs(4326)
    return terr, q, communes


def incidents(communes, *, n: int, start: dt.date, end: dt.date, seed: int, id_prefix: str):
    """Return ``n`` synthetic incidents dated in ``[start, end)`` (EPSG:4326)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from clspd_geo import vocab

    rng = np.random.default_rng(seed)
    weights = np.random.default_rng(12345).lognormal(0, 0.8, len(communes))
    which = rng.choice(len(communes), size=n, p=weights / weights.sum())
    base = np.array([(cx, cy) for _, cx, cy in communes])[which]
    hot = np.random.default_rng(54321).uniform(500, COMMUNE_M - 500, (len(communes), 3, 2))
    around = rng.random(n) < 0.7
    k = rng.integers(0, 3, n)
    xy = np.where(around[:, None], hot[which, k] + rng.normal(0, 300, (n, 2)),
                  rng.uniform(0, COMMUNE_M, (n, 2)))
    xy = np.clip(xy, 1, COMMUNE_M - 1)
    h = COMMUNE_M / 2
    quart = 1 + (xy[:, 0] >= h).astype(int) + 2 * (xy[:, 1] >= h).astype(int)
    xy = xy + base
    cats = [c.code for c in vocab.INCIDENT_CATEGORIES]
    w = np.array([6.0 if c.sensitivity == "standard" else 2.0 if c.sensitivity ==
                  "stupefiants" else 1.0 for c in vocab.INCIDENT_CATEGORIES])
    cat = rng.choice(len(cats), size=n, p=w / w.sum())
    span = (pd.Timestamp(end) - pd.Timestamp(start)).total_seconds()
    when = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.uniform(0, span, n)).astype(
        np.int64), unit="s")
    insee = np.array([c[0] for c in communes], dtype=object)[which]
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    return gpd.GeoDataFrame({
        "incident_id": [f"{id_prefix}{i}" for i in range(n)],
        "occurred_at": when,
        "category": pd.Categorical.from_codes(cat, categories=cats).astype(str),
        "quartier_id": [f"{a}-q{b}" for a, b in zip(insee, quart, strict=True)],
        "insee_code": insee,
    }, geometry=gpd.points_from_xy(lon, lat), crs=4326)


# -- the server: tests/pg_server.py, with a benchmark's memory settings -------------------------

PG_SETTINGS = {"shared_buffers": "512MB", "work_mem": "64MB", "maintenance_work_mem": "256MB",
               "max_wal_size": "4GB"}


# -- the app process -----------------------------------------------------------------------------

def probe(target: str, role: str, commune: str, all_roles: bool) -> dict:
    """What a cold app process does for one role: release, overview for one commune and all."""
    t0 = time.perf_counter()
    from clspd_geo import store as store_mod
    from clspd_geo import vocab
    from clspd_geo.access.role_periods import snap_period
    from clspd_geo.access.view import RoleView
    from clspd_geo.analysis import indicators
    from clspd_geo.analysis.selection import Selection
    from clspd_geo.errors import ClspdGeoError
    from clspd_geo.screens import common
    from clspd_geo.screens import hotspots as hotspot_screen
    from clspd_geo.store import atoms as atoms_mod  # noqa: F401

    out: dict[str, float] = {"imports_s": time.perf_counter() - t0}
    t1 = time.perf_counter()
    st = store_mod.open_store(target)
    view = RoleView(st, role, as_of=AS_OF)
    df = view.counts()  # one row per released atom with its count, as the pages read it
    out["release_s"] = time.perf_counter() - t1
    out["released_rows"] = len(df)
    out["released_incidents"] = int(indicators.weights(df).sum())
    quartiers = view.layer("quartiers")
    start, end = snap_period(view, dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    cats = tuple(vocab.category_codes())
    sels = {"commune": Selection(start, end, cats, communes=(commune,)),
            "all": Selection(start, end, cats)}
    out["rss_after_release_mb"] = _rss_mb()
    for name, sel in sels.items():
        t = time.perf_counter()
        kpi = indicators.total_kpi(df, sel)
        indicators.field_kpis(df, sel)
        table = indicators.by_quartier(df, quartiers, sel)
        indicators.monthly_trend(df, sel)
        view.withheld(sel)
        out[f"overview_{name}_s"] = time.perf_counter() - t
        out[f"overview_{name}_total"] = kpi.value
        out[f"overview_{name}_quartiers"] = len(table)
        t = time.perf_counter()  # the overview map's incident layer, as ui/panels draws it
        open_sel = sel.with_categories(indicators.split_sensitive(cats)[0])
        if hotspot_screen.sees_points(view, open_sel.categories):
            out[f"map_{name}_cells"] = len(common.incident_cells(view, open_sel))
        else:
            areas = hotspot_screen.aggregate_areas(view, open_sel)
            out[f"map_{name}_cells"] = len(areas.cells)
            out[f"map_{name}_quartiers"] = len(areas.rates.quartiers)
        out[f"map_{name}_s"] = time.perf_counter() - t
    # Start of the process (interpreter and imports included) to both overviews drawn.
    out["cold_to_overview_all_s"] = time.perf_counter() - t0
    out["rss_after_overview_mb"] = _rss_mb()
    for name, sel in sels.items():
        for mode in ("densite", "gi_star"):  # the hotspot surface of the library
            t = time.perf_counter()
            try:
                surface = hotspot_screen.hotspot_map(view, sel, mode=mode)
                out[f"hotspots_{mode}_{name}_zones"] = len(surface.zones)
            except ClspdGeoError as err:
                out[f"hotspots_{mode}_{name}_refused"] = type(err).__name__
            out[f"hotspots_{mode}_{name}_s"] = time.perf_counter() - t
    out["rss_after_hotspots_mb"] = _rss_mb()
    if role == "police":
        q = quartiers[quartiers["insee_code"] == commune]
        t = time.perf_counter()
        pts = view.incident_points_in(bbox=tuple(q.total_bounds),
                                      period=(dt.date(2025, 12, 1), dt.date(2026, 1, 1)))
        out["point_read_commune_month_s"] = time.perf_counter() - t
        out["point_read_rows"] = len(pts)
    if all_roles:
        for other in ROLES:
            t = time.perf_counter()
            n = int(indicators.weights(RoleView(st, other, as_of=AS_OF).counts()).sum())
            out[f"role_{other}_s"] = time.perf_counter() - t
            out[f"role_{other}_incidents"] = n
    out["peak_rss_mb"] = _rss_mb()
    return out


def _rss_mb() -> float:
    """Return the peak resident memory of this process so far, MB.

    ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` would also count the parent's memory
    at the fork that started this process (Linux keeps it across ``execve``), here the
    benchmark holding the generated incidents."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_probe(target: str, role: str, commune: str, *, all_roles: bool = False) -> dict:
    args = [sys.executable, __file__, "--probe", target, "--role", role, "--commune", commune]
    if all_roles:
        args.append("--all-roles")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run -------------------------------------------------------------------------------------

def load(st, terr, q, communes, *, n: int, seed: int) -> dict[str, float]:
    """Write the territory, then the incidents year by year; return the timings."""
    per_year = n // len(YEARS)
    t = time.perf_counter()
    st.write_many({"territoire": terr, "quartiers": q}, source="banc : département")
    times = {"territory_s": time.perf_counter() - t}
    t = time.perf_counter()
    for i, year in enumerate(YEARS):
        chunk = incidents(communes, n=per_year, start=dt.date(year, 1, 1),
                          end=dt.date(year + 1, 1, 1), seed=seed + i, id_prefix=f"{year}-")
        st.append_many({"incidents": chunk}, source="banc : faits")
        print(f"  {year} : {st.count('incidents'):,} faits ({time.perf_counter() - t:.0f} s)",
              flush=True)
    times["incidents_load_s"] = time.perf_counter() - t
    return times


def one_month(st, communes, *, n: int, seed: int, folder: Path) -> dict[str, float]:
    """Import one more month (2026-01) as the app and the command line do, twice.

    The month is written as an incidents CSV (``id, date_heure, categorie, lon, lat``) and
    imported through :mod:`clspd_geo.importing.pipeline` in the « ajouter / mettre à jour »
    mode: reading and checking the file against the territory and quartiers, then the
    store's upsert and the refresh of that month's atoms, in one transaction. The second
    import of the same file must change nothing.
    """
    import numpy as np
    import pandas as pd

    from clspd_geo.importing import pipeline
    from clspd_geo.importing.context import ImportOptions

    month = incidents(communes, n=n // 60, start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1),
                      seed=seed + 99, id_prefix="2026-01-")
    csv = folder / "faits-2026-01.csv"
    pd.DataFrame({"id": month["incident_id"],
                  "date_heure": month["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
                  "categorie": month["category"], "lon": np.round(month.geometry.x, 6),
                  "lat": np.round(month.geometry.y, 6)}).to_csv(csv, index=False)
    options = ImportOptions(mode="upsert", max_bytes=2**40)
    out: dict[str, float] = {"append_month_rows": len(month)}
    for step in ("append_month", "reimport_month"):
        t = time.perf_counter()
        report = pipeline.prepare("incidents", [csv], store_path=st, options=options)
        out[f"{step}_prepare_s"] = time.perf_counter() - t
        t = time.perf_counter()
        pipeline.commit(report, st)
        out[f"{step}_commit_s"] = time.perf_counter() - t
        out[f"{step}_changed"] = report.changed["incidents"]
        out[f"{step}_rejected"] = report.n_rejected
    return out


def keep(st) -> dict[str, float]:
    """Prepare every role's release of the new version, as the import command does after
    writing (:func:`clspd_geo.access.preparation.keep_releases`), in a fresh process: time and
    peak memory (the cold probes then read the kept releases)."""
    code = ("import resource, sys, time, datetime as dt; sys.path.insert(0, %r); "
            "from clspd_geo import store; from clspd_geo.access import preparation; "
            "t = time.perf_counter(); preparation.keep_releases(store.open_store(%r), "
            "as_of=dt.date(%d, %d, %d)); "
            "print(time.perf_counter() - t, [int(l.split()[1]) / 1024 for l in "
            "open('/proc/self/status') if l.startswith('VmHWM:')][0])"
            % (str(ROOT), st.url, AS_OF.year, AS_OF.month, AS_OF.day))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    seconds, rss = done.stdout.split()
    return {"keep_releases_s": float(seconds), "keep_releases_peak_rss_mb": float(rss)}


def report(title: str, figures: dict) -> None:
    print(f"\n== {title}")
    for k, v in figures.items():
        shown = f"{v:,.3f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else v
        print(f"  {k:32s} {shown}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--communes", type=int, default=40)
    ap.add_argument("--gpkg-max", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--probe")
    ap.add_argument("--role")
    ap.add_argument("--commune")
    ap.add_argument("--all-roles", action="store_true")
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.role, args.commune, args.all_roles)))
        return

    import numpy as np
    import pg_server

    from clspd_geo import store as store_mod

    terr, q, communes = territory(args.communes)
    # The busiest commune (the weights of :func:`incidents`).
    commune = communes[int(np.argmax(np.random.default_rng(12345).lognormal(
        0, 0.8, len(communes))))][0]
    base = Path(tempfile.mkdtemp(prefix="clspd-bench-scale-"))
    print(f"Département synthétique : {args.communes} communes, {args.incidents:,} faits "
          f"sur {len(YEARS)} ans ; commune suivie {commune} ; dossier {base}", flush=True)
    server = pg_server.start(PG_SETTINGS)
    url = server.create_database("clspd")
    try:
        st = store_mod.open_store(url)
        print("PostGIS : chargement", flush=True)
        pg = load(st, terr, q, communes, n=args.incidents, seed=args.seed)
        pg.update(one_month(st, communes, n=args.incidents, seed=args.seed, folder=base))
        pg.update(keep(st))
        pg["server_rss_after_load_mb"] = server.rss_mb()
        report("PostGIS : écriture", pg)
        for role in ("elu", "police"):
            report(f"PostGIS : processus froid, rôle {role}",
                   run_probe(url, role, commune, all_roles=role == "police"))
        pg_size = subprocess.run(["du", "-sm", str(server.data)], capture_output=True,
                                 text=True).stdout.split()[0]
        print(f"  taille du cluster : {pg_size} Mo ; mémoire du serveur : "
              f"{server.rss_mb():,.0f} Mo (RSS, pages partagées comptées par processus)")
    finally:
        server.stop(mode="fast")
    n_gpkg = min(args.incidents, args.gpkg_max)
    if n_gpkg <= 0:  # --gpkg-max 0: PostGIS only
        shutil.rmtree(base, ignore_errors=True)
        return
    path = base / "scale.gpkg"
    gp = store_mod.GeoPackageStore(path, create=True)
    print(f"\nGeoPackage : chargement de {n_gpkg:,} faits", flush=True)
    figures = load(gp, terr, q, communes, n=n_gpkg, seed=args.seed)
    figures.update(one_month(gp, communes, n=n_gpkg, seed=args.seed, folder=base))
    figures["file_mb"] = path.stat().st_size / 1e6
    report("GeoPackage : écriture", figures)
    for role in ("elu", "police"):
        report(f"GeoPackage : processus froid, rôle {role}",
               run_probe(str(path), role, commune, all_roles=role == "police"))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
