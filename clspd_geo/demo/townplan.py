"""The fixed town plan of Valbourg: quartiers, roads, named places, and its layers.

The plan is built in local metres (x east, y north, origin at the town hall square) around
a Lambert-93 origin, then shifted and reprojected to EPSG:4326 (:func:`frame`,
:func:`points_frame`). The fixed layers are built here: territoire, quartiers, voies and
the patrol secteurs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from clspd_geo import schemas

NAME = "Valbourg (commune fictive de démonstration)"
INSEE_CODE = "00000"
POSTCODE_TOWN = "00000 Valbourg"
# Local origin of the town plan, in Lambert-93 metres: about lon 2.95°, lat 46.60°.
ORIGIN_L93 = (696_170.0, 6_611_110.0)
L93_EPSG = 2154

PERIOD_START = dt.datetime(2024, 11, 1, 0, 0)
PERIOD_END = dt.datetime(2026, 10, 31, 23, 59)
START = np.datetime64("2024-11-01T00:00", "m")
N_DAYS = 730  # 2024-11-01 .. 2026-10-31 inclusive

# Keep generated points this far inside the commune's edge, so they stay strictly inside
# after reprojection to EPSG:4326.
_EDGE_MARGIN_M = 3.0


@dataclass(frozen=True)
class Quartier:
    quartier_id: str
    name: str
    seed_xy: tuple[float, float]
    qpv: bool
    population: int


QUARTIERS: tuple[Quartier, ...] = (
    Quartier("Q01", "Centre-ville", (0.0, -20.0), False, 7_200),
    Quartier("Q02", "Gare", (1_150.0, 650.0), False, 4_100),
    Quartier("Q03", "Les Tilleuls", (-1_000.0, 950.0), True, 8_400),
    Quartier("Q04", "La Roseraie", (400.0, -1_250.0), True, 6_300),
    Quartier("Q05", "Le Moulin", (-2_100.0, -200.0), False, 5_200),
    Quartier("Q06", "Les Vignes", (-1_300.0, -1_650.0), False, 4_600),
    Quartier("Q07", "Saint-Martin", (-400.0, 2_100.0), False, 5_300),
    Quartier("Q08", "Bellevue", (1_100.0, 2_000.0), False, 4_400),
    Quartier("Q09", "Le Plateau", (700.0, -2_400.0), False, 4_200),
    Quartier("Q10", "Zone d'activités des Grands Champs", (2_350.0, -700.0), False, 300),
)

# (road_id, name, kind, vertices). Radial roads run past the commune's edge and are
# clipped to it.
_ROADS: tuple[tuple[str, str, str, tuple[tuple[float, float], ...]], ...] = (
    ("V01", "Route de Nevers", "principale",
     ((40.0, 550.0), (150.0, 1_500.0), (200.0, 2_500.0), (380.0, 4_200.0))),
    ("V02", "Route de Moulins", "principale",
     ((700.0, -40.0), (1_500.0, -150.0), (2_500.0, -250.0), (4_200.0, -200.0))),
    ("V03", "Route de Vichy", "principale",
     ((230.0, -620.0), (550.0, -1_500.0), (900.0, -2_400.0), (1_500.0, -3_900.0))),
    ("V04", "Route de Montluçon", "principale",
     ((-480.0, -500.0), (-1_100.0, -1_150.0), (-1_800.0, -1_900.0), (-2_900.0, -3_000.0))),
    ("V05", "Route de Bourges", "principale",
     ((-650.0, 180.0), (-1_500.0, 450.0), (-2_500.0, 700.0), (-4_200.0, 1_100.0))),
    ("V06", "Avenue de la Gare", "principale",
     ((480.0, 380.0), (700.0, 440.0), (880.0, 470.0))),
    ("V07", "Rocade Est", "principale",
     ((1_900.0, -3_600.0), (2_050.0, -1_600.0), (2_000.0, -300.0), (1_800.0, 1_500.0),
      (1_450.0, 3_600.0))),
    ("V08", "Rue de la République", "secondaire",
     ((-420.0, 80.0), (-200.0, 50.0), (0.0, 25.0), (330.0, -30.0))),
    ("V09", "Rue Victor Hugo", "secondaire",
     ((60.0, -640.0), (20.0, -200.0), (-10.0, 200.0), (-20.0, 560.0))),
    ("V10", "Avenue des Tilleuls", "secondaire",
     ((-470.0, 390.0), (-1_000.0, 880.0), (-1_350.0, 1_300.0), (-1_600.0, 1_700.0))),
    ("V11", "Avenue de la Roseraie", "secondaire",
     ((120.0, -640.0), (400.0, -1_180.0), (600.0, -1_700.0))),
    ("V12", "Rue Jean Jaurès", "secondaire",
     ((-700.0, -300.0), (-1_000.0, -900.0), (-1_300.0, -1_600.0), (-1_500.0, -2_200.0))),
    ("V13", "Avenue de Bellevue", "secondaire",
     ((560.0, 330.0), (800.0, 1_100.0), (1_100.0, 2_000.0))),
    ("V14", "Chemin du Moulin", "secondaire",
     ((-700.0, -100.0), (-1_400.0, -250.0), (-2_100.0, -200.0), (-2_700.0, -50.0))),
    ("V15", "Rue de Verdun", "secondaire",
     ((-1_000.0, 880.0), (-700.0, 1_500.0), (-400.0, 2_100.0))),
    ("V16", "Rue de l'Industrie", "secondaire",
     ((1_650.0, -950.0), (2_050.0, -800.0), (2_600.0, -450.0))),
    ("V17", "Boulevard du Plateau", "secondaire",
     ((-1_000.0, -900.0), (0.0, -1_900.0), (700.0, -2_400.0))),
    ("V18", "Voie ferrée Bourges – Moulins", "voie_ferree",
     ((-3_600.0, -300.0), (-1_200.0, 130.0), (900.0, 520.0), (3_600.0, 1_200.0))),
)
_RING = ("V00", "Boulevard Gambetta (ceinture du centre)", "principale")

# Named places (local metres).
PLACES: dict[str, tuple[float, float]] = {
    "hotel_de_ville": (0.0, 0.0),
    "marche": (-230.0, -200.0),
    "gare": (900.0, 480.0),
    "pole_bus": (780.0, 420.0),
    "tilleuls": (-1_000.0, 950.0),
    "roseraie": (400.0, -1_250.0),
    "commissariat": (250.0, -300.0),
    "hopital": (1_300.0, 1_500.0),
    "za": (2_300.0, -700.0),
}
DEAL_POINTS = ((-1_080.0, 960.0), (-880.0, 1_070.0), (-1_150.0, 760.0))
WORSHIP = ((-60.0, 90.0), (-1_150.0, 1_060.0), (360.0, -360.0))  # church, mosque, temple


def _local_to_l93(geom):
    return shapely.transform(geom, lambda xy: xy + np.asarray(ORIGIN_L93))


def polygonal(geom) -> shapely.Geometry:
    """Return the polygonal part of a geometry, made valid."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


