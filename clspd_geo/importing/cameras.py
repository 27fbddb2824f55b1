"""Video-protection cameras: CSV with coordinates, camera lists to geocode, GeoJSON.

Accepted: a CSV with ``lon``/``lat`` (or Lambert-93 ``x_l93``/``y_l93``), optional
``type``, ``statut``, ``orientation``, ``angle``, ``portee``, ``exploitant`` and
``date_mise_en_service``; the Paris lists of the Bulletin officiel (``Numéro``,
``Implantation``, ``Rue croisement 1..3``, ``Date de mise en service`` as jj/mm/aa or
« inconnue »), placed with ``--geocode-with`` a crossings file; and point layers such as
the Préfecture de police 2013 GeoJSON, crowd-sourced maps (sous-surveillance.net:
``apparence``, ``direction``, ``angle``, ``op_type``), OpenStreetMap ``man_made=surveillance``
exports (``camera:type``, ``camera:direction``, which may be a compass point such as
``NE``) and KML placemarks (a KML that loads a network link is refused). Rows that cannot
be placed are rejected with their line and place name, never dropped silently.

Direction and field of view: the direction is in degrees clockwise from north (0–360,
or a compass point); a value outside 0–360 rejects the row. An angle of 0 or an empty
angle is unknown (the crowd-sourced maps write 0 when nobody measured it): a camera with
a direction then gets :data:`DEFAULT_DIRECTED_FOV_DEG` (a dome keeps its direction and
sweeps :data:`DEFAULT_FOV_DEG`); a camera without a direction (or with direction 0 and no
angle) sees all round, :data:`DEFAULT_FOV_DEG`. The
``range`` column (``portee``, ``range_m``, ``camera:range``) is in metres.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import vocab
from clspd_geo.errors import SchemaError
from clspd_geo.importing import coords, geocoding, geometry, values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

KIND_LABELS = {"fixe": "fixe", "dome": "dome", "dôme": "dome", "ptz": "dome",
               "tourelle": "dome", "mobile": "dome", "nomade": "nomade",
               # sous-surveillance.net « apparence » and OSM camera:type
               "boite": "fixe", "boîte": "fixe", "nue": "fixe", "encastre": "fixe",
               "encastré": "fixe", "fixed": "fixe", "panning": "dome", "box": "fixe"}
STATUS_LABELS = {"en_service": "en_service", "en service": "en_service", "service": "en_service",
                 "en_panne": "en_panne", "en panne": "en_panne", "panne": "en_panne",
                 "hs": "en_panne", "projet": "projet", "en projet": "projet"}
OPERATOR_LABELS = {**{k: k for k in vocab.CAMERA_OPERATORS}, "commune": "csu_municipal",
                   "ville": "csu_municipal", "mairie": "csu_municipal", "csu": "csu_municipal",
                   "etat": "etat", "état": "etat", "prefecture": "etat", "préfecture": "etat",
                   "bailleur": "bailleur_social", "transporteur": "transporteur",
                   "commerce": "commerce",
                   # sous-surveillance.net « op_type »: public space is the commune's
                   "public": "csu_municipal", "private": "commerce", "privé": "commerce",
                   "prive": "commerce"}
COMPASS = {p: i * 22.5 for i, p in enumerate(
    ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW",
     "NW", "NNW"))}
"""Compass points (OSM ``camera:direction``) -> degrees; French O for W is accepted."""
DEFAULT_DIRECTED_FOV_DEG = 60.0
"""Field of view of a camera with a direction but no angle (a usual fixed lens)."""
DEFAULT_FOV_DEG = 360.0
DEFAULT_RANGE_M = 50.0
_TEXT = ("name",)


def _map(series: pd.Series, table: dict[str, str], lines: pd.Series, *, file: str,
         log: RowLog, column: str) -> pd.Series:
    key = series.astype("string").str.strip().str.lower()
    out = key.map(table)
    bad = series.notna() & (key != "") & out.isna()
    for idx in series.index[bad.to_numpy()]:
        log.reject(file, [lines[idx]], f"valeur « {series[idx]} » inconnue dans « {column} » "
                                       f"(valeurs : {', '.join(sorted(set(table.values())))})")
    return out


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``cameras`` layer.

    Raises
    ------
    SchemaError
        A list without coordinates and no ``--geocode-with`` file.
    """
    parts = [_one(src, ctx, log) for src in sources]
    out = pd.concat(parts, ignore_index=True)
    return {"cameras": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _one(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame
    lines = src.lines
    ident = src.column("camera_id", "id", "numéro", "numero", "identifiant", "id_camera")
    name = src.column("name", "nom", "implantation", "libelle", "libellé", "adresse", "lieu")
    official = src.column("implantation") is not None and src.column("numéro") is not None
    log.roles[src.name] = ("liste de caméras (Bulletin officiel de la Ville de Paris)"
                           if official else "caméras")
    geoms, outside = _place(src, ctx, log, name)
    data = pd.DataFrame(index=df.index)
    data["camera_id"] = (df[ident].astype(str).str.strip() if ident else
                         src.name + ":" + lines.astype(str))
    data["name"] = df[name].astype(str) if name else data["camera_id"]
    col = src.column("kind", "type", "type_camera", "apparence", "camera:type")
    data["kind"] = (_map(df[col], KIND_LABELS, lines, file=src.name, log=log, column=col)
                    .fillna("dome") if col else "dome")
    col = src.column("status", "statut", "etat", "état")
    data["status"] = (_map(df[col], STATUS_LABELS, lines, file=src.name, log=log, column=col)
                      .fillna("en_service") if col else "en_service")
    col = src.column("operator", "exploitant", "operateur", "opérateur", "op_type")
    if col:
        data["operator"] = _map(df[col], OPERATOR_LABELS, lines, file=src.name, log=log,
                                column=col)
        blank = data["operator"].isna()
        if blank.any():
            log.fix(f"exploitant vide dans « {col} » : « Commune (CSU) » par défaut",
                    int(blank.sum()))
        data["operator"] = data["operator"].fillna("csu_municipal")
    else:
        data["operator"] = "etat" if official or "nom" in df.columns else "csu_municipal"
        log.note("pas de colonne « exploitant » : "
                 + ("caméras de la Préfecture de police, exploitant « État »"
                    if official or "nom" in df.columns else "exploitant « Commune (CSU) »"))
    data["bearing_deg"], data["fov_deg"], data["range_m"] = _view(src, data["kind"], log)
    col = src.column("commissioned_on", "date de mise en service", "date_mise_en_service",
                     "mise_en_service", "date")
    if col:
        raw = df[col].where(~df[col].astype("string").str.lower().isin(["inconnue",
                                                                          "inconnu"]))
        when = values.datetimes(raw.astype(object))
        bad = raw.notna() & when.isna()
        if bad.any():
            sample = raw[bad].iloc[0]
            log.fix(f"date de mise en service illisible (par ex. « {sample} ») : laissée vide",
                    int(bad.sum()))
        future = when > pd.Timestamp(ctx.now)
        log.reject(src.name, lines[future], f"date de mise en service dans le futur "
                                            f"(« {col} »)")
        data["commissioned_on"] = when
    else:
        data["commissioned_on"] = pd.NaT
    for extra in ("Précision de l’implantation", "Code postal", "in_paris_polygon"):
        if extra in df.columns:
            data[_snake(extra)] = df[extra]
    data = values.neutralise_formulas(data, list(_TEXT), log=log)
    data["outside_territory"] = outside
    data["_file"], data["_line"] = src.name, lines
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return gdf[geometry.present(geoms).to_numpy()]


_HINT = {"direction": "indiquez des degrés depuis le nord dans le sens des aiguilles d'une "
                      "montre (0 à 360)",
         "angle de vue": "indiquez l'angle de vue horizontal en degrés (1 à 360)"}


def _degrees(src: Source, col: str, log: RowLog, *, what: str) -> pd.Series:
    """Return a column of degrees (0–360, compass points read); reject rows outside."""
    raw = src.frame[col].astype("string").str.strip()
    compass = raw.str.upper().str.replace("O", "W").map(COMPASS)
    num = values.numbers(src.frame[col].where(compass.isna()), log=log, what=f"« {col} »")
    num = num.fillna(compass.astype(float))
    given = raw.notna() & (raw != "")
    bad = given & (num.isna() | (num < 0) | (num > 360))
    for idx in src.frame.index[bad.to_numpy()]:
        log.reject(src.name, [src.lines[idx]],
                   f"{what} « {raw[idx]} » hors de 0–360° dans « {col} » : {_HINT[what]}, ou "
                   "laissez la case vide si vous ne la connaissez pas")
    return num.where(~bad)


def _view(src: Source, kinds: pd.Series | str,
          log: RowLog) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return the direction, field of view and range of each camera (see the module doc)."""
    index = src.frame.index
    col = src.column("bearing_deg", "orientation", "direction", "azimut", "camera:direction")
    bearing = (_degrees(src, col, log, what="direction") if col else
               pd.Series(np.nan, index=index))
    col_fov = src.column("fov_deg", "angle", "champ", "angle_de_vue")
    fov = (_degrees(src, col_fov, log, what="angle de vue") if col_fov else
           pd.Series(np.nan, index=index))
    fov = fov.where(fov > 0)
    bearing = bearing.where(fov.notna() | (bearing > 0))  # direction 0 with no angle: unknown
    dome = (pd.Series(kinds, index=index) == "dome").to_numpy()
    directed = fov.isna() & bearing.notna() & ~dome
    if directed.any():
        log.fix(f"angle de vue inconnu d'une caméra orientée : {DEFAULT_DIRECTED_FOV_DEG:g}° "
                "par défaut", int(directed.sum()))
    fov = fov.where(~directed, DEFAULT_DIRECTED_FOV_DEG).fillna(DEFAULT_FOV_DEG)
    if not col_fov:
        log.note(f"angle de vue inconnu : {DEFAULT_FOV_DEG:g}° (dôme) par défaut, portée "
                 f"{DEFAULT_RANGE_M:g} m ; à corriger caméra par caméra si connu")
    col = src.column("range_m", "portee", "portée", "range", "camera:range", "distance_m")
    if col is None:
        return bearing, fov, pd.Series(DEFAULT_RANGE_M, index=index)
    num = values.numbers(src.frame[col], log=log, what=f"« {col} »")
    bad = src.frame[col].notna() & (num.isna() | (num < 0) | (num > 10000))
    log.reject(src.name, src.lines[bad], f"portée hors de [0, 10000] m dans « {col} » : "
                                         "indiquez la portée utile en mètres")
    return bearing, fov, num.where(~bad).fillna(DEFAULT_RANGE_M)


def _snake(text: str) -> str:
    plain = geocoding.normalise(text).replace(" ", "_")
    return {"precision_implantation": "precision", "code_postal": "code_postal"}.get(plain,
                                                                                     plain)


def _place(src: Source, ctx: Context, log: RowLog,
           name: str | None) -> tuple[gpd.GeoSeries, pd.Series]:
    has_coords = src.is_vector or coords.find_columns(src.frame) is not None
    if has_coords:
        return coords.source_points(src, log=log, territoire=ctx.territoire,
                                    tolerance_m=ctx.options.tolerance_m)
    if ctx.options.geocode_with is None:
        msg = (f"Le fichier « {src.name} » n'a pas de coordonnées (colonnes « lon » / « lat »). "
               "Donnez un fichier de croisements de rues ou d'adresses avec --geocode-with "
               "(colonnes nom1, nom2, lon, lat ou adresse, lon, lat) pour placer les caméras.")
        raise SchemaError(msg)
    gaz = geocoding.load(ctx.options.geocode_with, max_bytes=ctx.options.max_bytes)
    df = src.frame
    streets = [c for c in df.columns if re.match(r"(?i)rue croisement \d", str(c))]
    geoms: list = []
    unplaced = 0
    for idx in df.index:
        parts = [df.at[idx, c] for c in streets if df.at[idx, c]]
        label = df.at[idx, name] if name else ""
        if not parts and label:
            parts = re.split(r"\s*(?:,|/| et | x )\s*", str(label))
        hit = gaz.crossing(parts) if len(parts) >= 2 else None
        if hit is None and label:
            hit = gaz.address(label)
        if hit is None:
            unplaced += 1
            log.reject(src.name, [src.lines[idx]], f"lieu introuvable dans « {gaz.name} » : "
                       f"« {label or ' / '.join(parts)} » (à placer à la main)")
            geoms.append(None)
        else:
            geoms.append(shapely.Point(*hit))
    log.crs[src.name] = f"géocodé avec {gaz.name}"
    log.fix(f"caméras placées par leur croisement de rues ({gaz.name})",
            len(df) - unplaced)
    series = gpd.GeoSeries(geoms, index=df.index, crs="EPSG:4326")
    outside = coords.check_territory(series, src.lines, ctx.territoire, file=src.name, log=log,
                                     tolerance_m=ctx.options.tolerance_m)
    return series, outside
