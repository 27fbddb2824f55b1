"""The demo territory: Valbourg, a FICTITIOUS commune of about 50,000 inhabitants.

Everything here is invented, so the app can be shown and tested without any real,
sensitive data. The town sits in rural central France (around lon 2.95°, lat 46.60°)
and is clearly labelled: INSEE code ``"00000"``, name "Valbourg (commune fictive de
démonstration)", ``fictitious=True``.

The town plan is fixed (built in Lambert-93 metres around a local origin): an irregular
commune about 5.5 km across, ten quartiers (a Voronoi partition of named seeds, two of
them QPV), a ring boulevard and radial main roads, a bypass through the activity zone,
a railway line with one station, and streets. The ``seed`` drives everything random on
top of it: where facilities and cameras stand exactly, camera attributes, and every
incident and road accident. Only a ``numpy.random.Generator(PCG64(seed))`` is used, in a
fixed order (one spawned stream per family of layers), so the same seed always gives the
same layers, on any machine and day.

Incidents follow rhythms a CLSPD would recognise: hour-of-day profiles per category,
weekday weights, seasons, school days for school violence, market-day mornings, a mild
trend over the two years, and spatial clusters (station, bar street, QPV, deal points,
school exits, market, places of worship, main roads) over a background weighted by the
population of each quartier. Generation is vectorised: a million incidents take seconds.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from clspd_geo import schemas, vocab
from clspd_geo.plan import actions
from clspd_geo.analysis import areas
from clspd_geo.store import GeoPackageStore

NAME = "Valbourg (commune fictive de démonstration)"
INSEE_CODE = "00000"
POSTCODE_TOWN = "00000 Valbourg"
# Local origin of the town plan, in Lambert-93 metres: about lon 2.95°, lat 46.60°.
ORIGIN_L93 = (696_170.0, 6_611_110.0)
L93_EPSG = 2154

PERIOD_START = dt.datetime(2024, 11, 1, 0, 0)
PERIOD_END = dt.datetime(2026, 10, 31, 23, 59)
_START = np.datetime64("2024-11-01T00:00", "m")
N_DAYS = 730  # 2024-11-01 .. 2026-10-31 inclusive

LAYER_NAMES = ("territoire", "quartiers", "cameras", "secteurs", "incidents", "equipements",
               "accidents", "voies", "actions")
MAX_INCIDENTS = 5_000_000

# Keep generated points this far inside the commune's edge, so they stay strictly inside
# after reprojection to EPSG:4326.
_EDGE_MARGIN_M = 3.0


def source_label(seed: int) -> str:
    """Return the provenance text of a demo store built with ``seed``."""
    return f"Territoire de démonstration fictif (graine {seed})"


# --------------------------------------------------------------------------------------
# The fixed town plan (local metres: x east, y north, origin at the town hall square).
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Quartier:
    quartier_id: str
    name: str
    seed_xy: tuple[float, float]
    qpv: bool
    population: int


_QUARTIERS: tuple[_Quartier, ...] = (
    _Quartier("Q01", "Centre-ville", (0.0, -20.0), False, 7_200),
    _Quartier("Q02", "Gare", (1_150.0, 650.0), False, 4_100),
    _Quartier("Q03", "Les Tilleuls", (-1_000.0, 950.0), True, 8_400),
    _Quartier("Q04", "La Roseraie", (400.0, -1_250.0), True, 6_300),
    _Quartier("Q05", "Le Moulin", (-2_100.0, -200.0), False, 5_200),
    _Quartier("Q06", "Les Vignes", (-1_300.0, -1_650.0), False, 4_600),
    _Quartier("Q07", "Saint-Martin", (-400.0, 2_100.0), False, 5_300),
    _Quartier("Q08", "Bellevue", (1_100.0, 2_000.0), False, 4_400),
    _Quartier("Q09", "Le Plateau", (700.0, -2_400.0), False, 4_200),
    _Quartier("Q10", "Zone d'activités des Grands Champs", (2_350.0, -700.0), False, 300),
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
_PLACES: dict[str, tuple[float, float]] = {
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
_DEAL_POINTS = ((-1_080.0, 960.0), (-880.0, 1_070.0), (-1_150.0, 760.0))
_WORSHIP = ((-60.0, 90.0), (-1_150.0, 1_060.0), (360.0, -360.0))  # church, mosque, temple


def _local_to_l93(geom):
    return shapely.transform(geom, lambda xy: xy + np.asarray(ORIGIN_L93))


def _polygonal(geom) -> shapely.Geometry:
    """Return the polygonal part of a geometry, made valid."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


@dataclass(frozen=True)
class _Town:
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
def _town() -> _Town:
    territory = _territory_polygon()
    seeds = MultiPoint([q.seed_xy for q in _QUARTIERS])
    cells = shapely.voronoi_polygons(seeds, extend_to=territory.buffer(1_000.0)).geoms
    quartiers = []
    for q in _QUARTIERS:
        cell = next(c for c in cells if c.contains(Point(q.seed_xy)))
        quartiers.append(_polygonal(cell.intersection(territory)))
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
    return _Town(territory, safe, tuple(quartiers), tuple(roads), np.array(pts),
                 np.array(weights), inner)


