"""Police coordination subcommands of ``python -m clspd_geo``: ``sectors`` and ``patrol-brief``.

Registered in :data:`clspd_geo.cli.COMMANDS`; errors of the library
(:class:`~clspd_geo.errors.ClspdGeoError`) are turned into a French message and exit
code 2 by :func:`clspd_geo.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clspd_geo import _format, vocab
from clspd_geo.cli import access
from clspd_geo.police import (load, patrol_brief, patrols, redesign, sector_checks, sectors,
                              shifts)
from clspd_geo.errors import EmptySelectionError

EXIT_OK = 0
EXIT_ERROR = 2
PROPOSAL_LAYER = "secteurs_proposes"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"le nombre de secteurs doit être un nombre entier (reçu « {text} »)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"le nombre de secteurs doit être au moins 1 "
                                         f"(reçu {value})")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre attendu (reçu « {text} »)") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"nombre strictement positif attendu (reçu {text})")
    return value


# -- sectors -----------------------------------------------------------------------------------
def add_sectors_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sectors``: balance of today's sectors and a balanced redesign."""
    p = subparsers.add_parser(
        "sectors", help="charge des secteurs de patrouille et redécoupage équilibré",
        description="Affiche la charge (faits pondérés par gravité) des secteurs d'une force, "
                    "son coefficient de variation et la compacité (Polsby-Popper) des "
                    "secteurs ; avec --redesign K, propose K secteurs d'un seul tenant, "
                    "compacts et de charge équilibrée (objectif : CV < 10 %%), les compare "
                    "aux secteurs actuels et écrit la proposition dans la couche "
                    f"« {PROPOSAL_LAYER} » du fichier.")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) des données")
    p.add_argument("--redesign", type=_positive_int, metavar="K", default=None,
                   help="nombre de secteurs à proposer")
    p.add_argument("--force", dest="police_force", choices=tuple(vocab.FORCES),
                   default=load.NATIONAL,
                   help="force dont les secteurs sont redécoupés (défaut : police_nationale)")
    p.add_argument("--blocks", choices=("grille", "quartiers"), default="grille",
                   help="îlots à regrouper : cellules de grille (défaut) ou quartiers")
    p.add_argument("--cell-m", type=_positive_float, default=250.0, metavar="M",
                   help="côté des cellules de grille en mètres (défaut : 250)")
    p.add_argument("--keep-split", action="store_true",
                   help="garder la séparation police nationale / municipale : aucun secteur "
                        "proposé ne chevauche la limite de la zone de l'autre force")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="graine du tirage des germes (défaut : 0)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    access.add_role_argument(p, default="police")
    p.set_defaults(func=run_sectors)


def _pct(x: float) -> str:
    return "—" if x != x else _format.percent(100 * x, decimals=1)


def _fr(x: float, digits: int = 2) -> str:
    """Format a number the French way (decimal comma)."""
    return "—" if x != x else _format.number(x, decimals=digits, grouped=False)


