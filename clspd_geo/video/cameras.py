"""What each camera sees: view polygons, DORI zones, line of sight, and who sees what.

A fixed camera sees a circular sector (a "cone" on the map) of ``fov_deg`` degrees centred
on ``bearing_deg`` (clockwise from north) out to ``range_m`` metres. A dome/PTZ camera, or
a camera with no bearing, sees a full disc (a missing bearing is flagged, not guessed).

DORI distances follow EN 62676-4: a target is *detected* at 25 pixels per metre,
*observed* at 62, *recognised* at 125 and *identified* at 250. With a horizontal sensor
resolution of ``resolution_px`` pixels and a lens of horizontal field of view ``h``, the
scene is ``2 d tan(h / 2)`` metres wide at distance ``d``, so the density falls to ``ppm``
at ``d = resolution_px / (2 ppm tan(h / 2))``. Each zone is capped at ``range_m``.

When a buildings layer is given, views are cut by building footprints (line of sight in
2D): rays are cast from the camera every ``ray_step_deg`` degrees and stop at the first
wall. Geometry is built in the metric CRS and handed back in EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from clspd_geo import _format, crs
from clspd_geo.errors import SchemaError

DORI_PX_PER_M: dict[str, float] = {
    "detection": 25.0,
    "observation": 62.0,
    "recognition": 125.0,
    "identification": 250.0,
}
"""Pixel densities of the DORI levels (EN 62676-4), pixels per metre of scene width."""

ZONE_LABELS: dict[str, str] = {
    "vue": "Champ de vision",
    "detection": "Détection (25 px/m)",
    "observation": "Observation (62 px/m)",
    "recognition": "Reconnaissance (125 px/m)",
    "identification": "Identification (250 px/m)",
}
"""French labels of the nested zones, widest first."""

# A lens wider than this is a fisheye: the pinhole formula of DORI no longer holds.
_MAX_LENS_FOV_DEG = 170.0
# Rays start this far from the camera so a camera on a façade is not blocked by its own wall.
_WALL_OFFSET_M = 0.5


@dataclass(frozen=True)
class ViewParams:
    """The view parameters of a camera layer, in a metric CRS, after checks.

    Attributes
    ----------
    x, y
        Camera positions, metres (``epsg``).
    bearing_deg
        Viewing direction, degrees clockwise from north in ``[0, 360)``; NaN when missing.
    fov_deg
        Horizontal field of view of the view polygon, degrees (360 for full discs).
    range_m
        Useful range, metres.
    full_circle
        True when the camera sees 360° (dome, field of view of 360°, or no bearing).
    bearing_missing
        True when no bearing was given (treated as 360° and flagged).
    epsg
        The metric CRS.
    """

    x: np.ndarray
    y: np.ndarray
    bearing_deg: np.ndarray
    fov_deg: np.ndarray
    range_m: np.ndarray
    full_circle: np.ndarray
    bearing_missing: np.ndarray
    epsg: int


def _ids(cameras: gpd.GeoDataFrame) -> list[str]:
    if "camera_id" in cameras.columns:
        return [str(v) for v in cameras["camera_id"]]
    return [f"ligne {i + 1}" for i in range(len(cameras))]


def _numeric(cameras: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in cameras.columns:
        return np.full(len(cameras), np.nan)
    return pd.to_numeric(cameras[column], errors="coerce").to_numpy(dtype=float)


def check(cameras: gpd.GeoDataFrame) -> pd.DataFrame:
    """List the problems of a camera layer, one row per camera and problem.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS) with ``bearing_deg``, ``fov_deg`` and ``range_m``.

    Returns
    -------
    DataFrame
        Columns ``camera_id``, ``severity`` (``"erreur"`` blocks the view computation,
        ``"avertissement"`` does not) and ``message`` (French). Empty when all is well.
    """
    ids = _ids(cameras)
    rows: list[tuple[str, str, str]] = []
    missing_cols = [c for c in ("fov_deg", "range_m") if c not in cameras.columns]
    if missing_cols:
        msg = (_format.plural(len(missing_cols), "colonne manquante")
               + " dans la couche des caméras : " + ", ".join(missing_cols)
               + " ; ajoutez le champ de vision (degrés) et la portée (mètres).")
        return pd.DataFrame({"camera_id": ["(couche)"], "severity": ["erreur"],
                             "message": [msg]})
    bearing = _numeric(cameras, "bearing_deg")
    fov = _numeric(cameras, "fov_deg")
    rng = _numeric(cameras, "range_m")
    res = _numeric(cameras, "resolution_px")
    lens = _numeric(cameras, "lens_fov_deg")
    geom = cameras.geometry
    for i, cam in enumerate(ids):
        if geom.iloc[i] is None or geom.iloc[i].is_empty:
            rows.append((cam, "erreur", f"la caméra « {cam} » n'a pas de position ; "
                         "placez-la sur la carte ou renseignez ses coordonnées."))
        if np.isnan(fov[i]):
            rows.append((cam, "erreur", f"la caméra « {cam} » n'a pas de champ de vision "
                         "(fov_deg) ; indiquez-le en degrés (360 pour un dôme)."))
        elif fov[i] > 360 or fov[i] <= 0:
            rows.append((cam, "erreur", f"la caméra « {cam} » a un champ de vision de "
                         f"{fov[i]:g}° : il doit être compris entre 0 (exclu) et 360°."))
        if np.isnan(rng[i]):
            rows.append((cam, "erreur", f"la caméra « {cam} » n'a pas de portée (range_m) ; "
                         "indiquez-la en mètres."))
        elif rng[i] < 0:
            rows.append((cam, "erreur", f"la caméra « {cam} » a une portée négative "
                         f"({rng[i]:g} m) : indiquez une distance positive en mètres."))
        if np.isnan(bearing[i]) and not (fov[i] >= 360):
            rows.append((cam, "avertissement", f"la caméra « {cam} » n'a pas d'orientation "
                         "(bearing_deg) : elle est comptée comme voyant à 360°, ce qui "
                         "surestime sa couverture. Renseignez son orientation."))
        if not np.isnan(res[i]) and res[i] <= 0:
            rows.append((cam, "avertissement", f"la caméra « {cam} » a une résolution de "
                         f"{res[i]:g} pixels : distances DORI non calculées."))
        if not np.isnan(lens[i]) and not 0 < lens[i] <= 360:
            rows.append((cam, "erreur", f"la caméra « {cam} » a un champ d'objectif "
                         f"(lens_fov_deg) de {lens[i]:g}° : il doit être entre 0 et 360°."))
    return pd.DataFrame(rows, columns=["camera_id", "severity", "message"])


def split_valid(cameras: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the cameras whose views can be computed, and the problems of all cameras.

    Cameras with an error (see :func:`check`) are left out of the first frame, so a page
    can draw the others and list the faulty ones; warnings (no bearing) keep the camera.
    """
    problems = check(cameras)
    bad_ids = set(problems.loc[problems["severity"] == "erreur", "camera_id"])
    if "(couche)" in bad_ids:
        return cameras.iloc[0:0], problems
    keep = [cid not in bad_ids for cid in _ids(cameras)]
    return cameras[np.asarray(keep, dtype=bool)], problems


