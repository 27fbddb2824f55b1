"""Benchmark of the import pipeline: every shared sample, and a synthetic large file.

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_import.py [--rows 300000] [--pbf-ways 20000]

Prints, for each real sample of ../shared/data, the rows read, accepted, corrected and
rejected and the time to prepare the import (read, detect, map, check, validate); then
for a synthetic incidents CSV of N rows the time to prepare and to write it into a
GeoPackage store (atomic copy + rename); then a synthetic ``.osm.pbf`` of street ways (the
roads path through GDAL's OSM driver), and the refusal of a decompression bomb (a few Mo of
gzip expanding to about 1 Go) with the page's 50 Mo budget: time and peak traced memory.

``--worker`` (issue 20 item 1) instead reads a « parse bomb »: a CSV within the page's budget
whose 16 million two-letter cells (one Python string each) take gigabytes once parsed, as the page does (in the
reading child process, ``ImportOptions(isolated=True)``) and, with ``--in-process`` too,
in this process as before. For each: outcome, time, this process's peak RSS above its
start, and the worst delay of another "session" (a thread doing 5 ms steps of Python
work, as a rerun would) while the import runs.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from clspd_geo.errors import DataFileError  # noqa: E402
from clspd_geo.importing import pipeline, preview  # noqa: E402
from clspd_geo.importing.context import ImportOptions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "data" / "import"


def samples() -> list[tuple[str, list[Path], ImportOptions]]:
    """Return the real samples, as (kind, files, options)."""
    vp = DATA / "videoprotection"
    baac = sorted((DATA / "accidents/baac_layout2019_2023").glob("*.csv.gz"))
    return [
        ("boundaries", [DATA / "areas/paris_iris_2013_rp2011_csp.geojson"],
         ImportOptions(as_layer="quartiers")),
        ("accidents", [DATA / "accidents/paris_accidents_2012.csv.gz"], ImportOptions()),
        ("accidents", baac, ImportOptions()),
        ("cameras", [vp / "paris_cameras_geocoded_2019.csv"], ImportOptions()),
        ("cameras", [vp / "paris_pvpp_annexe1_prefecture_2019.csv"],
         ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz")),
        ("cameras", [vp / "paris_pvpp_cameras_prefecture_2013.geojson"], ImportOptions()),
        ("facilities", [DATA / "facilities/france_hospitals_eurostat_2020.csv.gz"],
         ImportOptions()),
        ("facilities", [DATA / "transport/paris_gares_stations_idfm.csv.gz"], ImportOptions()),
        ("sectors", [DATA / "crime/portland_police_districts.geojson"],
         ImportOptions(force="police_nationale")),
        ("incidents", [DATA / "crime/portland_cfs_2016-08.csv.gz"],
         ImportOptions(mapping=FIXTURES / "portland_categories.csv")),
        # issue 15: the new kinds and layouts
        ("accidents", [_head(DATA / "accidents/baac_layout2005_2018_head", 5),
                       *(DATA / f"accidents/baac_layout2005_2018_head/baac2018_{r}"
                         "_head10_baacker.csv" for r in ("lieux", "usagers", "vehicules"))],
         ImportOptions()),
        ("roads", [DATA / "roads/osm_paris_main_roads_2023_antuki.gpkg"], ImportOptions()),
        ("qpv", [DATA / "qpv/qpv_lesemplois_testfactory_3qp.geojson"], ImportOptions()),
        ("gtfs", [DATA / "gtfs/tcl_sytral_lyon_stops.txt.gz",
                  DATA / "gtfs/tcl_sytral_lyon_routes.txt.gz"], ImportOptions()),
        ("cameras", [vp / "sous_surveillance_lyon_2012.geojson"], ImportOptions()),
        *(("statistics", [DATA / "ssmsi" / name], ImportOptions()) for name in (
            "ssmsi_dep_edition2024_2016-2024_phl43.csv.gz",
            "donnee-dep-data.gouv-2023-geographie2024-produit-le2024-07-05.csv.gz",
            "donnee-reg-data.gouv-2023-geographie2024-produit-le2024-07-05.csv.gz")),
        # hand-made fixtures of the layouts with no real sample
        ("statistics", [FIXTURES / "ssmsi_communal_fictif.csv"], ImportOptions()),
        ("facilities", [FIXTURES / "bpe_fictif.csv"], ImportOptions()),
        ("facilities", [FIXTURES / "finess_brut_fictif.csv"], ImportOptions()),
        ("population", [FIXTURES / "filosofi_fictif.csv"], ImportOptions()),
    ]


def _head(folder: Path, n: int) -> Path:
    """Return the BAAC 2018 caractéristiques head cut to its first ``n`` accidents.

    The usagers and vehicules heads stop at accident 5 (the four files of the sample do
    not join beyond it); the copy goes to a temporary folder, never the repository.
    """
    src = folder / "baac2018_caracteristiques_head10_baacker.csv"
    out = Path(tempfile.gettempdir()) / src.name
    out.write_bytes(b"\n".join(src.read_bytes().split(b"\n")[:n + 1]) + b"\n")
    return out


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--pbf-ways", type=int, default=20_000)
    parser.add_argument("--worker", action="store_true",
                        help="only the parse bomb through the reading child process")
    parser.add_argument("--in-process", action="store_true",
                        help="with --worker: also read it in this process (uses GBs)")
    args = parser.parse_args()
    if args.worker:
        with tempfile.TemporaryDirectory() as tmp:
            bench_worker(Path(tmp), in_process=args.in_process)
        return
    if DATA.is_dir():
        print(f"{'kind':<11} {'file':<45} {'read':>7} {'ok':>7} {'fixed':>6} {'rej.':>6} "
              f"{'s':>6}")
        for kind, files, options in samples():
            t0 = time.perf_counter()
            report = pipeline.prepare(kind, files, options=options)
            dt_s = time.perf_counter() - t0
            print(f"{kind:<11} {files[0].name[:45]:<45} {report.rows_read:>7} "
                  f"{report.accepted:>7} {report.n_fixed:>6} {report.n_rejected:>6} "
                  f"{dt_s:>6.2f}")
    else:
        print(f"(échantillons absents : {DATA})")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "faits.csv"
        with open(big, "w", encoding="utf-8") as fh:
            fh.write("id,date_heure,categorie,lon,lat\n")
            for i in range(args.rows):
                fh.write(f"{i},2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d},tapage,"
                         f"{2.30 + (i % 997) * 1e-4:.5f},{48.84 + (i % 991) * 1e-4:.5f}\n")
        size_mb = big.stat().st_size / 1e6
        t0 = time.perf_counter()
        report = pipeline.prepare("incidents", [big])
        t1 = time.perf_counter()
        pipeline.commit(report, Path(tmp) / "s.gpkg")
        t2 = time.perf_counter()
        print(f"\nsynthetic incidents: {args.rows} rows ({size_mb:.1f} MB): prepare "
              f"{t1 - t0:.2f} s, write {t2 - t1:.2f} s")
        bench_pbf(Path(tmp), args.pbf_ways)
        bench_bomb(Path(tmp))


def bench_pbf(tmp: Path, n_ways: int) -> None:
    """Print the time to prepare the roads of a synthetic .osm.pbf of ``n_ways`` ways."""
    from osm_pbf import write_pbf  # the hand-written PBF encoder of the tests

    side = int(n_ways ** 0.5) + 1
    nodes = {1 + i * side + j: (2.30 + j * 1e-3, 48.82 + i * 1e-3)
             for i in range(side) for j in range(side)}
    kinds = ("residential", "primary", "secondary", "footway", "service")
    ways = [(100 + w, [1 + (w // (side - 1)) * side + w % (side - 1),
                       2 + (w // (side - 1)) * side + w % (side - 1)],
             {"highway": kinds[w % len(kinds)], "name": f"Rue {w}"})
            for w in range(min(n_ways, side * (side - 1)))]
    path = tmp / "rues.osm.pbf"
    write_pbf(path, nodes, ways)
    t0 = time.perf_counter()
    report = pipeline.prepare("roads", [path])
    print(f"synthetic .osm.pbf: {len(ways)} ways ({path.stat().st_size / 1e6:.1f} MB): "
          f"{report.accepted} lines accepted, prepare {time.perf_counter() - t0:.2f} s")


def bench_bomb(tmp: Path) -> None:
    """Print how fast, and within how much memory, a gzip bomb is refused (page budget)."""
    row = "2024-03-01 22:15;degradation;2.3522;48.8566\n"
    block = ("date_heure;categorie;lon;lat\n" + row * (1_000_000 // len(row))).encode()
    bomb = tmp / "faits.csv.gz"
    bomb.write_bytes(gzip.compress(block, compresslevel=9) * 1000)
    options = ImportOptions(max_bytes=preview.MAX_UPLOAD_BYTES)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        pipeline.prepare("incidents", [bomb], options=options)
        outcome = "ACCEPTED (bug)"
    except DataFileError as err:
        outcome = "refused: " + str(err)[:70] + "…"
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"gzip bomb: {bomb.stat().st_size / 1e6:.1f} MB expanding to "
          f"{len(block) * 1000 / 1e9:.2f} GB: {outcome} in {elapsed:.2f} s, peak traced "
          f"memory {peak / 1e6:.0f} MB")


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def bench_worker(tmp: Path, *, in_process: bool) -> None:
    """Print the parse bomb's outcome, time, peak RSS and another session's worst delay."""
    import threading

    bomb = tmp / "faits.csv"
    with open(bomb, "w", encoding="utf-8") as fh:
        fh.write(";".join(f"c{i}" for i in range(40)) + "\n")
        fh.write((";".join(["ab"] * 40) + "\n") * 400_000)  # one str object per cell
    print(f"parse bomb: {bomb.stat().st_size / 1e6:.1f} MB CSV, 400,000 rows x 40 cells "
          f"(page budget {preview.MAX_UPLOAD_BYTES / 1e6:.0f} MB)")
    alone = 0
    t_end = time.perf_counter() + 3.0
    while time.perf_counter() < t_end:  # the same steps, no import: the reference rate
        end = time.perf_counter() + 0.005
        while time.perf_counter() < end:
            pass
        time.sleep(0.01)
        alone += 1
    print(f"  other session alone: {alone / 3.0:.0f} steps/s")
    for isolated in ((True, False) if in_process else (True,)):
        base, peak, delays, stop = _rss_mb(), [0.0], [], threading.Event()

        def other_session():
            while not stop.is_set():
                t = time.perf_counter()
                end = t + 0.005
                while time.perf_counter() < end:  # 5 ms of Python work
                    pass
                delays.append(time.perf_counter() - t - 0.005)
                peak[0] = max(peak[0], _rss_mb())
                time.sleep(0.01)

        th = threading.Thread(target=other_session, daemon=True)
        th.start()
        t0 = time.perf_counter()
        try:
            pipeline.prepare("incidents", [bomb], names=["faits.csv"],
                             options=ImportOptions(max_bytes=preview.MAX_UPLOAD_BYTES,
                                                   isolated=isolated))
            outcome = "accepted"
        except Exception as err:  # noqa: BLE001 - the figure is the outcome
            outcome = f"{type(err).__name__}: {str(err)[:60]}…"
        elapsed = time.perf_counter() - t0
        stop.set()
        th.join()
        print(f"  {'child process' if isolated else 'in process   '}: {outcome} in "
              f"{elapsed:.2f} s; server peak RSS +{peak[0] - base:.0f} MB; other session's "
              f"5 ms step: worst +{max(delays) * 1000:.0f} ms, "
              f"median +{sorted(delays)[len(delays) // 2] * 1000:.1f} ms, "
              f"{len(delays) / elapsed:.0f} steps/s")


if __name__ == "__main__":
    main()
