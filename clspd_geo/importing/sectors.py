"""Patrol sectors: polygons with a name and a force (police nationale, municipale...)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo import vocab
from clspd_geo.errors import SchemaError
from clspd_geo.importing import values
from clspd_geo.importing.areas_common import extra_columns, pick, polygon_frame
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

_ID = ("sector_id", "secteur_id", "id", "code", "district", "secteur", "identifiant")
_NAME = ("name", "nom", "libelle", "secteur", "district")
_FORCE = ("force", "service", "corps")
# Free labels of a force -> vocabulary code.
FORCE_LABELS: dict[str, str] = {
    "police nationale": "police_nationale", "pn": "police_nationale",
    "dsp": "police_nationale", "commissariat": "police_nationale",
    "police municipale": "police_municipale", "pm": "police_municipale",
    "gendarmerie": "gendarmerie", "gendarmerie nationale": "gendarmerie", "gn": "gendarmerie",
    **{code: code for code in vocab.FORCES},
}


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``secteurs`` layer.

    Raises
    ------
    SchemaError
        No id or name column; no force column and no ``force`` option.
    """
    parts = []
    for src in sources:
        log.roles[src.name] = "secteurs"
        gdf = polygon_frame(src, log, what="un secteur")
        ident, name, force = pick(gdf, *_ID), pick(gdf, *_NAME), pick(gdf, *_FORCE)
        if ident is None or name is None:
            msg = (f"Le fichier « {src.name} » n'a pas de colonne d'identifiant ou de nom de "
                   f"secteur (noms acceptés : {', '.join(_ID)}).")
            raise SchemaError(msg)
        if force is None and ctx.options.force is None:
            msg = (f"Le fichier « {src.name} » n'a pas de colonne « force ». Ajoutez-la "
                   f"(valeurs : {', '.join(vocab.FORCES)}) ou indiquez la force de tous les "
                   "secteurs avec --force (par ex. --force police_municipale).")
            raise SchemaError(msg)
        if force is None:
            if ctx.options.force not in vocab.FORCES:
                raise SchemaError(f"Force « {ctx.options.force} » inconnue (valeurs : "
                                  f"{', '.join(vocab.FORCES)}).")
            forces = pd.Series(ctx.options.force, index=gdf.index)
            log.note(f"force de tous les secteurs : {vocab.FORCES[ctx.options.force]}")
        else:
            forces = gdf[force].astype(str).str.strip().str.lower().map(FORCE_LABELS)
            bad = forces.isna()
            for idx in gdf.index[bad.to_numpy()]:
                log.reject(src.name, [gdf.at[idx, "_line"]],
                           f"force « {gdf.at[idx, force]} » inconnue (valeurs : "
                           f"{', '.join(vocab.FORCES)})")
        out = extra_columns(gdf, ["sector_id", "name", "force"]).copy()
        out["sector_id"] = gdf[ident].astype(str).str.strip()
        out["name"] = gdf[name].astype(str)
        out = values.neutralise_formulas(out, ["name"], log=log)
        out["force"] = forces
        out["_file"], out["_line"] = gdf["_file"], gdf["_line"]
        parts.append(gpd.GeoDataFrame(out, geometry=gdf.geometry, crs="EPSG:4326"))
    out = pd.concat(parts, ignore_index=True)
    return {"secteurs": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}
