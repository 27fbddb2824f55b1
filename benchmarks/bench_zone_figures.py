"""Figures measured on positions, per role, against the points: what each role is told.

For the demo store (built once under the bench folder), the last twelve months: the share
of facts in a camera's field (video-protection page), the share of victims' facts within
a 15-minute walk of victim support (victims page) and the first drug hotspot of 200 m
(addictions page), as each role reads them now (bounds when
its facts are released by zone, :mod:`clspd_geo.video.seen_bounds` and
:func:`clspd_geo.analysis.victims.support_access`), as the same rows said when measured at
their zones' points (the figure before the bounds), and as the operator's full read says on
the points. Run on demand (not a test):

    .venv/bin/python benchmarks/bench_zone_figures.py --incidents 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _stores import demo_store  # noqa: E402

from clspd_geo import vocab  # noqa: E402
from clspd_geo.access import policy  # noqa: E402
from clspd_geo.access.view import RoleView  # noqa: E402
from clspd_geo.analysis import addictions, indicators, periods, victims  # noqa: E402
from clspd_geo.screens import fields, video  # noqa: E402
from clspd_geo.store import open_store  # noqa: E402
from clspd_geo.video import coverage  # noqa: E402

ROLES = ("police", "videoprotection", "elu", "groupe_travail", "partenaire")


def _pct(x: float) -> str:
    return f"{x:.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20_000)
    args = parser.parse_args()
    store = open_store(demo_store(args.incidents))
    truth_view = RoleView(store, policy.OPERATOR.code, operator=True)
    last = indicators.data_period(truth_view.counts())[1]
    start, end = periods.resolve("douze_mois", last)
    print(f"Démo de {args.incidents:,} faits, {start} – {end} (exclu)\n")
    print("| role | camera field: now | at the zones' points | victims within 15 min: now "
          "| at the zones' points | drug hotspot n° 1: now | at the zones' points |")
    print("|---|---|---|---|---|---|---|")
    seen_codes = tuple(vocab.category_codes())
    help_codes = tuple(vocab.category_codes(field="victimes"))
    for role in (policy.OPERATOR.code, *ROLES):
        view = truth_view if role == policy.OPERATOR.code else RoleView(store, role)
        cells = []
        cats = tuple(c for c in seen_codes if view.category_rule(c).access != "never")
        if cats and len(view.layer("cameras")):
            sel = indicators.Selection(start, end, cats)
            b, _ = video.seen_bounds(view, sel)
            cov, rows = video.coverage(view, sel)
            at_points = coverage.share_by(cov, rows).iloc[0]["seen_share"]
            now = _pct(100 * b.low_share) if b.is_exact else \
                f"{_pct(100 * b.low_share)} – {_pct(100 * b.high_share)}"
            cells += [f"{now} of {b.incidents:,}", _pct(100 * at_points)]
        else:
            cells += ["(no camera or fact)", ""]
        sel = indicators.Selection(start, end, help_codes)
        try:
            a = fields.support_access(view, sel, network=False, minutes=15.0)
        except Exception as err:  # noqa: BLE001 - a measurement prints what the page says
            cells += [str(err)[:60], ""]
        else:
            flat = victims.support_access(view.counts(sel).assign(zone_level="point"),
                                          view.layer("quartiers"), view.layer("equipements"),
                                          epsg=view.metric_epsg, k=1)
            now = _pct(a.share_low_pct) if a.is_exact else \
                f"{_pct(a.share_low_pct)} – {_pct(a.share_high_pct)}"
            cells += [f"{now} of {a.n_incidents:,}", _pct(flat.share_within_pct)]
        sel = indicators.Selection(start, end, tuple(vocab.category_codes(
            field="addictions", sensitivity="stupefiants")))
        try:
            top = f"{int(fields.hotspot_cells(view, sel)['faits'].iloc[0])} faits"
        except Exception as err:  # noqa: BLE001
            top = str(err)[:50] + "…"
        flat = addictions.dense_cells(view.counts(sel), view.layer("territoire"),
                                      epsg=view.metric_epsg)
        cells += [top, f"{int(flat['faits'].iloc[0])} faits"]
        print(f"| {role} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
