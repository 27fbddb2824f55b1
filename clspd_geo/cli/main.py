"""Command line of clspd-geo: ``python -m clspd_geo <commande> ...``.

Each subcommand is two small functions: ``_add_<name>(subparsers)`` declares its
arguments and sets ``func=_run_<name>``; ``_run_<name>(args) -> int`` does the work and
returns the exit code. To add a subcommand, write those two functions and append the
``_add_`` one to :data:`COMMANDS`.

Messages are in French. Any :class:`~clspd_geo.errors.ClspdGeoError` (and bad arguments)
ends with a message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from clspd_geo import _format, demo, store
from clspd_geo.cli import access, police, reports, users, video
from clspd_geo.errors import ClspdGeoError
from clspd_geo.importing import command as import_command

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

def _required(m: re.Match[str]) -> str:
    names = m.group(1)
    n = len(names.split(", "))
    return f"{_format.plural(n, 'argument obligatoire manquant')} : {names}"


def _unrecognized(m: re.Match[str]) -> str:
    names = m.group(1)
    return f"{_format.plural(len(names.split()), 'argument inconnu')} : {names}"


# argparse's own messages are English; these patterns turn the common ones into French.
_ARGPARSE_FR: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"the following arguments are required: (.*)", _required),
    (r"unrecognized arguments: (.*)", _unrecognized),
    (r"argument (\S+): expected one argument", r"l'option \1 attend une valeur"),
    (r"argument (--\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)",
     r"« \2 » n'est pas une valeur possible de \1 (valeurs : \3)"),
    (r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)",
     r"« \2 » n'est pas une commande connue (commandes : \3)"),
    (r"argument (\S+): (.*)", r"option \1 : \2"),
)


_OS_ERRORS_FR: dict[int, str] = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "disque en lecture seule",
}


class _UsageError(Exception):
    """Bad command-line arguments (the message is already in French)."""


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: D102
        super().add_usage(usage, actions, groups,
                          prefix="utilisation : " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks French and raises instead of exiting."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="afficher cette aide et quitter")

    def error(self, message: str):  # noqa: D102
        for pattern, french in _ARGPARSE_FR:
            if re.fullmatch(pattern, message, flags=re.DOTALL):
                message = re.sub(pattern, french, message, flags=re.DOTALL)
                break
        raise _UsageError(f"{self.prog} : erreur : {message}\n"
                          f"Aide : {self.prog} --help")


def _int_between(minimum: int, maximum: int, what: str) -> Callable[[str], int]:
    """Return an argparse type accepting integers in ``[minimum, maximum]``."""
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(" ", ""))
        except ValueError:
            msg = f"{what} doit être un nombre entier (reçu : « {text} »)"
            raise argparse.ArgumentTypeError(msg) from None
        if not minimum <= value <= maximum:
            msg = (f"{what} doit être compris entre {_thousands(minimum)} et "
                   f"{_thousands(maximum)} (reçu : {text})")
            raise argparse.ArgumentTypeError(msg)
        return value
    return parse


def _thousands(n: int) -> str:
    """Format an integer the French way: 20 000."""
    return _format.number(n)


# -- demo --------------------------------------------------------------------------------
def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="créer le territoire de démonstration fictif (Valbourg)",
        description="Crée un GeoPackage avec le territoire de démonstration fictif de "
                    "Valbourg : commune, quartiers, caméras, secteurs, incidents, "
                    "équipements, accidents et voies. La même graine donne toujours les "
                    "mêmes données.")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) à créer")
    p.add_argument("--seed", type=_int_between(0, 2**63 - 1, "la graine"), default=0,
                   metavar="N", help="graine du générateur aléatoire (défaut : 0)")
    p.add_argument("--incidents", type=_int_between(1, demo.MAX_INCIDENTS,
                                                    "le nombre d'incidents"),
                   default=20_000, metavar="N",
                   help="nombre d'incidents sur deux ans, toutes communes confondues "
                        "(défaut : 20 000)")
    p.add_argument("--communes", type=_int_between(1, demo.MAX_COMMUNES,
                                                   "le nombre de communes"),
                   default=1, metavar="N",
                   help="nombre de communes fictives voisines (intercommunalité, de 1 à "
                        f"{demo.MAX_COMMUNES} ; défaut : 1, Valbourg seule)")
    p.add_argument("--force", action="store_true",
                   help="remplacer le fichier s'il existe déjà (seulement si c'est un "
                        "GeoPackage)")
    p.set_defaults(func=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    path: Path = args.store
    if path.exists() or path.is_symlink():
        if not args.force:
            msg = (f"Le fichier « {path} » existe déjà : il n'a pas été modifié. Ajoutez "
                   "--force pour le remplacer par le territoire de démonstration, ou "
                   "choisissez un autre fichier.")
            print(msg, file=sys.stderr)
            return EXIT_ERROR
        # Replace only a real GeoPackage: raises DataFileError for anything else.
        store.check_geopackage(path)
    started = time.perf_counter()
    if args.incidents < args.communes:
        print(f"Il faut au moins un incident par commune ({args.communes} communes, "
              f"{args.incidents} incidents demandés) : augmentez --incidents.", file=sys.stderr)
        return EXIT_ERROR
    frames = demo.build_demo(seed=args.seed, n_incidents=args.incidents,
                             n_communes=args.communes)
    built = time.perf_counter()
    store.open_store(path, create=True).write_many(frames, source=demo.source_label(args.seed))
    done = time.perf_counter()
    width = max(len(name) for name in frames)
    where = (f", {_format.count(args.communes, 'commune')}" if args.communes > 1 else "")
    print(f"Territoire de démonstration fictif (graine {args.seed}{where}) écrit dans "
          f"« {path} » :")
    for name, gdf in frames.items():
        print(f"  {name:<{width}}  {_format.number(len(gdf)):>10}")
    print(f"Durée : {_seconds(done - started)} (construction {_seconds(built - started)}, "
          f"écriture {_seconds(done - built)}).")
    return EXIT_OK


def _seconds(value: float) -> str:
    return _format.number(value, decimals=1) + " s"


# -- forecast (hotspot accuracy; owned by the hotspots module's author) ----------------------
def _date(text: str):
    """Parse an ISO date (AAAA-MM-JJ) for argparse, in French."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2024-01-31"
        raise argparse.ArgumentTypeError(msg) from None


