"""The ``import`` subcommand: ``python -m clspd_geo import KIND FILE... --store PATH``.

Registered in :mod:`clspd_geo.cli` (``COMMANDS``); prints the French report and returns
the exit code. Errors (:class:`~clspd_geo.errors.ClspdGeoError`) are printed by the
command line's ``main`` with exit code 2, the store untouched.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from clspd_geo import _format, vocab
from clspd_geo import store as store_mod
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions

EXAMPLES = """exemples :
  python -m clspd_geo import boundaries communes-75.geojson --commune 75056 --store data/clspd.gpkg
  python -m clspd_geo import boundaries quartiers.geojson --as quartiers --store data/clspd.gpkg
  python -m clspd_geo import accidents caracteristiques-2023.csv lieux-2023.csv vehicules-2023.csv usagers-2023.csv --commune 75056 --store data/clspd.gpkg
  python -m clspd_geo import cameras annexe1.csv --geocode-with croisements.csv --store data/clspd.gpkg
  python -m clspd_geo import incidents faits.csv --mapping categories.csv --dry-run --store data/clspd.gpkg
  python -m clspd_geo import incidents faits-2026-01.csv --store postgresql://clspd@127.0.0.1/clspd
  python -m clspd_geo import roads troncon_de_route.gpkg --store data/clspd.gpkg
  python -m clspd_geo import qpv qpv_2024.geojson --store data/clspd.gpkg
  python -m clspd_geo import gtfs gtfs_reseau.zip --append --store data/clspd.gpkg
  python -m clspd_geo import statistics donnee-dep-data.gouv-2024.csv --store data/clspd.gpkg
"""


class _Help(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks; French usage prefix."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: D102
        super().add_usage(usage, actions, groups,
                          prefix="utilisation : " if prefix is None else prefix)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Declare the ``import`` subcommand and its options."""
    p = subparsers.add_parser(
        "import", help="importer des fichiers de données (accidents, caméras, équipements, voies, "
             "QPV, arrêts GTFS, statistiques SSMSI...)",
        description="Lit des fichiers (CSV, GeoJSON, GeoPackage, shapefile zippé), détecte "
                    "format, encodage, séparateur et coordonnées, vérifie chaque ligne, "
                    "affiche le rapport (lignes acceptées, corrigées, rejetées avec leur "
                    "numéro et le motif) puis écrit les couches en une seule opération. "
                    "En cas d'erreur, la base n'est pas modifiée.",
        epilog=EXAMPLES, formatter_class=_Help)
    p.add_argument("kind", choices=pipeline.KINDS, metavar="TYPE",
                   help="type de données : " + ", ".join(pipeline.KINDS))
    p.add_argument("files", nargs="+", type=Path, metavar="FICHIER",
                   help="fichiers à importer (les fichiers BAAC d'une année ensemble)")
    p.add_argument("--store", required=True, metavar="FICHIER",
                   help="base GeoPackage (.gpkg) à compléter (créée si absente), ou adresse "
                        "postgresql://… d'une base PostGIS")
    p.add_argument("--dry-run", action="store_true",
                   help="afficher le rapport sans rien écrire")
    p.add_argument("--commune", metavar="INSEE",
                   help="ne garder que cette commune (code INSEE, par ex. 75056)")
    p.add_argument("--as", dest="as_layer", choices=("territoire", "quartiers"),
                   default="territoire",
                   help="pour boundaries : communes du territoire (défaut) ou quartiers")
    p.add_argument("--geocode-with", type=Path, metavar="FICHIER",
                   help="croisements de rues ou adresses (nom1, nom2, lon, lat) pour placer "
                        "les caméras sans coordonnées")
    p.add_argument("--mapping", type=Path, metavar="FICHIER",
                   help="correspondance libellé local ; code (catégories, types)")
    p.add_argument("--sector-force", dest="sector_force", choices=tuple(vocab.FORCES),
                   metavar="FORCE",
                   help="force des secteurs quand le fichier n'a pas de colonne « force » ("
                        + ", ".join(vocab.FORCES) + ")")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", dest="mode", action="store_const", const="replace",
                      help="remplacer la couche (défaut, sauf pour les faits)")
    mode.add_argument("--append", dest="mode", action="store_const", const="append",
                      help="ajouter à la couche existante (identifiants déjà présents refusés)")
    mode.add_argument("--upsert", dest="mode", action="store_const", const="upsert",
                      help="ajouter / mettre à jour par identifiant, en une transaction ; les "
                           "lignes identiques ne changent rien (défaut pour les faits : "
                           "l'import d'un mois)")
    p.set_defaults(func=run, mode=None)


def run(args: argparse.Namespace) -> int:
    """Run the import described by ``args``; print the report; return 0."""
    mode = args.mode or pipeline.default_mode(args.kind)
    options = ImportOptions(commune=args.commune, as_layer=args.as_layer,
                            geocode_with=args.geocode_with, mapping=args.mapping,
                            force=args.sector_force, mode=mode)
    # A database is opened once here; a file path stays a path (created by the write).
    target = (store_mod.open_store(args.store) if store_mod.is_database_url(args.store)
              else Path(args.store))
    where = str(target) if isinstance(target, Path) else target.location  # password hidden
    report = pipeline.run(args.kind, args.files, store_path=target, options=options,
                          dry_run=args.dry_run)
    print(report.to_text())
    print()
    if args.dry_run:
        print(f"Essai à blanc (--dry-run) : rien n'a été écrit dans « {where} ».")
    else:
        layers = ", ".join(report.frames)
        label = _format.plural(len(report.frames), "couche")
        print(f"Écrit dans « {where} » ({label} : {layers}).")
        if report.mode == "append":
            # Counted after the write: another import may have added rows meanwhile.
            for layer, n in report.written.items():
                added = len(report.new_rows(layer))
                print(f"La couche « {layer} » compte maintenant {_format.count(n, 'ligne')} "
                      f"({_format.number(added)} {_format.plural(added, 'ajoutée')} par cet "
                      "import).")
        for layer, n in report.changed.items():
            same = report.accepted - n
            print(f"La couche « {layer} » compte maintenant "
                  f"{_format.count(report.written[layer], 'ligne')} : "
                  f"{_format.number(n)} {_format.plural(n, 'ajoutée')} ou "
                  f"{_format.plural(n, 'mise')} à jour, {_format.number(same)} "
                  f"{_format.plural(same, 'identique')} à la base.")
        if not isinstance(target, Path) and "incidents" in report.frames:
            # Each role's release computed once here, read by every app process.
            from clspd_geo.access import preparation

            t = time.perf_counter()
            n = preparation.keep_releases(target)
            if n:
                print(f"Faits publiés préparés pour {_format.count(n, 'rôle')} en "
                      f"{time.perf_counter() - t:.0f} s : les pages les lisent sans les "
                      "recalculer.")
    return 0