@dataclass(frozen=True)
class Town:
    territory: Polygon
    safe: Polygon  # territory shrunk by the edge margin, prepared
    quartiers: tuple[Polygon, ...]
    roads: tuple[tuple[str, str, str, shapely.Geometry], ...]
    junctions: np.ndarray  # (k, 2) junction points of main roads
    junction_weight: np.ndarray  # 3 between two main roads, 1 main x street
    inner_radius_m: float  # radius of a disc around the origin that lies inside ``safe``


def _territory_polygon() -> Polygon:
    az = np.linspace(0.0, 2 * np.pi, 120, endpoint=False)
    r = 2_750.0 * (1 + 0.10 * np.sin(2 * az + 0.6) + 0.07 * np.cos(3 * az + 1.9)
                   + 0.04 * np.sin(5 * az + 0.3) + 0.02 * np.cos(9 * az + 2.2))
    return Polygon(np.column_stack([r * np.sin(az), r * np.cos(az)]))


def _ring_line() -> LineString:
    az = np.linspace(0.0, 2 * np.pi, 65)
    return LineString(np.column_stack([700.0 * np.sin(az), -50.0 + 600.0 * np.cos(az)]))


@lru_cache(maxsize=1)
def town() -> Town:
    territory = _territory_polygon()
    seeds = MultiPoint([q.seed_xy for q in QUARTIERS])
    cells = shapely.voronoi_polygons(seeds, extend_to=territory.buffer(1_000.0)).geoms
    quartiers = []
    for q in QUARTIERS:
        cell = next(c for c in cells if c.contains(Point(q.seed_xy)))
        quartiers.append(polygonal(cell.intersection(territory)))
    roads = [(_RING[0], _RING[1], _RING[2], _ring_line())]
    for road_id, name, kind, xy in _ROADS:
        roads.append((road_id, name, kind, LineString(xy).intersection(territory)))
    mains = [g for _, _, kind, g in roads if kind == "principale"]
    streets = [g for _, _, kind, g in roads if kind == "secondaire"]
    pts: list[tuple[float, float]] = []
    weights: list[float] = []
    for i, a in enumerate(mains):
        for others, weight in ((mains[i + 1:], 3.0), (streets, 1.0)):
            for b in others:
                cross = a.intersection(b)
                for p in shapely.get_parts(cross):
                    if p.geom_type == "Point":
                        pts.append((p.x, p.y))
                        weights.append(weight)
    safe = territory.buffer(-_EDGE_MARGIN_M)
    # Prepare the cached geometries once, here, so later calls never prepare shared
    # objects concurrently (the app may build demos from several threads).
    shapely.prepare([safe, territory, *quartiers])
    inner = float(shapely.distance(Point(0.0, 0.0), safe.exterior)) - 1.0
    return Town(territory, safe, tuple(quartiers), tuple(roads), np.array(pts),
                np.array(weights), inner)


