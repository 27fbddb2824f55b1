"""Where incidents concentrate: counts on square or hexagonal cells, and kernel density.

Everything is computed in the territory's metric CRS (Lambert-93 in mainland France, see
:func:`clspd_geo.crs.to_compute`) and handed back in EPSG:4326 with units in column names.

Kernel density (:func:`kde_grid`) is a *binned, separable* Gaussian estimate: each point
is assigned to its nearest grid node together with its offset ``(u, v)`` from that node,
and the kernel is expanded to second order in the offset (Taylor series of the Gaussian),
so the grid result matches the exact sum of Gaussians to about ``(cell/2h)**3``, far below
what plain or linear binning gives. The Gaussian is separable, so the smoothing is two
1-D convolutions per moment (direct for short kernels, by FFT along each axis for long
ones), which takes a few milliseconds for a city at 50 m; the binning of a million points
takes most of the time.

Edge correction ("clipped to the territory"): the density at a node is divided by the
share of its kernel that falls inside the territory (Diggle's correction), so a hotspot on
the boundary is not diluted by the empty land beyond it; nodes outside are ``NaN``.

Default bandwidth (:func:`default_bandwidth_m`): Scott's rule for two dimensions,
``h = sigma * n ** (-1/6)``, with a robust spread ``sigma`` (the mean over x and y of
``min(standard deviation, interquartile range / 1.349)``, as in Silverman's rule) and
``n`` the effective number of incidents (``(sum w)**2 / sum w**2`` when weighted); never
below one cell, since a narrower kernel would only draw the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import fft as sp_fft
from scipy import ndimage

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


def _weights(frame: pd.DataFrame, weights: str | np.ndarray | None) -> np.ndarray | None:
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
    geom = incidents.geometry
    ok = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    x = np.full(len(incidents), np.nan)
    y = np.full(len(incidents), np.nan)
    if ok.any():
        work = incidents[ok]
        if work.crs.to_epsg() != 4326:
            work = work.to_crs(4326)
        px, py = crs.project_xy(work.geometry.x.to_numpy(), work.geometry.y.to_numpy(), epsg=epsg)
        x[ok], y[ok] = px, py
    return x, y


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
    _check_precision(incidents, cell_size_m)
    x, y = points_xy(incidents, epsg=grid.epsg)
    result = count_xy(grid, x, y, inside=cells.inside_mask(grid, territory),
                      weights=_weights(incidents, weights))
    if result.n_incidents < min_incidents:
        raise not_enough(result.n_incidents, minimum=min_incidents)
    return result


def _check_precision(incidents: gpd.GeoDataFrame, cell_size_m: float) -> None:
    if incidents.empty:
        raise not_enough(0, minimum=MIN_INCIDENTS)
    work = crs.to_storage(incidents)
    geom = work.geometry
    ok = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    if ok.any():
        check_cell_size(cell_size_m, precision_m=coordinate_precision_m(
            geom[ok].x.to_numpy(), geom[ok].y.to_numpy()))


# -- kernel density ---------------------------------------------------------------------
def default_bandwidth_m(x: np.ndarray, y: np.ndarray, *, cell_size_m: float,
                        weights: np.ndarray | None = None) -> float:
    """Return the default KDE bandwidth in metres (robust Scott rule, at least one cell).

    See the module docstring for the rule.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 2:
        return float(cell_size_m)
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    n_eff = x.size if w is None else float(w.sum() ** 2 / max((w**2).sum(), 1e-300))

    def spread(v: np.ndarray) -> float:
        sd = float(np.std(v))
        q75, q25 = np.percentile(v, [75, 25])
        iqr = float(q75 - q25) / 1.349
        return min(sd, iqr) if iqr > 0 else sd

    sigma = (spread(x) + spread(y)) / 2
    return float(max(sigma * n_eff ** (-1 / 6), cell_size_m))


def _kernel_taps(step_m: float, bandwidth_m: float) -> list[np.ndarray]:
    """Return g, g', g'' sampled at node offsets within the kernel radius (1-D filters)."""
    r = int(np.ceil(KERNEL_RADIUS_SD * bandwidth_m / step_m))
    t = np.arange(-r, r + 1) * step_m
    h = bandwidth_m
    g0 = np.exp(-0.5 * (t / h) ** 2) / (np.sqrt(2 * np.pi) * h)
    return [g0, -t / h**2 * g0, (t**2 / h**4 - 1 / h**2) * g0]


FFT_MIN_TAPS = 25
"""Kernels longer than this many grid steps are applied by FFT rather than directly."""


