"""Boundaries: the commune(s) of the territory, or its sub-areas (quartiers, IRIS...).

Reads GeoJSON, GeoPackage or zipped shapefiles. ``--commune INSEE`` picks communes out of
a département file (IGN Admin Express, ``code``/``nom``); ``--as quartiers`` loads
sub-areas: Paris quartiers administratifs (``c_quinsee``, ``l_qu``), arrondissements
(``c_arinsee``, ``l_ar``), IRIS (``DCOMIRIS``, ``NOM_IRIS``, census columns kept).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing import values
from clspd_geo.importing.accidents import commune_of
from clspd_geo.importing.areas_common import extra_columns, pick, polygon_frame
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

_COMMUNE_CODE = ("insee_code", "code", "insee", "insee_com", "code_insee", "codgeo",
                 "c_arinsee", "depcom")
_COMMUNE_NAME = ("name", "nom", "nom_com", "libgeo", "libelle", "l_aroff")
_AREA_ID = ("quartier_id", "c_quinsee", "dcomiris", "code_iris", "iris", "c_arinsee",
            "code", "id", "identifiant", "district")
_AREA_NAME = ("name", "l_qu", "nom_iris", "l_ar", "nom", "libelle", "nom_quartier",
              "district")
_AREA_COMMUNE = ("insee_code", "c_arinsee", "depcom", "insee_com", "code_insee", "insee")
_POPULATION = ("population", "pop", "p_pop", "ptot", "pmun")


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``territoire`` or ``quartiers`` layer (see :mod:`boundaries`)."""
    as_layer = ctx.options.as_layer
    parts = []
    for src in sources:
        gdf = polygon_frame(src, log, what="une limite")
        parts.append(_quartiers(src, gdf, ctx, log) if as_layer == "quartiers"
                     else _territoire(src, gdf, ctx, log))
    log.roles.update({s.name: ("quartiers" if as_layer == "quartiers" else "territoire")
                      for s in sources})
    out = pd.concat(parts, ignore_index=True)
    if as_layer == "territoire":
        _check_codes(out)
    return {as_layer: gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _check_codes(out: pd.DataFrame) -> None:
    """Raise :class:`SchemaError` when two communes of different names share an INSEE code.

    An INSEE code names one commune: two names under one code is a typo in the file, and
    keeping either would file the other commune's facts under the wrong name. (Several
    polygons of one commune, same code and name, are the same commune: the duplicate-id
    check keeps the first and reports the others.)
    """
    named = out.assign(_name=out["name"].astype(str).str.strip().str.casefold())
    clash = named.groupby("insee_code")["_name"].nunique()
    clash = clash[clash > 1]
    if clash.empty:
        return
    code = str(clash.index[0])
    rows = out[out["insee_code"] == code]
    where = " et ".join(f"« {n} » (ligne {line} de {file})" for n, line, file in zip(
        rows["name"], rows["_line"], rows["_file"], strict=True))
    more = (f" ({_format.count(len(clash), 'code')} en double en tout)" if len(clash) > 1
            else "")
    msg = (f"Deux communes portent le même code INSEE « {code} » : {where}{more}. Un code "
           "INSEE désigne une seule commune : corrigez le code de l'une d'elles dans le "
           "fichier, puis relancez l'import ; rien n'a été écrit.")
    raise SchemaError(msg)


def _territoire(src: Source, gdf: gpd.GeoDataFrame, ctx: Context,
                log: RowLog) -> gpd.GeoDataFrame:
    code = pick(gdf, *_COMMUNE_CODE)
    name = pick(gdf, *_COMMUNE_NAME)
    if code is None or name is None:
        msg = (f"Le fichier « {src.name} » n'a pas les colonnes d'une commune : code INSEE "
               f"(noms acceptés : {', '.join(_COMMUNE_CODE)}) et nom (noms acceptés : "
               f"{', '.join(_COMMUNE_NAME)}). Colonnes trouvées : "
               f"{_columns(gdf)}.")
        raise SchemaError(msg)
    codes = gdf[code].astype(str).str.strip()
    if ctx.options.commune:
        keep = codes == ctx.options.commune
        log.filtered_out += int((~keep).sum())
        gdf, codes = gdf[keep], codes[keep]
    pop = pick(gdf, *_POPULATION)
    out = extra_columns(gdf, ["insee_code", "name", "population"]).copy()
    out["insee_code"] = codes
    out["name"] = gdf[name].astype(str)
    out = values.neutralise_formulas(out, ["name"], log=log)
    out["population"] = pd.to_numeric(gdf[pop], errors="coerce") if pop else pd.NA
    out["_file"], out["_line"] = gdf["_file"], gdf["_line"]
    return gpd.GeoDataFrame(out, geometry=gdf.geometry, crs="EPSG:4326")


def _quartiers(src: Source, gdf: gpd.GeoDataFrame, ctx: Context,
               log: RowLog) -> gpd.GeoDataFrame:
    ident = pick(gdf, *_AREA_ID)
    name = pick(gdf, *_AREA_NAME)
    if ident is None or name is None:
        msg = (f"Le fichier « {src.name} » n'a pas les colonnes d'un quartier : identifiant "
               f"(noms acceptés : {', '.join(_AREA_ID)}) et nom (noms acceptés : "
               f"{', '.join(_AREA_NAME)}). Colonnes trouvées : "
               f"{_columns(gdf)}.")
        raise SchemaError(msg)
    ids = gdf[ident].astype(str).str.strip().str.removesuffix(".0")
    commune_col = pick(gdf, *_AREA_COMMUNE)
    raw = (gdf[commune_col].astype(str).str.strip() if commune_col else ids.str[:5])
    insee = raw.map(commune_of)
    if ctx.options.commune:
        keep = insee == commune_of(ctx.options.commune)
        log.filtered_out += int((~keep).sum())
        gdf, ids, insee = gdf[keep], ids[keep], insee[keep]
    qpv = pick(gdf, "qpv")
    pop = pick(gdf, *_POPULATION)
    reserved = ["quartier_id", "name", "insee_code", "qpv", "population"]
    out = extra_columns(gdf, reserved).copy()
    out["quartier_id"] = ids
    out["name"] = gdf[name].astype(str)
    out = values.neutralise_formulas(out, ["name"], log=log)
    out["insee_code"] = insee
    out["qpv"] = (gdf[qpv].astype(str).str.lower().isin(["1", "true", "oui", "vrai", "o"])
                  if qpv else False)
    if not qpv:
        log.note("pas de colonne « qpv » : aucun quartier marqué prioritaire")
    out["population"] = pd.to_numeric(gdf[pop], errors="coerce") if pop else pd.NA
    out["_file"], out["_line"] = gdf["_file"], gdf["_line"]
    return gpd.GeoDataFrame(out, geometry=gdf.geometry, crs="EPSG:4326")


def _columns(gdf: gpd.GeoDataFrame) -> str:
    return ", ".join(str(c) for c in gdf.columns
                     if c not in ("geometry", "_file", "_line"))