def run_sectors(args: argparse.Namespace) -> int:
    """Print today's balance (and the proposal's); write the proposal layer."""
    view = access.open_view(args.store, args.role)
    secteurs = view.layer("secteurs")
    incidents = load.released_points(view.counts(timed=True))
    mine = secteurs[secteurs["force"] == args.police_force]
    if mine.empty:
        label = vocab.FORCES[args.police_force]
        raise EmptySelectionError(f"Aucun secteur de la {label} dans « {args.store} » : "
                                  "choisissez une autre force avec --force.")
    work = patrols.workload(incidents, mine)
    shapes = sector_checks.shape_table(mine).set_index("sector_id")
    current = work.by_sector.set_index("sector_id").join(shapes)
    bal = load.balance(current["load"])
    out: dict = {
        "force": args.police_force,
        "current": {"n_sectors": len(current), "cv": bal.cv, "max_over_mean": bal.max_over_mean,
                    "polsby_popper_mean": float(current["polsby_popper"].mean()),
                    "max_distance_m": float(current["max_distance_m"].max()),
                    "sectors": [{"sector_id": sid, "load": float(r["load"]),
                                 "n_incidents": int(r["n_incidents"]),
                                 "polsby_popper": float(r["polsby_popper"])}
                                for sid, r in current.iterrows()]},
    }
    if args.redesign is not None:
        blocks = view.layer("quartiers") if args.blocks == "quartiers" else None
        result, table = sectors.propose(secteurs, incidents, k=args.redesign,
                                        force=args.police_force, blocks=blocks,
                                        cell_size_m=args.cell_m, keep_split=args.keep_split,
                                        seed=args.seed)
        view.write(PROPOSAL_LAYER, sectors.proposal_layer(result),
                 source=f"python -m clspd_geo sectors --redesign {args.redesign}")
        prop = table.loc["proposés"]
        out["proposal"] = {"n_sectors": int(prop["n_sectors"]), "cv": float(prop["cv"]),
                           "max_over_mean": float(prop["max_over_mean"]),
                           "polsby_popper_mean": float(prop["polsby_popper_mean"]),
                           "max_distance_m": float(prop["max_distance_m"]),
                           "reached_target": bool(prop["cv"] < redesign.TARGET_CV),
                           "method": result.method, "layer": PROPOSAL_LAYER}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    label = vocab.FORCES[args.police_force]
    cur = out["current"]
    print(f"Secteurs actuels ({label}) : {cur['n_sectors']} secteurs, CV de la charge "
          f"{_pct(cur['cv'])}, max/moyenne {_fr(cur['max_over_mean'])}, compacité "
          f"(Polsby-Popper) moyenne {_fr(cur['polsby_popper_mean'])}, plus grande traversée "
          f"{_fr(cur['max_distance_m'] / 1000, 1)} km.")
    for s in cur["sectors"]:
        print(f"  {s['sector_id']:<10} charge {s['load']:>9.0f}  faits {s['n_incidents']:>7}  "
              f"Polsby-Popper {_fr(s['polsby_popper'])}")
    if "proposal" in out:
        pr = out["proposal"]
        verdict = "objectif atteint" if pr["reached_target"] else "objectif NON atteint"
        print(f"Proposition : {pr['n_sectors']} secteurs, CV {_pct(pr['cv'])} ({verdict} : "
              f"< 10 %), max/moyenne {_fr(pr['max_over_mean'])}, compacité moyenne "
              f"{_fr(pr['polsby_popper_mean'])}, plus grande traversée "
              f"{_fr(pr['max_distance_m'] / 1000, 1)} km.")
        print(f"Écrite dans la couche « {PROPOSAL_LAYER} » de « {args.store} ».")
    return EXIT_OK


# -- patrol-brief ------------------------------------------------------------------------------
def add_patrol_brief_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``patrol-brief``: the one-page A4 brief of a sector and a shift."""
    codes = ", ".join(s.code for s in shifts.DEFAULT_SHIFTS)
    p = subparsers.add_parser(
        "patrol-brief", help="fiche de patrouille (A4, PDF ou HTML) d'un secteur pour une vacation",
        description="Écrit une fiche de patrouille imprimable sur une page A4 (HTML, sans "
                    "internet) : lieux où passer en priorité d'après les faits récents de "
                    "cette vacation, avec leurs raisons (catégories, nombres, tendance) et "
                    "les équipements à surveiller à ces heures.")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) des données")
    p.add_argument("--sector", required=True, metavar="ID", help="identifiant du secteur")
    p.add_argument("--shift", required=True, metavar="NOM", help=f"vacation ({codes})")
    p.add_argument("--out", required=True, type=Path, metavar="FICHIER",
                   help="fichier à écrire : .pdf (une page A4) ou .html")
    p.add_argument("--days", type=_positive_int, default=28, metavar="N",
                   help="jours récents pris en compte (défaut : 28)")
    access.add_role_argument(p, default="police")
    p.set_defaults(func=run_patrol_brief)


def run_patrol_brief(args: argparse.Namespace) -> int:
    """Write the brief as HTML."""
    view = access.open_view(args.store, args.role)
    fac = view.layer("equipements")
    brief = patrol_brief.build_brief(view.layer("secteurs"),
                                     load.released_points(view.counts(timed=True)),
                                     sector_id=args.sector, shift=args.shift, facilities=fac,
                                     recent_days=args.days)
    if args.out.is_dir():
        print(f"« {args.out} » est un dossier : indiquez un nom de fichier .pdf ou .html.",
              file=sys.stderr)
        return EXIT_ERROR
    if args.out.suffix.lower() == ".pdf":
        from clspd_geo.reports import patrol_brief as brief_pdf

        args.out.write_bytes(brief_pdf.build_pdf(brief, voies=view.layer("voies")))
    else:
        args.out.write_text(patrol_brief.to_html(brief, voies=view.layer("voies")),
                            encoding="utf-8")
    print(f"Fiche de patrouille du secteur « {brief.sector_id} », vacation "
          f"{brief.shift.label} : "
          f"{_format.count(len(brief.cells), 'lieu prioritaire', 'lieux prioritaires')}, "
          "écrite dans "
          f"« {args.out} ».")
    return EXIT_OK
