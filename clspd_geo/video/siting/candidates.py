"""Candidate camera sites: from a point layer, the crossings of the roads, or a grid.

Sites come from a layer (street crossings, lamp posts…), from the crossings of the roads
layer (:func:`street_crossings`), from a grid restricted to public space
(:func:`grid_sites`), or from points clicked on a map; :func:`candidates_from_points` turns
any of these into :class:`~clspd_geo.video.siting.model.Candidates`, naming each site after
its streets when a roads layer is given (:func:`road_labels`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, config, crs
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError
from clspd_geo.video.siting.model import DEFAULT_COST_EUR, Candidates


def candidates_from_points(points: gpd.GeoDataFrame, *, epsg: int | None = None,
                           id_column: str | None = None, label_column: str | None = None,
                           cost_eur: float | str = DEFAULT_COST_EUR,
                           territory: gpd.GeoDataFrame | None = None,
                           voies: gpd.GeoDataFrame | None = None) -> Candidates:
    """Return candidate sites from a point layer (crossings, lamp posts, clicked points).

    Parameters
    ----------
    points
        Points, any CRS.
    epsg
        Metric CRS (default: the points' own).
    id_column, label_column
        Columns holding an identifier and a place name (default: row numbers, coordinates).
    cost_eur
        One cost for every site, or the name of a column of costs (euros).
    territory
        When given, sites outside it are dropped (their number is in ``dropped_outside``).
    voies
        A roads layer with a ``name`` column: a site without a place name (no
        ``label_column``, or an empty value) is named after its streets (see
        :func:`road_labels`) instead of its coordinates.

    Raises
    ------
    EmptySelectionError
        No candidate site, or none inside the territory.
    """
    if len(points) == 0:
        raise EmptySelectionError("Aucun site candidat : choisissez une couche de sites, "
                                  "les carrefours, une grille, ou cliquez des points sur la carte.")
    work = crs.to_compute(points, epsg=epsg)
    geom = work.geometry
    ok = (geom.notna() & ~geom.is_empty).to_numpy().copy()
    ok &= (geom.geom_type == "Point").to_numpy()
    dropped = 0
    if territory is not None and len(territory):
        area = shapely.union_all(crs.to_compute(territory, epsg=int(work.crs.to_epsg()))
                                 .geometry.to_numpy())
        inside = np.zeros(len(work), dtype=bool)
        inside[ok] = shapely.covers(area, geom[ok].to_numpy())
        dropped = int((ok & ~inside).sum())
        ok &= inside
    if not ok.any():
        msg = (f"Aucun des {len(points)} sites candidats n'est dans le territoire : vérifiez "
               "la couche des sites (coordonnées, système de coordonnées) ou la commune "
               "choisie.")
        raise EmptySelectionError(msg)
    x = geom[ok].x.to_numpy(dtype=float)
    y = geom[ok].y.to_numpy(dtype=float)
    rows = np.flatnonzero(ok)
    ids = (tuple(str(v) for v in work[id_column].to_numpy()[rows]) if id_column
           else tuple(f"S{i + 1}" for i in rows))
    labels = [""] * len(x)
    if label_column:
        labels = ["" if pd.isna(v) else str(v).strip()
                  for v in work[label_column].to_numpy()[rows]]
    missing = np.flatnonzero([not t for t in labels])
    if len(missing) and voies is not None and len(voies) and "name" in voies.columns:
        named = road_labels(x[missing], y[missing], voies, epsg=int(work.crs.to_epsg()))
        for i, t in zip(missing, named, strict=True):
            labels[i] = t
        missing = np.flatnonzero([not t for t in labels])
    if len(missing):
        lonlat = gpd.GeoSeries(geom[ok].to_numpy()[missing], crs=work.crs).to_crs(
            config.STORAGE_CRS)
        for i, pt in zip(missing, lonlat, strict=True):
            labels[i] = f"{pt.y:.5f}, {pt.x:.5f}"
    labels = tuple(labels)
    if isinstance(cost_eur, str):
        if cost_eur not in work.columns:
            raise EmptySelectionError(f"La couche des sites n'a pas de colonne « {cost_eur} » "
                                      "pour le coût.")
        cost = pd.to_numeric(work[cost_eur], errors="coerce").to_numpy(dtype=float)[rows]
        if np.isnan(cost).any() or (cost < 0).any():
            raise EmptySelectionError(f"La colonne « {cost_eur} » contient des coûts vides ou "
                                      "négatifs : indiquez un coût en euros pour chaque site.")
    else:
        if cost_eur < 0:
            raise EmptySelectionError("Le coût d'un site ne peut pas être négatif.")
        cost = np.full(len(x), float(cost_eur))
    return Candidates(x, y, ids, labels, cost, int(work.crs.to_epsg()), dropped)


def road_labels(x: np.ndarray, y: np.ndarray, voies: gpd.GeoDataFrame, *, epsg: int,
                crossing_m: float = 15.0, near_m: float = 150.0) -> list[str]:
    """Name places after their streets: « A × B » at a crossing, « A » on a road.

    Parameters
    ----------
    x, y
        Positions, metres (``epsg``).
    voies
        Roads layer (any CRS) with a ``name`` column.
    crossing_m
        Roads of different names within this distance make a crossing « A × B » (the two
        nearest names); one name alone gives « A ».
    near_m
        Otherwise the nearest named road within this distance gives « près de A (40 m) ».

    Returns
    -------
    list of str
        One French label per position; ``""`` when no named road is near.
    """
    roads = crs.to_compute(voies, epsg=epsg)
    names = roads["name"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
    keep = (names != "") & roads.geometry.notna().to_numpy()
    lines, names = roads.geometry.to_numpy()[keep], names[keep]
    out = [""] * len(x)
    if len(lines) == 0 or len(x) == 0:
        return out
    pts = shapely.points(x, y)
    tree = shapely.STRtree(lines)
    pi, li = tree.query(pts, predicate="dwithin", distance=crossing_m)
    dist = shapely.distance(pts[pi], lines[li])
    order = np.lexsort((dist, pi))
    for p_i, l_i in zip(pi[order], li[order], strict=True):
        label = out[p_i]
        parts = label.split(" × ") if label else []
        if names[l_i] not in parts and len(parts) < 2:
            out[p_i] = " × ".join([*parts, names[l_i]])
    rest = np.flatnonzero([not t for t in out])
    if len(rest):
        (qi, qli), d = tree.query_nearest(pts[rest], max_distance=near_m, return_distance=True,
                                         all_matches=False)
        for q, l_i, dd in zip(qi, qli, d, strict=True):
            out[rest[q]] = f"près de {names[l_i]} ({_format.number(dd)} m)"
    return out


def street_crossings(voies: gpd.GeoDataFrame, *, epsg: int | None = None,
                     snap_m: float = 0.5) -> gpd.GeoDataFrame:
    """Return the crossings of a roads layer: nodes where three or more road ends meet.

    Lines are noded together first (a crossing in the middle of two lines counts).

    Returns
    -------
    GeoDataFrame
        ``crossing_id``, ``degree`` (number of road ends meeting), ``name`` (the road
        names when the layer has a ``name`` column); points in EPSG:4326.
    """
    work = crs.to_compute(voies, epsg=epsg)
    lines = work.geometry.to_numpy()
    if len(lines) == 0:
        raise EmptySelectionError("La couche des voies est vide : aucun carrefour à proposer.")
    noded = shapely.get_parts(shapely.union_all(lines))
    noded = noded[shapely.get_type_id(noded) == 1]  # LineString
    starts = shapely.get_coordinates(shapely.get_point(noded, 0))
    ends = shapely.get_coordinates(shapely.get_point(noded, -1))
    ends_xy = np.round(np.vstack([starts, ends]) / snap_m) * snap_m
    uniq, degree = np.unique(ends_xy, axis=0, return_counts=True)
    keep = degree >= 3
    pts = gpd.GeoDataFrame({"crossing_id": [f"X{i + 1}" for i in range(int(keep.sum()))],
                            "degree": degree[keep]},
                           geometry=gpd.points_from_xy(uniq[keep, 0], uniq[keep, 1]),
                           crs=work.crs)
    if "name" in work.columns and len(pts):
        near = gpd.sjoin_nearest(pts, work[["name", work.geometry.name]], how="left",
                                 max_distance=snap_m * 4)
        names = near.groupby(level=0)["name"].agg(
            lambda s: " × ".join(sorted({str(v) for v in s.dropna()})))
        pts["name"] = names.reindex(pts.index).fillna("").to_numpy()
    return crs.to_storage(pts)


def grid_sites(territory: gpd.GeoDataFrame, *, spacing_m: float,
               public_space: gpd.GeoDataFrame | None = None,
               buildings: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return a regular grid of candidate sites inside the territory.

    Parameters
    ----------
    spacing_m
        Distance between two neighbouring sites, metres.
    public_space
        Polygons of public space (streets, squares); sites must fall inside.
    buildings
        Building footprints; sites inside a building are dropped.

    Returns
    -------
    GeoDataFrame
        ``site_id`` and points, EPSG:4326.
    """
    grid = cells.grid_for(territory, cell_size_m=spacing_m)
    keep = cells.inside_mask(grid, territory)
    cx, cy = grid.centres()
    if public_space is not None and len(public_space):
        ps = shapely.union_all(crs.to_compute(public_space, epsg=grid.epsg).geometry.to_numpy())
        keep &= shapely.contains_xy(ps, cx, cy)
    if buildings is not None and len(buildings):
        b = shapely.union_all(crs.to_compute(buildings, epsg=grid.epsg).geometry.to_numpy())
        keep &= ~shapely.contains_xy(b, cx, cy)
    flat = np.flatnonzero(keep)
    if len(flat) == 0:
        raise EmptySelectionError(f"Aucun site sur une grille de {spacing_m:g} m dans "
                                  "l'espace public du territoire : réduisez l'espacement.")
    gdf = gpd.GeoDataFrame({"site_id": [f"G{i + 1}" for i in range(len(flat))]},
                           geometry=gpd.points_from_xy(cx[flat], cy[flat]), crs=grid.epsg)
    return crs.to_storage(gdf)
