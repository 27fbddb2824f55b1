"""Kernel density of incidents on a square grid clipped to the territory.

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
below one cell, since a narrower kernel would only draw the grid. A point may stand for
several incidents at its position (``n``: the ``n`` column of a weighted release,
:meth:`clspd_geo.access.view.RoleView.counts`): spread and effective number are then those
of the points it would expand to, so the surface is the same as on one point per incident.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from scipy import fft as sp_fft
from scipy import ndimage

from clspd_geo.analysis import cells, counts
from clspd_geo.analysis.counts import MIN_INCIDENTS
from clspd_geo.errors import EmptySelectionError

KERNEL_RADIUS_SD = 5.0
"""Kernels are cut at 5 bandwidths (the Gaussian is 4e-6 of its peak there)."""


def default_bandwidth_m(x: np.ndarray, y: np.ndarray, *, cell_size_m: float,
                        weights: np.ndarray | None = None,
                        n: np.ndarray | None = None) -> float:
    """Return the default KDE bandwidth in metres (robust Scott rule, at least one cell).

    See the module docstring for the rule.

    Parameters
    ----------
    weights
        Weight of each point (all of its incidents together when ``n`` is given).
    n
        Number of incidents each point stands for (default: one): the bandwidth is the one
        of the points repeated that many times, each with its share of the weight.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if n is not None:
        c = np.asarray(n, dtype=float)
        ok &= c > 0
        c = c[ok]
    x, y = x[ok], y[ok]
    if (x.size if n is None else c.sum()) < 2:
        return float(cell_size_m)
    w = None if weights is None else np.asarray(weights, dtype=float)[ok]
    if n is None:
        n_eff = x.size if w is None else float(w.sum() ** 2 / max((w**2).sum(), 1e-300))
    else:
        w = c if w is None else w
        n_eff = float(w.sum() ** 2 / max((w**2 / c).sum(), 1e-300))

    def spread(v: np.ndarray) -> float:
        if n is None:
            sd = float(np.std(v))
            q75, q25 = np.percentile(v, [75, 25])
        else:
            mean = float((c * v).sum() / c.sum())
            sd = float(np.sqrt((c * (v - mean) ** 2).sum() / c.sum()))
            q75, q25 = _repeated_percentiles(v, c, [75, 25])
        iqr = float(q75 - q25) / 1.349
        return min(sd, iqr) if iqr > 0 else sd

    sigma = (spread(x) + spread(y)) / 2
    return float(max(sigma * n_eff ** (-1 / 6), cell_size_m))


def _repeated_percentiles(v: np.ndarray, n: np.ndarray, q: list[float]) -> list[float]:
    """Return ``np.percentile(np.repeat(v, n), q)`` without repeating (linear method)."""
    order = np.argsort(v, kind="stable")
    v, ends = v[order], np.cumsum(n[order])
    out = []
    for p in q:
        h = p / 100 * (ends[-1] - 1)
        lo = np.floor(h)
        a, b = v[np.searchsorted(ends, [lo, min(lo + 1, ends[-1] - 1)], side="right")]
        out.append(float(a + (h - lo) * (b - a)))
    return out


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
    counts.check_precision(incidents, cell_size_m)
    x, y = counts.points_xy(incidents, epsg=grid.epsg)
    w = counts.incident_weights(incidents, weights)
    inside = cells.inside_mask(grid, territory)
    return density_xy(grid, x, y, inside=inside, bandwidth_m=bandwidth_m, weights=w,
                      min_incidents=min_incidents)


def density_xy(grid: cells.Grid, x: np.ndarray, y: np.ndarray, *, inside: np.ndarray,
               bandwidth_m: float | None = None, weights: np.ndarray | None = None,
               min_incidents: int = MIN_INCIDENTS, n: np.ndarray | None = None) -> Density:
    """Return the :class:`Density` of projected points (metres, the grid's CRS).

    ``n`` is the number of incidents each point stands for (the ``n`` of a weighted
    release; default one): the surface, bandwidth and count are then those of the points
    repeated that many times. ``weights`` is the weight of each point, all its incidents
    together (default: ``n``).
    """
    idx = grid.cell_index(np.nan_to_num(x, nan=-1e18), np.nan_to_num(y, nan=-1e18))
    ok = idx >= 0
    ok[ok] = inside[idx[ok]]
    ns = None if n is None else np.asarray(n, dtype=np.int64)[ok]
    n_in = int(ok.sum()) if ns is None else int(ns.sum())
    if n_in < min_incidents:
        raise counts.not_enough(n_in, minimum=min_incidents)
    xs, ys = np.asarray(x)[ok], np.asarray(y)[ok]
    if weights is not None:
        ws = np.asarray(weights, dtype=float)[ok]
    else:
        ws = None if ns is None else ns.astype(float)
    h = bandwidth_m if bandwidth_m is not None else default_bandwidth_m(
        xs, ys, cell_size_m=grid.cell_m, weights=ws, n=ns)
    dens = kde_grid(grid, xs, ys, bandwidth_m=h, weights=ws, inside=inside) * 1e6
    return Density(grid, inside, dens, float(h), n_in)