def _smooth(moment_rows: list[np.ndarray], kernels: list[np.ndarray], axis: int) -> np.ndarray:
    """Return sum_k (kernels[k] convolved with moment_rows[k]) along ``axis`` (0: y, 1: x)."""
    if len(kernels[0]) > FFT_MIN_TAPS:
        return _smooth_fft(moment_rows, kernels, axis)
    out = None
    for m, k in zip(moment_rows, kernels, strict=False):
        # correlate1d computes sum_j w[j] m[i + j - r]; out[a] = sum_c g(a - c) m[c] is a
        # convolution, so the taps are reversed (g' is odd, hence the sign matters).
        # 1-D correlations beat dense matrix products here: no BLAS threads to fight over.
        part = ndimage.correlate1d(m, k[::-1], axis=axis, mode="constant")
        out = part if out is None else out + part
    return out


def _smooth_fft(moment_rows: list[np.ndarray], kernels: list[np.ndarray],
                axis: int) -> np.ndarray:
    """Same as :func:`_smooth` by FFT: the products are summed before one inverse transform."""
    n = moment_rows[0].shape[axis]
    taps = len(kernels[0])
    size = sp_fft.next_fast_len(n + taps - 1, real=True)
    shape = [1, 1]
    shape[axis] = -1
    acc = None
    for m, k in zip(moment_rows, kernels, strict=False):
        spec = sp_fft.rfft(m, n=size, axis=axis, workers=1)
        spec *= sp_fft.rfft(k, n=size, workers=1).reshape(shape)
        acc = spec if acc is None else acc + spec
    full = sp_fft.irfft(acc, n=size, axis=axis, workers=1)
    r = (taps - 1) // 2
    return full[r:r + n, :] if axis == 0 else full[:, r:r + n]


def _binned_moments(grid: cells.Grid, x: np.ndarray, y: np.ndarray, *,
                    weights: np.ndarray | None,
                    inside: np.ndarray | None) -> list[np.ndarray]:
    """Return the six Taylor moments per node, ``(ny, nx)`` each, in metres.

    Each point goes to the node (cell centre) of the cell holding it, with its offset
    ``(u, v)`` from the node; the moments are ``sum w``, ``sum w (-u)``, ``sum w (-v)``,
    ``sum w u²/2``, ``sum w u v``, ``sum w v²/2``. Points off the grid or, when ``inside``
    is given, in a cell outside the territory are ignored. Written for speed: offsets are
    computed in cell units in place and scaled on the (small) node arrays.
    """
    d = grid.cell_m
    fx = np.asarray(x, dtype=float) - grid.x0
    fx *= 1.0 / d
    fy = np.asarray(y, dtype=float) - grid.y0
    fy *= 1.0 / d
    w = None if weights is None else np.asarray(weights, dtype=float)
    # min/max propagate NaN, so a missing coordinate also takes the masked path.
    on_grid = (fx.size == 0 or (fx.min() >= 0 and fx.max() < grid.nx
                                and fy.min() >= 0 and fy.max() < grid.ny))
    if not on_grid:
        ok = (fx >= 0) & (fx < grid.nx) & (fy >= 0) & (fy < grid.ny)
        fx, fy = fx[ok], fy[ok]
        w = None if w is None else w[ok]
    col = fx.astype(np.int64)
    row = fy.astype(np.int64)
    flat = row * grid.nx
    flat += col
    fx -= col  # f, g: position inside the cell, in [0, 1); the node is at 0.5
    fy -= row
    n = grid.n_cells

    def bc(values: np.ndarray | None) -> np.ndarray:
        if w is not None:
            values = w if values is None else values * w
        out = np.bincount(flat, weights=values, minlength=n).astype(float, copy=False)
        if inside is not None:
            # A point belongs to the node of its cell: dropping the points of cells outside
            # the territory is zeroing those nodes' moments (cheaper than masking points).
            out[~inside] = 0.0
        return out.reshape(grid.ny, grid.nx)

    # Offsets from the node are u = f - 1/2, v = g - 1/2: the moments of (u, v) follow from
    # those of (f, g) on the small node arrays, which saves two passes over the points.
    s0, sf, sg = bc(None), bc(fx), bc(fy)
    sff, sfg, sgg = bc(fx * fx), bc(fx * fy), bc(fy * fy)
    su = sf - 0.5 * s0
    sv = sg - 0.5 * s0
    suu = sff - sf + 0.25 * s0
    svv = sgg - sg + 0.25 * s0
    suv = sfg - 0.5 * (sf + sg) + 0.25 * s0
    return [s0, su * -d, sv * -d, suu * (0.5 * d * d), suv * (d * d), svv * (0.5 * d * d)]


