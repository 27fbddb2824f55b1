"""Video-protection subcommands of ``python -m clspd_geo``: ``siting`` and ``camera-plan``.

Registered in :data:`clspd_geo.cli.COMMANDS`; errors of the library
(:class:`~clspd_geo.errors.ClspdGeoError`) are turned into a French message and exit
code 2 by :func:`clspd_geo.cli.main`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import geopandas as gpd

from clspd_geo import _format, schemas, vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.cli import access
from clspd_geo.errors import DataFileError, EmptySelectionError
from clspd_geo.video import camera_plan, coverage, siting

EXIT_OK = 0
EXIT_ERROR = 2
CANDIDATE_SOURCES = ("carrefours", "grille")


def _number(what: str, *, integer: bool = False):
    def parse(text: str):
        try:
            value = int(text) if integer else float(text.replace(",", "."))
        except ValueError:
            kind = "un nombre entier" if integer else "un nombre"
            raise argparse.ArgumentTypeError(f"{what} doit être {kind} (reçu « {text} »)") \
                from None
        return value
    return parse


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2024-01-31"
        raise argparse.ArgumentTypeError(msg) from None


# -- siting ------------------------------------------------------------------------------
def add_siting_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``siting``: where to put the next N cameras."""
    p = subparsers.add_parser(
        "siting", help="proposer l'emplacement de nouvelles caméras (couverture maximale)",
        description="Choisit les sites de N nouvelles caméras (ou autant qu'un budget le "
                    "permet) qui couvrent le plus de faits non vus par les caméras en "
                    "service : méthode gloutonne immédiate, ou optimum exact (HiGHS) avec "
                    "--exact. Affiche les sites, le poids couvert avant et après, la borne "
                    "prouvée et l'écart à l'optimum.")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) des données")
    p.add_argument("--new", type=_number("--new", integer=True), metavar="N", default=None,
                   help="nombre de nouvelles caméras")
    p.add_argument("--budget-eur", type=_number("--budget-eur"), metavar="EUROS",
                   default=None, help="budget en euros (avec --cost-eur par site)")
    p.add_argument("--cost-eur", type=_number("--cost-eur"), default=siting.DEFAULT_COST_EUR,
                   metavar="EUROS", help="coût d'un site en euros (défaut : "
                   f"{siting.DEFAULT_COST_EUR:,.0f})".replace(",", " "))
    p.add_argument("--candidates", default="carrefours", metavar="COUCHE",
                   help="sites candidats : « carrefours » (croisements de la couche voies, "
                        "défaut), « grille », le nom d'une couche de points du fichier, ou "
                        "un fichier GeoJSON/GeoPackage de points")
    p.add_argument("--grid-m", type=_number("--grid-m"), default=50.0, metavar="M",
                   help="espacement de la grille de sites, en mètres (défaut : 50)")
    p.add_argument("--radius-m", type=_number("--radius-m"), default=siting.DEFAULT_RADIUS_M,
                   metavar="M", help="rayon vu par une nouvelle caméra (défaut : 100 m)")
    p.add_argument("--min-distance-m", type=_number("--min-distance-m"), default=0.0,
                   metavar="M", help="distance minimale entre deux caméras (défaut : 0)")
    p.add_argument("--period", nargs=2, type=_date, metavar=("DEBUT", "FIN"), default=None,
                   help="faits de cette période seulement (dates incluses)")
    p.add_argument("--categories", nargs="+", metavar="CODE", default=None,
                   help="codes des catégories de faits (défaut : toutes)")
    p.add_argument("--demand", choices=("faits", "accidents"), default="faits",
                   help="demande à couvrir : les faits (défaut), ou les accidents de la route "
                        "pondérés par la gravité (tué 10, blessé hospitalisé 3, blessé léger "
                        "1)")
    p.add_argument("--weights", choices=("egal", "gravite"), default="egal",
                   help="poids des faits : égal, ou gravité de la catégorie (1 à 5)")
    p.add_argument("--half-life-days", type=_number("--half-life-days"), default=None,
                   metavar="JOURS", help="un fait plus ancien de JOURS pèse moitié moins")
    p.add_argument("--exact", action="store_true",
                   help="chercher l'optimum exact (HiGHS) en plus de la méthode gloutonne")
    p.add_argument("--time-limit-s", type=_number("--time-limit-s"), default=60.0,
                   metavar="S", help="limite de temps du solveur exact (défaut : 60 s)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    access.add_role_argument(p, default="videoprotection")
    p.set_defaults(func=run_siting)


def _candidate_points(view: RoleView, args: argparse.Namespace,
                      territoire: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str | None]:
    source = args.candidates
    if source == "carrefours":
        voies = view.layer("voies")
        if voies.empty:
            msg = (f"La base « {view.location} » n'a pas de couche « voies » : impossible de "
                   "proposer les carrefours. Indiquez --candidates grille, ou une couche de "
                   "points.")
            raise DataFileError(msg)
        return siting.street_crossings(voies), "name"
    if source == "grille":
        return siting.grid_sites(territoire, spacing_m=args.grid_m), None
    if source in schemas.LAYERS:
        return view.layer(source), None
    path = Path(source)
    try:
        if path.exists():
            return gpd.read_file(path), None
    except Exception as err:  # GDAL raises many types; all mean "unreadable"
        raise DataFileError(f"Les sites candidats « {source} » ne peuvent pas être lus "
                            f"({err}).") from err
    msg = (f"Sites candidats « {source} » introuvables : ni couche de la base « "
           f"{view.location} », ni fichier. Choisissez carrefours, grille, une couche de "
           "points ou un fichier.")
    raise DataFileError(msg)


def _problem(args: argparse.Namespace) -> tuple[siting.Problem, gpd.GeoDataFrame, int]:
    if args.new is None and args.budget_eur is None:
        raise EmptySelectionError("Indiquez --new N (nombre de caméras) ou --budget-eur.")
    if args.categories:
        unknown = sorted(set(args.categories) - set(vocab.category_codes()))
        if unknown:
            noun = _format.plural(len(unknown), "Catégorie inconnue")
            raise EmptySelectionError(f"{noun} : {', '.join(unknown)}.")
    view = access.open_view(args.store, args.role)
    territoire = view.layer("territoire")
    cams = view.layer("cameras")
    cams = coverage.in_service(cams) if len(cams) else None
    demand = _demand(view, args)
    points, label = _candidate_points(view, args, territoire)
    voies = view.layer("voies")
    cand = siting.candidates_from_points(points, epsg=demand.epsg, label_column=label,
                                         cost_eur=args.cost_eur, territory=territoire,
                                         voies=None if voies.empty else voies)
    problem = siting.prepare(demand, cand, radius_m=args.radius_m, n_new=args.new,
                             budget_eur=args.budget_eur, existing=cams,
                             min_distance_m=args.min_distance_m)
    return problem, points, cand.dropped_outside


def _demand(view: RoleView, args: argparse.Namespace) -> siting.Demand:
    if args.demand == "accidents":
        if args.categories:
            raise EmptySelectionError("--categories ne s'applique pas aux accidents : retirez-le "
                                      "ou choisissez --demand faits.")
        acc = view.layer("accidents")
        if args.period and len(acc):
            acc = indicators.accidents_in(acc, args.period[0],
                                          args.period[1] + dt.timedelta(days=1))
        return siting.demand_from_accidents(acc, epsg=view.metric_epsg)
    # One row per released atom with its incidents in n: the demand weighs rows by it.
    incidents = view.counts()
    if args.period or args.categories:
        span = indicators.data_period(incidents)
        start, end = ((args.period[0], args.period[1] + dt.timedelta(days=1)) if args.period
                      else span or (dt.date.min, dt.date.max))
        incidents = view.counts(indicators.Selection(
            start, end, tuple(args.categories or vocab.category_codes())))
    return siting.demand_from_incidents(incidents, epsg=view.metric_epsg,
                                        category_weights=args.weights,
                                        half_life_days=args.half_life_days)


def _pct(x: float) -> str:
    return _format.percent(100 * x, decimals=1)


def run_siting(args: argparse.Namespace) -> int:
    """Run ``siting`` and print the chosen sites."""
    problem, _, dropped = _problem(args)
    results = [siting.rescore(siting.greedy(problem), problem)]
    if args.exact:
        results.append(siting.rescore(siting.exact(problem, time_limit_s=args.time_limit_s,
                                                   fallback=results[0]), problem))
    final = results[-1]
    if args.json:
        out = {"candidats_hors_territoire": dropped,
               "demande": problem.demand.description,
               "resultats": [], "sites": []}
        for res in results:
            out["resultats"].append(res.summary())
        for row, pt in zip(final.sites.itertuples(), final.sites.geometry, strict=True):
            out["sites"].append({"rang": int(row.rank), "site": str(row.site_id),
                                 "lieu": str(row.label), "gain": float(row.marginal_gain),
                                 "couvert_apres": float(row.covered_after),
                                 "cout_eur": float(row.cost_eur),
                                 "lon": round(pt.x, 7), "lat": round(pt.y, 7)})
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    total = problem.total_weight
    print(f"Demande : {problem.demand.description} (poids total "
          f"{_format.number(total, decimals=1)}). Chiffres recalculés sur les points.")
    if dropped:
        print(f"{_format.count(dropped, 'site candidat')} hors du territoire "
              f"{_format.plural(dropped, 'ignoré')}.")
    print(f"{'rang':>4}  {'site':<10}  {'gain':>9}  {'couvert':>8}  lieu")
    for row in final.sites.itertuples():
        print(f"{row.rank:>4}  {str(row.site_id):<10}  "
              f"{_format.number(row.marginal_gain, decimals=1):>9}  "
              f"{_pct(row.covered_after / total) if total else '-':>8}  {row.label}")
    for res in results:
        print(f"[{res.method}] couvert avant {_format.number(res.covered_before, decimals=1)} "
              f"({_pct(res.share_before)}), après {_format.number(res.covered_after, decimals=1)}"
              f" ({_pct(res.share_after)}), borne {_format.number(res.bound, decimals=1)}, "
              f"écart {_format.number(100 * res.gap, decimals=2)} %, statut {res.status}, "
              f"{_format.number(res.seconds, decimals=3)} s")
        print(f"  {res.message}")
    return EXIT_OK


# -- camera plan -------------------------------------------------------------------------
def add_camera_plan_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``camera-plan``: the printable plan of the cameras (R252-3)."""
    p = subparsers.add_parser(
        "camera-plan", help="écrire le plan imprimable des caméras et des zones couvertes",
        description="Écrit un document HTML à imprimer (A4 paysage) : carte des zones "
                    "couvertes et liste de toutes les caméras (numéro, lieu, type, exploitant, "
                    "date de mise en service), pour le dossier d'autorisation préfectorale "
                    "(article R252-3 du code de la sécurité intérieure).")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) des données")
    p.add_argument("--out", required=True, type=Path, metavar="FICHIER",
                   help="document à écrire : .pdf (A4 paysage) ou .html (à imprimer depuis "
                        "le navigateur)")
    p.add_argument("--statuses", nargs="+", choices=tuple(vocab.CAMERA_STATUSES),
                   default=None, metavar="ETAT",
                   help="états retenus (en_service, en_panne, projet ; défaut : tous)")
    access.add_role_argument(p, default="videoprotection")
    p.set_defaults(func=run_camera_plan)


def run_camera_plan(args: argparse.Namespace) -> int:
    """Run ``camera-plan`` and write the document."""
    out: Path = args.out
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        print(f"Le plan s'écrit en PDF ou en HTML (« {out} ») : donnez un nom en .pdf ou en "
              ".html.", file=sys.stderr)
        return EXIT_ERROR
    view = access.open_view(args.store, args.role)
    cams = view.layer("cameras")
    territoire = view.layer("territoire")
    quartiers = view.layer("quartiers")
    territoire = None if territoire.empty else territoire
    quartiers = None if quartiers.empty else quartiers
    if out.suffix.lower() == ".pdf":
        from clspd_geo.reports import camera_plan as plan_pdf

        out.write_bytes(plan_pdf.build_pdf(cams, territoire=territoire, quartiers=quartiers,
                                           voies=view.layer("voies"), statuses=args.statuses))
    else:
        camera_plan.write(out, cams, territoire=territoire, quartiers=quartiers,
                          statuses=args.statuses, voies=view.layer("voies"))
    kept = len(cams) if args.statuses is None else int(cams["status"].isin(args.statuses).sum())
    print(f"Plan de {_format.count(kept, 'caméra')} écrit dans « {out} ».")
    return EXIT_OK
