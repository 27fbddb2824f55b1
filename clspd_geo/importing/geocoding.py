"""Place rows that give a street crossing or an address instead of coordinates.

The reference is a CSV given by the user (``--geocode-with``): either street crossings
``nom1, nom2, lon, lat`` (e.g. the OpenStreetMap crossings of Paris) or addresses
``adresse, lon, lat``. Names are compared after normalisation (case, accents,
abbreviations such as « bd » or « av »); nothing is guessed beyond an exact match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from clspd_geo.errors import SchemaError
from clspd_geo.importing import sniffing, values

_ABBREVIATIONS = {
    "bd": "boulevard", "boul": "boulevard", "av": "avenue", "ave": "avenue", "r": "rue",
    "pl": "place", "qu": "quai", "fg": "faubourg", "fbg": "faubourg", "st": "saint",
    "ste": "sainte", "sq": "square", "imp": "impasse", "pte": "porte", "pt": "pont",
    "all": "allee", "che": "chemin", "crs": "cours", "rte": "route", "gal": "general",
    "mal": "marechal", "pdt": "president", "prom": "promenade",
}
_ARTICLES = {"de", "du", "des", "la", "le", "les", "l", "d"}


def normalise(name: str) -> str:
    """Return a street name in a comparable form (lower case, no accents, no articles)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    words = re.split(r"[^a-z0-9]+", text.lower())
    words = [_ABBREVIATIONS.get(w, w) for w in words if w]
    return " ".join(w for w in words if w not in _ARTICLES)


@dataclass(frozen=True)
class Gazetteer:
    """Known places: crossings (unordered pairs of streets) and addresses, to WGS84 points."""

    crossings: dict[frozenset[str], tuple[float, float]]
    addresses: dict[str, tuple[float, float]]
    name: str

    def crossing(self, streets: list[str]) -> tuple[float, float] | None:
        """Return the point where two of ``streets`` cross, or ``None``.

        A part such as « Place Maurice Barrès — rue Cambon » or « avenue Breteuil (place
        de Breteuil) » counts as each of the streets it names.
        """
        keys = list(dict.fromkeys(k for s in streets if s for k in _variants(s) if k))
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                hit = self.crossings.get(frozenset((keys[i], keys[j])))
                if hit is not None:
                    return hit
        return None

    def address(self, text: str) -> tuple[float, float] | None:
        """Return the point of an address or place name, or ``None``."""
        return self.addresses.get(normalise(text))


def load(path: Path, *, max_bytes: int = sniffing.MAX_FILE_BYTES) -> Gazetteer:
    """Read a crossings or addresses CSV.

    Raises
    ------
    SchemaError
        The file has neither ``nom1``/``nom2`` nor ``adresse`` with ``lon``/``lat``.
    """
    table = sniffing.read_table(Path(path), max_bytes=max_bytes)
    df = table.frame
    lower = {c.lower(): c for c in df.columns}
    if "lon" not in lower or "lat" not in lower:
        raise SchemaError(f"Le fichier de géocodage « {Path(path).name} » doit avoir les "
                          "colonnes « lon » et « lat » (degrés WGS84).")
    lon = values.numbers(df[lower["lon"]])
    lat = values.numbers(df[lower["lat"]])
    crossings: dict[frozenset[str], tuple[float, float]] = {}
    addresses: dict[str, tuple[float, float]] = {}
    if "nom1" in lower and "nom2" in lower:
        for a, b, x, y in zip(df[lower["nom1"]], df[lower["nom2"]], lon, lat):
            if a and b and x == x and y == y:
                crossings.setdefault(frozenset((normalise(a), normalise(b))), (x, y))
    elif "adresse" in lower:
        for a, x, y in zip(df[lower["adresse"]], lon, lat):
            if a and x == x and y == y:
                addresses.setdefault(normalise(a), (x, y))
    else:
        raise SchemaError(f"Le fichier de géocodage « {Path(path).name} » doit avoir les "
                          "colonnes « nom1 », « nom2 » (croisements) ou « adresse ».")
    return Gazetteer(crossings, addresses, Path(path).name)


_SIDE = re.compile(r"\s+c[oô]t[ée] (pair|impair)\s*$", re.IGNORECASE)


def _variants(part: str) -> list[str]:
    """Return the normalised street names a crossing part stands for."""
    text = _SIDE.sub("", str(part))
    inner = re.findall(r"\(([^)]*)\)", text)
    text = re.sub(r"\([^)]*\)", " ", text)
    pieces = [p for p in re.split(r"\s+[—–]\s+", text) + inner if p.strip()]
    return [normalise(p) for p in pieces]
