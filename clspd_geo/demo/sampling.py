"""Sampling helpers of the demo: points around centres, along roads, uniform in a polygon.

All vectorised, all driven by the one ``numpy`` generator they are given; every point
stays inside the commune, off its edge margin.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Point

from clspd_geo.demo import townplan

def inside_town(town: townplan.Town, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Tell which local points are inside the commune, off its edge margin."""
    # Points within the inscribed circle are inside for sure: test only the others.
    inside = x * x + y * y < town.inner_radius_m**2
    rest = np.flatnonzero(~inside)
    if rest.size:
        inside[rest] = shapely.contains_xy(town.safe, x[rest], y[rest])
    return inside


def around(town: townplan.Town, rng: np.random.Generator, centres: np.ndarray, n: int, *,
           sd_m: float, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points scattered (Gaussian, ``sd_m``) around weighted centres."""
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    k = rng.choice(len(centres), size=n, p=p)
    x = centres[k, 0] + rng.normal(0.0, sd_m, n)
    y = centres[k, 1] + rng.normal(0.0, sd_m, n)
    for _ in range(30):
        out = np.flatnonzero(~inside_town(town, x, y))
        if not out.size:
            break
        x[out] = centres[k[out], 0] + rng.normal(0.0, sd_m, out.size)
        y[out] = centres[k[out], 1] + rng.normal(0.0, sd_m, out.size)
    out = ~inside_town(town, x, y)
    x[out], y[out] = centres[k[out], 0], centres[k[out], 1]
    return x, y


def along(town: townplan.Town, rng: np.random.Generator, lines: list[shapely.Geometry], n: int, *,
          sd_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points along lines (uniform by length), scattered by ``sd_m``."""
    lengths = np.array([g.length for g in lines])
    k = rng.choice(len(lines), size=n, p=lengths / lengths.sum())
    dist = rng.random(n) * lengths[k]
    geoms = np.asarray(lines, dtype=object)[k]
    base = shapely.get_coordinates(shapely.line_interpolate_point(geoms, dist))
    x = base[:, 0] + rng.normal(0.0, sd_m, n)
    y = base[:, 1] + rng.normal(0.0, sd_m, n)
    out = ~inside_town(town, x, y)
    # A point pushed across the edge goes back onto its road (roads are clipped inside).
    x[out], y[out] = base[out, 0], base[out, 1]
    still = np.flatnonzero(~inside_town(town, x, y))
    if still.size:
        x[still], y[still] = uniform_in(town, rng, town.territory, still.size)
    return x, y


def uniform_in(town: townplan.Town, rng: np.random.Generator, polygon: shapely.Geometry,
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
        keep[keep] = inside_town(town, x[keep], y[keep])
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def bearing_deg(dx: float, dy: float) -> float:
    """Azimuth of a vector, degrees clockwise from north, in [0, 360)."""
    return float(np.degrees(np.arctan2(dx, dy)) % 360.0)


def road_direction(town: townplan.Town, x: float, y: float, *, road_id: str | None = None,
                   kinds: tuple[str, ...] = ("principale", "secondaire")) -> tuple[float, str]:
    """Return the azimuth of the nearest road (or of ``road_id``) at a point, and its name."""
    pt = Point(x, y)
    candidates = [(g.distance(pt), name, g) for rid, name, kind, g in town.roads
                  if (rid == road_id if road_id else kind in kinds) and not g.is_empty]
    _, name, line = min(candidates, key=lambda c: c[0])
    s = line.project(pt)
    a = line.interpolate(max(s - 10.0, 0.0))
    b = line.interpolate(min(s + 10.0, line.length))
    return bearing_deg(b.x - a.x, b.y - a.y), name
