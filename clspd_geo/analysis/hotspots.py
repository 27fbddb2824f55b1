"""The hotspot zones a page draws: the densest parts of the territory, or Gi* hot spots.

:func:`hotspot_map` turns projected incidents into dissolved zones with a French caption,
from the kernel density (:mod:`clspd_geo.analysis.density`, :func:`density_zones`) or
Gi* on counted cells (:mod:`clspd_geo.analysis.counts`,
:mod:`clspd_geo.analysis.spatial_stats`); :func:`zones_layer` draws them with folium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import config, crs
from clspd_geo.analysis import cells, counts, density, selection
from clspd_geo.analysis.counts import MIN_INCIDENTS
from clspd_geo.errors import EmptySelectionError


DENSITY_COLORS = ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
DENSITY_SHARES = (0.20, 0.10, 0.05, 0.02, 0.01)
"""The density map shows the densest 20 %, 10 %, 5 %, 2 % and 1 % of the territory."""


def density_zones(density: density.Density) -> gpd.GeoDataFrame:
    """Return the densest parts of the territory as dissolved polygons, in EPSG:4326.

    One row per class of :data:`DENSITY_SHARES` (the cells in the densest 20 % of the
    territory but not the densest 10 %, and so on). Columns ``share_pct`` (the class's
    upper share of the territory), ``min_density_per_km2``, ``label`` (French), ``color``.
    """
    flat = density.density_per_km2.ravel()
    keep = density.inside & np.isfinite(flat)
    vals = flat[keep]
    if vals.size == 0 or not np.any(vals > 0):
        raise counts.not_enough(0, minimum=MIN_INCIDENTS)
    thresholds = [float(np.quantile(vals, 1 - s)) for s in DENSITY_SHARES]
    polys = density.grid.polygons()
    rows = []
    for i, (share, thr) in enumerate(zip(DENSITY_SHARES, thresholds, strict=True)):
        upper = thresholds[i + 1] if i + 1 < len(thresholds) else np.inf
        sel = keep & (np.nan_to_num(flat, nan=-np.inf) >= thr) & (
            np.nan_to_num(flat, nan=-np.inf) < upper) & (flat > 0)
        if not sel.any():
            continue
        geom = shapely.coverage_union_all(polys[sel])
        rows.append({"share_pct": 100 * share, "min_density_per_km2": thr,
                     "label": (f"{100 * share:g} % du territoire les plus denses "
                               f"(≥ {thr:.0f} faits/km²)"),
                     "color": DENSITY_COLORS[i], "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=density.grid.epsg)
    return gdf.to_crs(config.STORAGE_CRS)


def zones_layer(zones: gpd.GeoDataFrame, *, name: str,
                show: bool = True) -> folium.FeatureGroup:
    """Return a folium layer of hotspot zones (``label`` and ``color`` columns, EPSG:4326).

    Works for :func:`density_zones` and :func:`clspd_geo.analysis.spatial_stats.gi_zones`.
    """
    from clspd_geo import safe  # local: keeps the import graph light for notebooks

    work = crs.to_storage(zones)
    data = gpd.GeoDataFrame(
        {"label": [safe.text(v) for v in work["label"]],
         "color": list(work["color"])},
        geometry=work.geometry.set_precision(1e-6), crs=config.STORAGE_CRS)
    fg = folium.FeatureGroup(name=safe.text(name), show=show)
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["color"], "color": "#555555",
                                  "weight": 0.3, "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["label"], aliases=["Zone"], sticky=True),
    ).add_to(fg)
    return fg


def legend_items(zones: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """Return ``(color, label)`` pairs for a legend, in the zones' order."""
    return list(zip(zones["color"], zones["label"], strict=True))



# -- the hotspot layer of a page -----------------------------------------------------------
MapMode = Literal["densite", "gi_star"]
MAP_MODES = {"densite": "Densité (lissage par noyau)",
             "gi_star": "Points chauds statistiques (Gi*, confiance 90/95/99 %)"}
MAX_DENSITY_CELLS = 250_000
"""The density grid is coarsened beyond this many cells (about 25 km × 25 km at 50 m)."""


@dataclass(frozen=True)
class HotspotMap:
    """What a page draws for its hotspots.

    Attributes
    ----------
    zones
        Dissolved polygons in EPSG:4326 with ``label`` and ``color`` (may be empty).
    title
        Layer name (French).
    caption
        French sentence saying how the layer was made and how to read it.
    n_incidents
        Incidents used.
    empty_reason
        French sentence when nothing stands out (the map then shows no zone), else "".
    """

    zones: gpd.GeoDataFrame
    title: str
    caption: str
    n_incidents: int
    empty_reason: str = ""