def _add_forecast(subparsers: argparse._SubParsersAction) -> None:
    from clspd_geo import config

    p = subparsers.add_parser(
        "forecast", help="mesurer si les points chauds d'une période prévoient la suivante",
        description="Apprend les points chauds sur la période d'apprentissage et les évalue "
                    "sur la période suivante : taux de réussite, PAI et PEI pour 1, 2, 5, 10 "
                    "et 20 %% du territoire, pour chaque méthode et deux références (faits de "
                    "la période précédente, hasard), puis indique la méthode recommandée "
                    "(choisie sur la seule période d'apprentissage). Dates AAAA-MM-JJ, "
                    "fin incluse.")
    p.add_argument("--store", required=True, type=Path, metavar="FICHIER",
                   help="fichier GeoPackage (.gpkg) des données")
    p.add_argument("--train", required=True, nargs=2, type=_date, metavar=("DEBUT", "FIN"),
                   help="période d'apprentissage (dates incluses)")
    p.add_argument("--test", required=True, nargs=2, type=_date, metavar=("DEBUT", "FIN"),
                   help="période évaluée, après l'apprentissage (dates incluses)")
    p.add_argument("--categories", nargs="+", metavar="CODE", default=None,
                   help="codes des catégories de faits (défaut : toutes)")
    p.add_argument("--cell-m", type=float, default=config.HOTSPOT_CELL_M, metavar="M",
                   help=f"côté des cellules en mètres (défaut : {config.HOTSPOT_CELL_M:g})")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    access.add_role_argument(p, default="public")
    p.set_defaults(func=_run_forecast)


def _run_forecast(args: argparse.Namespace) -> int:
    import datetime as dt
    import json

    from clspd_geo import vocab
    from clspd_geo.analysis import forecast

    if args.categories:
        known = set(vocab.category_codes())
        unknown = [c for c in args.categories if c not in known]
        if unknown:
            what = _format.plural(len(unknown), "Catégorie inconnue")
            print(f"{what} : {', '.join(unknown)}. Codes possibles : "
                  f"{', '.join(sorted(known))}.", file=sys.stderr)
            return EXIT_ERROR
    if not args.cell_m > 0:
        print("La taille des cellules (--cell-m) doit être un nombre de mètres strictement "
              "positif.", file=sys.stderr)
        return EXIT_ERROR
    day = dt.timedelta(days=1)
    train = (args.train[0], args.train[1] + day)
    test = (args.test[0], args.test[1] + day)
    view = access.open_view(args.store, args.role)
    report = forecast.from_view(view, train=train, test=test, categories=args.categories,
                                cell_size_m=args.cell_m)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(forecast.format_report(report))
    return EXIT_OK


# -- registry ----------------------------------------------------------------------------
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_demo,
    _add_forecast,
    import_command.add_parser,
    video.add_siting_parser,
    video.add_camera_plan_parser,
    users.add_parser,
    police.add_sectors_parser,
    police.add_patrol_brief_parser,
    reports.add_report_parser, reports.add_export_qgis_parser,
]
"""Functions registering one subcommand each on the subparsers, in help order."""


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``python -m clspd_geo`` with every registered subcommand."""
    parser = _Parser(prog="python -m clspd_geo",
                     description="Outils en ligne de commande de clspd-geo.")
    sub = parser.add_subparsers(title="commandes", dest="command", metavar="COMMANDE",
                                parser_class=_Parser)
    sub.required = True
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (0 success, 2 error).

    Parameters
    ----------
    argv
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        return int(args.func(args))
    except SystemExit as done:  # --help
        return int(done.code or 0) if not isinstance(done.code, str) else EXIT_ERROR
    except _UsageError as err:
        print(err, file=sys.stderr)
        return EXIT_ERROR
    except ClspdGeoError as err:
        print(f"Erreur : {err}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as err:
        where = f" (« {err.filename} »)" if err.filename else ""
        reason = _OS_ERRORS_FR.get(err.errno or 0, err.strerror or str(err))
        print(f"Erreur d'accès au disque{where} : {reason}. Vérifiez le chemin, les droits du "
              "dossier et la place libre, ou choisissez un autre emplacement.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrompu : aucun fichier n'a été modifié à moitié.", file=sys.stderr)
        return EXIT_INTERRUPTED