def frame(data: dict, geoms: list | np.ndarray, layer: str) -> gpd.GeoDataFrame:
    """Build a layer from local geometries: shift to Lambert-93, reproject, conform."""
    l93 = _local_to_l93(np.asarray(geoms, dtype=object))
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(l93, crs=L93_EPSG))
    gdf = gdf.to_crs(4326)
    return schemas.conform(gdf, layer)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(L93_EPSG, 4326, always_xy=True)


def points_frame(data: dict, x: np.ndarray, y: np.ndarray, layer: str) -> gpd.GeoDataFrame:
    """Build a point layer from local coordinates (projected as arrays: fast for 1M)."""
    lon, lat = _to_wgs84().transform(x + ORIGIN_L93[0], y + ORIGIN_L93[1])
    gs = gpd.GeoSeries(shapely.points(lon, lat), crs=4326)
    gdf = gpd.GeoDataFrame(data, geometry=gs)
    return schemas.conform(gdf, layer)


def territoire(town: Town) -> gpd.GeoDataFrame:
    pop = sum(q.population for q in QUARTIERS)
    return frame({"insee_code": [INSEE_CODE], "name": [NAME], "population": [pop],
                  "fictitious": [True]}, [town.territory], "territoire")


def quartiers(town: Town) -> gpd.GeoDataFrame:
    return frame({
        "quartier_id": [q.quartier_id for q in QUARTIERS],
        "name": [q.name for q in QUARTIERS],
        "insee_code": [INSEE_CODE] * len(QUARTIERS),
        "qpv": [q.qpv for q in QUARTIERS],
        "population": [q.population for q in QUARTIERS],
    }, list(town.quartiers), "quartiers")


def voies(town: Town) -> gpd.GeoDataFrame:
    rows = [r for r in town.roads if not r[3].is_empty]
    return frame({"road_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                  "kind": [r[2] for r in rows]}, [r[3] for r in rows], "voies")


def secteurs(town: Town) -> gpd.GeoDataFrame:
    """Build the patrol sectors.

    Police nationale: 3 wedges covering the commune. Police municipale: a centre disc and
    3 wedges on other boundaries, leaving out the activity zone (not patrolled).
    """
    def wedge(az_from: float, az_to: float) -> Polygon:
        az = np.radians(np.linspace(az_from, az_to, 24))
        ring = [(0.0, 0.0)] + [(9_000 * np.sin(a), 9_000 * np.cos(a)) for a in az]
        return Polygon(ring)

    t = town.territory
    pn = [("PN-1", "Secteur PN Nord-Est", wedge(30, 150)),
          ("PN-2", "Secteur PN Sud", wedge(150, 270)),
          ("PN-3", "Secteur PN Ouest et Nord", wedge(270, 390))]
    za = town.quartiers[[q.quartier_id for q in QUARTIERS].index("Q10")]
    centre = Point(0.0, -50.0).buffer(850.0, quad_segs=16)
    pm_area = t.difference(za)
    pm = [("PM-1", "Secteur PM Centre-ville", centre.intersection(pm_area)),
          ("PM-2", "Secteur PM Nord", wedge(-60, 60).intersection(pm_area).difference(centre)),
          ("PM-3", "Secteur PM Est et Sud", wedge(60, 180).intersection(pm_area)
           .difference(centre)),
          ("PM-4", "Secteur PM Ouest", wedge(180, 300).intersection(pm_area)
           .difference(centre))]
    rows = [(sid, name, "police_nationale", polygonal(g.intersection(t))) for sid, name, g in pn]
    rows += [(sid, name, "police_municipale", polygonal(g)) for sid, name, g in pm]
    return frame({"sector_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                  "force": [r[2] for r in rows]}, [r[3] for r in rows], "secteurs")
