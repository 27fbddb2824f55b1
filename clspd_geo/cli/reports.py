"""Report subcommands of ``python -m clspd_geo``: ``report`` and ``export-qgis``.

``report`` writes the CLSPD plenary report (or the monthly barometer) of a period as PDF;
``export-qgis`` writes the styled GeoPackage of the layers a role sees. Both read the
store through a role view (:func:`clspd_geo.cli.access.open_view`) for one role, the most
restrictive one (``public``) by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from pathlib import Path

from clspd_geo import config
from clspd_geo.access import policy
from clspd_geo.cli import access

EXIT_OK = 0
DEFAULT_ROLE = "public"
"""The most restrictive role: a report made without --role shows the least."""


def _period(text: str) -> tuple[dt.date, dt.date]:
    """Parse ``AAAA-MM-JJ:AAAA-MM-JJ`` (both days included) into ``[start, end)``."""
    try:
        first, last = (dt.date.fromisoformat(p.strip()) for p in text.split(":"))
    except ValueError:
        msg = (f"période invalide « {text} » : écrivez DEBUT:FIN en AAAA-MM-JJ, par exemple "
               "2025-01-01:2025-12-31")
        raise argparse.ArgumentTypeError(msg) from None
    if last < first:
        raise argparse.ArgumentTypeError(f"période « {text} » : la fin précède le début")
    return first, last + dt.timedelta(days=1)


def _default_store() -> str:
    return config.store_target()


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=policy.ROLE_CODES, default=DEFAULT_ROLE,
                   help="rôle pour lequel le document est établi (défaut : public, le plus "
                        "restrictif)")
    p.add_argument("--store", default=None, metavar="CIBLE",
                   help="GeoPackage ou URL postgresql:// (défaut : data/clspd.gpkg)")
    p.add_argument("--out", required=True, type=Path, metavar="FICHIER",
                   help="fichier à écrire")


def add_report_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``report``: the plenary report or the monthly barometer as PDF."""
    p = subparsers.add_parser(
        "report", help="établir le rapport de séance plénière (ou le baromètre) en PDF",
        description="Établit le rapport de séance plénière du CLSPD (ou le baromètre mensuel) "
                    "pour un rôle et une période, en PDF A4, avec les mêmes règles de "
                    "visibilité et de petits effectifs qu'à l'écran.")
    _common(p)
    p.add_argument("--period", required=True, type=_period, metavar="DEBUT:FIN",
                   help="période, dates incluses (AAAA-MM-JJ:AAAA-MM-JJ) ; pour le baromètre, "
                        "le mois de la fin")
    p.add_argument("--kind", choices=("plenier", "barometre"), default="plenier",
                   help="rapport de séance plénière (défaut) ou baromètre mensuel")
    p.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the report; print the file, its pages, size and time."""
    from clspd_geo.reports import barometer, plenary, typography

    started = time.perf_counter()
    view = access.open_view(args.store or _default_store(), args.role)
    start, end = args.period
    if args.kind == "barometre":
        data = barometer.build_pdf(view, month=end - dt.timedelta(days=1))
    else:
        data = plenary.build_pdf(view, start=start, end=end)
    args.out.write_bytes(data)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    print(f"Rapport écrit dans « {args.out} » : {pages} pages, "
          f"{typography.number(len(data) / 1e6, digits=1)} Mo, "
          f"{typography.number(time.perf_counter() - started, digits=1)} s.")
    return EXIT_OK


def add_export_qgis_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``export-qgis``: the styled GeoPackage of the layers a role sees."""
    p = subparsers.add_parser(
        "export-qgis", help="exporter un GeoPackage stylé pour QGIS",
        description="Écrit les couches que le rôle peut voir dans un GeoPackage, avec une "
                    "table layer_styles (un style QML par couche, aux couleurs de "
                    "l'application) : QGIS ouvre les couches déjà stylées.")
    _common(p)
    p.set_defaults(func=run_export_qgis)


def run_export_qgis(args: argparse.Namespace) -> int:
    """Write the styled GeoPackage; print its layers and rows."""
    from clspd_geo.reports import qgis, typography

    view = access.open_view(args.store or _default_store(), args.role)
    counts = qgis.export(view, args.out)
    print(f"GeoPackage stylé écrit dans « {args.out} » pour le rôle « {view.role_label} » :")
    for name, n in counts.items():
        print(f"  {name:<16} {typography.number(n):>10}")
    return EXIT_OK
