"""Coordinate reference systems: store in WGS84, measure in a local metric CRS.

Mainland France and Corsica are measured in Lambert-93 (EPSG:2154). Overseas
départements use their legal UTM projection, chosen from where the data lies.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import config
from clspd_geo.errors import CrsError


@dataclass(frozen=True)
class Zone:
    """A territory with its metric CRS and its bounding box in degrees."""

    name: str
    epsg: int
    lon_min: float
    lat_min: float
    lon_max: float
    lat_max: float

    def contains(self, lon: float, lat: float) -> bool:
        """Tell whether a WGS84 position lies in the zone's bounding box."""
        return self.lon_min <= lon <= self.lon_max and self.lat_min <= lat <= self.lat_max


ZONES: tuple[Zone, ...] = (
    Zone("France métropolitaine et Corse", 2154, -9.9, 41.0, 10.5, 51.6),
    Zone("Guadeloupe", 5490, -62.0, 15.8, -60.9, 16.6),
    Zone("Martinique", 5490, -61.3, 14.3, -60.7, 15.0),
    Zone("Guyane", 2972, -54.7, 2.0, -51.5, 6.0),
    Zone("La Réunion", 2975, 55.1, -21.5, 55.9, -20.8),
    Zone("Mayotte", 4471, 44.9, -13.1, 45.4, -12.5),
)


def zone_for(lon: float, lat: float) -> Zone | None:
    """Return the French zone holding a WGS84 position, or ``None`` outside all of them."""
    for zone in ZONES:
        if zone.contains(lon, lat):
            return zone
    return None


def metric_epsg(gdf: gpd.GeoDataFrame) -> int:
    """Return the EPSG code of the metric CRS to measure ``gdf`` in.

    The choice follows the centre of the layer's bounds (in WGS84). Outside the French
    zones, the UTM zone of the centre is used, so measurements stay right abroad too
    (e.g. Portland test data).
    """
    require_crs(gdf, layer="(couche)")
    work = gdf.to_crs(config.STORAGE_CRS) if not _is_wgs84(gdf) else gdf
    if work.empty:
        return int(config.COMPUTE_CRS.split(":")[1])
    minx, miny, maxx, maxy = work.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    if not np.isfinite([lon, lat]).all():
        return int(config.COMPUTE_CRS.split(":")[1])
    zone = zone_for(lon, lat)
    if zone is not None:
        return zone.epsg
    utm = int((lon + 180) // 6) + 1
    return (32600 if lat >= 0 else 32700) + utm


def _is_wgs84(gdf: gpd.GeoDataFrame) -> bool:
    return gdf.crs is not None and gdf.crs.to_epsg() == 4326


def require_crs(gdf: gpd.GeoDataFrame, *, layer: str) -> None:
    """Raise :class:`CrsError` when ``gdf`` has no CRS."""
    if gdf.crs is None:
        msg = (
            f"La couche « {layer} » n'a pas de système de coordonnées. "
            "Ré-exportez le fichier en EPSG:4326 (WGS 84), puis rechargez-le."
        )
        raise CrsError(msg)


def require_projected(gdf: gpd.GeoDataFrame, *, layer: str) -> None:
    """Raise :class:`CrsError` unless ``gdf`` is in a projected (metric) CRS."""
    require_crs(gdf, layer=layer)
    if not gdf.crs.is_projected:
        msg = (
            f"La couche « {layer} » est en degrés ({gdf.crs.to_string()}) alors qu'un calcul "
            "en mètres est demandé. Projetez-la d'abord avec crs.to_compute()."
        )
        raise CrsError(msg)


def require_same_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, *, names: tuple[str, str]) -> None:
    """Raise :class:`CrsError` when two layers are not in the same CRS."""
    require_crs(a, layer=names[0])
    require_crs(b, layer=names[1])
    if a.crs != b.crs:
        msg = (
            f"Les couches « {names[0]} » ({a.crs.to_string()}) et « {names[1]} » "
            f"({b.crs.to_string()}) n'ont pas le même système de coordonnées. "
            "Reprojetez-les dans le même système avant de les croiser."
        )
        raise CrsError(msg)


def to_compute(gdf: gpd.GeoDataFrame, *, epsg: int | None = None) -> gpd.GeoDataFrame:
    """Return ``gdf`` projected into its metric CRS (Lambert-93 in mainland France).

    Parameters
    ----------
    gdf
        Any layer with a CRS.
    epsg
        Force this metric CRS (use it to put two layers in the same one).
    """
    require_crs(gdf, layer="(couche)")
    target = epsg if epsg is not None else metric_epsg(gdf)
    if gdf.crs.to_epsg() == target:
        return gdf.copy()  # a new frame either way, so callers may add columns safely
    return gdf.to_crs(epsg=target)


def to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a new frame: ``gdf`` in the storage CRS (EPSG:4326)."""
    require_crs(gdf, layer="(couche)")
    if _is_wgs84(gdf):
        return gdf.copy()  # a new frame either way, so callers may add columns safely
    return gdf.to_crs(config.STORAGE_CRS)


def project_xy(lon: np.ndarray, lat: np.ndarray, *, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 coordinate arrays to ``epsg`` (metres), vectorised."""
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def metric_xy(gdf: gpd.GeoDataFrame, *, epsg: int) -> np.ndarray:
    """Return the ``(n, 2)`` x, y of a layer's points in metres, in the metric CRS ``epsg``.

    Points are taken as they are, other geometries by their centroid; rows without a
    geometry (missing or empty) get ``NaN``. This is the one place the library turns a
    layer into metric coordinate arrays.

    Parameters
    ----------
    gdf
        Any layer with a CRS.
    epsg
        The metric CRS of the result (e.g. 2154, Lambert-93).
    """
    require_crs(gdf, layer="(couche)")
    if len(gdf) == 0:
        return np.empty((0, 2))
    geoms = gdf.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any() and (shapely.get_type_id(geoms[present]) == 0).all():
        # Points only: their coordinates are projected as arrays, no geometry is rebuilt
        # (the same transformation as GeoDataFrame.to_crs, so the same numbers).
        xy = shapely.get_coordinates(geoms[present])
        if gdf.crs.to_epsg() != epsg:
            from pyproj import Transformer

            tr = Transformer.from_crs(gdf.crs, epsg, always_xy=True)
            xy = np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
        out = np.full((len(gdf), 2), np.nan)
        out[present] = xy
        return out
    geom = to_compute(gdf, epsg=epsg).geometry
    ok = ~(geom.isna().to_numpy() | geom.is_empty.to_numpy())
    out = np.full((len(gdf), 2), np.nan)
    if ok.any():
        pts = geom[ok]
        if not (pts.geom_type == "Point").all():
            pts = pts.centroid
        out[ok, 0] = pts.x.to_numpy()
        out[ok, 1] = pts.y.to_numpy()
    return out