def density_cell_m(grid_extent_m: float, *, preferred_m: float = 50.0) -> float:
    """Return the density grid step: ``preferred_m`` unless the grid would be too big."""
    cells_per_side = grid_extent_m / preferred_m
    if cells_per_side**2 <= MAX_DENSITY_CELLS:
        return preferred_m
    return float(np.ceil(grid_extent_m / np.sqrt(MAX_DENSITY_CELLS) / 10.0) * 10.0)


def hotspot_map(x: np.ndarray, y: np.ndarray, territory: gpd.GeoDataFrame, *,
                mode: MapMode = "densite", gi_cell_m: float = config.HOTSPOT_CELL_M,
                weights: np.ndarray | None = None,
                min_incidents: int = MIN_INCIDENTS) -> HotspotMap:
    """Return the hotspot zones of incidents for a page's map.

    Parameters
    ----------
    x, y
        Incident positions in metres, in the territory's metric CRS
        (:func:`clspd_geo.crs.metric_epsg` of ``territory``).
    territory
        Polygons of the territory (any CRS).
    mode
        ``"densite"``: kernel density, the densest 20/10/5/2/1 % of the territory
        (:func:`density_zones`); ``"gi_star"``: Gi* hot and cold spots after FDR on
        ``gi_cell_m`` cells (:func:`clspd_geo.analysis.spatial_stats.gi_zones`).

    Raises
    ------
    EmptySelectionError
        Too few incidents ("pas assez de données"), or cells larger than the territory.
    """
    from clspd_geo.analysis import spatial_stats

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if mode == "gi_star":
        grid = cells.grid_for(territory, cell_size_m=gi_cell_m)
        inside = cells.inside_mask(grid, territory)
        counted = counts.count_xy(grid, x, y, inside=inside, weights=weights)
        if counted.n_incidents < min_incidents:
            raise counts.not_enough(counted.n_incidents, minimum=min_incidents)
        res = spatial_stats.gi_star(counted.values, grid, inside=inside)
        zones = spatial_stats.gi_zones(res)
        caption = (f"Gi* sur des cellules de {gi_cell_m:g} m : une cellule est un point chaud "
                   "quand elle et ses voisines comptent nettement plus de faits que la moyenne "
                   "du territoire ; la correction des tests multiples (FDR) garde au plus "
                   "5 % de fausses alertes parmi les points chauds à 95 %. "
                   f"{counted.n_incidents} faits.")
        reason = "" if len(zones) else (
            "Aucun point chaud ni point froid statistiquement significatif : la répartition "
            "des faits ne se distingue pas du hasard à l'échelle de ces cellules.")
        return HotspotMap(zones, MAP_MODES["gi_star"], caption, counted.n_incidents, reason)
    probe = cells.grid_for(territory, cell_size_m=50.0)
    step = density_cell_m(max(probe.nx, probe.ny) * 50.0)
    grid = probe if step == 50.0 else cells.grid_for(territory, cell_size_m=step)
    inside = cells.inside_mask(grid, territory)
    dens = density.density_xy(grid, x, y, inside=inside, weights=weights,
                              min_incidents=min_incidents)
    zones = density_zones(dens)
    caption = (f"Densité lissée (noyau gaussien de {dens.bandwidth_m:.0f} m, grille de "
               f"{grid.cell_m:g} m, corrigée au bord du territoire) : les zones colorées sont "
               "les 20 %, 10 %, 5 %, 2 % et 1 % du territoire où les faits sont les plus "
               f"denses. {dens.n_incidents} faits.")
    return HotspotMap(zones, MAP_MODES["densite"], caption, dens.n_incidents)


def study_area(territory: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame,
               quartier_ids: Sequence[str] = (), *,
               communes: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """Return the area hotspots are computed over: the territory, or the chosen quartiers.

    When the page is filtered to some quartiers (or communes, INSEE codes), Gi* and the
    density must compare those with themselves: against the whole territory, the empty
    rest would make the selection look hot.

    Raises
    ------
    EmptySelectionError
        None of the chosen quartiers (or communes) exists.
    """
    if not quartier_ids and communes:
        chosen = selection.communes_in(territory, communes)
        if chosen.empty:
            msg = ("Les communes choisies n'existent pas dans la couche « territoire » : "
                   "réinitialisez le filtre des communes.")
            raise EmptySelectionError(msg)
        return chosen
    if not quartier_ids:
        return territory
    chosen = quartiers[quartiers["quartier_id"].astype(str).isin([str(q) for q in quartier_ids])]
    if chosen.empty:
        msg = ("Les quartiers choisis n'existent pas dans la couche « quartiers » : "
               "réinitialisez le filtre des quartiers.")
        raise EmptySelectionError(msg)
    return chosen