def kde_grid(grid: cells.Grid, x: np.ndarray, y: np.ndarray, *, bandwidth_m: float,
             weights: np.ndarray | None = None,
             inside: np.ndarray | None = None) -> np.ndarray:
    """Return the Gaussian kernel density at the cell centres of a square grid.

    Parameters
    ----------
    grid
        Square grid; the density is evaluated at the centre of each cell.
    x, y
        Points in the grid's metric CRS (metres). Points off the grid, or (when ``inside``
        is given) in a cell outside the territory, are ignored.
    bandwidth_m
        Standard deviation of the Gaussian kernel, metres.
    weights
        Optional weight per point.
    inside
        Flat mask of the territory's cells. When given, the density is edge-corrected
        (divided by the share of each node's kernel inside the territory) and is ``NaN``
        outside.

    Returns
    -------
    ndarray
        ``(ny, nx)`` density in (weighted) incidents per square metre.
    """
    if bandwidth_m <= 0:
        raise EmptySelectionError("La largeur de lissage doit être strictement positive.")
    d = grid.cell_m
    moments = _binned_moments(grid, x, y, weights=weights, inside=inside)
    m00, m10, m01, m20, m11, m02 = moments
    k = _kernel_taps(d, bandwidth_m)
    # Separable: smooth along x with g^(k) for each x-order k, then along y with g^(l).
    a0 = _smooth([m00, m10, m20], k, 1)
    a1 = _smooth([m01, m11], k[:2], 1)
    a2 = _smooth([m02], k[:1], 1)
    density = _smooth([a0, a1, a2], k, 0)
    if len(k[0]) > FFT_MIN_TAPS:
        # FFT round-off leaves ~1e-16 of the peak where there is nothing: make it exactly 0.
        density[np.abs(density) < 1e-12 * np.abs(density).max()] = 0.0
    if inside is None:
        return density
    mask = inside.reshape(grid.ny, grid.nx).astype(float)
    share = _smooth([_smooth([mask], k[:1], 1)], k[:1], 0) * d * d
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = density / share
    corrected[mask == 0] = np.nan
    return corrected


def exact_kde(grid: cells.Grid, x: np.ndarray, y: np.ndarray, *, bandwidth_m: float,
              weights: np.ndarray | None = None) -> np.ndarray:
    """Return the exact sum of Gaussians at the cell centres (slow: for checks only).

    Same units and conventions as :func:`kde_grid` without ``inside``.
    """
    cx = grid.x0 + (np.arange(grid.nx) + 0.5) * grid.cell_m
    cy = grid.y0 + (np.arange(grid.ny) + 0.5) * grid.cell_m
    h = bandwidth_m
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    gx = np.exp(-0.5 * ((cx[None, :] - np.asarray(x)[:, None]) / h) ** 2)
    gy = np.exp(-0.5 * ((cy[None, :] - np.asarray(y)[:, None]) / h) ** 2)
    return (gy * w[:, None]).T @ gx / (2 * np.pi * h * h)


@dataclass(frozen=True)
class Density:
    """A kernel density surface over a territory.

    Attributes
    ----------
    grid
        Square grid of the surface (metric CRS); values sit at cell centres.
    inside
        Flat mask of the territory's cells.
    density_per_km2
        ``(ny, nx)`` (weighted) incidents per km²; ``NaN`` outside the territory.
    bandwidth_m
        Kernel bandwidth (standard deviation), metres.
    n_incidents
        Incidents used.
    """

    grid: cells.Grid
    inside: np.ndarray
    density_per_km2: np.ndarray
    bandwidth_m: float
    n_incidents: int

    def frame(self, *, top_share: float = 1.0) -> gpd.GeoDataFrame:
        """Return the territory's cells with ``density_per_km2`` in EPSG:4326.

        ``top_share`` keeps only that share of the territory's cells, the densest first.
        """
        flat = self.density_per_km2.ravel()
        keep = self.inside & np.isfinite(flat)
        if top_share < 1.0:
            vals = flat[keep]
            k = max(1, int(np.ceil(top_share * vals.size)))
            threshold = np.partition(vals, vals.size - k)[vals.size - k]
            keep &= np.nan_to_num(flat, nan=-np.inf) >= threshold
        return cells.cells_frame(self.grid, np.nan_to_num(flat), keep=keep,
                                 column="density_per_km2")


