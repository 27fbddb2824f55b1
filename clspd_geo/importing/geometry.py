"""Geometries of imported vector layers: keep the right type, repair invalid polygons.

Every repair is reported with its before/after type (a self-intersecting Polygon becomes
a MultiPolygon); a geometry that cannot be kept is rejected with its feature number.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.validation import explain_validity

from clspd_geo.importing.report import RowLog

_POLY = ("Polygon", "MultiPolygon")


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Keep the polygonal parts of a (repaired) geometry; ``None`` when there are none."""
    if geom.geom_type in _POLY:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLY]
        if not parts:
            return None
        merged = shapely.union_all(parts)
        return merged if merged.geom_type in _POLY else None
    return None


def polygons(gdf: gpd.GeoDataFrame, lines: pd.Series, *, file: str,
             log: RowLog) -> gpd.GeoSeries:
    """Return the polygons of ``gdf``, repaired; rejected rows get ``None``."""
    out = []
    for idx, geom in gdf.geometry.items():
        line = lines[idx]
        if geom is None or geom.is_empty:
            log.reject(file, [line], "géométrie vide ou absente")
            out.append(None)
            continue
        if geom.geom_type not in _POLY:
            log.reject(file, [line], f"géométrie de type {geom.geom_type} au lieu d'un "
                                     "polygone (types mélangés dans le fichier)")
            out.append(None)
            continue
        if geom.is_valid:
            out.append(geom)
            continue
        reason = explain_validity(geom).split("[")[0].strip()
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None or fixed.is_empty or fixed.area == 0:
            log.reject(file, [line], f"polygone invalide et irréparable ({reason})")
            out.append(None)
            continue
        log.fix(f"polygone invalide réparé ({_reason_fr(reason)}) : "
                f"{geom.geom_type} → {fixed.geom_type}")
        out.append(fixed)
    return gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs)


def _reason_fr(reason: str) -> str:
    table = {"Self-intersection": "auto-intersection", "Ring Self-intersection":
             "anneau qui se recoupe", "Too few points": "trop peu de sommets",
             "Hole lies outside shell": "trou hors du contour",
             "Nested shells": "contours imbriqués", "Interior is disconnected":
             "intérieur déconnecté", "Duplicate Rings": "anneaux en double"}
    return table.get(reason, reason)


def points(gdf: gpd.GeoDataFrame, lines: pd.Series, *, file: str, log: RowLog) -> gpd.GeoSeries:
    """Return the points of ``gdf``; a one-point MultiPoint is unwrapped, others rejected."""
    out = []
    for idx, geom in gdf.geometry.items():
        line = lines[idx]
        if geom is None or geom.is_empty:
            log.reject(file, [line], "géométrie vide ou absente")
            out.append(None)
        elif geom.geom_type == "Point":
            out.append(geom)
        elif geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            log.fix("multipoint à un seul point converti en point")
            out.append(geom.geoms[0])
        else:
            log.reject(file, [line], f"géométrie de type {geom.geom_type} au lieu d'un point "
                                     "(types mélangés dans le fichier)")
            out.append(None)
    return gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs)


def present(geoms: gpd.GeoSeries) -> pd.Series:
    """Return True where a geometry is neither missing nor empty (no geopandas warning)."""
    arr = geoms.values
    return pd.Series(~(shapely.is_missing(arr) | shapely.is_empty(arr)), index=geoms.index)