def _raise_errors(problems: pd.DataFrame) -> None:
    errors = problems[problems["severity"] == "erreur"]
    if errors.empty:
        return
    shown = "; ".join(errors["message"].head(8))
    more = (f" (et {_format.count(len(errors) - 8, 'autre')})" if len(errors) > 8 else "")
    verb = "empêche" if len(errors) < 2 else "empêchent"
    msg = (f"Couche des caméras : {_format.count(len(errors), 'erreur')} {verb} de calculer "
           "les champs de "
           f"vision : {shown}{more}. Corrigez ces caméras dans le fichier source ou sur la "
           "page « Données », puis rechargez.")
    raise SchemaError(msg)


def view_params(cameras: gpd.GeoDataFrame, *, epsg: int | None = None) -> ViewParams:
    """Check a camera layer and return its view parameters in metres.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS).
    epsg
        Metric CRS to use (default: the layer's own, see :func:`crs.metric_epsg`).

    Raises
    ------
    SchemaError
        A field of view outside ``]0, 360]``, a negative or missing range, a missing
        position: all such cameras are listed in one French message.
    """
    _raise_errors(check(cameras))
    work = crs.to_compute(cameras, epsg=epsg)
    x = work.geometry.x.to_numpy(dtype=float) if len(work) else np.zeros(0)
    y = work.geometry.y.to_numpy(dtype=float) if len(work) else np.zeros(0)
    bearing = _numeric(cameras, "bearing_deg")
    missing = np.isnan(bearing)
    bearing = np.where(missing, np.nan, np.mod(bearing, 360.0))
    fov = _numeric(cameras, "fov_deg")
    rng = _numeric(cameras, "range_m")
    flagged = missing & (fov < 360)
    full = missing | (fov >= 360)
    fov = np.where(full, 360.0, fov)
    return ViewParams(x, y, bearing, fov, rng, full, flagged, int(work.crs.to_epsg()))


