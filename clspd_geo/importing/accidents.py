"""Road-injury accidents: the national BAAC files (two layouts) and the Paris extract.

BAAC ("bases de données annuelles des accidents corporels", ONISR, data.gouv.fr) comes as
four files per year joined on ``Num_Acc`` (``Accident_Id`` in the 2022+ caractéristiques
file; the key and the join check are in :mod:`baac`): caractéristiques (when, where), lieux (road),
véhicules and usagers (people, with their severity ``grav``). Two layouts exist:

- 2019 and later: ``;`` separator, quoted, UTF-8, ``lat``/``long`` in degrees with a
  decimal comma, ``hrmn`` as ``HH:MM``, ``an`` on four digits.
- 2005–2018: ``,`` separator, latin-1, ``lat``/``long`` as integers ×100 000 with a ``gps``
  code (M metropole, A Antilles, G Guyane, R Réunion, Y Mayotte), ``hrmn`` as ``HMM``,
  ``an`` on two digits, ``dep`` on three characters (``750``).

Output columns beyond the data model: ``insee_code``, ``address``, ``road_category``
(BAAC ``lieux`` ``catr``, in French), ``outside_territory`` and ``local_epsg`` (the metric
CRS each point is measured in: Lambert-93, or the local UTM zone overseas).

The Préfecture de police "Accidentologie Paris" extract is flat: one row per accident
with up to 3 vehicles and 4 users (``usager_i_grav`` Tué / BH / BL / Indem).
A simple documented layout is also accepted: ``date``, ``heure``, ``tues``,
``hospitalises``, ``blesses_legers``, ``usagers`` (road-user codes joined by ``;``) and
coordinates.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import vocab
from clspd_geo.errors import SchemaError
from clspd_geo.importing import baac, coords, geometry, values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

# BAAC catv (vehicle category) -> road-user code of the vocabulary.
CATV: dict[int, str] = {
    1: "velo", 80: "velo", 2: "deux_roues_motorise", 4: "deux_roues_motorise",
    5: "deux_roues_motorise", 6: "deux_roues_motorise", 30: "deux_roues_motorise",
    31: "deux_roues_motorise", 32: "deux_roues_motorise", 33: "deux_roues_motorise",
    34: "deux_roues_motorise", 41: "deux_roues_motorise", 42: "deux_roues_motorise",
    43: "deux_roues_motorise", 3: "vl", 7: "vl", 8: "vl", 9: "vl", 10: "vu", 11: "vu",
    12: "vu", 13: "pl", 14: "pl", 15: "pl", 16: "pl", 17: "pl", 18: "tc", 19: "tc",
    37: "tc", 38: "tc", 39: "tc", 40: "tc", 50: "edp", 60: "edp", 35: "autre",
    36: "autre", 20: "autre", 21: "autre", 99: "autre", 0: "autre",
}
# Paris extract vehicle labels -> road-user code.
PARIS_VEHICLES: dict[str, str] = {
    "VL": "vl", "Voi": "vl", "VU": "vu", "Bicy": "velo", "Cyclo": "deux_roues_motorise",
    "Scoo<=50": "deux_roues_motorise", "Scoo50-125": "deux_roues_motorise",
    "Scoo>125": "deux_roues_motorise", "Moto50-125": "deux_roues_motorise",
    "Moto>125": "deux_roues_motorise", "Q<=50": "autre", "Q>50": "autre",
    "PL<=7,5": "pl", "PL>7,5": "pl", "PLRem": "pl", "TRSem": "pl", "Bus": "tc",
    "Car": "tc", "Tram": "tc", "Engin": "autre",
}
# BAAC lieux catr -> French label of the road category.
CATR: dict[int, str] = {1: "autoroute", 2: "route nationale", 3: "route départementale",
                        4: "voie communale", 5: "hors réseau public",
                        6: "parc de stationnement", 7: "route de métropole urbaine",
                        9: "autre"}
PARIS_SEVERITY = {"Tué": "killed", "BH": "hospitalised", "BL": "slightly_injured"}
BAAC_SEVERITY = {2: "killed", 3: "hospitalised", 4: "slightly_injured"}
# Old layout gps code -> meaning; the coordinates are degrees ×100 000 in every zone.
_OLD_GPS = {"M", "A", "G", "R", "Y", "P", "S"}
# Paris, Lyon and Marseille arrondissements belong to their commune.
_PLM = (("751", "75056"), ("6938", "69123"), ("132", "13055"))


def commune_of(insee: str) -> str:
    """Return the commune INSEE code of a code, folding PLM arrondissements into the city."""
    for prefix, city in _PLM:
        if insee.startswith(prefix) and insee != city and len(insee) == 5:
            if prefix != "132" or 13201 <= int(insee) <= 13216:
                return city
    return insee


def _role(src: Source) -> str:
    cols = {str(c).lower() for c in src.frame.columns}
    if "usager_1_grav" in cols:
        return "paris"
    if baac.has_key(cols):
        if "grav" in cols and "catu" in cols:
            return "usagers"
        if "catv" in cols:
            return "vehicules"
        if "catr" in cols:
            return "lieux"
        if {"jour", "mois", "an"} <= cols:
            return "caracteristiques"
    if "date" in cols:
        return "simple"
    msg = (f"Le fichier « {src.name} » n'est pas reconnu comme un fichier d'accidents : "
           "attendu un fichier BAAC (caractéristiques, lieux, véhicules, usagers, avec la "
           "colonne Num_Acc), l'extrait de la Préfecture de police (usager_1_grav...) ou le "
           "format simple (date, heure, tues, hospitalises, blesses_legers, lon, lat). "
           f"Colonnes trouvées : {', '.join(map(str, src.frame.columns))}.")
    raise SchemaError(msg)


_ROLE_FR = {"paris": "extrait Préfecture de police", "usagers": "BAAC usagers",
            "vehicules": "BAAC véhicules", "lieux": "BAAC lieux",
            "caracteristiques": "BAAC caractéristiques", "simple": "format simple"}


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``accidents`` layer built from the given files.

    Raises
    ------
    SchemaError
        Unrecognised file, or BAAC detail files without their caractéristiques file.
    """
    by_role: dict[str, list[Source]] = {}
    for src in sources:
        role = _role(src)
        log.roles[src.name] = _ROLE_FR[role] + (
            " (format 2005-2018)" if role != "paris" and role != "simple"
            and _old_layout(src) else "")
        by_role.setdefault(role, []).append(src)
    parts: list[gpd.GeoDataFrame] = []
    for src in by_role.get("paris", []):
        parts.append(_paris(src, ctx, log))
    for src in by_role.get("simple", []):
        parts.append(_simple(src, ctx, log))
    detail = [r for r in ("lieux", "vehicules", "usagers") if r in by_role]
    if detail and "caracteristiques" not in by_role:
        given = ", ".join(f"« {s.name} »" for r in detail for s in by_role[r])
        msg = (f"Les fichiers BAAC {given} ne suffisent pas : le fichier « caractéristiques » "
               "de la même année (date, heure et position de chaque accident) est "
               "nécessaire. Donnez les fichiers de l'année ensemble (caractéristiques, "
               "usagers et véhicules ; lieux est facultatif).")
        raise SchemaError(msg)
    if "caracteristiques" in by_role:
        baac.check_join(by_role["caracteristiques"],
                        {r: by_role[r] for r in detail})
        usagers = _concat(by_role.get("usagers", []))
        vehicules = _concat(by_role.get("vehicules", []))
        lieux = _concat(by_role.get("lieux", []))
        for src in by_role["caracteristiques"]:
            parts.append(_baac(src, usagers, vehicules, lieux, ctx, log))
        if not usagers.empty:
            log.note("gravité : comptée par usager (grav 2 tué, 3 hospitalisé, 4 blessé léger)")
        else:
            log.note("pas de fichier usagers : nombres de tués et de blessés mis à 0")
    out = pd.concat(parts, ignore_index=True) if parts else None
    return {"accidents": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _old_layout(src: Source) -> bool:
    return src.separator == "," or "gps" in {str(c).lower() for c in src.frame.columns}


def _concat(sources: list[Source]) -> pd.DataFrame:
    if not sources:
        return pd.DataFrame()
    return pd.concat([baac.lower_frame(s.frame) for s in sources], ignore_index=True)


def _frame(src: Source, data: dict, geoms: gpd.GeoSeries, outside: pd.Series,
           keep: pd.Series, log: RowLog) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(data, index=src.frame.index, geometry=geoms, crs="EPSG:4326")
    if "address" in gdf.columns:
        gdf = values.neutralise_formulas(gdf, ["address"], log=log)
    gdf["outside_territory"] = outside
    gdf["local_epsg"] = coords.local_epsg(geoms)
    gdf["_file"] = src.name
    gdf["_line"] = src.lines
    return gdf[keep.to_numpy() & geometry.present(geoms).to_numpy()]


def _filter_commune(src: Source, insee: pd.Series, ctx: Context, log: RowLog) -> pd.Series:
    if not ctx.options.commune:
        return pd.Series(True, index=src.frame.index)
    wanted = commune_of(ctx.options.commune)
    keep = insee.fillna("").map(commune_of) == wanted
    log.filtered_out += int((~keep).sum())
    return keep


def _paris(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame
    when = values.datetimes(df["date"], df.get("heure"))
    keep = values.reject_bad_dates(when, src.lines, file=src.name, log=log, column="date",
                                   now=ctx.now)
    cp = df["cp"].fillna("")
    insee = ("751" + cp.str[-2:]).where(cp.str.startswith("750"), None)
    keep &= _filter_commune(src, insee, ctx, log)
    counts = {k: np.zeros(len(df), dtype=int) for k in PARIS_SEVERITY.values()}
    users: list[set[str]] = [set() for _ in range(len(df))]
    unknown: set[str] = set()
    for i in (1, 2, 3, 4):
        grav = df.get(f"usager_{i}_grav")
        if grav is not None:
            for label, key in PARIS_SEVERITY.items():
                counts[key] += (grav == label).to_numpy()
        cat = df.get(f"usager_{i}_cat")
        if cat is not None:
            for j, value in enumerate(cat):
                if value == "Piéton":
                    users[j].add("pieton")
    for i in (1, 2, 3):
        cat = df.get(f"vehicule_{i}_cat")
        if cat is None:
            continue
        for j, value in enumerate(cat):
            if value:
                code = PARIS_VEHICLES.get(value)
                if code is None:
                    unknown.add(value)
                users[j].add(code or "autre")
    if unknown:
        log.note("catégories de véhicule inconnues comptées « autre » : "
                 + ", ".join(sorted(unknown)))
    geoms, outside = coords.source_points(src, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    years = when.dt.year.astype("Int64").astype(str)
    data = {
        "accident_id": "PP-" + years + "-" + df["accident_id"].astype(str),
        "occurred_at": when, **counts,
        "user_types": [_join_users(u) for u in users],
        "address": df.get("adresse"),
        "insee_code": insee,
    }
    return _frame(src, data, geoms, outside, keep, log)


def _join_users(users: set[str]) -> str:
    order = list(vocab.ROAD_USERS)
    return ";".join(sorted(users, key=order.index)) if users else "autre"


def _simple(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame
    when = values.datetimes(df[src.column("date")], df.get(src.column("heure") or ""))
    keep = values.reject_bad_dates(when, src.lines, file=src.name, log=log, column="date",
                                   now=ctx.now)
    data: dict = {"occurred_at": when}
    for key, names in (("killed", ("tues", "tués", "killed")),
                       ("hospitalised", ("hospitalises", "hospitalisés", "hospitalised")),
                       ("slightly_injured", ("blesses_legers", "blessés_légers",
                                             "slightly_injured"))):
        col = src.column(*names)
        data[key] = (values.counts(df[col], src.lines, file=src.name, log=log, column=col)
                     if col else 0)
    ucol = src.column("usagers", "user_types")
    if ucol:
        raw = df[ucol].fillna("autre").str.split(r"[;,/ ]+")
        bad = raw.map(lambda xs: [x for x in xs if x and x not in vocab.ROAD_USERS])
        has_bad = bad.map(bool)
        for idx in df.index[has_bad.to_numpy()]:
            log.reject(src.name, [src.lines[idx]], f"usager inconnu « {bad[idx][0]} » dans "
                       f"« {ucol} » (codes admis : {', '.join(vocab.ROAD_USERS)})")
        data["user_types"] = raw.map(lambda xs: _join_users({x for x in xs if x in
                                                             vocab.ROAD_USERS}))
    else:
        data["user_types"] = "autre"
    idcol = src.column("accident_id", "id", "identifiant", "num_acc")
    data["accident_id"] = (df[idcol] if idcol else
                           src.name + ":" + src.lines.astype(str))
    icol = src.column("insee", "code_insee", "com")
    insee = df[icol] if icol else pd.Series(None, index=df.index, dtype=object)
    keep &= _filter_commune(src, insee, ctx, log)
    geoms, outside = coords.source_points(src, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    return _frame(src, data, geoms, outside, keep, log)


def _baac(src: Source, usagers: pd.DataFrame, vehicules: pd.DataFrame, lieux: pd.DataFrame,
          ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = baac.lower_frame(src.frame)
    old = _old_layout(src)
    year = df["an"].str.strip()
    if old:
        year = year.where(year.str.len() == 4, "20" + year.str.zfill(2))
        hrmn = df["hrmn"].str.replace(":", "").str.zfill(4)
        clock = hrmn.str[:2] + ":" + hrmn.str[2:]
    else:
        clock = df["hrmn"]
    date = year + "-" + df["mois"].str.zfill(2) + "-" + df["jour"].str.zfill(2)
    when = values.datetimes(date, clock)
    keep = values.reject_bad_dates(when, src.lines, file=src.name, log=log,
                                   column="jour/mois/an/hrmn", now=ctx.now)
    insee = _baac_insee(df, old)
    keep &= _filter_commune(src, insee, ctx, log)
    if old:
        frame = src.frame.copy()
        lat = values.numbers(frame["lat"]) / 100000.0
        lon = values.numbers(frame["long"]) / 100000.0
        frame["lat"], frame["long"] = lat.map(_fmt), lon.map(_fmt)
        gps = df.get("gps", pd.Series("", index=df.index)).fillna("")
        unknown = ~gps.isin(_OLD_GPS) & (gps != "")
        log.reject(src.name, src.lines[unknown], "code gps inconnu")
        log.note("format BAAC 2005-2018 : lat et long lus comme des degrés × 100 000")
        src = Source(src.path, frame, src.lines, src.format, src.encoding, src.separator)
    geoms, outside = coords.source_points(src, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    ids = df[baac.KEY]
    counts = _severities(usagers, ids)
    users = _users(vehicules, usagers, ids, log)
    data = {"accident_id": ids, "occurred_at": when, **counts, "user_types": users,
            "insee_code": insee, "address": df.get("adr"),
            "road_category": _road_category(lieux, ids)}
    return _frame(src, data, geoms, outside, keep, log)


def _fmt(value: float) -> str | None:
    return None if pd.isna(value) else repr(float(value))


def _baac_insee(df: pd.DataFrame, old: bool) -> pd.Series:
    com = df["com"].fillna("").str.strip()
    if not old:
        return com.where(com != "", None)
    dep = df["dep"].fillna("").str.strip()
    out = []
    for d, c in zip(dep, com):
        if d.startswith("97"):
            out.append(d + c.zfill(3)[-2:])
        else:
            head = {"201": "2A", "202": "2B"}.get(d, d[:2])
            out.append(head + c.zfill(3)[-3:])
    return pd.Series(out, index=df.index, dtype=object)


def _road_category(lieux: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """Return the road category of each accident (its first ``lieux`` row), or None."""
    if lieux.empty:
        return pd.Series(None, index=ids.index, dtype=object)
    first = lieux.drop_duplicates("num_acc").set_index(lieux["num_acc"].drop_duplicates()
                                                      .str.strip())
    catr = pd.to_numeric(first["catr"].str.strip(), errors="coerce").map(CATR)
    return ids.map(catr).astype(object).where(ids.map(catr).notna(), None)


def _severities(usagers: pd.DataFrame, ids: pd.Series) -> dict[str, np.ndarray]:
    counts = {key: np.zeros(len(ids), dtype=int) for key in BAAC_SEVERITY.values()}
    if usagers.empty:
        return counts
    grav = pd.to_numeric(usagers["grav"].str.strip(), errors="coerce")
    acc = usagers["num_acc"].str.strip()
    for code, key in BAAC_SEVERITY.items():
        per = acc[grav == code].value_counts()
        counts[key] = ids.map(per).fillna(0).astype(int).to_numpy()
    return counts


def _users(vehicules: pd.DataFrame, usagers: pd.DataFrame, ids: pd.Series,
           log: RowLog) -> list[str]:
    found: dict[str, set[str]] = {}
    if not vehicules.empty:
        catv = pd.to_numeric(vehicules["catv"].str.strip(), errors="coerce")
        unknown = sorted({int(c) for c in catv.dropna() if int(c) not in CATV})
        if unknown:
            log.note("catégories de véhicule (catv) inconnues comptées « autre » : "
                     + ", ".join(map(str, unknown)))
        for acc, c in zip(vehicules["num_acc"].str.strip(), catv):
            found.setdefault(acc, set()).add(CATV.get(int(c), "autre") if pd.notna(c)
                                             else "autre")
    if not usagers.empty:
        catu = pd.to_numeric(usagers["catu"].str.strip(), errors="coerce")
        for acc in usagers["num_acc"].str.strip()[catu == 3]:
            found.setdefault(acc, set()).add("pieton")
    return [_join_users(found.get(i, set())) for i in ids]
