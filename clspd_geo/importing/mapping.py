"""Correspondence files: local labels (categories, types) to vocabulary codes.

A mapping file is a CSV with two columns, the local label then our code, e.g.::

    libelle;code
    BURGLARY;cambriolage
    Vol à la roulotte;vol_vehicule

Labels are compared without case, accents or surrounding spaces.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clspd_geo.errors import SchemaError
from clspd_geo.importing import sniffing
from clspd_geo.importing.geocoding import normalise


def key(label: object) -> str:
    """Return the comparison key of a label."""
    return normalise(str(label)).replace(" ", "")


def load(path: Path, *, allowed: dict[str, str], what: str,
         max_bytes: int = sniffing.MAX_FILE_BYTES) -> dict[str, str]:
    """Read a mapping file; return ``{label key: code}``.

    Parameters
    ----------
    allowed
        ``{code: French label}`` of the target vocabulary.

    Raises
    ------
    SchemaError
        Fewer than two columns, or a code not in the vocabulary (its line is given).
    """
    table = sniffing.read_table(Path(path), max_bytes=max_bytes)
    df = table.frame
    if df.shape[1] < 2:
        raise SchemaError(f"Le fichier de correspondance « {Path(path).name} » doit avoir deux "
                          "colonnes : le libellé local puis le code.")
    out: dict[str, str] = {}
    label_col, code_col = df.columns[0], df.columns[1]
    for line, label, code in zip(table.lines, df[label_col], df[code_col]):
        if not label:
            continue
        code = (code or "").strip()
        if code not in allowed:
            msg = (f"Ligne {line} du fichier de correspondance « {Path(path).name} » : le code "
                   f"« {code} » n'existe pas dans {what} (codes : {', '.join(allowed)}).")
            raise SchemaError(msg)
        out[key(label)] = code
    return out


def vocabulary_keys(allowed: dict[str, str]) -> dict[str, str]:
    """Return ``{key: code}`` for the codes and French labels of a vocabulary."""
    out = {key(code): code for code in allowed}
    out.update({key(label): code for code, label in allowed.items()})
    return out


def translate(labels: pd.Series, table: dict[str, str]) -> pd.Series:
    """Return the code of each label (``None`` when unknown), computing each key once."""
    lut = {v: table.get(key(v)) for v in labels.dropna().unique()}
    return labels.map(lut).astype(object).where(labels.notna(), None)
