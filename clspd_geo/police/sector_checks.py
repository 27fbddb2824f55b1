"""Checks of a sectors layer and shape figures of sectors.

Sectors of the same force should neither overlap nor leave holes between them, and each
should see some incidents (:func:`check_sectors`). Shape is read with the Polsby–Popper
compactness (1 for a disc) and the largest distance across a sector (:func:`shape_table`).
All measures are taken in the territory's metric CRS; the faulty places are handed back in
EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, crs, vocab
from clspd_geo.analysis import indicators
from clspd_geo.police._geom import polygonal
from clspd_geo.police.load import sector_of


def polsby_popper(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Return the Polsby–Popper compactness ``4πA / P²`` of metric polygons (1 = disc)."""
    g = np.asarray(geoms)
    area = shapely.area(g)
    perim = shapely.length(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perim > 0, 4 * np.pi * area / perim**2, np.nan)


def max_distance_m(geoms: np.ndarray | gpd.GeoSeries) -> np.ndarray:
    """Return the largest straight-line distance inside each metric polygon (its diameter).

    It is the longest trip a patrol may have to make across the sector, as the crow flies.
    """
    out = np.zeros(len(geoms))
    for i, g in enumerate(np.asarray(geoms)):
        if g is None or g.is_empty:
            out[i] = np.nan
            continue
        pts = shapely.get_coordinates(shapely.convex_hull(g))
        d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
        out[i] = float(d.max())
    return out


def shape_table(sectors: gpd.GeoDataFrame, *, id_column: str = "sector_id") -> pd.DataFrame:
    """Return ``sector_id``, ``area_m2``, ``polsby_popper`` and ``max_distance_m`` per sector."""
    work = crs.to_compute(sectors)
    g = shapely.make_valid(work.geometry.to_numpy())
    return pd.DataFrame({"sector_id": sectors[id_column].astype(str).to_numpy(),
                         "area_m2": shapely.area(g), "polsby_popper": polsby_popper(g),
                         "max_distance_m": max_distance_m(g)})


# -- checks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SectorCheck:
    """Problems found in a sectors layer.

    Attributes
    ----------
    problems
        French messages, one per problem, naming the sectors and the place.
    places
        The faulty places, EPSG:4326: ``kind`` (``"chevauchement"``, ``"trou"``,
        ``"sans_fait"``), ``force``, ``sectors``, ``area_m2``.
    """

    problems: list[str]
    places: gpd.GeoDataFrame

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems


def _where(geom: shapely.Geometry, epsg: int) -> str:
    """Describe a metric place by its centre in WGS84, for a message."""
    p = shapely.point_on_surface(geom)
    lon, lat = gpd.GeoSeries([p], crs=epsg).to_crs(4326).iloc[0].coords[0]
    return f"vers {lat:.5f} N, {lon:.5f} E"


def check_sectors(sectors: gpd.GeoDataFrame, *, incidents: gpd.GeoDataFrame | None = None,
                  min_area_m2: float = 100.0) -> SectorCheck:
    """Find overlapping or gapped sectors of the same force, and sectors with no incident.

    Sectors of *different* forces may overlap (that is the PN/PM coordination question, see
    :func:`clspd_geo.police.coordination.coordination`); sectors of the *same* force should
    not, and should leave no hole between them.

    Parameters
    ----------
    sectors
        ``sector_id``, ``force`` and polygons, any CRS.
    incidents
        When given, sectors in which no incident falls are reported (a row with an ``n``
        column stands for ``n`` incidents).
    min_area_m2
        Overlaps and holes smaller than this are digitising noise and are ignored.
    """
    crs.require_crs(sectors, layer="secteurs")
    work = crs.to_compute(sectors)
    epsg = int(work.crs.to_epsg())
    ids = work["sector_id"].astype(str).to_numpy()
    # Messages name a sector by its name (« Centre-ville »), not its code (« PN-1 »).
    names = ids.copy()
    if "name" in work.columns:
        given = work["name"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        names = np.where(given != "", given, ids).astype(object)
    forces = (work["force"].astype(str).to_numpy() if "force" in work.columns
              else np.full(len(work), ""))
    geoms = shapely.make_valid(work.geometry.to_numpy())
    problems: list[str] = []
    rows: list[dict] = []
    places: list[shapely.Geometry] = []
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    for i, j in zip(a, b):
        if i >= j or forces[i] != forces[j]:
            continue
        inter = polygonal(shapely.intersection(geoms[i], geoms[j]))
        if inter.is_empty or inter.area < min_area_m2:
            continue
        label = vocab.FORCES.get(forces[i], forces[i])
        problems.append(f"Les secteurs « {names[i]} » et « {names[j]} » ({label}) se chevauchent "
                        f"sur {_format.number(inter.area / 1e4, decimals=2)} ha "
                        f"({_where(inter, epsg)}). Un lieu ne doit "
                        "relever que d'un secteur par force : corrigez leurs limites.")
        rows.append({"kind": "chevauchement", "force": forces[i], "sectors": f"{ids[i]}, {ids[j]}",
                     "area_m2": float(inter.area)})
        places.append(inter)
    for force in dict.fromkeys(forces):
        union = shapely.union_all(geoms[forces == force])
        for poly in shapely.get_parts(union):
            for ring in poly.interiors:
                hole = shapely.Polygon(ring)
                if hole.area < min_area_m2:
                    continue
                near_k = [k for k in np.flatnonzero(forces == force)
                          if geoms[k].distance(hole) < 1.0]
                near = [ids[k] for k in near_k]
                label = vocab.FORCES.get(force, force)
                area_ha = _format.number(hole.area / 1e4, decimals=2)
                problems.append(f"Trou de {area_ha} ha entre les secteurs "
                                f"{', '.join(f'« {names[k]} »' for k in near_k)} ({label}, "
                                f"{_where(hole, epsg)}) : aucun secteur de cette force ne "
                                "couvre ce lieu. Étendez l'un des secteurs voisins.")
                rows.append({"kind": "trou", "force": force, "sectors": ", ".join(near),
                             "area_m2": float(hole.area)})
                places.append(hole)
    if incidents is not None:
        pairs = sector_of(incidents, sectors)
        n = indicators.weights(incidents)[pairs["point"].to_numpy()]
        counts = np.bincount(pairs["sector"].to_numpy(), weights=n, minlength=len(work))
        for k in np.flatnonzero(counts == 0):
            label = vocab.FORCES.get(forces[k], forces[k])
            problems.append(f"Aucun fait enregistré dans le secteur « {names[k]} » ({label}) sur "
                            "la période : sa charge est nulle. Vérifiez la période choisie, ou "
                            "que les faits sont bien géolocalisés.")
            rows.append({"kind": "sans_fait", "force": forces[k], "sectors": ids[k],
                         "area_m2": float(geoms[k].area)})
            places.append(geoms[k])
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["kind", "force", "sectors", "area_m2"]),
                             geometry=gpd.GeoSeries(places, crs=epsg))
    return SectorCheck(problems, crs.to_storage(frame))
