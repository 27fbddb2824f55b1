"""The BAAC year as four files: the accident key in every layout, and the join check.

A BAAC year (ONISR, data.gouv.fr) is four files joined on the accident key:
``caracteristiques`` (one row per accident), ``lieux``, ``vehicules`` and ``usagers``.
The key is ``Num_Acc`` in every file from 2005 to 2021 and in the detail files since; the
2022 and later ``caracteristiques`` file names it ``Accident_Id``. :func:`lower_frame`
gives every layout the same lower-case columns with the key as ``num_acc``.

:func:`check_join` refuses a year whose files do not join: an accident of
``caracteristiques`` with no row in one of the detail files given would be stored with
no victim or no vehicle, a silent error in every road-safety figure. Detail rows of
accidents that are not in ``caracteristiques`` are normal (national detail files given
with a caractéristiques file filtered to one commune) and are left aside.
"""

from __future__ import annotations

import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing.sniffing import Source

KEY = "num_acc"
"""The accident key, as :func:`lower_frame` names it."""
KEY_NAMES = ("num_acc", "accident_id")
"""The names of the key in the published layouts (any case)."""
DETAIL_ROLES = ("lieux", "vehicules", "usagers")
_SHOWN_IDS = 5


def has_key(columns: set[str]) -> bool:
    """Tell whether lower-case column names hold the accident key of a BAAC layout."""
    return any(k in columns for k in KEY_NAMES)


def lower_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a BAAC table with lower-case columns and its key named ``num_acc``.

    Key values are stripped (the 2019+ files quote them, some exports pad them).
    """
    out = frame.rename(columns=lambda c: str(c).lower())
    if KEY not in out.columns and "accident_id" in out.columns:
        out = out.rename(columns={"accident_id": KEY})
    out[KEY] = out[KEY].astype("string").str.strip().astype(object)
    return out


def check_join(caracteristiques: list[Source], details: dict[str, list[Source]]) -> None:
    """Refuse a year where an accident of ``caracteristiques`` is missing from a detail file.

    Parameters
    ----------
    caracteristiques
        The caractéristiques file(s).
    details
        ``{role: files}`` for the detail roles given (``lieux``, ``vehicules``, ``usagers``).

    Raises
    ------
    SchemaError
        In French: the detail file, the first missing accident ids with their line in the
        caractéristiques file, and what to do.
    """
    for role in DETAIL_ROLES:
        files = details.get(role, [])
        if not files:
            continue
        present: set[str] = set()
        for src in files:
            present |= set(lower_frame(src.frame)[KEY].dropna())
        for carac in caracteristiques:
            ids = lower_frame(carac.frame)[KEY]
            missing = ids.notna() & ~ids.isin(present)
            if not missing.any():
                continue
            shown = ", ".join(ids[missing].head(_SHOWN_IDS))
            more = int(missing.sum()) - min(int(missing.sum()), _SHOWN_IDS)
            first_line = int(carac.lines[missing].iloc[0])
            names = ", ".join(f"« {s.name} »" for s in files)
            n = int(missing.sum())
            have = _format.plural(n, "n'a", "n'ont")
            msg = (f"Les fichiers BAAC ne se correspondent pas : "
                   f"{_format.count(n, 'accident')} du fichier « {carac.name} » (première "
                   f"ligne concernée : {first_line}) {have} "
                   f"aucune ligne dans {names} ({role}) : {shown}"
                   + (f" et {_format.count(more, 'autre')}" if more else "")
                   + ". Donnez les quatre fichiers de la même année, complets (ou filtrés "
                     "sur les mêmes accidents) ; la base n'a pas été modifiée.")
            raise SchemaError(msg)
