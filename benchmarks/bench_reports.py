"""Time the PDF documents on the 20k and the 1M demo (benchmark, not a test).

Run: ``PYTHONPATH=. python benchmarks/bench_reports.py [--sizes 20000 1000000]``. The demo
stores are built once into ``benchmarks/out/`` (git-ignored) and reused.

Per size it prints, wall-clock and CPU seconds (the machine may be shared):

- ``vue``: opening the role view and releasing its incidents (atoms, one row per released
  atom with its count: ``RoleView.counts``). The app does this once per role and store
  version and shares it between sessions, so a report asked for from a page does not pay
  it again;
- ``plénier``: the plenary report on that view (the report's own time, on the weighted
  rows), then ``plénier, 1 ligne/fait``: the same report from a view made to read one row
  per incident (``RoleView.incidents``, the expansion included), as before the reports
  weighed rows;
- ``total``: both, as ``python -m clspd_geo report`` from a cold start;
- the camera plan (R252-3) and one patrol brief, as PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from clspd_geo import demo
from clspd_geo.access.gateway import Gateway
from clspd_geo.police import patrol_brief
from clspd_geo.reports import camera_plan, plenary
from clspd_geo.reports import patrol_brief as brief_pdf
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


class Clock:
    """Wall-clock and CPU seconds since the last lap."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def _fmt(label: str, secs: tuple[float, float], extra: str = "") -> str:
    return f"  {label:<22} {secs[0]:6.1f} s ({secs[1]:5.1f} s CPU) {extra}"


def main() -> None:
    """Print the times, pages and sizes of the documents per demo size."""
    from pypdf import PdfReader

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=int, default=[20_000, 1_000_000])
    ap.add_argument("--role", default="elu")
    args = ap.parse_args()
    end = dt.date.today().replace(day=1)
    start = end.replace(year=end.year - 1)
    for n in args.sizes:
        path = store_of(n)
        print(f"{n:>9} faits")
        clock = Clock()
        view = Gateway(str(path)).view(args.role)
        rows = len(view.counts())
        t_view = clock.lap()
        data = plenary.build_pdf(view, start=start, end=end)
        t_rep = clock.lap()
        expanded = Gateway(str(path)).view(args.role)
        expanded.counts()
        clock.lap()
        n_rows = len(expanded.incidents())
        expanded.counts = expanded.incidents  # type: ignore[method-assign]
        plenary.build_pdf(expanded, start=start, end=end)
        t_old = clock.lap()
        out = OUT / f"rapport_{n}.pdf"
        out.write_bytes(data)
        pages = len(PdfReader(out).pages)
        print(_fmt("vue (atomes)", t_view, f"{rows} lignes pondérées"))
        print(_fmt("plénier", t_rep, f"{pages} pages, {len(data) / 1e6:.2f} Mo"))
        print(_fmt("plénier, 1 ligne/fait", t_old, f"{n_rows} lignes (expansion comprise)"))
        print(_fmt("total (à froid)", (t_view[0] + t_rep[0], t_view[1] + t_rep[1])))
        police = Gateway(str(path)).view("police")
        cams = police.layer("cameras")
        clock.lap()
        plan = camera_plan.build_pdf(cams, territoire=police.layer("territoire"),
                                     quartiers=police.layer("quartiers"),
                                     voies=police.layer("voies"))
        t_plan = clock.lap()
        (OUT / f"plan_{n}.pdf").write_bytes(plan)
        print(_fmt("plan des caméras", t_plan,
                   f"{len(PdfReader(OUT / f'plan_{n}.pdf').pages)} pages, "
                   f"{len(plan) / 1e6:.2f} Mo, {len(cams)} caméras"))
        clock.lap()
        brief = patrol_brief.build_brief(police.layer("secteurs"),
                                         police.incident_points(timed=True), sector_id="PM-1",
                                         shift="nuit", facilities=police.layer("equipements"))
        sheet = brief_pdf.build_pdf(brief, voies=police.layer("voies"))
        t_brief = clock.lap()
        (OUT / f"fiche_{n}.pdf").write_bytes(sheet)
        print(_fmt("fiche de patrouille", t_brief,
                   f"{len(PdfReader(OUT / f'fiche_{n}.pdf').pages)} page, "
                   f"{len(sheet) / 1e6:.2f} Mo (vue police comprise)"))


if __name__ == "__main__":
    main()
