"""Polygon layers read from vector files (shared by boundaries and sectors)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo.errors import DataFileError
from clspd_geo.importing import coords, geometry
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source


def polygon_frame(src: Source, log: RowLog, *, what: str) -> gpd.GeoDataFrame:
    """Return the source's features in EPSG:4326 with repaired polygons.

    Adds ``_file`` and ``_line`` (feature number) so later steps can reject rows.

    Raises
    ------
    DataFileError
        The source is a table, not a vector file.
    """
    if not src.is_vector:
        msg = (f"Le fichier « {src.name} » est un tableau (CSV) : {what} demande des "
               "polygones, en GeoJSON, GeoPackage (.gpkg) ou shapefile zippé (.zip).")
        raise DataFileError(msg)
    gdf = coords.vector_to_wgs84(src.frame, file=src.name)
    log.crs[src.name] = (src.frame.crs.to_string() if src.frame.crs is not None else "")
    geoms = geometry.polygons(gdf, src.lines, file=src.name, log=log)
    out = gdf.drop(columns=[gdf.geometry.name]).copy()
    out = gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")
    out["_file"] = src.name
    out["_line"] = src.lines
    return out[geometry.present(geoms).to_numpy()]


def extra_columns(gdf: gpd.GeoDataFrame, reserved: list[str]) -> pd.DataFrame:
    """Return the source columns kept as they are (not clashing with schema names or fid).

    GeoPackage column names are case-insensitive, so a source ``NAME`` would clash with
    ``name``; such columns are dropped.
    """
    taken = {r.lower() for r in reserved} | {"fid", "geometry", "_file", "_line"}
    keep = [c for c in gdf.columns if str(c).lower() not in taken]
    return gdf[keep]


def pick(gdf: pd.DataFrame, *names: str) -> str | None:
    """Return the first column of ``gdf`` named like one of ``names`` (any case)."""
    lower = {str(c).lower(): c for c in gdf.columns}
    return next((lower[n.lower()] for n in names if n.lower() in lower), None)
