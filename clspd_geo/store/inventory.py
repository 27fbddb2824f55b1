"""What the store holds now: rows, period, source and import date of each layer."""

from __future__ import annotations

import pandas as pd

from clspd_geo import schemas
from clspd_geo.store.base import Store


def layer_summary(store: Store) -> pd.DataFrame:
    """Return one row per layer of the data model: what it holds and where it comes from.

    Returns
    -------
    DataFrame
        ``Couche``, ``Nom``, ``Lignes``, ``Du``, ``Au`` (for dated layers), ``Source``,
        ``Chargée le``. Absent layers have 0 rows and the source "absente".
    """
    prov = store.provenance().set_index("layer") if len(store.provenance()) else None
    rows = []
    for name, sch in schemas.LAYERS.items():
        n = store.count(name)
        first = last = None
        if n and "occurred_at" in sch.column_names:
            dates = pd.to_datetime(store.read(name, columns=["occurred_at"])["occurred_at"])
            first, last = dates.min().date(), dates.max().date()
        src = imported = None
        if prov is not None and name in prov.index:
            src = str(prov.loc[name, "source"])
            imported = str(prov.loc[name, "imported_at"])[:16].replace("T", " ")
        rows.append({"Couche": name, "Nom": sch.title, "Lignes": n, "Du": first, "Au": last,
                     "Source": src if n else "absente", "Chargée le": imported})
    return pd.DataFrame(rows)