# --------------------------------------------------------------------------------------
# Sampling helpers (all vectorised, all driven by the one generator).
# --------------------------------------------------------------------------------------
def _inside(town: _Town, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Tell which local points are inside the commune, off its edge margin."""
    # Points within the inscribed circle are inside for sure: test only the others.
    inside = x * x + y * y < town.inner_radius_m**2
    rest = np.flatnonzero(~inside)
    if rest.size:
        inside[rest] = shapely.contains_xy(town.safe, x[rest], y[rest])
    return inside


def _around(town: _Town, rng: np.random.Generator, centres: np.ndarray, n: int, *,
            sd_m: float, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points scattered (Gaussian, ``sd_m``) around weighted centres."""
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    k = rng.choice(len(centres), size=n, p=p)
    x = centres[k, 0] + rng.normal(0.0, sd_m, n)
    y = centres[k, 1] + rng.normal(0.0, sd_m, n)
    for _ in range(30):
        out = np.flatnonzero(~_inside(town, x, y))
        if not out.size:
            break
        x[out] = centres[k[out], 0] + rng.normal(0.0, sd_m, out.size)
        y[out] = centres[k[out], 1] + rng.normal(0.0, sd_m, out.size)
    out = ~_inside(town, x, y)
    x[out], y[out] = centres[k[out], 0], centres[k[out], 1]
    return x, y


def _along(town: _Town, rng: np.random.Generator, lines: list[shapely.Geometry], n: int, *,
           sd_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points along lines (uniform by length), scattered by ``sd_m``."""
    lengths = np.array([g.length for g in lines])
    k = rng.choice(len(lines), size=n, p=lengths / lengths.sum())
    dist = rng.random(n) * lengths[k]
    geoms = np.asarray(lines, dtype=object)[k]
    base = shapely.get_coordinates(shapely.line_interpolate_point(geoms, dist))
    x = base[:, 0] + rng.normal(0.0, sd_m, n)
    y = base[:, 1] + rng.normal(0.0, sd_m, n)
    out = ~_inside(town, x, y)
    # A point pushed across the edge goes back onto its road (roads are clipped inside).
    x[out], y[out] = base[out, 0], base[out, 1]
    still = np.flatnonzero(~_inside(town, x, y))
    if still.size:
        x[still], y[still] = _uniform_in(town, rng, town.territory, still.size)
    return x, y


def _uniform_in(town: _Town, rng: np.random.Generator, polygon: shapely.Geometry,
                n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points uniformly in ``polygon`` (and inside the commune), by rejection."""
    minx, miny, maxx, maxy = polygon.bounds
    fill = max(polygon.area / ((maxx - minx) * (maxy - miny)), 0.05)
    shapely.prepare(polygon)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        m = int((n - got) / fill * 1.15) + 16
        x = minx + rng.random(m) * (maxx - minx)
        y = miny + rng.random(m) * (maxy - miny)
        keep = shapely.contains_xy(polygon, x, y)
        keep[keep] = _inside(town, x[keep], y[keep])
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _bearing_deg(dx: float, dy: float) -> float:
    """Azimuth of a vector, degrees clockwise from north, in [0, 360)."""
    return float(np.degrees(np.arctan2(dx, dy)) % 360.0)


def _road_direction(town: _Town, x: float, y: float, *, road_id: str | None = None,
                    kinds: tuple[str, ...] = ("principale", "secondaire")) -> tuple[float, str]:
    """Return the azimuth of the nearest road (or of ``road_id``) at a point, and its name."""
    pt = Point(x, y)
    candidates = [(g.distance(pt), name, g) for rid, name, kind, g in town.roads
                  if (rid == road_id if road_id else kind in kinds) and not g.is_empty]
    _, name, line = min(candidates, key=lambda c: c[0])
    s = line.project(pt)
    a = line.interpolate(max(s - 10.0, 0.0))
    b = line.interpolate(min(s + 10.0, line.length))
    return _bearing_deg(b.x - a.x, b.y - a.y), name


# --------------------------------------------------------------------------------------
# Calendar: days of the period, school days, market days.
# --------------------------------------------------------------------------------------
_PUBLIC_HOLIDAYS = (
    "2024-11-01", "2024-11-11", "2024-12-25", "2025-01-01", "2025-04-21", "2025-05-01",
    "2025-05-08", "2025-05-29", "2025-06-09", "2025-07-14", "2025-08-15", "2025-11-01",
    "2025-11-11", "2025-12-25", "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08",
    "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15",
)
# School holidays of zone A (académie de Clermont-Ferrand), first and last day off.
_SCHOOL_HOLIDAYS = (
    ("2024-10-19", "2024-11-03"), ("2024-12-21", "2025-01-05"), ("2025-02-22", "2025-03-09"),
    ("2025-04-19", "2025-05-04"), ("2025-07-05", "2025-08-31"), ("2025-10-18", "2025-11-02"),
    ("2025-12-20", "2026-01-04"), ("2026-02-07", "2026-02-22"), ("2026-04-04", "2026-04-19"),
    ("2026-07-04", "2026-08-31"), ("2026-10-17", "2026-11-01"),
)


@dataclass(frozen=True)
class _Calendar:
    weekday: np.ndarray  # 0 = Monday
    month: np.ndarray  # 1..12
    school_day: np.ndarray
    market_day: np.ndarray
    holiday: np.ndarray


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    days = np.datetime64("2024-11-01", "D") + np.arange(N_DAYS)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    public = np.isin(days, np.array(_PUBLIC_HOLIDAYS, dtype="datetime64[D]"))
    vacation = np.zeros(N_DAYS, dtype=bool)
    for first, last in _SCHOOL_HOLIDAYS:
        vacation |= (days >= np.datetime64(first)) & (days <= np.datetime64(last))
    school = (weekday < 5) & ~public & ~vacation & ~np.isin(month, (7, 8))
    market = np.isin(weekday, (2, 5)) & ~public  # Wednesday and Saturday
    return _Calendar(weekday, month, school, market, public)


# --------------------------------------------------------------------------------------
# Rhythms of each incident category.
# --------------------------------------------------------------------------------------
_H = np.arange(24)


def _bump(centre_h: float, width_h: float) -> np.ndarray:
    d = np.abs(_H - centre_h)
    d = np.minimum(d, 24 - d)
    return np.exp(-0.5 * (d / width_h) ** 2)


def _hours_between(first_h: int, last_h: int) -> np.ndarray:
    return ((_H >= first_h) & (_H <= last_h)).astype(float)


_HOURS: dict[str, np.ndarray] = {
    "night": 0.15 + 2.5 * _bump(0.5, 2.5),
    "late_night": 0.08 + 3.0 * _bump(1.5, 2.2),
    "evening": 0.25 + 2.0 * _bump(20.5, 2.5) + 0.3 * _bump(13, 3),
    "afternoon": 0.12 + 2.0 * _bump(15.0, 2.5) + 0.6 * _bump(10.5, 1.5),
    "winter_dusk": 0.05 + 2.5 * _bump(18.0, 1.5),
    "day": 0.2 + _bump(15.0, 4.5),
    "school": _hours_between(8, 17) * (0.4 + _bump(10, 1) + _bump(12.5, 0.8) + _bump(16, 1)),
    "school_exit": _hours_between(7, 18) * (0.5 * _bump(8, 0.5) + _bump(12, 0.7)
                                            + 1.5 * _bump(16.5, 0.8)),
    "market": _hours_between(7, 13) * (0.3 + _bump(10.0, 1.5)),
    "rush": 0.25 + _bump(8.0, 1.2) + 1.3 * _bump(17.5, 1.5) + 0.9 * _bump(1.5, 2.0),
    "rodeo": 0.05 + 2.0 * _bump(19.5, 2.5),
    "halls": 0.1 + 2.0 * _bump(22.0, 3.0),
    "watch": 0.3 + _bump(17.0, 4.0) + 0.5 * _bump(1.0, 2.0),
    "flat": 0.5 + _bump(14.0, 6.0),
}
# Monday .. Sunday.
_WEEK: dict[str, np.ndarray] = {
    "flat": np.ones(7),
    "weekend_nights": np.array([0.6, 0.6, 0.7, 0.9, 1.3, 2.0, 1.5]),
    "weekend": np.array([0.8, 0.8, 0.8, 0.9, 1.2, 1.7, 1.4]),
    "weekdays": np.array([1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.6]),
    "vif": np.array([0.9, 0.85, 0.85, 0.9, 1.0, 1.35, 1.45]),
    "school": np.array([1.0, 1.0, 0.6, 1.0, 1.0, 0.0, 0.0]),
    "market": np.array([0.0, 0.0, 1.0, 0.0, 0.0, 1.3, 0.0]),
    "leisure": np.array([0.8, 0.8, 1.0, 0.9, 1.1, 1.4, 1.6]),
}
# January .. December.
_MONTHS: dict[str, np.ndarray] = {
    "flat": np.ones(12),
    "summer": np.array([0.7, 0.7, 0.9, 1.0, 1.2, 1.5, 1.8, 1.7, 1.1, 0.9, 0.7, 0.8]),
    "summer_strong": np.array([0.3, 0.3, 0.6, 1.0, 1.5, 2.2, 2.8, 2.6, 1.5, 0.8, 0.4, 0.3]),
    "winter": np.array([1.4, 1.2, 1.0, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 1.1, 1.4, 1.5]),
    "festive": np.array([1.2, 0.9, 0.9, 1.0, 1.1, 1.3, 1.3, 1.2, 1.0, 1.0, 1.0, 1.5]),
    "holidays": np.array([1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.2, 1.0, 1.0, 1.0, 1.3]),
}


@dataclass(frozen=True)
class _Rhythm:
    share: float
    hours: str
    week: str
    months: str
    trend: float  # log change over the two years
    qpv_factor: float  # weight of QPV quartiers in the background spread
    clusters: tuple[tuple[str, float], ...] = ()
    school_days: bool = False


_RHYTHMS: dict[str, _Rhythm] = {
    "cambriolage": _Rhythm(0.07, "afternoon", "weekdays", "winter", -0.12, 0.7,
                           (("za", 0.06), ("qpv", 0.05))),
    "vol_vehicule": _Rhythm(0.12, "night", "flat", "flat", -0.10, 1.2,
                            (("gare", 0.10), ("axes", 0.08), ("qpv", 0.12), ("marche", 0.03),
                             ("za", 0.05))),
    "degradation": _Rhythm(0.12, "night", "weekend", "summer", 0.06, 1.5,
                           (("qpv", 0.18), ("gare", 0.06), ("ecoles", 0.05), ("bars", 0.05),
                            ("za", 0.04), ("culte", 0.01))),
    "rixe": _Rhythm(0.025, "late_night", "weekend_nights", "summer", 0.10, 1.2,
                    (("bars", 0.35), ("gare", 0.12), ("ecoles", 0.06), ("qpv", 0.10))),
    "tapage": _Rhythm(0.14, "night", "weekend", "summer", 0.05, 1.3,
                      (("bars", 0.15), ("qpv", 0.12))),
    # Placed in the view of a camera working that day (see _in_view), not by clusters.
    "detection_csu": _Rhythm(0.05, "watch", "weekend", "flat", 0.30, 1.0),
    "requisition_images": _Rhythm(0.025, "watch", "weekend", "flat", 0.25, 1.0),
    "ivresse_publique": _Rhythm(0.05, "late_night", "weekend_nights", "festive", -0.05, 1.0,
                                (("bars", 0.45), ("gare", 0.12), ("marche", 0.04))),
    "usage_stupefiants": _Rhythm(0.05, "evening", "leisure", "summer", 0.20, 1.5,
                                 (("deal", 0.20), ("qpv", 0.20), ("gare", 0.10),
                                  ("ecoles", 0.05), ("bars", 0.08))),
    "trafic_stupefiants": _Rhythm(0.015, "evening", "flat", "flat", 0.10, 2.0,
                                  (("deal", 0.50), ("qpv", 0.30), ("gare", 0.05))),
    "point_de_deal": _Rhythm(0.012, "evening", "flat", "summer", -0.15, 2.0,
                             (("deal", 0.80), ("qpv", 0.15))),
    "violences_intrafamiliales": _Rhythm(0.035, "evening", "vif", "holidays", 0.15, 1.4,
                                         (("qpv", 0.10),)),
    "violences_conjugales": _Rhythm(0.04, "evening", "vif", "holidays", 0.18, 1.4,
                                    (("qpv", 0.08),)),
    "violences_scolaires": _Rhythm(0.015, "school", "school", "flat", 0.08, 1.0,
                                   (("ecoles", 1.0),), school_days=True),
    "mineur_en_danger": _Rhythm(0.012, "day", "flat", "flat", 0.10, 1.6,
                                (("ecoles", 0.15), ("qpv", 0.10))),
    "occupation_halls": _Rhythm(0.04, "halls", "leisure", "winter", -0.10, 3.0,
                                (("qpv", 0.85),)),
    "recidive": _Rhythm(0.02, "day", "flat", "flat", 0.0, 1.5,
                        (("qpv", 0.20), ("gare", 0.10), ("bars", 0.10))),
    "vol_avec_violence": _Rhythm(0.025, "evening", "flat", "winter", -0.08, 1.3,
                                 (("gare", 0.15), ("marche", 0.12), ("bars", 0.10),
                                  ("ecoles", 0.08), ("qpv", 0.10))),
    "coups_et_blessures": _Rhythm(0.045, "late_night", "weekend_nights", "summer", 0.05, 1.3,
                                  (("bars", 0.20), ("gare", 0.08), ("qpv", 0.10),
                                   ("ecoles", 0.03))),
    "violences_sexuelles": _Rhythm(0.01, "evening", "weekend", "summer", 0.15, 1.1,
                                   (("bars", 0.10), ("gare", 0.08))),
    "conduite_dangereuse": _Rhythm(0.04, "rush", "weekend", "flat", 0.05, 1.0,
                                   (("axes", 0.55), ("bars", 0.05), ("ecoles", 0.05))),
    "rodeo_motorise": _Rhythm(0.02, "rodeo", "leisure", "summer_strong", 0.20, 2.0,
                              (("qpv", 0.35), ("za", 0.25), ("axes", 0.15))),
    "signalement_radicalisation": _Rhythm(0.0012, "day", "weekdays", "flat", 0.0, 1.5,
                                          (("qpv", 0.30),)),
    "atteinte_lieu_culte": _Rhythm(0.0015, "night", "flat", "flat", 0.10, 1.0,
                                   (("culte", 0.85),)),
}
# Clusters whose incidents keep their own timing rules: (week profile, hour profile,
# school days only).
_CLUSTER_TIMING: dict[str, tuple[str, str, bool]] = {
    "marche": ("market", "market", False),
    "ecoles": ("school", "school_exit", True),
    "bars": ("weekend_nights", "late_night", False),
}
_CLUSTERS = ("gare", "bars", "qpv", "deal", "ecoles", "marche", "culte", "axes", "za")
_CAMERA_CATEGORIES = ("detection_csu", "requisition_images")


def _allocate(n: int, shares: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainders).

    When ``n`` allows it, every share gets at least one.
    """
    p = shares / shares.sum()
    raw = p * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - int(counts.sum())
    order = np.lexsort((np.arange(len(p)), -(raw - counts)))
    counts[order[:rest]] += 1
    if n >= len(p):
        while (counts == 0).any():
            counts[np.argmax(counts)] -= 1
            counts[np.flatnonzero(counts == 0)[0]] += 1
    return counts


def _cumulative(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights, dtype=float)
    return c / c[-1]


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` indices with the given (unnormalised) weights."""
    return np.searchsorted(_cumulative(weights), rng.random(n), side="right").clip(
        0, len(weights) - 1)


def _day_weights(week: str, months: str, trend: float, *, school_days: bool) -> np.ndarray:
    cal = _calendar()
    w = _WEEK[week][cal.weekday] * _MONTHS[months][cal.month - 1]
    w = w * np.exp(trend * (np.arange(N_DAYS) / (N_DAYS - 1) - 0.5))
    if school_days:
        w = w * cal.school_day
    return w


# --------------------------------------------------------------------------------------
# Layers.
# --------------------------------------------------------------------------------------
def _frame(data: dict, geoms: list | np.ndarray, layer: str) -> gpd.GeoDataFrame:
    """Build a layer from local geometries: shift to Lambert-93, reproject, conform."""
    l93 = _local_to_l93(np.asarray(geoms, dtype=object))
    gdf = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(l93, crs=L93_EPSG))
    gdf = gdf.to_crs(4326)
    return schemas.conform(gdf, layer)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(L93_EPSG, 4326, always_xy=True)


def _points_frame(data: dict, x: np.ndarray, y: np.ndarray, layer: str) -> gpd.GeoDataFrame:
    """Build a point layer from local coordinates (projected as arrays: fast for 1M)."""
    lon, lat = _to_wgs84().transform(x + ORIGIN_L93[0], y + ORIGIN_L93[1])
    gs = gpd.GeoSeries(shapely.points(lon, lat), crs=4326)
    gdf = gpd.GeoDataFrame(data, geometry=gs)
    return schemas.conform(gdf, layer)


def _territoire(town: _Town) -> gpd.GeoDataFrame:
    pop = sum(q.population for q in _QUARTIERS)
    return _frame({"insee_code": [INSEE_CODE], "name": [NAME], "population": [pop],
                   "fictitious": [True]}, [town.territory], "territoire")


def _quartiers(town: _Town) -> gpd.GeoDataFrame:
    return _frame({
        "quartier_id": [q.quartier_id for q in _QUARTIERS],
        "name": [q.name for q in _QUARTIERS],
        "insee_code": [INSEE_CODE] * len(_QUARTIERS),
        "qpv": [q.qpv for q in _QUARTIERS],
        "population": [q.population for q in _QUARTIERS],
    }, list(town.quartiers), "quartiers")


def _voies(town: _Town) -> gpd.GeoDataFrame:
    rows = [r for r in town.roads if not r[3].is_empty]
    return _frame({"road_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                   "kind": [r[2] for r in rows]}, [r[3] for r in rows], "voies")


def _secteurs(town: _Town) -> gpd.GeoDataFrame:
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
    za = town.quartiers[[q.quartier_id for q in _QUARTIERS].index("Q10")]
    centre = Point(0.0, -50.0).buffer(850.0, quad_segs=16)
    pm_area = t.difference(za)
    pm = [("PM-1", "Secteur PM Centre-ville", centre.intersection(pm_area)),
          ("PM-2", "Secteur PM Nord", wedge(-60, 60).intersection(pm_area).difference(centre)),
          ("PM-3", "Secteur PM Est et Sud", wedge(60, 180).intersection(pm_area)
           .difference(centre)),
          ("PM-4", "Secteur PM Ouest", wedge(180, 300).intersection(pm_area)
           .difference(centre))]
    rows = [(sid, name, "police_nationale", _polygonal(g.intersection(t))) for sid, name, g in pn]
    rows += [(sid, name, "police_municipale", _polygonal(g)) for sid, name, g in pm]
    return _frame({"sector_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                   "force": [r[2] for r in rows]}, [r[3] for r in rows], "secteurs")


# Facilities ---------------------------------------------------------------------------
_BARS = ("Le Balto", "Café de la Paix", "Le Saint-Martin", "Bar du Commerce", "Le Diplomate",
         "L'Escale", "Le Central", "Café des Sports", "Le Penalty", "La Civette",
         "Le Longchamp", "Le Celtic", "Le Rallye", "L'Étoile", "Le Narval", "Chez Mado",
         "Le Totem", "Le Relais", "Le Fontenoy", "Le Cyrano", "Le Welcome", "Le Terminus",
         "Buffet de la Gare", "Le Bistrot du Marché", "Le Petit Zinc")
_MATERNELLES = ("Jules Ferry", "Les Petits Princes", "Pauline Kergomard", "Les Coquelicots",
                "Le Petit Bois", "Marie Curie", "Jean de La Fontaine")
_ELEMENTAIRES = ("Jules Ferry", "Jean Macé", "Victor Hugo", "Louis Pasteur", "Paul Bert",
                 "Condorcet", "Anatole France", "Jacques Prévert")
_RESIDENCES = (("Résidence Les Tilleuls", "Q03"), ("Résidence Le Chêne", "Q03"),
               ("Résidence Les Érables", "Q03"), ("Tour Rimbaud", "Q03"),
               ("Résidence Les Acacias", "Q03"), ("Résidence La Roseraie", "Q04"),
               ("Résidence Les Glycines", "Q04"), ("Résidence Le Lilas", "Q04"),
               ("Résidence Les Pivoines", "Q04"), ("Résidence du Moulin", "Q05"))


def _facility_rows(town: _Town, rng: np.random.Generator) -> list[tuple[str, str, float, float]]:
    """Return (kind, name, x, y) rows in local metres."""
    rows: list[tuple[str, str, float, float]] = []
    seed_of = {q.quartier_id: np.array(q.seed_xy) for q in _QUARTIERS}
    poly_of = dict(zip([q.quartier_id for q in _QUARTIERS], town.quartiers, strict=True))

    def add(kind: str, name: str, xy: tuple[float, float], jitter_m: float = 0.0) -> None:
        x, y = xy
        if jitter_m:
            x, y = _around(town, rng, np.array([xy]), 1, sd_m=jitter_m)
            x, y = float(x[0]), float(y[0])
        rows.append((kind, name, float(x), float(y)))

    def add_in(kind: str, name: str, qid: str, sd_m: float) -> None:
        """Place near a quartier's seed, but inside that quartier."""
        for _ in range(50):
            x, y = _around(town, rng, seed_of[qid][None, :], 1, sd_m=sd_m)
            if poly_of[qid].contains(Point(x[0], y[0])):
                break
        else:  # the seed itself is always inside its quartier
            x, y = seed_of[qid][:1], seed_of[qid][1:]
        rows.append((kind, name, float(x[0]), float(y[0])))

    P = _PLACES
    add("mairie", "Hôtel de ville de Valbourg", (20.0, 40.0))
    add("mairie_annexe", "Mairie annexe des Tilleuls", (-950.0, 880.0), 20)
    add("mairie_annexe", "Mairie annexe de la Roseraie", (430.0, -1_180.0), 20)
    add("tribunal", "Tribunal judiciaire de Valbourg", (-150.0, 180.0), 10)
    add("prefecture", "Sous-préfecture de Valbourg", (180.0, 250.0), 10)
    add("commissariat", "Commissariat de police de Valbourg", P["commissariat"])
    add("brigade_gendarmerie", "Brigade de gendarmerie de Valbourg-Campagne",
        (-1_900.0, -800.0), 30)
    add("poste_police_municipale", "Poste de police municipale", (-60.0, -90.0), 5)
    add("poste_police_municipale", "Antenne de police municipale des Tilleuls",
        (-1_050.0, 980.0), 15)
    add("csu", "Centre de supervision urbain de Valbourg", (-40.0, -120.0), 5)
    add("caserne_pompiers", "Centre d'incendie et de secours de Valbourg", (1_400.0, -300.0), 30)
    add("service_social", "CCAS de Valbourg", (100.0, 120.0), 15)
    add("maison_quartier", "Centre social des Tilleuls", (-1_000.0, 1_020.0), 20)
    add("maison_quartier", "Maison de quartier de la Roseraie", (350.0, -1_300.0), 20)
    add("maison_quartier", "Maison de quartier Saint-Martin", (-400.0, 2_000.0), 40)
    add("maison_quartier", "Espace jeunes de la Gare", (1_150.0, 700.0), 40)
    school_quartiers = ("Q01", "Q03", "Q04", "Q05", "Q06", "Q07", "Q08", "Q09")
    for i, name in enumerate(_MATERNELLES):
        add_in("ecole_maternelle", f"École maternelle {name}", school_quartiers[i], 250)
    for i, name in enumerate(_ELEMENTAIRES):
        add_in("ecole_elementaire", f"École élémentaire {name}",
               school_quartiers[(i + 3) % len(school_quartiers)], 250)
    add("college", "Collège Jean Moulin", (-800.0, 700.0), 40)
    add("college", "Collège George Sand", (-300.0, -450.0), 40)
    add("college", "Collège Émile Guillaumin", (900.0, 1_700.0), 40)
    add("lycee", "Lycée Albert Camus", (-250.0, 1_300.0), 40)
    add("lycee", "Lycée professionnel Jean Monnet", (1_400.0, 300.0), 40)
    add("mds", "Maison départementale des solidarités", (-500.0, 600.0), 30)
    add("ase", "Antenne de l'aide sociale à l'enfance", (-480.0, 660.0), 30)
    add("asso_prevention", "Prévention spécialisée – équipe des Tilleuls",
        (-900.0, 1_100.0), 30)
    add("asso_prevention", "Prévention spécialisée – équipe de la Roseraie",
        (480.0, -1_150.0), 30)
    add("asso_aide_victimes", "Association d'aide aux victimes du Valbourgeois",
        (120.0, -200.0), 15)
    add_in("hebergement_victimes", "Hébergement d'urgence pour victimes n° 1", "Q06", 400)
    add_in("hebergement_victimes", "Hébergement d'urgence pour victimes n° 2", "Q08", 400)
    cx, cy = P["commissariat"]
    add("intervenant_social", "Intervenante sociale du commissariat", (cx + 6.0, cy + 4.0))
    add("psychologue_victimes", "Consultation de psychologue d'aide aux victimes",
        (140.0, -180.0), 15)
    add("csapa", "CSAPA Le Passage", (-350.0, 450.0), 30)
    add("caarud", "CAARUD L'Embarcadère", (820.0, 300.0), 30)
    hx, hy = P["hopital"]
    add("hopital", "Centre hospitalier de Valbourg", (hx, hy))
    add("umj", "Unité médico-judiciaire du centre hospitalier", (hx + 60.0, hy + 40.0))
    add("mission_locale", "Mission locale du Valbourgeois", (300.0, 350.0), 20)
    add("atelier_insertion", "Chantier d'insertion Les Jardins de Valbourg",
        (-1_900.0, -900.0), 40)
    add("atelier_insertion", "Recyclerie d'insertion des Grands Champs", (2_200.0, -500.0), 40)
    add("pjj", "Unité éducative de milieu ouvert (PJJ)", (-250.0, 700.0), 30)
    add("spip", "Antenne du SPIP", (-160.0, 220.0), 10)
    add("site_tig", "Services techniques municipaux", (1_900.0, -800.0), 40)
    add("site_tig", "Médiathèque municipale", (-100.0, -250.0), 15)
    add("site_tig", "Serres municipales", (-1_500.0, -1_200.0), 60)
    add("site_tig", "Banque alimentaire du Valbourgeois", (600.0, -700.0), 40)
    add("acces_droit", "Maison de justice et du droit", (-880.0, 850.0), 20)
    add("referent_radicalisation",
        "Point de contact prévention de la radicalisation (sous-préfecture)", (185.0, 265.0))
    for name, qid in _RESIDENCES:
        add_in("residence_sociale", name, qid, 180)
    add("gare", "Gare de Valbourg", P["gare"])
    add("arret_bus", "Pôle d'échanges de la Gare", P["pole_bus"])
    stops = 0
    for _, road_name, kind, line in town.roads:
        if kind != "principale" or line.is_empty or stops >= 18:
            continue
        for k, dist in enumerate(np.arange(250.0, line.length - 100.0, 550.0)):
            if stops >= 18:
                break
            p = line.interpolate(dist)
            add("arret_bus", f"Arrêt {road_name.split(' (')[0]} {k + 1}", (p.x, p.y), 8)
            stops += 1
    street = next(g for rid, _, _, g in town.roads if rid == "V08")
    n_street = 20
    for i, dist in enumerate(np.linspace(20.0, street.length - 20.0, n_street)):
        p = street.interpolate(dist + rng.normal(0.0, 8.0))
        side = 1.0 if rng.random() < 0.5 else -1.0
        add("debit_boissons", _BARS[i], (p.x + side * rng.uniform(6, 14), p.y + side * 8.0))
    gx, gy = P["gare"]
    add("debit_boissons", _BARS[21], (gx - 40.0, gy - 30.0), 10)
    add("debit_boissons", _BARS[22], (gx + 25.0, gy - 15.0), 5)
    mx, my = P["marche"]
    add("debit_boissons", _BARS[23], (mx + 30.0, my + 25.0), 10)
    add("debit_boissons", _BARS[24], (-1_020.0, 900.0), 30)
    add("debit_boissons", _BARS[20], (1_300.0, 1_450.0), 30)
    add("marche", "Marché du centre (mercredi et samedi matin)", P["marche"])
    add("marche", "Marché des Tilleuls (dimanche matin)", (-980.0, 920.0), 10)
    return rows


def _equipements(town: _Town, rows: list[tuple[str, str, float, float]],
                 rng: np.random.Generator) -> gpd.GeoDataFrame:
    confidential = {k.code: k.confidential for k in vocab.FACILITY_KINDS}
    addresses = []
    for kind, _, x, y in rows:
        if confidential[kind]:
            addresses.append(None)
            continue
        _, road = _road_direction(town, x, y)
        road = road.split(" (")[0]
        addresses.append(f"{int(rng.integers(1, 120))} {road[0].lower() + road[1:]}, "
                         f"{POSTCODE_TOWN}")
    x = np.array([r[2] for r in rows])
    y = np.array([r[3] for r in rows])
    data = {"facility_id": [f"EQ-{i + 1:03d}" for i in range(len(rows))],
            "name": [r[1] for r in rows], "kind": [r[0] for r in rows], "address": addresses,
            "confidential": [confidential[r[0]] for r in rows]}
    return _points_frame(data, x, y, "equipements")


# Cameras ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Site:
    name: str
    anchor: tuple[float, float] | None  # None: at the main road junctions
    n: int
    spread_m: float
    mode: str  # "place": look at the anchor; "street": look along the road
    operators: tuple[tuple[str, int], ...]
    qpv: bool = False


_SITES: tuple[_Site, ...] = (
    _Site("Place de l'Hôtel de Ville", (0.0, 0.0), 6, 45, "place", (("csu_municipal", 6),)),
    _Site("Rue de la République", None, 8, 0, "bar_street",
          (("csu_municipal", 7), ("commerce", 1))),
    _Site("Place du Marché", _PLACES["marche"], 5, 40, "place", (("csu_municipal", 5),)),
    _Site("Rue Victor Hugo", (10.0, -150.0), 4, 150, "street", (("csu_municipal", 4),)),
    _Site("Gare", _PLACES["gare"], 8, 50, "place", (("sncf", 6), ("csu_municipal", 2))),
    _Site("Pôle d'échanges", _PLACES["pole_bus"], 4, 30, "place", (("transporteur", 4),)),
    _Site("Les Tilleuls", _PLACES["tilleuls"], 12, 160, "place",
          (("bailleur_social", 6), ("csu_municipal", 6)), qpv=True),
    _Site("La Roseraie", _PLACES["roseraie"], 8, 150, "place",
          (("bailleur_social", 4), ("csu_municipal", 4)), qpv=True),
    _Site("Carrefour", None, 14, 12, "junction", (("csu_municipal", 14),)),
    _Site("Commissariat", _PLACES["commissariat"], 2, 15, "place", (("etat", 2),)),
    _Site("Abords du collège Jean Moulin", (-800.0, 700.0), 2, 40, "place",
          (("csu_municipal", 2),)),
    _Site("Abords du lycée Albert Camus", (-250.0, 1_300.0), 2, 40, "place",
          (("csu_municipal", 2),)),
    _Site("Zone d'activités", _PLACES["za"], 3, 200, "street",
          (("csu_municipal", 2), ("commerce", 1))),
    _Site("Centre hospitalier", _PLACES["hopital"], 2, 40, "place", (("csu_municipal", 2),)),
)


@dataclass(frozen=True)
class _Views:
    """What the cameras see, in local metres, for placing camera-detected incidents."""

    x: np.ndarray
    y: np.ndarray
    bearing_deg: np.ndarray  # NaN for domes
    fov_deg: np.ndarray
    range_m: np.ndarray
    first_day: np.ndarray  # day of the period from which the camera works (may be < 0)
    usable: np.ndarray  # installed (not a project)


def _cameras(town: _Town, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, _Views]:
    xs: list[float] = []
    ys: list[float] = []
    names: list[str] = []
    modes: list[str] = []
    anchors: list[tuple[float, float] | None] = []
    operators: list[str] = []
    in_qpv: list[bool] = []
    street = next(g for rid, _, _, g in town.roads if rid == "V08")
    main_junctions = np.flatnonzero(town.junction_weight == 3.0)
    for site in _SITES:
        if site.mode == "bar_street":
            d = np.sort(rng.uniform(30.0, street.length - 30.0, site.n))
            pts = [street.interpolate(v) for v in d]
            x = np.array([p.x for p in pts]) + rng.normal(0, 5, site.n)
            y = np.array([p.y for p in pts]) + rng.normal(0, 5, site.n)
        elif site.mode == "junction":
            pick = main_junctions[rng.permutation(main_junctions.size)[:site.n]]
            pick = np.resize(pick, site.n)
            x, y = _around(town, rng, town.junctions[pick], site.n, sd_m=site.spread_m)
        else:
            x, y = _around(town, rng, np.array([site.anchor]), site.n, sd_m=site.spread_m)
        ops = [code for code, k in site.operators for _ in range(k)]
        ops = [ops[i] for i in rng.permutation(len(ops))]
        for i in range(site.n):
            xs.append(float(x[i]))
            ys.append(float(y[i]))
            names.append(f"{site.name} – {i + 1}")
            modes.append(site.mode)
            anchors.append(site.anchor)
            operators.append(ops[i])
            in_qpv.append(site.qpv)
    n = len(xs)
    # Kinds: ~10 % nomade (preferably in QPV), ~30 % domes (preferably on squares and
    # junctions), the rest fixed.
    n_nomade, n_dome = round(0.10 * n), round(0.30 * n)
    kind = np.full(n, "fixe", dtype=object)
    nomade_score = rng.random(n) + np.array(in_qpv, dtype=float)
    kind[np.argsort(-nomade_score, kind="stable")[:n_nomade]] = "nomade"
    dome_score = rng.random(n) + 0.5 * np.isin(modes, ("place", "junction"))
    dome_score[kind == "nomade"] = -1.0
    kind[np.argsort(-dome_score, kind="stable")[:n_dome]] = "dome"
    # Statuses: ~85 % in service, ~8 % out of order, ~7 % planned.
    n_panne, n_projet = round(0.08 * n), round(0.07 * n)
    order = rng.permutation(n)
    status = np.full(n, "en_service", dtype=object)
    status[order[:n_panne]] = "en_panne"
    status[order[n_panne:n_panne + n_projet]] = "projet"
    bearing = np.full(n, np.nan)
    fov = np.full(n, 360.0)
    range_m = np.zeros(n)
    resolution = np.zeros(n)
    lens = np.full(n, np.nan)
    for i in range(n):
        if kind[i] == "dome":
            range_m[i] = 5.0 * rng.integers(12, 21)  # 60..100 m
            resolution[i] = float(rng.choice([1920.0, 2560.0]))
            lens[i] = float(rng.choice([55.0, 60.0, 63.0]))  # widest zoom of a PTZ lens
            continue
        resolution[i] = float(rng.choice([1920.0, 2560.0, 3840.0]))
        range_m[i] = 5.0 * rng.integers(6, 17)  # 30..80 m
        fov[i] = float(rng.choice([54.0, 60.0, 70.0, 82.0, 90.0]))
        anchor = anchors[i]
        if modes[i] == "place" and anchor is not None and np.hypot(
                anchor[0] - xs[i], anchor[1] - ys[i]) > 12.0:
            b = _bearing_deg(anchor[0] - xs[i], anchor[1] - ys[i]) + rng.normal(0.0, 12.0)
        else:
            along, _ = _road_direction(town, xs[i], ys[i], road_id="V08" if modes[i] == (
                "bar_street") else None)
            b = along + (180.0 if rng.random() < 0.5 else 0.0) + rng.normal(0.0, 5.0)
        bearing[i] = round(b % 360.0, 1)
    # Commissioning: none for planned cameras; some inside the incident period so that
    # before/after comparisons have material.
    start_old = np.datetime64("2012-01-01")
    start_period = np.datetime64("2024-11-01")
    end_period = np.datetime64("2026-10-31")
    commissioned = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    existing = np.flatnonzero(status != "projet")
    recent = existing[rng.permutation(existing.size)[:round(0.2 * existing.size)]]
    span_old = int((start_period - start_old).astype(int))
    span_new = int((end_period - start_period).astype(int)) - 60
    commissioned[existing] = start_old + rng.integers(0, span_old, existing.size)
    commissioned[recent] = start_period + 30 + rng.integers(0, span_new, recent.size)
    data = {
        "camera_id": [f"CAM-{i + 1:03d}" for i in range(n)],
        "name": names, "kind": kind, "status": status, "bearing_deg": bearing, "fov_deg": fov,
        "range_m": range_m, "operator": operators,
        "commissioned_on": pd.to_datetime(commissioned),
        "resolution_px": resolution, "lens_fov_deg": lens,
    }
    usable = status != "projet"
    first_day = np.where(usable, (commissioned - start_period).astype("timedelta64[D]")
                         .astype(np.int64), 0)
    views = _Views(np.array(xs), np.array(ys), bearing, fov, range_m, first_day, usable)
    return _points_frame(data, np.array(xs), np.array(ys), "cameras"), views


def _in_view(town: _Town, rng: np.random.Generator, views: _Views,
             day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw one point per incident in the view of a camera working on that day.

    Cameras commissioned during the period only see incidents after their commissioning
    date, so a before/after comparison around them shows the change.
    """
    n = day.size
    cams = np.flatnonzero(views.usable)
    cams = cams[np.argsort(views.first_day[cams], kind="stable")]
    working = np.maximum(np.searchsorted(views.first_day[cams], day, side="right"), 1)
    cam = cams[np.minimum((rng.random(n) * working).astype(np.int64), working - 1)]
    dist = views.range_m[cam] * np.sqrt(rng.uniform(0.02, 0.64, n))
    dome = np.isnan(views.bearing_deg[cam])
    spread = rng.uniform(-0.5, 0.5, n)
    az = np.where(dome, 360.0 * spread, np.nan_to_num(views.bearing_deg[cam])
                  + views.fov_deg[cam] * spread)
    x = views.x[cam] + dist * np.sin(np.radians(az))
    y = views.y[cam] + dist * np.cos(np.radians(az))
    out = ~_inside(town, x, y)
    x[out], y[out] = views.x[cam][out], views.y[cam][out]
    return x, y


# Incidents ----------------------------------------------------------------------------
def _cluster_sampler(town: _Town, facilities: list[tuple[str, str, float, float]]):
    """Return ``sample(name, rng, n) -> (x, y)`` for each spatial cluster."""
    def xy_of(kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        sel = [(r[2], r[3], r[0]) for r in facilities if r[0] in kinds]
        return np.array([(a, b) for a, b, _ in sel]), np.array([k for _, _, k in sel])

    schools, school_kind = xy_of(("college", "lycee", "ecole_elementaire"))
    school_w = np.where(school_kind == "ecole_elementaire", 0.4, 3.0)
    residences, _ = xy_of(("residence_sociale",))
    qpv_ids = [i for i, q in enumerate(_QUARTIERS) if q.qpv]
    qpv_union = shapely.union_all([town.quartiers[i] for i in qpv_ids])
    shapely.prepare(qpv_union)
    residences = residences[shapely.contains_xy(qpv_union, residences[:, 0], residences[:, 1])]
    street = [g for rid, _, _, g in town.roads if rid == "V08"]
    mains = [g for _, _, kind, g in town.roads if kind == "principale" and not g.is_empty]

    def sample(name: str, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        if name == "gare":
            return _around(town, rng, np.array([_PLACES["gare"], _PLACES["pole_bus"]]), n,
                           sd_m=90.0, weights=np.array([2.0, 1.0]))
        if name == "bars":
            return _along(town, rng, street, n, sd_m=12.0)
        if name == "qpv":
            return _around(town, rng, residences, n, sd_m=90.0)
        if name == "deal":
            return _around(town, rng, np.array(_DEAL_POINTS), n, sd_m=22.0,
                           weights=np.array([3.0, 2.0, 1.0]))
        if name == "ecoles":
            return _around(town, rng, schools, n, sd_m=45.0, weights=school_w)
        if name == "marche":
            return _around(town, rng, np.array([_PLACES["marche"]]), n, sd_m=40.0)
        if name == "culte":
            return _around(town, rng, np.array(_WORSHIP), n, sd_m=12.0)
        if name == "axes":
            return _along(town, rng, mains, n, sd_m=8.0)
        if name == "za":
            return _around(town, rng, np.array([_PLACES["za"]]), n, sd_m=260.0)
        raise KeyError(name)

    return sample


def _incidents(town: _Town, facilities: list[tuple[str, str, float, float]], views: _Views,
               rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Return (minutes since the period start, category index, x, y), sorted by time."""
    cal = _calendar()
    codes = [c.code for c in vocab.INCIDENT_CATEGORIES]
    rhythms = [_RHYTHMS[c] for c in codes]
    counts = _allocate(n, np.array([r.share for r in rhythms]))
    cat = np.repeat(np.arange(len(codes)), counts)
    day = np.empty(n, dtype=np.int64)
    hour = np.empty(n, dtype=np.int64)
    where = np.empty(n, dtype=np.int64)  # cluster index, or -1 for the background
    winter = np.isin(cal.month, (11, 12, 1, 2))
    offset = 0
    for c, (code, r) in enumerate(zip(codes, rhythms, strict=True)):
        m = int(counts[c])
        sl = slice(offset, offset + m)
        offset += m
        if not m:
            continue
        day[sl] = _draw(rng, _day_weights(r.week, r.months, r.trend, school_days=r.school_days),
                        m)
        hour[sl] = _draw(rng, _HOURS[r.hours], m)
        if code == "cambriolage":
            # Winter burglaries happen at dusk, when homes are dark and empty.
            dusk = np.flatnonzero(winter[day[sl]] & (rng.random(m) < 0.5))
            hour[sl][dusk] = _draw(rng, _HOURS["winter_dusk"], dusk.size)
        shares = np.array([s for _, s in r.clusters] + [max(0.0, 1.0 - sum(
            s for _, s in r.clusters))])
        idx = np.array([_CLUSTERS.index(name) for name, _ in r.clusters] + [-1])
        where[sl] = idx[_draw(rng, shares, m)] if shares[-1] < 1.0 else -1
        for name, (week, hours, school_only) in _CLUSTER_TIMING.items():
            if code == "violences_scolaires":
                break
            sel = np.flatnonzero(where[sl] == _CLUSTERS.index(name))
            if not sel.size:
                continue
            w = _day_weights(week, "flat", r.trend, school_days=school_only)
            if name == "marche":
                w = w * cal.market_day
            day[sl][sel] = _draw(rng, w, sel.size)
            hour[sl][sel] = _draw(rng, _HOURS[hours], sel.size)
    minute = rng.integers(0, 60, n)
    rounded = rng.random(n) < 0.35  # many reports give a round time
    minute[rounded] = (minute[rounded] // 30) * 30
    minutes = day * 1_440 + hour * 60 + minute

    x = np.empty(n)
    y = np.empty(n)
    sample = _cluster_sampler(town, facilities)
    for k, name in enumerate(_CLUSTERS):
        sel = np.flatnonzero(where == k)
        if sel.size:
            x[sel], y[sel] = sample(name, rng, sel.size)
    # Background: a quartier drawn by population (QPV weighted per category), then a
    # uniform point in it.
    pop = np.array([q.population for q in _QUARTIERS], dtype=float)
    qpv = np.array([q.qpv for q in _QUARTIERS])
    seen = np.isin(cat, [codes.index(c) for c in _CAMERA_CATEGORIES])
    where[seen] = len(_CLUSTERS)
    x[seen], y[seen] = _in_view(town, rng, views, day[seen])
    back = np.flatnonzero(where == -1)
    quartier = np.empty(back.size, dtype=np.int64)
    back_cat = cat[back]
    for c, r in enumerate(rhythms):
        sel = np.flatnonzero(back_cat == c)
        if sel.size:
            quartier[sel] = _draw(rng, pop * np.where(qpv, r.qpv_factor, 1.0), sel.size)
    for q in range(len(_QUARTIERS)):
        sel = back[quartier == q]
        if sel.size:
            x[sel], y[sel] = _uniform_in(town, rng, town.quartiers[q], sel.size)
    order = np.argsort(minutes * 32 + cat, kind="stable")
    return minutes[order], cat[order], x[order], y[order]


def _incident_frame(town: _Town, facilities: list[tuple[str, str, float, float]],
                    views: _Views, rng: np.random.Generator, n: int,
                    quartiers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    minutes, cat, x, y = _incidents(town, facilities, views, rng, n)
    codes = np.array([c.code for c in vocab.INCIDENT_CATEGORIES], dtype=object)
    ids = np.strings.add("INC-", np.strings.zfill(np.arange(1, n + 1).astype(np.str_), 7))
    data = {"incident_id": ids.astype(object),
            "occurred_at": (_START + minutes.astype("timedelta64[m]")).astype("datetime64[ms]"),
            "category": codes[cat]}
    gdf = _points_frame(data, x, y, "incidents")
    gdf["quartier_id"] = areas.assign_quartier(gdf, quartiers)
    return gdf


# Accidents ----------------------------------------------------------------------------
_USERS_FIRST = (("vl", 0.56), ("deux_roues_motorise", 0.15), ("vu", 0.08), ("velo", 0.07),
                ("edp", 0.05), ("pl", 0.04), ("tc", 0.02), ("autre", 0.03))
_USERS_OTHER = (("", 0.14), ("pieton", 0.22), ("vl", 0.36), ("deux_roues_motorise", 0.10),
                ("velo", 0.08), ("edp", 0.04), ("vu", 0.04), ("pl", 0.02))


def _accidents(town: _Town, rng: np.random.Generator) -> gpd.GeoDataFrame:
    cal = _calendar()
    n = int(rng.integers(540, 661))
    w_day = np.array([1.05, 1.05, 1.05, 1.05, 1.15, 0.9, 0.75])[cal.weekday] * np.array(
        [1.0, 0.9, 0.9, 0.95, 1.0, 1.05, 0.95, 0.85, 1.0, 1.1, 1.2, 1.2])[cal.month - 1]
    day = _draw(rng, w_day, n)
    weekend_night = np.isin(cal.weekday[day], (5, 6))
    profile_week = 0.15 + 1.4 * _bump(8.0, 1.0) + 0.7 * _bump(12.5, 1.0) + 2.0 * _bump(
        17.5, 1.4) + 0.5 * _bump(1.0, 2.0)
    profile_weekend = 0.3 + 0.8 * _bump(12.0, 3.0) + 0.8 * _bump(18.0, 2.0) + 1.6 * _bump(
        2.0, 2.0)
    hour = np.where(weekend_night, _draw(rng, profile_weekend, n), _draw(rng, profile_week, n))
    minute = rng.integers(0, 60, n)
    minutes = day * 1_440 + hour * 60 + minute
    # Places: junctions first, then along main roads, a few on streets.
    where = _draw(rng, np.array([0.40, 0.45, 0.15]), n)
    x = np.empty(n)
    y = np.empty(n)
    sel = np.flatnonzero(where == 0)
    x[sel], y[sel] = _around(town, rng, town.junctions, sel.size, sd_m=12.0,
                             weights=town.junction_weight)
    for k, kind in ((1, "principale"), (2, "secondaire")):
        sel = np.flatnonzero(where == k)
        lines = [g for _, _, kd, g in town.roads if kd == kind and not g.is_empty]
        x[sel], y[sel] = _along(town, rng, lines, sel.size, sd_m=4.0)
    # Severity: night accidents are more often serious.
    night = (hour >= 22) | (hour < 6)
    victims = 1 + rng.poisson(0.35, n)
    u = rng.random(n)
    p_killed = np.where(night, 0.05, 0.02)
    p_hosp = np.where(night, 0.25, 0.16)
    fatal = u < p_killed
    serious = ~fatal & (u < p_killed + p_hosp)
    killed = fatal.astype(np.int64) + (fatal & (rng.random(n) < 0.1))
    killed = np.minimum(killed, victims)
    rest = victims - killed
    hosp_extra = rng.binomial(rest, 0.25)
    hospitalised = np.where(serious, 1 + rng.binomial(np.maximum(rest - 1, 0), 0.2),
                            np.where(fatal, hosp_extra, 0))
    slightly = victims - killed - hospitalised
    first_codes = [c for c, _ in _USERS_FIRST]
    other_codes = [c for c, _ in _USERS_OTHER]
    first = _draw(rng, np.array([p for _, p in _USERS_FIRST]), n)
    other = _draw(rng, np.array([p for _, p in _USERS_OTHER]), n)
    order_of = {code: i for i, code in enumerate(vocab.ROAD_USERS)}
    users = []
    for a, b in zip(first, other, strict=True):
        involved = sorted({first_codes[a], other_codes[b]} - {""}, key=order_of.__getitem__)
        users.append(";".join(involved))
    order = np.lexsort((y, x, minutes))
    when = (_START + minutes.astype("timedelta64[m]")).astype("datetime64[ms]")
    data = {"accident_id": [f"ACC-{i + 1:05d}" for i in range(n)],
            "occurred_at": when[order], "killed": killed[order],
            "hospitalised": hospitalised[order], "slightly_injured": slightly[order],
            "user_types": [users[i] for i in order]}
    return _points_frame(data, x[order], y[order], "accidents")


# --------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------
def _check_args(seed: int, n_incidents: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"La graine doit être un entier positif ou nul (reçu : {seed!r}).")
    if (isinstance(n_incidents, bool) or not isinstance(n_incidents, (int, np.integer))
            or not 1 <= n_incidents <= MAX_INCIDENTS):
        top = f"{MAX_INCIDENTS:,}".replace(",", "\u202f")
        raise ValueError(f"Le nombre d'incidents doit être un entier entre 1 et {top} "
                         f"(reçu : {n_incidents!r}).")


def build_demo(*, seed: int = 0, n_incidents: int = 20_000) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers of the fictitious demo commune of Valbourg.

    Parameters
    ----------
    seed
        Seed of the ``numpy`` PCG64 generator; the same seed gives the same layers.
    n_incidents
        Number of incidents over the two years (1 to 5,000,000). From 24 up, every
        incident category is present; at the default 20,000 even the rarest has ≥ 10.

    Returns
    -------
    dict
        ``{layer name: GeoDataFrame}`` for territoire, quartiers, cameras, secteurs,
        incidents, equipements, accidents, voies and actions (a fictitious CLSPD action
        plan, :func:`clspd_geo.plan.actions.demo_plan`), in EPSG:4326, conformed to
        :mod:`clspd_geo.schemas` (each passes ``schemas.validate``).

    Raises
    ------
    ValueError
        ``seed`` is negative or ``n_incidents`` out of range.
    """
    _check_args(seed, n_incidents)
    # One independent PCG64 stream per family of layers, so that changing the number of
    # incidents leaves facilities, cameras and accidents as they were.
    rng_places, rng_cameras, rng_incidents, rng_accidents = np.random.Generator(
        np.random.PCG64(int(seed))).spawn(4)
    town = _town()
    quartiers = _quartiers(town)
    facilities = _facility_rows(town, rng_places)
    equipements = _equipements(town, facilities, rng_places)
    cameras, views = _cameras(town, rng_cameras)
    incidents = _incident_frame(town, facilities, views, rng_incidents, int(n_incidents),
                                quartiers)
    accidents = _accidents(town, rng_accidents)
    return {
        "territoire": _territoire(town),
        "quartiers": quartiers,
        "cameras": cameras,
        "secteurs": _secteurs(town),
        "incidents": incidents,
        "equipements": equipements,
        "accidents": accidents,
        "voies": _voies(town),
        # The CLSPD action plan (issue 8): fixed actions placed on the town plan.
        "actions": actions.demo_plan(quartiers, equipements),
    }


def save_demo(path: str | os.PathLike[str], frames: dict[str, gpd.GeoDataFrame], *,
              seed: int) -> dict[str, int]:
    """Write demo layers to a GeoPackage store and return the row count of each layer.

    The write is one atomic step (:meth:`GeoPackageStore.write_many`): the demo layers
    replace same-named layers of an existing store; other tables are kept.
    """
    GeoPackageStore(path, create=True).write_many(frames, source=source_label(seed))
    return {name: len(gdf) for name, gdf in frames.items()}


def write_demo(path: str | os.PathLike[str], *, seed: int = 0,
               n_incidents: int = 20_000) -> dict[str, int]:
    """Build the demo territory and write it to the GeoPackage at ``path``.

    Parameters
    ----------
    path
        The ``.gpkg`` file (created if absent; an existing one must be a GeoPackage).
    seed, n_incidents
        See :func:`build_demo`.

    Returns
    -------
    dict
        ``{layer name: number of rows written}``.

    Raises
    ------
    DataFileError
        ``path`` exists but is not a GeoPackage (it is left untouched).
    """
    frames = build_demo(seed=seed, n_incidents=n_incidents)
    return save_demo(path, frames, seed=seed)
