"""INSEE IRIS population tables (no geometry) joined to the IRIS already imported.

The census "bases infracommunales" (insee.fr, ``base-ic-evol-struct-pop-20AA``) give one
row per IRIS: ``IRIS`` (the 9-character code), ``COM``, ``LIBIRIS``, ``TYP_IRIS`` and the
counts ``P21_POP``, ``P21_POP0014``… (the two digits are the census year). They carry no
geometry: they are joined on the IRIS code to the ``quartiers`` imported from the IRIS
contours (``DCOMIRIS``), whose ``population`` becomes ``Pyy_POP`` and which keep every
count column of the table. The quartiers layer is rewritten whole (the same import
cannot ``--append``).

Refused: a table without ``IRIS`` or population column, a store without quartiers, or no
row whose code matches a quartier (the quartiers are not IRIS, or another vintage).
Rows of IRIS that are not among the quartiers (other communes of a national table) are
counted as filtered out. No real table could be fetched; the layout follows the INSEE
documentation and is tested on a hand-made table joined to the real Paris IRIS.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing import values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

_POP = re.compile(r"(?i)^P(\d{2})_POP$")
_COUNT = re.compile(r"(?i)^[PC]\d{2}_")


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``quartiers`` layer with the tables' population and counts joined.

    Raises
    ------
    SchemaError
        See the module docstring.
    """
    if ctx.quartiers is None or ctx.quartiers.empty:
        raise SchemaError("Aucun quartier dans la base : importez d'abord les contours IRIS "
                          "(boundaries … --as quartiers), puis la table de population IRIS.")
    if ctx.options.mode == "append":
        raise SchemaError("La table de population IRIS met à jour les quartiers existants : "
                          "relancez sans --append.")
    out = ctx.quartiers.copy()
    ids = out["quartier_id"].astype(str)
    for src in sources:
        table = _table(src, log)
        known = table.index.isin(ids)
        log.filtered_out += int((~known).sum())
        if not known.any():
            sample = ", ".join(table.index[:3])
            msg = (f"Aucune ligne de « {src.name} » ne correspond à un quartier de la base "
                   f"(codes IRIS lus : {sample}… ; quartiers : {', '.join(ids[:3])}…). "
                   "Importez les contours IRIS du même millésime (DCOMIRIS) comme "
                   "quartiers ; la base n'a pas été modifiée.")
            raise SchemaError(msg)
        table = table[known]
        pop_col = next(c for c in table.columns if _POP.match(c))
        for col in table.columns:
            if col == "_line":
                continue
            out[col] = ids.map(table[col])
        matched = ids.isin(table.index)
        out["population"] = out["population"].where(~matched, ids.map(table[pop_col]).round())
        log.note(f"population des quartiers : « {pop_col} » de « {src.name} » pour "
                 f"{_format.count(int(matched.sum()), 'quartier')} sur "
                 f"{_format.number(len(out))}")
        log.roles[src.name] = f"table de population IRIS ({pop_col})"
    out = out.drop(columns=[c for c in ("_line",) if c in out.columns])
    out["_file"], out["_line"] = sources[0].name, 0
    return {"quartiers": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _table(src: Source, log: RowLog) -> pd.DataFrame:
    df = src.frame
    iris = src.column("iris", "code_iris", "dcomiris")
    pops = [c for c in df.columns if _POP.match(str(c))]
    if src.is_vector or iris is None or not pops:
        msg = (f"Le fichier « {src.name} » n'est pas une table de population IRIS : colonnes "
               "« IRIS » et « P21_POP » (ou P20_POP…) attendues (ligne 1, en-tête). Colonnes "
               f"trouvées : {', '.join(map(str, df.columns))}.")
        raise SchemaError(msg)
    codes = df[iris].astype("string").str.strip().str.zfill(9)
    dup = codes.duplicated()
    if dup.any():
        first = dup.idxmax()
        msg = (f"Le fichier « {src.name} », ligne {int(src.lines[first])} : l'IRIS "
               f"« {codes[first]} » apparaît deux fois. Gardez une ligne par IRIS ; la base "
               "n'a pas été modifiée.")
        raise SchemaError(msg)
    counts = [c for c in df.columns if _COUNT.match(str(c))]
    table = pd.DataFrame({c: values.numbers(df[c]) for c in counts}, index=df.index)
    table["_line"] = src.lines
    table.index = codes.astype(str)
    return table
