"""INSEE Base permanente des équipements (BPE): the partner facilities it lists.

The BPE (insee.fr, "Base permanente des équipements", file ``bpeAAAA_ensemble_xy``) has
one row per equipment with its type code ``TYPEQU``, its commune ``DEPCOM``, and its
position in ``LAMBERT_X`` / ``LAMBERT_Y`` in the metric CRS of its zone (column ``EPSG``:
2154 in mainland France, 5490 in the Antilles, 2972 in Guyane, 2975 in La Réunion, 4471
in Mayotte), or ``LONGITUDE`` / ``LATITUDE`` in the recent editions. It has no name: each
facility is named after its kind.

:data:`TYPEQU_KINDS` is the documented correspondence from the BPE types a CLSPD works
with to the facility kinds of the vocabulary. Every other type (shops, sports grounds,
doctors...) is outside the council's partners: those rows are left aside and counted by
type in the report, never rejected one by one. No real BPE extract with coordinates could
be fetched; the layout follows the INSEE documentation and is tested on a hand-made
fixture (``tests/data/import/bpe_fictif.csv``).
"""

from __future__ import annotations

import pandas as pd

from clspd_geo import _format
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

TYPEQU_KINDS: dict[str, str] = {
    "A101": "commissariat",          # Police (commissariat, hôtel de police)
    "A104": "brigade_gendarmerie",   # Gendarmerie
    "A105": "tribunal",              # Cour d'appel
    "A106": "tribunal",              # Tribunal judiciaire (ex-TGI)
    "A107": "tribunal",              # Tribunal de proximité (ex-tribunal d'instance)
    "A108": "tribunal",              # Conseil de prud'hommes
    "A109": "tribunal",              # Tribunal de commerce
    "A120": "acces_droit",           # Maison de justice et du droit
    "A121": "acces_droit",           # Antenne de justice
    "A122": "acces_droit",           # Conseil départemental de l'accès au droit
    "A123": "acces_droit",           # Point d'accès au droit
    "C101": "ecole_maternelle",      # École maternelle
    "C102": "ecole_maternelle",      # École maternelle de regroupement pédagogique
    "C104": "ecole_elementaire",     # École élémentaire
    "C105": "ecole_elementaire",     # École élémentaire de regroupement pédagogique
    "C201": "college",               # Collège
    "C301": "lycee",                 # Lycée d'enseignement général et/ou technologique
    "C302": "lycee",                 # Lycée d'enseignement professionnel
    "C303": "lycee",                 # Lycée technique et/ou professionnel agricole
    "C304": "lycee",                 # Section d'enseignement général et technologique
    "C305": "lycee",                 # Section d'enseignement professionnel
    "D101": "hopital",               # Établissement de santé de court séjour
    "D102": "hopital",               # Établissement de santé de moyen séjour
    "D103": "hopital",               # Établissement de santé de long séjour
    "D104": "hopital",               # Établissement psychiatrique
    "D105": "hopital",               # Centre de lutte contre le cancer
    "D106": "hopital",               # Urgences
    "E107": "gare",                  # Gare de voyageurs d'intérêt national
    "E108": "gare",                  # Gare de voyageurs d'intérêt régional
    "E109": "gare",                  # Gare de voyageurs d'intérêt local
}
"""BPE ``TYPEQU`` -> facility kind of the vocabulary (the types a CLSPD works with)."""


def is_bpe(src: Source) -> bool:
    """Tell whether a table is a BPE extract (``TYPEQU`` and ``DEPCOM`` columns)."""
    return (not src.is_vector and src.column("typequ") is not None
            and src.column("depcom") is not None)


def to_facilities(src: Source, log: RowLog) -> Source:
    """Return the BPE rows of a CLSPD kind as a facilities table (``kind``, id, position).

    The returned source keeps the file name and each row's line; ``LAMBERT_X`` /
    ``LAMBERT_Y`` become ``x`` / ``y`` beside the ``EPSG`` column so that each row is
    projected from its own CRS.
    """
    df = src.frame
    types = df[src.column("typequ")].astype("string").str.strip().str.upper()
    kinds = types.map(TYPEQU_KINDS)
    keep = kinds.notna().to_numpy()
    left = types[~keep].value_counts()
    if len(left):
        top = ", ".join(f"{code} ({n})" for code, n in left.head(8).items())
        n = int(left.sum())
        log.note(f"{_format.count(n, 'équipement')} BPE d'un type hors des partenaires du "
                 f"CLSPD {_format.plural(n, 'laissé')} de côté (TYPEQU {top}"
                 + (" …" if len(left) > 8 else "") + ") ; voir la table des types BPE")
    out = pd.DataFrame(index=df.index)
    depcom = df[src.column("depcom")].astype("string").str.strip()
    out["facility_id"] = "BPE-" + depcom + "-" + types + "-" + src.lines.astype(str)
    out["kind"] = kinds
    out["typequ"] = types
    out["insee_code"] = depcom
    lon, lat = src.column("longitude"), src.column("latitude")
    lx, ly, epsg = src.column("lambert_x"), src.column("lambert_y"), src.column("epsg")
    if lon and lat:
        out["lon"], out["lat"] = df[lon], df[lat]
    elif lx and ly and epsg:
        out["x"], out["y"], out["EPSG"] = df[lx], df[ly], df[epsg]
    elif lx and ly:
        out["x_l93"], out["y_l93"] = df[lx], df[ly]
        log.note("BPE sans colonne EPSG : LAMBERT_X / LAMBERT_Y lus en Lambert-93")
    log.roles[src.name] = "Base permanente des équipements (INSEE)"
    return Source(src.path, out[keep], src.lines[keep], src.format, src.encoding,
                  src.separator)