def kde(incidents: gpd.GeoDataFrame, territory: gpd.GeoDataFrame, *, cell_size_m: float = 50.0,
        bandwidth_m: float | None = None, weights: str | np.ndarray | None = None,
        min_incidents: int = MIN_INCIDENTS) -> Density:
    """Return the kernel density of incidents on a square grid clipped to the territory.

    Parameters
    ----------
    incidents
        Point layer, any CRS.
    territory
        Polygons of the territory; the density is edge-corrected and ``NaN`` outside.
    cell_size_m
        Grid step, metres.
    bandwidth_m
        Kernel bandwidth in metres; default :func:`default_bandwidth_m`.
    weights
        ``None``, ``"severity"``, a column name, or an array (one weight per incident).

    Raises
    ------
    EmptySelectionError
        Nothing selected, too few incidents, cells larger than the territory or finer
        than the data's precision.
    """
    grid = cells.grid_for(territory, cell_size_m=cell_size_m)
    _check_precision(incidents, cell_size_m)
    x, y = points_xy(incidents, epsg=grid.epsg)
    w = _weights(incidents, weights)
    inside = cells.inside_mask(grid, territory)
    return density_xy(grid, x, y, inside=inside, bandwidth_m=bandwidth_m, weights=w,
                      min_incidents=min_incidents)


def density_xy(grid: cells.Grid, x: np.ndarray, y: np.ndarray, *, inside: np.ndarray,
               bandwidth_m: float | None = None, weights: np.ndarray | None = None,
               min_incidents: int = MIN_INCIDENTS) -> Density:
    """Return the :class:`Density` of projected points (metres, the grid's CRS)."""
    idx = grid.cell_index(np.nan_to_num(x, nan=-1e18), np.nan_to_num(y, nan=-1e18))
    ok = idx >= 0
    ok[ok] = inside[idx[ok]]
    n = int(ok.sum())
    if n < min_incidents:
        raise not_enough(n, minimum=min_incidents)
    xs, ys = np.asarray(x)[ok], np.asarray(y)[ok]
    ws = None if weights is None else np.asarray(weights, dtype=float)[ok]
    h = bandwidth_m if bandwidth_m is not None else default_bandwidth_m(
        xs, ys, cell_size_m=grid.cell_m, weights=ws)
    dens = kde_grid(grid, xs, ys, bandwidth_m=h, weights=ws, inside=inside) * 1e6
    return Density(grid, inside, dens, float(h), n)


# -- map zones -------------------------------------------------------------------------
DENSITY_COLORS = ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
DENSITY_SHARES = (0.20, 0.10, 0.05, 0.02, 0.01)
"""The density map shows the densest 20 %, 10 %, 5 %, 2 % and 1 % of the territory."""


def density_zones(density: Density) -> gpd.GeoDataFrame:
    """Return the densest parts of the territory as dissolved polygons, in EPSG:4326.

    One row per class of :data:`DENSITY_SHARES` (the cells in the densest 20 % of the
    territory but not the densest 10 %, and so on). Columns ``share_pct`` (the class's
    upper share of the territory), ``min_density_per_km2``, ``label`` (French), ``color``.
    """
    flat = density.density_per_km2.ravel()
    keep = density.inside & np.isfinite(flat)
    vals = flat[keep]
    if vals.size == 0 or not np.any(vals > 0):
        raise not_enough(0, minimum=MIN_INCIDENTS)
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
        counted = count_xy(grid, x, y, inside=inside, weights=weights)
        if counted.n_incidents < min_incidents:
            raise not_enough(counted.n_incidents, minimum=min_incidents)
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
    dens = density_xy(grid, x, y, inside=inside, weights=weights, min_incidents=min_incidents)
    zones = density_zones(dens)
    caption = (f"Densité lissée (noyau gaussien de {dens.bandwidth_m:.0f} m, grille de "
               f"{grid.cell_m:g} m, corrigée au bord du territoire) : les zones colorées sont "
               "les 20 %, 10 %, 5 %, 2 % et 1 % du territoire où les faits sont les plus "
               f"denses. {dens.n_incidents} faits.")
    return HotspotMap(zones, MAP_MODES["densite"], caption, dens.n_incidents)


def study_area(territory: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame,
               quartier_ids: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """Return the area hotspots are computed over: the territory, or the chosen quartiers.

    When the page is filtered to some quartiers, Gi* and the density must compare those
    quartiers with themselves: against the whole territory, the empty rest would make the
    selection look hot.

    Raises
    ------
    EmptySelectionError
        None of the chosen quartiers exists.
    """
    if not quartier_ids:
        return territory
    chosen = quartiers[quartiers["quartier_id"].astype(str).isin([str(q) for q in quartier_ids])]
    if chosen.empty:
        msg = ("Les quartiers choisis n'existent pas dans la couche « quartiers » : "
               "réinitialisez le filtre des quartiers.")
        raise EmptySelectionError(msg)
    return chosen
