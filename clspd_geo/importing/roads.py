"""Road lines into the ``voies`` layer: OpenStreetMap ways, IGN BD TOPO and ROUTE 500.

Reads GeoJSON, GeoPackage or zipped shapefiles of lines (any declared CRS). Each line gets
one road class of :data:`ROAD_CLASSES` (kept in the ``road_class`` column) and the layer
``kind`` that class belongs to (``principale``, ``secondaire``, ``voie_ferree``), from,
in this order:

- OpenStreetMap ``highway`` (or ``railway``) tags, see :data:`OSM_HIGHWAY`;
- IGN BD TOPO ``troncon_de_route``: ``importance`` 1–6 (1 the most important), with
  ``nature`` « Type autoroutier » for motorways, see :data:`IGN_IMPORTANCE`;
- IGN ROUTE 500 ``TRONCON_ROUTE``: ``VOCATION``, see :data:`ROUTE500_VOCATION`;
- IGN ``nature`` alone (« Chemin », « Sentier », « Escalier », « Piste cyclable »).

A file with none of these columns (an extract that kept only names, such as the usual
"main roads" exports) is classed ``non_classee``, drawn as a main road, and the report
says so. Lines that are not lines (points, polygons) are rejected with their feature
number; a file without a single line is refused. Lines that do not touch the territory
are kept (walks cross the boundary) and flagged ``outside_territory``.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from clspd_geo.errors import DataFileError, SchemaError
from clspd_geo.importing import coords, mapping, values
from clspd_geo.importing.areas_common import pick
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

ROAD_CLASSES: dict[str, tuple[str, str]] = {
    "autoroute": ("Autoroute, voie rapide", "principale"),
    "principale": ("Route principale (nationale, grand boulevard)", "principale"),
    "secondaire": ("Route secondaire (départementale, liaison)", "secondaire"),
    "locale": ("Voie locale, rue de desserte", "secondaire"),
    "chemin": ("Chemin, voie piétonne ou cyclable", "secondaire"),
    "voie_ferree": ("Voie ferrée, tramway, métro", "voie_ferree"),
    "non_classee": ("Voie sans classe dans le fichier (dessinée comme principale)",
                    "principale"),
}
"""Road class code -> (French label, ``voies`` kind)."""

OSM_HIGHWAY: dict[str, str] = {
    **dict.fromkeys(("motorway", "motorway_link"), "autoroute"),
    **dict.fromkeys(("trunk", "trunk_link", "primary", "primary_link"), "principale"),
    **dict.fromkeys(("secondary", "secondary_link", "tertiary", "tertiary_link"),
                    "secondaire"),
    **dict.fromkeys(("unclassified", "residential", "living_street", "service", "road",
                     "busway"), "locale"),
    **dict.fromkeys(("pedestrian", "footway", "path", "cycleway", "steps", "track",
                     "bridleway"), "chemin"),
}
"""OpenStreetMap ``highway`` value -> road class."""
OSM_RAILWAY = ("rail", "light_rail", "subway", "tram", "narrow_gauge", "monorail")
IGN_IMPORTANCE: dict[str, str] = {"1": "principale", "2": "principale", "3": "secondaire",
                                  "4": "secondaire", "5": "locale", "6": "chemin"}
"""BD TOPO ``importance`` -> road class (« Type autoroutier » nature -> ``autoroute``)."""
ROUTE500_VOCATION: dict[str, str] = {
    "type autoroutier": "autoroute", "liaison principale": "principale",
    "liaison regionale": "secondaire", "liaison locale": "locale", "bretelle": "secondaire",
}
"""ROUTE 500 ``VOCATION`` (accents and case ignored) -> road class."""
IGN_NATURE: dict[str, str] = {
    "type autoroutier": "autoroute", "chemin": "chemin", "sentier": "chemin",
    "escalier": "chemin", "piste cyclable": "chemin", "route empierree": "locale",
}
_ID = ("road_id", "osm_id", "@id", "id", "cleabs", "id_rte500", "identifiant")
_NAME = ("name", "nom", "nom_1_gauche", "nom_voie_ban_gauche", "cpx_toponyme",
         "num_route", "numero", "ref")
_LINES = ("LineString", "MultiLineString")


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``voies`` layer (see :mod:`roads`).

    Raises
    ------
    DataFileError
        A table (CSV) given instead of a vector file.
    SchemaError
        A file without a single line geometry.
    """
    parts = [_one(src, ctx, log) for src in sources]
    out = pd.concat(parts, ignore_index=True)
    return {"voies": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _one(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    if not src.is_vector:
        msg = (f"Le fichier « {src.name} » est un tableau (CSV) : les voies demandent des "
               "lignes, en GeoJSON, GeoPackage (.gpkg) ou shapefile zippé (.zip).")
        raise DataFileError(msg)
    gdf = coords.vector_to_wgs84(src.frame, file=src.name)
    log.crs[src.name] = src.frame.crs.to_string() if src.frame.crs is not None else ""
    geoms = gdf.geometry
    types = geoms.geom_type
    is_line = types.isin(_LINES).to_numpy() & ~geoms.is_empty.to_numpy()
    if not is_line.any():
        found = ", ".join(sorted(types.dropna().unique())) or "aucune géométrie"
        msg = (f"Le fichier « {src.name} » ne contient aucune ligne (géométries trouvées : "
               f"{found}, dès l'objet 1). Une couche de voies demande des lignes "
               "(LineString ou MultiLineString) : exportez les tronçons de route, pas des "
               "points ni des surfaces ; la base n'a pas été modifiée.")
        raise SchemaError(msg)
    for idx in gdf.index[~is_line]:
        what = types[idx] if isinstance(types[idx], str) else "géométrie absente"
        log.reject(src.name, [src.lines[idx]], f"pas une ligne ({what})")
    road_class, how = _classes(gdf, src, log)
    log.roles[src.name] = f"voies ({how})"
    ident = pick(gdf, *_ID)
    name = pick(gdf, *_NAME)
    data = pd.DataFrame(index=gdf.index)
    data["road_id"] = (gdf[ident].astype(str).str.removesuffix(".0") if ident else
                       src.name + ":" + src.lines.astype(str))
    names = gdf[name].astype(object) if name else pd.Series(None, index=gdf.index)
    unnamed = names.isna() | (names.astype(str).str.strip() == "")
    labels = road_class.map(lambda c: ROAD_CLASSES[c][0] if c in ROAD_CLASSES else None)
    data["name"] = names.where(~unnamed, labels)
    if unnamed[is_line].any():
        log.fix("voie sans nom : nommée d'après sa classe", int(unnamed[is_line].sum()))
    data["kind"] = road_class.map(lambda c: ROAD_CLASSES[c][1] if c in ROAD_CLASSES else None)
    data["road_class"] = road_class
    data = values.neutralise_formulas(data, ["name"], log=log)
    data["outside_territory"] = _outside(geoms, ctx)
    data["_file"], data["_line"] = src.name, src.lines
    out = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return out[is_line & road_class.notna().to_numpy()]


def _classes(gdf: gpd.GeoDataFrame, src: Source, log: RowLog) -> tuple[pd.Series, str]:
    """Return the road class of each line (None, and the row rejected, when unknown)."""
    highway, railway = pick(gdf, "highway"), pick(gdf, "railway")
    importance, nature = pick(gdf, "importance"), pick(gdf, "nature")
    vocation = pick(gdf, "vocation")
    if highway or railway:
        hw = gdf[highway].astype(object) if highway else pd.Series(None, index=gdf.index)
        rw = gdf[railway].astype(object) if railway else pd.Series(None, index=gdf.index)
        cls = hw.map(lambda v: OSM_HIGHWAY.get(str(v).strip().lower()) if pd.notna(v)
                     else None)
        cls = cls.where(cls.notna() | ~rw.astype(str).str.lower().isin(OSM_RAILWAY),
                        "voie_ferree")
        label, how, col = hw.where(hw.notna(), rw), "étiquettes OpenStreetMap", highway
    elif importance:
        nat = (gdf[nature].map(mapping.key) if nature else
               pd.Series("", index=gdf.index))
        imp = gdf[importance].astype(str).str.strip().str.removesuffix(".0")
        cls = imp.map(IGN_IMPORTANCE).where(nat != mapping.key("type autoroutier"),
                                            "autoroute")
        label, how, col = gdf[importance], "IGN BD TOPO (importance)", importance
    elif vocation:
        table = _keyed(ROUTE500_VOCATION)
        cls = gdf[vocation].map(lambda v: table.get(mapping.key(v or "")))
        label, how, col = gdf[vocation], "IGN ROUTE 500 (vocation)", vocation
    elif nature:
        table = _keyed(IGN_NATURE)
        cls = gdf[nature].map(lambda v: table.get(mapping.key(v or ""), "locale"))
        label, how, col = gdf[nature], "IGN (nature)", nature
    else:
        log.note("aucune colonne highway, importance, vocation ni nature : toutes les voies "
                 "sont de classe « non_classee », dessinées comme voies principales")
        return pd.Series("non_classee", index=gdf.index, dtype=object), "sans classe"
    cls = cls.astype(object)
    for idx in gdf.index[cls.isna().to_numpy()]:
        value = label[idx]
        log.unmapped[str(value)] += 1
        log.reject(src.name, [src.lines[idx]],
                   f"classe de voie inconnue « {value} » dans « {col} » (valeurs admises : "
                   "voir la table des classes de voies dans le README)")
    return cls.where(cls.notna(), None), how


def _keyed(table: dict[str, str]) -> dict[str, str]:
    return {mapping.key(k): v for k, v in table.items()}


def _outside(geoms: gpd.GeoSeries, ctx: Context) -> pd.Series:
    if ctx.territoire is None or ctx.territoire.empty:
        return pd.Series(False, index=geoms.index)
    area = shapely.union_all(ctx.territoire.to_crs(4326).geometry.values)
    arr = geoms.values
    touches = shapely.intersects(arr, area)
    return pd.Series(~touches, index=geoms.index)
