"""Incidents: a documented CSV/GeoJSON layout plus a correspondence file for categories.

Layout (one row per incident; column names are case-insensitive):

- ``date_heure`` (or ``occurred_at``, or ``date`` with an optional ``heure``): ISO
  ``AAAA-MM-JJ HH:MM`` or French ``JJ/MM/AAAA HH:MM``; a date alone means midnight;
- ``categorie`` (or ``category``, ``nature``): a vocabulary code, its French label, or a
  local label translated by ``--mapping`` (``libelle;code``);
- coordinates: ``lon``/``lat`` in degrees, or projected columns naming their CRS
  (``x_l93``/``y_l93``, ``x_ft_epsg2913``/``y_ft_epsg2913``, ``x``/``y`` with ``EPSG``);
- optionally ``id``.

Nothing else is kept: no names, no free-text narrative (CNIL guidance to town halls).
Unmapped labels are rejected and counted per label. Each incident gets the quartier it
falls in when the store has quartiers; in a
territory of several communes, an incident outside every commune is rejected.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo import _format, vocab
from clspd_geo.analysis import areas
from clspd_geo.importing import coords, geometry, mapping, values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source
from clspd_geo.store import communes

_WHEN = ("date_heure", "occurred_at", "datetime", "date_faits", "date", "occ_date")
_TIME = ("heure", "time", "hrmn")
_CATEGORY = ("categorie", "catégorie", "category", "nature", "type")
_ID = ("incident_id", "id", "identifiant", "numero", "numéro")


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``incidents`` layer."""
    labels = vocab.category_labels()
    table = mapping.vocabulary_keys(labels)
    if ctx.options.mapping:
        table.update(mapping.load(ctx.options.mapping, allowed=labels,
                                  what="les catégories d'incidents",
                                  max_bytes=ctx.options.max_bytes))
    parts = [_one(src, ctx, log, table) for src in sources]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                           crs="EPSG:4326")
    out = _in_communes(out, ctx, log)
    if ctx.quartiers is not None and not out.empty:
        present = geometry.present(out.geometry)
        out["quartier_id"] = None
        out.loc[present, "quartier_id"] = areas.assign_quartier(
            out[present], ctx.quartiers.to_crs(4326))
    return {"incidents": out}


def _in_communes(out: gpd.GeoDataFrame, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    """Return the incidents with their commune; refuse, with their lines, those with none.

    Only a territory of several communes refuses: an incident outside every commune (beyond
    :data:`clspd_geo.store.communes.COMMUNE_TOLERANCE_M`) belongs to none of the council's
    communes. With one commune, the territory check of the coordinates applies alone.
    """
    terr = ctx.territoire
    if terr is None or len(terr) < 2 or out.empty:
        return out
    code = communes.assign_communes(out, terr)
    missing = code.isna().to_numpy()
    for file, line in zip(out["_file"][missing], out["_line"][missing], strict=True):
        log.reject(str(file), [int(line)], "point hors des communes du territoire (à plus "
                   f"de {_format.number(communes.COMMUNE_TOLERANCE_M)} m de chacune) : "
                   "importez d'abord la commune concernée, ou corrigez les coordonnées")
    kept = out[~missing].copy()
    kept["insee_code"] = code[~missing].to_numpy(dtype=object)
    return kept


def _one(src: Source, ctx: Context, log: RowLog, table: dict[str, str]) -> gpd.GeoDataFrame:
    df = src.frame
    need = coords.require_columns(df, {"date": _WHEN, "catégorie": _CATEGORY}, file=src.name,
                                  what="des incidents")
    log.roles[src.name] = "incidents"
    time_col = src.column(*_TIME)
    when = values.datetimes(df[need["date"]], df[time_col] if time_col else None)
    if time_col is None:
        has_time = df[need["date"]].astype("string").str.contains(r"\d{1,2}:\d{2}").fillna(False)
        if (~has_time).any():
            log.note("date sans heure : l'incident est placé à minuit (00:00)")
    values.reject_bad_dates(when, src.lines, file=src.name, log=log, column=need["date"],
                            now=ctx.now)
    raw = df[need["catégorie"]]
    cats = mapping.translate(raw, table)
    unknown = cats.isna()
    for idx in df.index[unknown.to_numpy()]:
        label = raw[idx] if raw[idx] is not None else "(vide)"
        log.unmapped[str(label)] += 1
        log.reject(src.name, [src.lines[idx]], f"catégorie « {label} » sans correspondance "
                   "(ajoutez-la au fichier --mapping)")
    geoms, outside = coords.source_points(src, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    id_col = src.column(*_ID)
    data = pd.DataFrame(index=df.index)
    data["incident_id"] = (df[id_col].astype(str) if id_col else
                           src.name + ":" + src.lines.astype(str))
    data["occurred_at"] = when
    data["category"] = cats
    data["outside_territory"] = outside
    used = {need["date"], need["catégorie"], time_col, id_col}
    used |= {c for pair in coords.all_columns(df) for c in (pair.x, pair.y)} if not \
        src.is_vector else set()
    dropped = [c for c in df.columns if c not in used and not src.is_vector
               or (src.is_vector and c not in used and c != src.frame.geometry.name)]
    if dropped:
        log.note("colonnes non reprises (ni nom ni texte libre conservés, recommandation de "
                 "la CNIL) : " + ", ".join(map(str, dropped)))
    data["_file"], data["_line"] = src.name, src.lines
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return gdf[geometry.present(geoms).to_numpy()]
