"""The raw FINESS extract: ``structureet`` and ``geolocalisation`` records joined.

The Ministère de la santé publishes FINESS on data.gouv.fr ("FINESS Extraction du Fichier
des établissements", ``etalab-cs1100507-stock-…csv``) as one headerless ``;`` file in
latin-1 whose rows are records of several types, told by their first field:

- a first line ``finess;etalab;…`` (the extract's own header, skipped);
- ``structureet``: one per establishment, 32 fields (:data:`STRUCTUREET`: ``nofinesset``,
  ``rs`` (name), address fields, ``categetab`` / ``libcategetab`` (category)…);
- ``geolocalisation``: one per establishment, 6 fields (:data:`GEOLOCALISATION`:
  ``nofinesset``, ``coordxet``, ``coordyet``, ``sourcecoordet`` naming the projection,
  ``datemaj``).

The two are joined on ``nofinesset`` into the pre-joined layout :mod:`facilities` reads
(kinds from ``libcategetab``, each row projected from its own CRS). An establishment
without a geolocalisation record is rejected with its line; geolocalisations of no
establishment are counted in the report. A file with one record type only is refused:
the positions and the names are in different records. No real extract could be fetched;
the layout follows the published documentation and is tested on a hand-made fixture
(``tests/data/import/finess_brut_fictif.csv``).
"""

from __future__ import annotations

import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

STRUCTUREET = ("section", "nofinesset", "nofinessej", "rs", "rslongue", "complrs",
               "compldistrib", "numvoie", "typvoie", "voie", "compvoie", "lieuditbp",
               "commune", "departement", "libdepartement", "ligneacheminement", "telephone",
               "telecopie", "categetab", "libcategetab", "categagretab", "libcategagretab",
               "siret", "codeape", "codemft", "libmft", "codesph", "libsph", "dateouv",
               "dateautor", "datemaj", "numuai")
"""Fields of a ``structureet`` record, in order (FINESS extract documentation)."""
GEOLOCALISATION = ("section", "nofinesset", "coordxet", "coordyet", "sourcecoordet",
                   "datemaj")
"""Fields of a ``geolocalisation`` record, in order."""
_KEEP = ("nofinesset", "rs", "categetab", "libcategetab", "commune", "departement")


def is_raw(src: Source) -> bool:
    """Tell whether a source is the raw FINESS record file."""
    return src.format == "records" and src.frame["f0"].isin(
        ["structureet", "geolocalisation"]).any()


def _records(src: Source, section: str, fields: tuple[str, ...]) -> pd.DataFrame:
    rows = src.frame[src.frame["f0"] == section]
    out = rows.iloc[:, :len(fields)].copy()
    out.columns = list(fields)[:out.shape[1]]
    out["_line"] = src.lines[rows.index]
    return out


def to_facilities(src: Source, log: RowLog) -> Source:
    """Return the joined establishments as a FINESS table :mod:`facilities` reads.

    Raises
    ------
    SchemaError
        One record type only, in French with the file and what to do.
    """
    struct = _records(src, "structureet", STRUCTUREET)
    geo = _records(src, "geolocalisation", GEOLOCALISATION)
    if struct.empty or geo.empty:
        has, lacks = (("structureet", "geolocalisation") if geo.empty else
                      ("geolocalisation", "structureet"))
        first = int(src.lines.iloc[0])
        msg = (f"Le fichier FINESS « {src.name} » ne contient que des enregistrements "
               f"« {has} » (dès la ligne {first}) et aucun « {lacks} » : les noms et "
               "catégories sont dans « structureet », les positions dans "
               "« geolocalisation ». Donnez l'extraction complète (fichier "
               "etalab-cs1100507-stock-…csv de data.gouv.fr) sans la découper ; la base "
               "n'a pas été modifiée.")
        raise SchemaError(msg)
    geo = geo.drop_duplicates("nofinesset")
    joined = struct.merge(geo[["nofinesset", "coordxet", "coordyet", "sourcecoordet"]],
                          on="nofinesset", how="left")
    joined.index = struct.index
    lost = joined["coordxet"].isna()
    for line in joined.loc[lost, "_line"]:
        log.reject(src.name, [line], "établissement sans enregistrement « geolocalisation » "
                                     "(position inconnue)")
    orphans = int((~geo["nofinesset"].isin(struct["nofinesset"])).sum())
    if orphans:
        log.note(f"{_format.count(orphans, 'enregistrement')} « geolocalisation » sans "
                 f"établissement (« structureet ») {_format.plural(orphans, 'laissé')} "
                 "de côté")
    address = (joined[["numvoie", "typvoie", "voie"]].fillna("").agg(" ".join, axis=1)
               .str.split().str.join(" ") + ", " + joined["ligneacheminement"].fillna(""))
    out = joined[list(_KEEP)].copy()
    out["adresse"] = address.str.strip(", ")
    for col in ("coordxet", "coordyet", "sourcecoordet"):
        out[col] = joined[col]
    log.roles[src.name] = (f"FINESS brut ({len(struct)} « structureet », {len(geo)} "
                           "« geolocalisation » joints sur nofinesset)")
    return Source(src.path, out, joined["_line"], "csv", src.encoding, src.separator)
