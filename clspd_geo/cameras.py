"""What each camera sees: view polygons from position, bearing, field of view and range.

A fixed camera sees a circular sector (a "cone" on the map) of ``fov_deg`` degrees centred
on ``bearing_deg`` (clockwise from north) out to ``range_m`` metres. A dome/PTZ camera, or
a camera with no bearing, sees a full disc. Geometry is built in the metric CRS and handed
back in EPSG:4326.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import crs


def view_polygons(cameras: gpd.GeoDataFrame, *, arc_points: int = 24) -> gpd.GeoDataFrame:
    """Return one view polygon per camera.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS) with ``bearing_deg``, ``fov_deg`` and ``range_m``.
    arc_points
        Vertices on the arc of each sector (more is smoother, and heavier on the map).

    Returns
    -------
    GeoDataFrame
        The camera attributes with the view polygon as geometry, EPSG:4326, plus
        ``full_circle`` (True when the camera sees 360°: dome, or no bearing given).
    """
    work = crs.to_compute(cameras)
    x = work.geometry.x.to_numpy()
    y = work.geometry.y.to_numpy()
    rng = work["range_m"].to_numpy(dtype=float)
    fov = np.clip(work["fov_deg"].to_numpy(dtype=float), 0, 360)
    bearing = work["bearing_deg"].to_numpy(dtype=float)
    full = np.isnan(bearing) | (fov >= 360)
    polys = np.empty(len(work), dtype=object)
    t = np.linspace(0.0, 1.0, arc_points)
    for i in range(len(work)):
        if full[i]:
            polys[i] = shapely.Point(x[i], y[i]).buffer(rng[i], quad_segs=max(4, arc_points // 4))
            continue
        angles = np.radians(bearing[i] - fov[i] / 2 + t * fov[i])
        ax = x[i] + rng[i] * np.sin(angles)
        ay = y[i] + rng[i] * np.cos(angles)
        ring = np.column_stack([np.r_[x[i], ax, x[i]], np.r_[y[i], ay, y[i]]])
        polys[i] = shapely.Polygon(ring)
    out = work.drop(columns=work.geometry.name).copy()
    out["full_circle"] = full
    result = gpd.GeoDataFrame(out, geometry=list(polys), crs=work.crs)
    return crs.to_storage(result)
