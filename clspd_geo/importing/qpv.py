"""QPV contours (quartiers prioritaires de la politique de la ville), both generations.

The ANCT publishes the contours on sig.ville.gouv.fr and data.gouv.fr: the 2024
generation with ``code_qp`` / ``lib_qp`` (codes ``QN…``), the 2015 generation with
``CODE_QP`` / ``NOM_QP`` (codes ``QP…``). Files re-exported by other tools often say
``code`` / ``name`` (or ``nom``); the generation then comes from the code prefix.

The contours go to their own overlay layer ``qpv``. When the store has quartiers, the
same import recomputes their ``qpv`` flag: a quartier is QPV when the QPV contours cover
at least :data:`QPV_SHARE_MIN` of its area (measured in the territory's metric CRS); the
covered share goes in the ``qpv_share`` column of every quartier, so a quartier only partly
covered is visible too. Both layers are written in one atomic step. In append mode the
flags are left as they are (the report says so): re-run in replace mode with every QPV
file to recompute them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from clspd_geo import _format, crs
from clspd_geo.errors import SchemaError
from clspd_geo.importing import values
from clspd_geo.importing.areas_common import pick, polygon_frame
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

QPV_SHARE_MIN = 0.5
"""Share of a quartier's area the QPV contours must cover for its ``qpv`` flag."""
_CODE = ("code_qp", "qpv_id", "code", "codeqp", "code_quartier")
_NAME = ("lib_qp", "nom_qp", "name", "nom", "libelle")
_PREFIX = {"QP": "2015", "QN": "2024"}


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``qpv`` layer and, when the store has quartiers, the re-flagged quartiers.

    Raises
    ------
    SchemaError
        A file without a QPV code or name column.
    """
    parts = [_one(src, log) for src in sources]
    contours = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                                crs="EPSG:4326")
    out = {"qpv": contours}
    if ctx.quartiers is not None and not ctx.quartiers.empty:
        if ctx.options.mode == "append":
            log.note("mode ajout : l'indicateur « qpv » des quartiers n'est pas recalculé ; "
                     "relancez l'import QPV en mode remplacement avec tous les fichiers")
        else:
            out["quartiers"] = flag_quartiers(ctx.quartiers, contours, file=sources[0].name,
                                              log=log)
    return out


def _one(src: Source, log: RowLog) -> gpd.GeoDataFrame:
    gdf = polygon_frame(src, log, what="un contour de QPV")
    code, name = pick(gdf, *_CODE), pick(gdf, *_NAME)
    if code is None or name is None:
        cols = ", ".join(str(c) for c in gdf.columns if c not in ("geometry", "_file",
                                                                    "_line"))
        msg = (f"Le fichier « {src.name} » n'a pas les colonnes d'un contour de QPV : code "
               f"(code_qp, CODE_QP ou code) et nom (lib_qp, NOM_QP ou name). Colonnes "
               f"trouvées : {cols}. Exportez les contours depuis sig.ville.gouv.fr ou "
               "data.gouv.fr sans renommer les colonnes.")
        raise SchemaError(msg)
    codes = gdf[code].astype(str).str.strip()
    generation = codes.str[:2].str.upper().map(_PREFIX)
    by_column = "2024" if str(name).lower() == "lib_qp" or str(code) == "code_qp" else (
        "2015" if str(name).lower() == "nom_qp" else None)
    if by_column:
        generation = generation.fillna(by_column)
    unknown = generation.isna()
    for idx in gdf.index[unknown.to_numpy()]:
        log.reject(src.name, [gdf.at[idx, "_line"]],
                   f"code de QPV « {codes[idx]} » : génération inconnue (attendu QP… pour "
                   "2015, QN… pour 2024)")
    log.roles[src.name] = "contours de QPV (génération " + ", ".join(
        sorted(generation.dropna().unique())) + ")"
    out = pd.DataFrame({"qpv_id": codes, "name": gdf[name].astype(str),
                        "generation": generation}, index=gdf.index)
    out = values.neutralise_formulas(out, ["name"], log=log)
    communes = pick(gdf, "communes_info", "lib_com", "commune_qp", "nom_com")
    if communes:
        out["communes"] = gdf[communes].astype(object)
    out["_file"], out["_line"] = gdf["_file"], gdf["_line"]
    return gpd.GeoDataFrame(out, geometry=gdf.geometry, crs="EPSG:4326")


def flag_quartiers(quartiers: gpd.GeoDataFrame, contours: gpd.GeoDataFrame, *, file: str,
                   log: RowLog) -> gpd.GeoDataFrame:
    """Return a copy of ``quartiers`` with ``qpv`` and ``qpv_share`` from the QPV contours.

    Parameters
    ----------
    quartiers
        The store's quartiers (EPSG:4326).
    contours
        QPV contours (EPSG:4326).
    file
        The QPV file, recorded as the rows' origin in the report.
    """
    epsg = crs.metric_epsg(quartiers)
    q = quartiers.to_crs(epsg)
    area = shapely.union_all(contours.to_crs(epsg).geometry.values)
    covered = shapely.area(shapely.intersection(q.geometry.values, area))
    share = pd.Series(covered / shapely.area(q.geometry.values), index=quartiers.index)
    out = quartiers.copy()
    out["qpv_share"] = share.round(4).fillna(0.0)
    out["qpv"] = share >= QPV_SHARE_MIN
    changed = int((out["qpv"] != quartiers["qpv"].astype(bool)).sum())
    n = int(out["qpv"].sum())
    log.note(f"indicateur « qpv » des quartiers recalculé : {_format.count(n, 'quartier')} "
             f"{_format.plural(n, 'couvert')} à {_format.percent(QPV_SHARE_MIN * 100)} au "
             f"moins par un QPV ({_format.count(changed, 'changement')}) ; part couverte "
             "dans « qpv_share »")
    out["_file"], out["_line"] = file, 0
    return out