def dori_distances(cameras: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the DORI distances of each camera, in metres.

    The lens field of view is ``lens_fov_deg`` when given, else ``fov_deg`` when it is at
    most 170° (a dome's 360° sweep says nothing about its lens). Without a resolution or
    a usable lens angle the distances are NaN. Distances are capped at ``range_m``.

    Parameters
    ----------
    cameras
        Cameras layer with ``fov_deg``, ``range_m`` and optionally ``resolution_px``
        (horizontal pixels) and ``lens_fov_deg``.

    Returns
    -------
    DataFrame
        Same index as ``cameras``; columns ``detection_m``, ``observation_m``,
        ``recognition_m``, ``identification_m`` (metres, NaN when unknown).
    """
    res = _numeric(cameras, "resolution_px")
    lens = _numeric(cameras, "lens_fov_deg")
    fov = _numeric(cameras, "fov_deg")
    rng = _numeric(cameras, "range_m")
    hfov = np.where(np.isnan(lens), np.where(fov <= _MAX_LENS_FOV_DEG, fov, np.nan), lens)
    hfov = np.where((hfov > 0) & (hfov <= _MAX_LENS_FOV_DEG), hfov, np.nan)
    res = np.where(res > 0, res, np.nan)
    half_tan = np.tan(np.radians(np.nan_to_num(hfov, nan=90.0)) / 2.0)
    out = {}
    for level, ppm in DORI_PX_PER_M.items():
        dist = res / (2.0 * ppm * half_tan)
        dist = np.where(np.isnan(hfov), np.nan, dist)
        out[f"{level}_m"] = np.where(np.isnan(dist), np.nan, np.minimum(dist, rng))
    return pd.DataFrame(out, index=cameras.index)


def sector(x: float, y: float, bearing: float, fov: float, radius: float, full: bool,
           arc_points: int) -> shapely.Polygon:
    """Return the view of one camera at (x, y) metres: a circular sector, or a disc.

    ``bearing`` and ``fov`` in degrees (clockwise from north), ``radius`` in metres;
    ``full`` draws a disc. An empty polygon for a radius of zero.
    """
    if radius <= 0:
        return shapely.Polygon()
    if full:
        return shapely.Point(x, y).buffer(radius, quad_segs=max(4, arc_points // 4))
    t = np.linspace(0.0, 1.0, arc_points)
    angles = np.radians(bearing - fov / 2 + t * fov)
    ax = x + radius * np.sin(angles)
    ay = y + radius * np.cos(angles)
    ring = np.column_stack([np.r_[x, ax, x], np.r_[y, ay, y]])
    return shapely.Polygon(ring)


@dataclass(frozen=True)
class Obstacles:
    """Building footprints in a metric CRS, indexed for line-of-sight queries."""

    geoms: np.ndarray
    tree: shapely.STRtree
    epsg: int


def obstacles(buildings: gpd.GeoDataFrame, *, epsg: int) -> Obstacles:
    """Index building footprints (any CRS) in the metric CRS ``epsg`` for line of sight."""
    crs.require_crs(buildings, layer="bâtiments")
    work = buildings.to_crs(epsg=epsg)
    geoms = work.geometry.to_numpy()
    keep = np.array([g is not None and not g.is_empty and g.geom_type in
                     ("Polygon", "MultiPolygon") for g in geoms], dtype=bool)
    geoms = shapely.make_valid(geoms[keep]) if keep.any() else geoms[keep]
    return Obstacles(geoms, shapely.STRtree(geoms), epsg)


def _visible(x: float, y: float, bearing: float, fov: float, radius: float, full: bool,
             obs: Obstacles, *, ray_step_deg: float, arc_points: int) -> shapely.Geometry:
    """Return the part of a sector seen from (x, y) when walls block the view (2D)."""
    cone = sector(x, y, bearing, fov, radius, full, arc_points)
    if radius <= 0:
        return cone
    near = obs.tree.query(shapely.Point(x, y).buffer(radius, quad_segs=4))
    if len(near) == 0:
        return cone
    blocks = obs.geoms[near]
    # A camera is mounted on a building; a point geocoded inside one means "on its façade".
    own = shapely.contains_xy(blocks, x, y)
    walls = shapely.union_all(blocks[~own]) if (~own).any() else shapely.Polygon()
    if walls.is_empty:
        return shapely.difference(cone, shapely.union_all(blocks[own])) if own.any() else cone
    n_rays = max(3, int(np.ceil(fov / ray_step_deg)) + 1)
    start = 0.0 if full else bearing - fov / 2
    angles = np.radians(start + np.linspace(0.0, fov, n_rays, endpoint=not full))
    dx, dy = np.sin(angles), np.cos(angles)
    x0, y0 = x + _WALL_OFFSET_M * dx, y + _WALL_OFFSET_M * dy
    x1, y1 = x + radius * dx, y + radius * dy
    rays = shapely.linestrings(np.stack([np.column_stack([x0, y0]),
                                         np.column_stack([x1, y1])], axis=1))
    hits = shapely.intersection(rays, walls.boundary)
    dist = shapely.distance(shapely.Point(x, y), hits)
    length = np.where(np.isnan(dist), radius, np.minimum(dist, radius))
    length = np.where(shapely.contains_xy(walls, x0, y0), 0.0, length)
    ex, ey = x + length * dx, y + length * dy
    if full:
        ring = np.column_stack([ex, ey])
    else:
        ring = np.column_stack([np.r_[x, ex, x], np.r_[y, ey, y]])
    poly = shapely.make_valid(shapely.Polygon(ring))
    poly = shapely.intersection(poly, cone)
    poly = shapely.difference(poly, walls)
    if own.any():
        poly = shapely.difference(poly, shapely.union_all(blocks[own]))
    parts = shapely.get_parts(poly)
    polys = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon") and p.area > 0]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _polygons(p: ViewParams, radius: np.ndarray, *, arc_points: int,
              obs: Obstacles | None, ray_step_deg: float) -> np.ndarray:
    polys = np.empty(len(p.x), dtype=object)
    for i in range(len(p.x)):
        r = float(radius[i]) if np.isfinite(radius[i]) else 0.0
        if obs is None:
            polys[i] = sector(p.x[i], p.y[i], p.bearing_deg[i], p.fov_deg[i], r,
                               bool(p.full_circle[i]), arc_points)
        else:
            polys[i] = _visible(p.x[i], p.y[i], p.bearing_deg[i], p.fov_deg[i], r,
                                bool(p.full_circle[i]), obs, ray_step_deg=ray_step_deg,
                                arc_points=arc_points)
    return polys


def view_polygons(cameras: gpd.GeoDataFrame, *, arc_points: int = 24,
                  buildings: gpd.GeoDataFrame | None = None,
                  ray_step_deg: float = 1.0) -> gpd.GeoDataFrame:
    """Return one view polygon per camera.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS) with ``bearing_deg``, ``fov_deg`` and ``range_m``
        (optionally ``resolution_px`` and ``lens_fov_deg`` for DORI distances).
    arc_points
        Vertices on the arc of each sector (more is smoother, and heavier on the map).
    buildings
        Building footprints (any CRS); when given, each view stops at the first wall.
    ray_step_deg
        Angle between two line-of-sight rays, degrees (only with ``buildings``).

    Returns
    -------
    GeoDataFrame
        The camera attributes with the view polygon as geometry, EPSG:4326, plus
        ``full_circle`` (True when the camera sees 360°: dome, or no bearing given),
        ``bearing_missing`` (True when no bearing was given: flagged, counted as 360°)
        and, when ``resolution_px`` is a column, the DORI distances ``detection_m``,
        ``observation_m``, ``recognition_m``, ``identification_m`` (metres).

    Raises
    ------
    SchemaError
        A field of view above 360° or not positive, a negative or missing range.
    """
    p = view_params(cameras)
    obs = None if buildings is None else obstacles(buildings, epsg=p.epsg)
    polys = _polygons(p, p.range_m, arc_points=arc_points, obs=obs, ray_step_deg=ray_step_deg)
    geom_name = cameras.geometry.name
    out = pd.DataFrame(cameras.drop(columns=geom_name)).copy()
    out["full_circle"] = p.full_circle
    out["bearing_missing"] = p.bearing_missing
    if "resolution_px" in cameras.columns:
        out = out.join(dori_distances(cameras))
    result = gpd.GeoDataFrame(out, geometry=list(polys), crs=p.epsg)
    return crs.to_storage(result)


def view_zones(cameras: gpd.GeoDataFrame, *, arc_points: int = 24,
               buildings: gpd.GeoDataFrame | None = None,
               ray_step_deg: float = 1.0) -> gpd.GeoDataFrame:
    """Return the nested DORI zones of every camera, widest first.

    Each camera gives a ``vue`` zone (its whole view, out to ``range_m``) and, when its
    resolution and lens are known, the ``detection``, ``observation``, ``recognition``
    and ``identification`` zones: the same sector out to the DORI distance. Zones are
    nested (each inside the previous one) and cut by buildings when given.

    Returns
    -------
    GeoDataFrame
        Columns ``camera_id``, ``zone`` (code), ``zone_label`` (French), ``distance_m``
        (outer radius, metres), ``level`` (0 for the view, 1–4 for DORI levels); EPSG:4326.
    """
    p = view_params(cameras)
    obs = None if buildings is None else obstacles(buildings, epsg=p.epsg)
    dori = dori_distances(cameras)
    ids = _ids(cameras)
    frames = []
    for level, zone in enumerate(["vue", *DORI_PX_PER_M]):
        radius = p.range_m if zone == "vue" else dori[f"{zone}_m"].to_numpy(dtype=float)
        has = np.isfinite(radius) & (radius > 0)
        if not has.any():
            continue
        polys = _polygons(p, np.where(has, radius, 0.0), arc_points=arc_points, obs=obs,
                          ray_step_deg=ray_step_deg)
        frames.append(gpd.GeoDataFrame(
            {"camera_id": np.asarray(ids, dtype=object)[has], "zone": zone,
             "zone_label": ZONE_LABELS[zone], "distance_m": radius[has], "level": level},
            geometry=list(polys[has]), crs=p.epsg))
    if not frames:
        return gpd.GeoDataFrame({"camera_id": [], "zone": [], "zone_label": [],
                                 "distance_m": [], "level": []},
                                geometry=gpd.GeoSeries([], crs=p.epsg)).to_crs(4326)
    return crs.to_storage(pd.concat(frames, ignore_index=True))


def seen_by(cameras: gpd.GeoDataFrame, points: gpd.GeoDataFrame, *,
            zone: str = "vue", buildings: gpd.GeoDataFrame | None = None,
            ray_step_deg: float = 1.0, epsg: int | None = None) -> sparse.csr_array:
    """Return which camera sees which point, as a sparse boolean matrix.

    A point is seen when it is within the zone's distance of the camera and inside its
    angular sector (and, with ``buildings``, not hidden by a wall).

    Parameters
    ----------
    cameras
        Cameras layer (any CRS).
    points
        Points (incidents, demand cells…) in any CRS.
    zone
        ``"vue"`` (whole view, out to ``range_m``) or a DORI level (``"detection"``,
        ``"observation"``, ``"recognition"``, ``"identification"``); cameras whose DORI
        distance is unknown see nothing at that level.
    buildings
        Building footprints (any CRS) cutting the views.
    epsg
        Metric CRS to measure in (default: the cameras').

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(len(points), len(cameras))``, True where the camera sees the point.
    """
    n_pts, n_cam = len(points), len(cameras)
    if n_cam == 0 or n_pts == 0:
        return sparse.csr_array((n_pts, n_cam), dtype=bool)
    if zone not in ZONE_LABELS:
        raise SchemaError(f"Zone inconnue « {zone} » (zones : {', '.join(ZONE_LABELS)}).")
    p = view_params(cameras, epsg=epsg)
    pts = crs.to_compute(points, epsg=p.epsg)
    px = pts.geometry.x.to_numpy(dtype=float)
    py = pts.geometry.y.to_numpy(dtype=float)
    radius = (p.range_m if zone == "vue"
              else dori_distances(cameras)[f"{zone}_m"].to_numpy(dtype=float))
    radius = np.where(np.isfinite(radius), radius, 0.0)
    return seen_by_xy(p, px, py, radius_m=radius, buildings=buildings,
                      ray_step_deg=ray_step_deg)


def seen_by_xy(p: ViewParams, px: np.ndarray, py: np.ndarray, *, radius_m: np.ndarray,
               buildings: gpd.GeoDataFrame | None = None,
               ray_step_deg: float = 1.0) -> sparse.csr_array:
    """Return the points ``(px, py)`` (metres, ``p.epsg``) seen by each camera of ``p``.

    Same rule as :func:`seen_by`, with positions already projected and one radius per
    camera (metres). Returns a sparse boolean ``(n_points, n_cameras)`` matrix.
    """
    n_pts, n_cam = len(px), len(p.x)
    ok = np.isfinite(px) & np.isfinite(py)
    idx_ok = np.flatnonzero(ok)
    if n_cam == 0 or len(idx_ok) == 0:
        return sparse.csr_array((n_pts, n_cam), dtype=bool)
    tree = cKDTree(np.column_stack([px[idx_ok], py[idx_ok]]))
    near = tree.query_ball_point(np.column_stack([p.x, p.y]), r=np.maximum(radius_m, 0.0))
    obs = None if buildings is None else obstacles(buildings, epsg=p.epsg)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for j in range(n_cam):
        cand = idx_ok[np.asarray(near[j], dtype=np.int64)]
        if len(cand) == 0 or radius_m[j] <= 0:
            continue
        if not p.full_circle[j]:
            dx, dy = px[cand] - p.x[j], py[cand] - p.y[j]
            ang = np.degrees(np.arctan2(dx, dy))
            diff = np.abs((ang - p.bearing_deg[j] + 180.0) % 360.0 - 180.0)
            at_camera = (dx == 0) & (dy == 0)
            cand = cand[(diff <= p.fov_deg[j] / 2 + 1e-9) | at_camera]
        if obs is not None and len(cand):
            poly = _visible(p.x[j], p.y[j], p.bearing_deg[j], p.fov_deg[j],
                            float(radius_m[j]), bool(p.full_circle[j]), obs,
                            ray_step_deg=ray_step_deg, arc_points=64)
            cand = cand[shapely.intersects_xy(poly, px[cand], py[cand])]
        rows.append(cand)
        cols.append(np.full(len(cand), j, dtype=np.int64))
    if not rows:
        return sparse.csr_array((n_pts, n_cam), dtype=bool)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    return sparse.csr_array((np.ones(len(r), dtype=bool), (r, c)), shape=(n_pts, n_cam))
