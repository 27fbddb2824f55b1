"""Incidents counted on square or hexagonal cells, and the inputs every hotspot method shares.

The inputs: point positions in metres (:func:`points_xy`), weights (:func:`incident_weights`,
:func:`severity_weights`), the data's coordinate precision (:func:`check_precision`) and the
French "pas assez de données" error (:func:`not_enough`). Everything is computed in the
territory's metric CRS (Lambert-93 in mainland France, see :func:`clspd_geo.crs.to_compute`)
and handed back in EPSG:4326 with units in column names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import config, crs, vocab
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError, SchemaError

CellShape = Literal["square", "hex"]
Grid = cells.Grid | cells.HexGrid

MIN_INCIDENTS = 30
"""Fewest incidents a hotspot map is drawn from; below it the library says "pas assez"."""

KERNEL_RADIUS_SD = 5.0
"""Kernels are cut at 5 bandwidths (the Gaussian is 4e-6 of its peak there)."""

ACCIDENT_WEIGHTS = {"killed": 10.0, "hospitalised": 4.0, "slightly_injured": 1.0}
"""Severity weight of an injury accident: 10 per death, 4 per hospitalised victim, 1 per
slightly injured victim (at least 1), a simple gravity index in the spirit of the ONISR's."""



# -- inputs ------------------------------------------------------------------------------
def not_enough(n: int, *, minimum: int,
               what: str = "faits dans la sélection") -> EmptySelectionError:
    """Return the French "not enough data" error for ``n`` incidents (to raise)."""
    if n == 0:
        msg = ("Aucun fait ne correspond à la sélection (période, catégories, territoire) : "
               "élargissez la période ou ajoutez des catégories.")
    else:
        msg = (f"Pas assez de données : seulement {n} {what}, il en faut au moins "
               f"{minimum} pour que des points chauds veuillent dire quelque chose. "
               "Élargissez la période ou regroupez des catégories.")
    return EmptySelectionError(msg)


def severity_weights(frame: pd.DataFrame) -> np.ndarray:
    """Return a severity weight per row of an incidents or accidents frame.

    Incidents (a ``category`` column) get their category's severity (1–5) from
    :mod:`clspd_geo.vocab`; accidents (``killed``, ``hospitalised``, ``slightly_injured``)
    get :data:`ACCIDENT_WEIGHTS`.

    Raises
    ------
    SchemaError
        The frame has neither kind of column.
    """
    if all(c in frame.columns for c in ACCIDENT_WEIGHTS):
        total = sum(pd.to_numeric(frame[c], errors="coerce").fillna(0).to_numpy(dtype=float) * w
                    for c, w in ACCIDENT_WEIGHTS.items())
        return np.maximum(np.asarray(total, dtype=float), 1.0)
    if "category" in frame.columns:
        sev = vocab.severity_weights()
        return frame["category"].astype("string").map(sev).fillna(1).to_numpy(dtype=float)
    msg = ("Impossible de pondérer par la gravité : la couche n'a ni colonne « category » "
           "(faits) ni colonnes « killed », « hospitalised », « slightly_injured » (accidents).")
    raise SchemaError(msg)


def incident_weights(frame: pd.DataFrame,
                     weights: str | np.ndarray | None) -> np.ndarray | None:
    """Return one weight per row of ``frame``, or ``None`` when unweighted.

    ``weights`` is ``None``, ``"severity"`` (:func:`severity_weights`), a column name or
    an array of one weight per row.

    Raises
    ------
    SchemaError
        Unknown column, or an array of the wrong length.
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights == "severity":
            return severity_weights(frame)
        if weights not in frame.columns:
            msg = (f"La colonne de pondération « {weights} » n'existe pas "
                   f"(colonnes : {', '.join(map(str, frame.columns))}).")
            raise SchemaError(msg)
        return pd.to_numeric(frame[weights], errors="coerce").fillna(0).to_numpy(dtype=float)
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(frame),):
        raise SchemaError("Il faut un poids par fait.")
    return w


def points_xy(incidents: gpd.GeoDataFrame, *, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the x, y (metres, ``epsg``) of point incidents; rows without a point are NaN."""
    crs.require_crs(incidents, layer="incidents")
    xy = crs.metric_xy(incidents, epsg=epsg)
    return xy[:, 0], xy[:, 1]


def coordinate_precision_m(lon: np.ndarray, lat: np.ndarray) -> float:
    """Return the rounding step of WGS84 coordinates, in metres (0 when finer than 1 m).

    Open data is sometimes published rounded (to 0.001°, about 111 m, to protect victims);
    a grid finer than that would show the rounding lattice, not the incidents. The step is
    the largest power-of-ten fraction of a degree that 99 % of the coordinates sit on.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon, lat = lon[ok], lat[ok]
    if lon.size == 0:
        return 0.0
    for decimals in range(0, 6):
        step = 10.0 ** -decimals
        on_lon = np.abs(lon / step - np.rint(lon / step)) < 1e-6
        on_lat = np.abs(lat / step - np.rint(lat / step)) < 1e-6
        if (on_lon & on_lat).mean() >= 0.99:
            return float(step * 111_320.0)
    return 0.0


def check_cell_size(cell_size_m: float, *, precision_m: float) -> None:
    """Raise :class:`EmptySelectionError` when cells are finer than the data's precision."""
    if precision_m > 0 and cell_size_m < precision_m:
        msg = (f"Des cellules de {cell_size_m:.0f} m sont plus fines que la précision des "
               f"positions (arrondies à environ {precision_m:.0f} m) : la carte montrerait "
               f"l'arrondi, pas les faits. Choisissez des cellules d'au moins "
               f"{np.ceil(precision_m):.0f} m.")
        raise EmptySelectionError(msg)


