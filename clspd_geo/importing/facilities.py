"""Partner facilities and places of interest, with their kind from the vocabulary.

The kind of each row is found, in this order: a ``kind`` column of vocabulary codes; a
``type`` (or ``categorie``) column translated by ``--mapping``; OpenStreetMap tags
(``amenity``, ``healthcare``, ``public_transport``, ``railway``, ``highway``, also inside
an ``other_tags`` JSON string); or the signature of a known national file:

- FINESS-style health files (Eurostat GISCO ``facility_type``, FINESS ``libcategetab``),
  and the raw two-record FINESS extract (joined by :mod:`finess`);
- the INSEE BPE (``TYPEQU``, see :mod:`bpe`);
- the Éducation nationale directory (``nature_uai_libe``: COLLEGE, LYCEE...);
- Île-de-France Mobilités stations (``id_ref_ZdA``): one row per station *per line* in the
  source, merged here into one point per station;
- OpenDataSoft OSM bar extracts (``boissons``).

Rows of unknown kind are rejected and their labels counted.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd

from clspd_geo import vocab
from clspd_geo.importing import bpe, coords, finess, geometry, mapping, values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

# (tag, value) -> kind. A value of None matches any value of the tag.
OSM_TAGS: tuple[tuple[str, str | None, str], ...] = (
    ("amenity", "police", "commissariat"),
    ("amenity", "fire_station", "caserne_pompiers"),
    ("amenity", "townhall", "mairie"),
    ("amenity", "courthouse", "tribunal"),
    ("amenity", "social_facility", "service_social"),
    ("amenity", "community_centre", "maison_quartier"),
    ("amenity", "social_centre", "maison_quartier"),
    ("amenity", "hospital", "hopital"),
    ("healthcare", "hospital", "hopital"),
    ("amenity", "bar", "debit_boissons"),
    ("amenity", "pub", "debit_boissons"),
    ("amenity", "nightclub", "debit_boissons"),
    ("amenity", "marketplace", "marche"),
    ("amenity", "bus_station", "arret_bus"),
    ("highway", "bus_stop", "arret_bus"),
    ("railway", "station", "gare"),
    ("railway", "halt", "gare"),
    ("public_transport", "station", "gare"),
)
SCHOOL_FR = {"maternelle": "ecole_maternelle", "elementaire": "ecole_elementaire",
             "primaire": "ecole_elementaire", "college": "college", "lycee": "lycee"}
MEN_NATURE = (("COLLEGE", "college"), ("LYCEE", "lycee"), ("MATERNELLE", "ecole_maternelle"),
              ("ELEMENTAIRE", "ecole_elementaire"), ("PRIMAIRE", "ecole_elementaire"))
HEALTH_WORDS = (("csapa", "csapa"), ("caarud", "caarud"), ("addictologie", "csapa"),
                ("reduction risques", "caarud"), ("medico-judiciaire", "umj"),
                ("hospital", "hopital"), ("hopital", "hopital"), ("clinique", "hopital"),
                ("etablissement", "hopital"), ("centre de lutte contre cancer", "hopital"),
                ("soins", "hopital"), ("cancer", "hopital"))
_NAME = ("name", "nom", "appellation_officielle", "hospital_name", "nom_zda", "site_name",
         "nom_long", "raison_sociale", "rs")
_ID = ("facility_id", "id", "@id", "osm_id", "numero_uai", "finess", "nofinesset",
       "id_ref_zda", "identifiant")
_ADDRESS = ("address", "adresse", "adresse_uai", "adresse_complete")


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``equipements`` layer."""
    parts = []
    for src in sources:
        if finess.is_raw(src):
            src = finess.to_facilities(src, log)
        elif bpe.is_bpe(src):
            src = bpe.to_facilities(src, log)
        parts.append(_one(src, ctx, log))
    out = pd.concat(parts, ignore_index=True)
    return {"equipements": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _tags(src: Source) -> pd.DataFrame:
    """Return the OSM tags of each row as columns (from columns or ``other_tags`` JSON)."""
    df = src.frame
    tags = pd.DataFrame(index=df.index)
    for tag in ("amenity", "healthcare", "public_transport", "railway", "highway",
                "school:FR", "isced:level", "police:FR", "operator"):
        col = src.column(tag)
        tags[tag] = df[col].astype(object) if col else None
    other = src.column("other_tags", "tags")
    if other:
        for idx, raw in df[other].items():
            parsed = _json(raw)
            for tag in tags.columns:
                if tags.at[idx, tag] is None and tag in parsed:
                    tags.at[idx, tag] = parsed[tag]
    return tags


def _json(raw: object) -> dict:
    if isinstance(raw, dict):
        return raw
    if not raw:
        return {}
    try:
        value = json.loads(str(raw))
    except (json.JSONDecodeError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def _osm_kind(row: pd.Series, name: str) -> str | None:
    if row.get("amenity") == "school" or row.get("amenity") == "kindergarten":
        level = mapping.key(row.get("school:FR") or "")
        for word, kind in SCHOOL_FR.items():
            if word in level or word in mapping.key(name):
                return kind
        return "ecole_maternelle" if row.get("amenity") == "kindergarten" else None
    if row.get("amenity") == "police":
        text = mapping.key(f"{row.get('police:FR') or ''} {row.get('operator') or ''} {name}")
        return "poste_police_municipale" if "municipal" in text else "commissariat"
    for tag, value, kind in OSM_TAGS:
        if row.get(tag) is not None and (value is None or row.get(tag) == value):
            return kind
    return None


def _kinds(src: Source, ctx: Context, log: RowLog, names: pd.Series) -> tuple[pd.Series, str]:
    """Return the kind of each row (``None`` when unknown) and how it was found."""
    df = src.frame
    codes = {k.code: k.label for k in vocab.FACILITY_KINDS}
    col = src.column("kind")
    if col:
        table = mapping.vocabulary_keys(codes)
        return mapping.translate(df[col], table), f"colonne « {col} »"
    col = src.column("type", "categorie", "catégorie", "type_equipement")
    if col and ctx.options.mapping:
        table = mapping.load(ctx.options.mapping, allowed=codes, what="les types d'équipement",
                             max_bytes=ctx.options.max_bytes)
        table.update(mapping.vocabulary_keys(codes))
        return mapping.translate(df[col], table), f"« {col} » et correspondance"
    col = src.column("facility_type", "libcategetab", "categorie_etablissement")
    if col:
        def health(v: object) -> str | None:
            text = mapping.key(v or "")
            return next((k for w, k in HEALTH_WORDS if mapping.key(w) in text), None)
        return df[col].map(health), f"établissements de santé (« {col} »)"
    col = src.column("nature_uai_libe")
    if col:
        def school(v: object) -> str | None:
            text = str(v or "").upper()
            return next((k for w, k in MEN_NATURE if w in text), None)
        return df[col].map(school), "annuaire de l'Éducation nationale"
    if src.column("id_ref_zda") and src.column("mode"):
        return pd.Series("gare", index=df.index), "gares et stations IDFM"
    if src.column("boissons"):
        return pd.Series("debit_boissons", index=df.index), "extrait OSM des bars"
    tags = _tags(src)
    if tags.notna().any().any():
        kinds = pd.Series([_osm_kind(tags.loc[i], str(names[i] or "")) for i in df.index],
                          index=df.index, dtype=object)
        return kinds, "étiquettes OpenStreetMap"
    return pd.Series(None, index=df.index, dtype=object), ""


def _one(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame
    name_col = src.column(*_NAME)
    names = (df[name_col].astype(object) if name_col else
             pd.Series(None, index=df.index, dtype=object))
    names = names.where(names.notna() & (names.astype(str).str.strip() != ""), None)
    kinds, how = _kinds(src, ctx, log, names)
    log.roles.setdefault(src.name, f"équipements ({how})" if how else "équipements")
    if not how:
        log.note("aucune colonne « kind », « type » (avec --mapping) ni étiquette "
                 "OpenStreetMap : le type des équipements est inconnu")
    label_col = (src.column("kind", "type", "categorie", "facility_type", "nature_uai_libe",
                            "amenity") or None)
    unknown = kinds.isna()
    for idx in df.index[unknown.to_numpy()]:
        label = df.at[idx, label_col] if label_col else "(aucun)"
        log.unmapped[str(label)] += 1
        log.reject(src.name, [src.lines[idx]], f"type d'équipement inconnu « {label} »"
                   + (" (ajoutez-le au fichier --mapping)" if label_col else ""))
    geoms, outside = coords.source_points(src, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    labels = vocab.facility_labels()
    no_name = names.isna() & ~unknown
    if no_name.any():
        log.fix("équipement sans nom : nommé d'après son type", int(no_name.sum()))
    data = pd.DataFrame(index=df.index)
    id_col = src.column(*_ID)
    data["facility_id"] = (df[id_col].astype(str) if id_col else
                           src.name + ":" + src.lines.astype(str))
    data["name"] = names.where(~no_name, kinds.map(labels))
    data["kind"] = kinds
    data["confidential"] = kinds.map(lambda k: isinstance(k, str) and vocab.facility_kind(k).confidential)
    data["address"] = _address(src)
    data = values.neutralise_formulas(data, ["name", "address"], log=log)
    data["outside_territory"] = outside
    data["_file"], data["_line"] = src.name, src.lines
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    if src.column("id_ref_zda"):
        gdf = _one_per_station(gdf, df, src, log)
    return gdf[geometry.present(gdf.geometry).to_numpy()]


def _address(src: Source) -> pd.Series:
    df = src.frame
    col = src.column(*_ADDRESS)
    if col:
        return df[col].astype(object)
    parts = [src.column(c) for c in ("house_number", "street", "postcode", "city")]
    if parts[1]:
        cols = [c for c in parts if c]
        return df[cols].fillna("").astype(str).agg(" ".join, axis=1).str.strip()
    return pd.Series(None, index=df.index, dtype=object)


def _one_per_station(gdf: gpd.GeoDataFrame, df: pd.DataFrame, src: Source,
                     log: RowLog) -> gpd.GeoDataFrame:
    """Merge the per-line rows of a station into one point (the first row's position).

    A station is a stop-area name (``nom_ZdA``): Gare de l'Est has three stop areas
    (metro, RER, train) but is one place; without names, the ``id_ref_ZdA`` is used.
    """
    zda = df[src.column("id_ref_zda")].astype(str)
    name_col = src.column("nom_zda")
    station = df[name_col].fillna(zda) if name_col else zda
    line_col = src.column("res_com", "ligne")
    gdf = gdf.copy()
    first_id = zda.groupby(station).transform("first")
    gdf["facility_id"] = "ZdA-" + first_id
    if line_col:
        lines_of = df.groupby(station)[line_col].agg(lambda s: ", ".join(sorted(set(s.dropna()))))
        gdf["lines"] = station.map(lines_of)
    kept = gdf[geometry.present(gdf.geometry).to_numpy()]
    dup = kept["facility_id"].duplicated()
    if dup.any():
        log.fix("lignes d'une même gare fusionnées (un point par gare, nom_ZdA)",
                int(dup.sum()))
    return kept[~dup.to_numpy()]
