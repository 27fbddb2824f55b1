"""Geometry helpers the police modules share (internal)."""

from __future__ import annotations

import shapely


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygons of a geometry (intersections may yield lines and points)."""
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in (3, 6) and not p.is_empty]
    return shapely.union_all(polys) if polys else shapely.Polygon()