def make_grid(territory: gpd.GeoDataFrame, *, cell_size_m: float,
              shape: CellShape = "square", epsg: int | None = None) -> Grid:
    """Return a square or hexagonal grid over the territory (metric CRS).

    Raises
    ------
    EmptySelectionError
        Empty territory, non-positive cell size, or a cell larger than the territory.
    """
    if shape == "hex":
        return cells.hex_grid_for(territory, cell_size_m=cell_size_m, epsg=epsg)
    return cells.grid_for(territory, cell_size_m=cell_size_m, epsg=epsg)


# -- counts on cells --------------------------------------------------------------------
@dataclass(frozen=True)
class CellCounts:
    """Incidents counted on the cells of a territory.

    Attributes
    ----------
    grid
        The square or hexagonal grid (metric CRS).
    inside
        Flat boolean mask of the cells whose centre is in the territory.
    counts
        Number of incidents per cell (flat, ``grid.n_cells``; 0 outside the territory).
    weighted
        Sum of the weights per cell, or ``None`` when unweighted.
    n_incidents
        Incidents counted (inside the territory).
    n_outside
        Incidents dropped because they fall outside the territory or have no position.
    """

    grid: Grid
    inside: np.ndarray
    counts: np.ndarray
    weighted: np.ndarray | None
    n_incidents: int
    n_outside: int

    @property
    def values(self) -> np.ndarray:
        """The weighted sums when weighted, else the counts."""
        return self.counts if self.weighted is None else self.weighted

    def frame(self, *, nonzero_only: bool = False) -> gpd.GeoDataFrame:
        """Return the territory's cells in EPSG:4326.

        Columns: ``cell_id``, ``row``, ``col``, ``n_incidents``, ``incidents_per_km2``, and
        when weighted ``weighted_total`` and ``weighted_per_km2``.
        """
        keep = self.inside & (self.counts > 0) if nonzero_only else self.inside
        gdf = cells.cells_frame(self.grid, self.counts, keep=keep, column="n_incidents")
        flat = gdf["cell_id"].to_numpy()
        km2 = self.grid.cell_area_m2 / 1e6
        gdf.insert(4, "incidents_per_km2", self.counts[flat] / km2)
        if self.weighted is not None:
            gdf.insert(5, "weighted_total", self.weighted[flat])
            gdf.insert(6, "weighted_per_km2", self.weighted[flat] / km2)
        return gdf


def count_xy(grid: Grid, x: np.ndarray, y: np.ndarray, *, inside: np.ndarray,
             weights: np.ndarray | None = None) -> CellCounts:
    """Count points (metres, the grid's CRS) on the cells inside the territory."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    idx = grid.cell_index(np.nan_to_num(x, nan=-1e18), np.nan_to_num(y, nan=-1e18))
    ok = idx >= 0
    ok[ok] = inside[idx[ok]]
    counts = np.bincount(idx[ok], minlength=grid.n_cells).astype(float)
    weighted = None
    if weights is not None:
        weighted = np.bincount(idx[ok], weights=np.asarray(weights, dtype=float)[ok],
                               minlength=grid.n_cells)
    n = int(ok.sum())
    return CellCounts(grid, inside, counts, weighted, n, int(len(x) - n))


def cell_counts(incidents: gpd.GeoDataFrame, territory: gpd.GeoDataFrame, *,
                cell_size_m: float = config.HOTSPOT_CELL_M, shape: CellShape = "square",
                weights: str | np.ndarray | None = None,
                min_incidents: int = MIN_INCIDENTS) -> CellCounts:
    """Count incidents on square or hexagonal cells of ``cell_size_m`` metres.

    Parameters
    ----------
    incidents
        Point layer, any CRS.
    territory
        Polygons of the territory (cells whose centre is outside are left out).
    cell_size_m
        Side of a square, or distance between neighbouring hexagon centres.
    shape
        ``"square"`` or ``"hex"``.
    weights
        ``None``, ``"severity"`` (see :func:`severity_weights`), a column name, or an array.
    min_incidents
        Fewer incidents inside the territory raise "pas assez de données".

    Raises
    ------
    EmptySelectionError
        Nothing selected, too few incidents, cells larger than the territory or finer
        than the data's precision.
    """
    grid = make_grid(territory, cell_size_m=cell_size_m, shape=shape)
    check_precision(incidents, cell_size_m)
    x, y = points_xy(incidents, epsg=grid.epsg)
    result = count_xy(grid, x, y, inside=cells.inside_mask(grid, territory),
                      weights=incident_weights(incidents, weights))
    if result.n_incidents < min_incidents:
        raise not_enough(result.n_incidents, minimum=min_incidents)
    return result


def check_precision(incidents: gpd.GeoDataFrame, cell_size_m: float) -> None:
    """Raise "pas assez" when empty, or when ``cell_size_m`` is finer than the positions."""
    if incidents.empty:
        raise not_enough(0, minimum=MIN_INCIDENTS)
    work = crs.to_storage(incidents)
    geom = work.geometry
    ok = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    if ok.any():
        check_cell_size(cell_size_m, precision_m=coordinate_precision_m(
            geom[ok].x.to_numpy(), geom[ok].y.to_numpy()))

