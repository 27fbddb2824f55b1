"""Local Getis-Ord Gi* with false-discovery-rate control, and emerging hotspots over time.

Gi* (Ord & Getis 1995) compares the incidents of a cell *and its neighbours* with what the
territory's average would give. On a grid, the neighbourhood is the cell and its 8
surrounding cells (square grid, "queen" contiguity) or its 6 neighbours (hexagons), with
binary weights and the cell itself included; cells outside the territory are not part of
the study (they neither count in ``n`` nor as neighbours). The analytic z-score is

    z_i = (L_i - W_i * mean) / (s * sqrt(W_i * (n - W_i) / (n - 1)))

with ``L_i`` the sum over the neighbourhood, ``W_i`` its number of cells, ``mean`` and
``s`` the mean and (population) standard deviation of all ``n`` cells. It equals esda's
``G_Local(y, w, transform="B", star=True).Zs`` (checked in the benchmark and tests).

p-values are two-sided normal; the Benjamini–Hochberg procedure turns them into q-values
(:func:`fdr_bh`), so that among the cells called hot or cold at 95 % at most about 5 % are
expected to be false alarms, however many cells the map has. A cell is a hot (cold) spot
at 99, 95 or 90 % when ``z > 0`` (``z < 0``) and ``q`` is at most 0.01, 0.05 or 0.10.

Emerging hotspots (:func:`emerging_hotspots`) run Gi* on each time slice (with its own FDR
correction), then a Mann–Kendall test on each cell's series of z-scores. The classes
follow Esri's space-time pattern definitions; with ``hot`` meaning "significant hot spot
in that slice" and ``90 %`` meaning "in at least 90 % of the slices":

- ``new_hot``: hot in the last slice only, never before.
- ``consecutive_hot``: one uninterrupted run of at least two hot slices ending with the
  last one, never hot before the run, hot in less than 90 % of the slices.
- ``intensifying_hot``: hot in 90 % of the slices including the last, and the z-scores
  rise significantly (Mann–Kendall, two-sided p < ``trend_alpha``).
- ``persistent_hot``: hot in 90 % of the slices including the last, no significant trend.
- ``diminishing_hot``: hot in 90 % of the slices including the last, significant decline.
- ``sporadic_hot``: hot in the last slice, on and off before, never cold, less than 90 %.
- ``oscillating_hot``: hot in the last slice, cold in at least one earlier slice, less
  than 90 %.
- ``historical_hot``: not hot in the last slice but hot in at least 90 % of the slices.

The ``*_cold`` classes are the same with cold spots (for "intensifying_cold" the z-scores
fall). A cell that matches none is ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy import special

from clspd_geo import _format, config
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError

Grid = cells.Grid | cells.HexGrid

LEVELS = ((0.01, 3, "99 %"), (0.05, 2, "95 %"), (0.10, 1, "90 %"))
CLASS_LABELS = {
    3: "Point chaud (confiance 99 %)", 2: "Point chaud (confiance 95 %)",
    1: "Point chaud (confiance 90 %)", 0: "Non significatif",
    -1: "Point froid (confiance 90 %)", -2: "Point froid (confiance 95 %)",
    -3: "Point froid (confiance 99 %)",
}
CLASS_COLORS = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", 0: "#f7f7f7",
                -1: "#d1e5f0", -2: "#67a9cf", -3: "#2166ac"}

PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic",
            "oscillating", "historical")
PATTERN_LABELS = {
    "new_hot": "Nouveau point chaud", "consecutive_hot": "Point chaud consécutif",
    "intensifying_hot": "Point chaud qui s'intensifie", "persistent_hot": "Point chaud persistant",
    "diminishing_hot": "Point chaud qui s'atténue", "sporadic_hot": "Point chaud sporadique",
    "oscillating_hot": "Point chaud oscillant", "historical_hot": "Ancien point chaud",
    "new_cold": "Nouveau point froid", "consecutive_cold": "Point froid consécutif",
    "intensifying_cold": "Point froid qui s'intensifie",
    "persistent_cold": "Point froid persistant",
    "diminishing_cold": "Point froid qui s'atténue", "sporadic_cold": "Point froid sporadique",
    "oscillating_cold": "Point froid oscillant", "historical_cold": "Ancien point froid",
    "none": "Aucune tendance détectée",
}
MIN_SLICES = 6
"""Fewest time slices for emerging hotspots (a trend on fewer says nothing)."""


# -- Gi* -------------------------------------------------------------------------------
def _as_grid(values: np.ndarray, grid: Grid) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    return a.reshape(a.shape[:-1] + grid.shape) if a.shape[-1] == grid.n_cells else a


def gi_star_z(values: np.ndarray, grid: Grid, *, inside: np.ndarray | None = None,
              radius_cells: int = 1) -> np.ndarray:
    """Return the Gi* z-score of every cell (flat; ``NaN`` outside the territory).

    Parameters
    ----------
    values
        Value per cell, flat (``grid.n_cells``) or ``(ny, nx)``; a leading axis of time
        slices ``(t, n_cells)`` computes every slice at once.
    grid
        The square or hexagonal grid the values live on.
    inside
        Flat mask of the cells under study (default: all).
    radius_cells
        Square grids only: the window is (2r + 1)² cells.

    Notes
    -----
    A field with no variation (all cells equal) gets ``z = 0`` everywhere: nothing stands
    out. Cells whose neighbourhood covers the whole study area also get 0.
    """
    x = _as_grid(values, grid)
    lead = x.shape[:-2]
    mask = (np.ones(grid.shape, dtype=bool) if inside is None
            else np.asarray(inside, dtype=bool).reshape(grid.shape))
    x = np.where(mask, x, 0.0)
    n = float(mask.sum())
    if n < 2:
        raise EmptySelectionError("Il faut au moins deux cellules dans le territoire pour Gi*.")
    axes = (-2, -1)
    mean = x.sum(axis=axes, keepdims=True) / n
    var = (x * x).sum(axis=axes, keepdims=True) / n - mean**2
    var = np.maximum(var, 0.0)
    wsum = grid.window_sum(mask.astype(float), radius_cells=radius_cells)
    lag = grid.window_sum(x, radius_cells=radius_cells)
    denom = np.sqrt(var * wsum * (n - wsum) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - wsum * mean) / denom
    # Relative tolerance: with no variation the numerator is rounding noise.
    flat_field = var <= 1e-12 * np.maximum(mean**2, 1e-300)
    z = np.where(flat_field | (denom == 0), 0.0, z)
    z = np.where(mask, z, np.nan)
    return z.reshape(lead + (grid.n_cells,))


def p_two_sided(z: np.ndarray) -> np.ndarray:
    """Return two-sided normal p-values (``NaN`` stays ``NaN``)."""
    return special.erfc(np.abs(np.asarray(z, dtype=float)) / np.sqrt(2.0))


def fdr_bh(p: np.ndarray) -> np.ndarray:
    """Return Benjamini–Hochberg q-values (adjusted p-values) along the last axis.

    ``NaN`` entries (cells outside the study) are ignored and stay ``NaN``; ``q <= alpha``
    is exactly the set the BH step-up procedure rejects at false-discovery rate ``alpha``.
    """
    p = np.asarray(p, dtype=float)
    flat = p.reshape(-1, p.shape[-1]) if p.ndim > 1 else p[None, :]
    out = np.full(flat.shape, np.nan)
    for i, row in enumerate(flat):
        ok = np.flatnonzero(np.isfinite(row))
        m = ok.size
        if m == 0:
            continue
        order = np.argsort(row[ok])  # ties get the same q whatever their order
        ranked = row[ok][order] * m / np.arange(1, m + 1)
        q = np.minimum.accumulate(ranked[::-1])[::-1]
        res = np.empty(m)
        res[order] = np.minimum(q, 1.0)
        out[i, ok] = res
    return out.reshape(p.shape)


def fdr_reject(p: np.ndarray, *, alpha: float) -> np.ndarray:
    """Return the cells the Benjamini–Hochberg procedure rejects at level ``alpha``.

    Same result as ``fdr_bh(p) <= alpha`` along the last axis, but only the p-values below
    ``alpha`` are sorted (the others can never be rejected), which keeps 24 slices of
    40,000 cells cheap. ``NaN`` is never rejected.
    """
    p = np.asarray(p, dtype=float)
    flat = p.reshape(-1, p.shape[-1]) if p.ndim > 1 else p[None, :]
    out = np.zeros(flat.shape, dtype=bool)
    m = np.isfinite(flat).sum(axis=1)
    for i, row in enumerate(flat):
        cand = np.flatnonzero(row <= alpha)
        if cand.size == 0:
            continue
        srt = np.sort(row[cand])
        ok = srt <= alpha * np.arange(1, srt.size + 1) / m[i]
        if ok.any():
            cut = srt[np.flatnonzero(ok)[-1]]
            out[i, cand[row[cand] <= cut]] = True
    return out.reshape(p.shape)


def classify(z: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Return the hotspot class per cell: 3/2/1 hot at 99/95/90 %, -3/-2/-1 cold, 0 none."""
    z = np.asarray(z, dtype=float)
    q = np.asarray(q, dtype=float)
    level = np.zeros(z.shape, dtype=np.int8)
    for alpha, code, _ in LEVELS[::-1]:
        level = np.where(q <= alpha, code, level)
    sign = np.where(z > 0, 1, np.where(z < 0, -1, 0))
    return (level * sign).astype(np.int8)


@dataclass(frozen=True)
class GiStar:
    """Gi* results on a grid (flat arrays of ``grid.n_cells``; ``NaN``/0 outside).

    Attributes
    ----------
    grid, inside
        The grid and the mask of studied cells.
    values
        The values tested (counts or weighted counts).
    z_score, p_value, q_value
        Analytic z-score, two-sided p-value, Benjamini–Hochberg q-value.
    hotspot_class
        -3..3, see :func:`classify`.
    """

    grid: Grid
    inside: np.ndarray
    values: np.ndarray
    z_score: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    hotspot_class: np.ndarray

    @property
    def n_hot(self) -> int:
        """Number of hot-spot cells (any confidence)."""
        return int((self.hotspot_class > 0).sum())

    @property
    def n_cold(self) -> int:
        """Number of cold-spot cells (any confidence)."""
        return int((self.hotspot_class < 0).sum())

    def frame(self, *, significant_only: bool = False) -> gpd.GeoDataFrame:
        """Return the studied cells in EPSG:4326.

        Columns ``cell_id``, ``row``, ``col``, ``value``, ``z_score``, ``p_value``,
        ``q_value``, ``hotspot_class`` and its French ``label``.
        """
        keep = self.inside & (self.hotspot_class != 0) if significant_only else self.inside
        gdf = cells.cells_frame(self.grid, self.values, keep=keep, column="value")
        flat = gdf["cell_id"].to_numpy()
        gdf.insert(4, "z_score", self.z_score[flat])
        gdf.insert(5, "p_value", self.p_value[flat])
        gdf.insert(6, "q_value", self.q_value[flat])
        gdf.insert(7, "hotspot_class", self.hotspot_class[flat])
        gdf.insert(8, "label", [CLASS_LABELS[int(c)] for c in self.hotspot_class[flat]])
        return gdf


def gi_star(values: np.ndarray, grid: Grid, *, inside: np.ndarray | None = None,
            radius_cells: int = 1) -> GiStar:
    """Run Gi* with FDR on cell values and classify hot and cold spots.

    See :func:`gi_star_z` for the parameters and the module docstring for the method.
    """
    mask = (np.ones(grid.n_cells, dtype=bool) if inside is None
            else np.asarray(inside, dtype=bool).ravel())
    z = gi_star_z(values, grid, inside=mask, radius_cells=radius_cells)
    p = p_two_sided(z)
    q = fdr_bh(p)
    return GiStar(grid, mask, np.asarray(values, dtype=float).ravel(), z, p, q,
                  classify(z, q))


def gi_zones(result: GiStar) -> gpd.GeoDataFrame:
    """Return the significant hot and cold cells dissolved by class, in EPSG:4326.

    Columns ``hotspot_class``, ``label``, ``color``, ``n_cells``; hot classes first.
    """
    polys = result.grid.polygons()
    rows = []
    for code in (3, 2, 1, -1, -2, -3):
        sel = result.inside & (result.hotspot_class == code)
        if not sel.any():
            continue
        rows.append({"hotspot_class": code, "label": CLASS_LABELS[code],
                     "color": CLASS_COLORS[code], "n_cells": int(sel.sum()),
                     "geometry": shapely.coverage_union_all(polys[sel])})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=result.grid.epsg) if rows else \
        gpd.GeoDataFrame({"hotspot_class": [], "label": [], "color": [], "n_cells": []},
                         geometry=gpd.GeoSeries([], crs=result.grid.epsg))
    return gdf.to_crs(config.STORAGE_CRS)


# -- Mann–Kendall and emerging hotspots -------------------------------------------------
def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the Mann–Kendall ``S``, ``z`` and two-sided ``p`` of each column.

    ``series`` is ``(t, n)``: ``t`` time steps of ``n`` series. The variance includes the
    tie correction, ``z`` the continuity correction; a series with no variation gets
    ``z = 0`` and ``p = 1``.
    """
    x = np.asarray(series, dtype=float)
    t = x.shape[0]
    s = np.zeros(x.shape[1:])
    for i in range(t - 1):
        later = x[i + 1:]
        s += (later > x[i]).sum(axis=0)
        s -= (later < x[i]).sum(axis=0)
    srt = np.sort(x.T, axis=-1).T  # sort each series along contiguous memory

    def f(k: np.ndarray) -> np.ndarray:
        return k * (k - 1) * (2 * k + 5)

    run = np.ones(x.shape[1:])
    ties = np.zeros(x.shape[1:])
    for i in range(1, t):
        same = srt[i] == srt[i - 1]
        if same.any():
            ties += np.where(same, 0.0, f(run))
            run = np.where(same, run + 1, 1.0)
        else:
            ties += f(run)
            run[:] = 1.0
    ties += f(run)
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    return s, z, p_two_sided(z)


PATTERN_CODES = tuple(f"{p}_{k}" for k in ("hot", "cold") for p in PATTERNS) + ("none",)


def classify_patterns(hot: np.ndarray, cold: np.ndarray, trend_z: np.ndarray,
                      trend_p: np.ndarray, *, trend_alpha: float = 0.05) -> np.ndarray:
    """Return the space-time pattern code of each series (see the module docstring).

    ``hot`` and ``cold`` are ``(t, n)`` booleans (significant in each slice);
    ``trend_z`` / ``trend_p`` the Mann–Kendall results on the z-scores. Hot patterns take
    precedence over cold ones (a cell hot in the last slice cannot be a cold pattern that
    needs the last slice cold; only "historical" patterns could meet both).
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    t = hot.shape[0]
    none = len(PATTERN_CODES) - 1
    out = np.full(hot.shape[1:], none, dtype=np.int16)
    up = (trend_p < trend_alpha) & (trend_z > 0)
    down = (trend_p < trend_alpha) & (trend_z < 0)
    for offset, sig, other, stronger, weaker in ((0, hot, cold, up, down),
                                                 (len(PATTERNS), cold, hot, down, up)):
        code = {name: offset + i for i, name in enumerate(PATTERNS)}
        last = sig[-1]
        mostly = sig.sum(axis=0) >= 0.9 * t
        before = sig[:-1].any(axis=0)
        # Length of the run of significant slices ending at the last slice.
        run = np.zeros(sig.shape[1:], dtype=np.int32)
        alive = np.ones(sig.shape[1:], dtype=bool)
        for i in range(t - 1, -1, -1):
            alive &= sig[i]
            if not alive.any():
                break
            run += alive
        # Significant before the final run started.
        index = np.arange(t)[:, None] if sig.ndim == 2 else np.arange(t)
        earlier = (sig & (index < (t - run))).any(axis=0)
        was_other = other[:-1].any(axis=0)
        few = ~mostly & last
        consecutive = few & before & (run >= 2) & ~earlier
        rest = few & before & ~consecutive
        rules = (
            (mostly & ~last, "historical"),
            (mostly & last & stronger, "intensifying"),
            (mostly & last & weaker, "diminishing"),
            (mostly & last & ~stronger & ~weaker, "persistent"),
            (few & ~before, "new"),
            (consecutive, "consecutive"),
            (rest & was_other, "oscillating"),
            (rest & ~was_other, "sporadic"),
        )
        for cond, name in rules:
            out = np.where(cond & (out == none), code[name], out)
    return np.asarray(PATTERN_CODES, dtype=object)[out]


@dataclass(frozen=True)
class EmergingHotspots:
    """Emerging hot-spot analysis of cells over time slices.

    Attributes
    ----------
    grid, inside
        The grid and the mask of studied cells.
    z_score
        ``(t, n_cells)`` Gi* z-scores per slice.
    hot, cold
        ``(t, n_cells)`` significant hot / cold spots per slice (FDR per slice).
    trend_z, trend_p
        Mann–Kendall z and two-sided p of each cell's z-score series.
    pattern
        Pattern code per cell (``"none"`` outside the territory).
    """

    grid: Grid
    inside: np.ndarray
    z_score: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    pattern: np.ndarray

    def summary(self) -> dict[str, int]:
        """Return the number of cells per pattern (patterns present only)."""
        codes, counts = np.unique(self.pattern[self.inside].astype(str), return_counts=True)
        return dict(zip(codes.tolist(), counts.tolist(), strict=True))

    def frame(self, *, patterns_only: bool = True) -> gpd.GeoDataFrame:
        """Return cells in EPSG:4326 with ``pattern``, French ``label``, ``trend_z``,
        ``trend_p``, ``n_hot_slices`` and ``n_cold_slices``."""
        keep = self.inside & (self.pattern != "none") if patterns_only else self.inside
        gdf = cells.cells_frame(self.grid, self.hot.sum(axis=0), keep=keep,
                                column="n_hot_slices")
        flat = gdf["cell_id"].to_numpy()
        gdf.insert(4, "n_cold_slices", self.cold.sum(axis=0)[flat])
        gdf.insert(5, "pattern", self.pattern[flat].astype(str))
        gdf.insert(6, "label", [PATTERN_LABELS[p] for p in self.pattern[flat]])
        gdf.insert(7, "trend_z", self.trend_z[flat])
        gdf.insert(8, "trend_p", self.trend_p[flat])
        return gdf


def emerging_hotspots(counts: np.ndarray, grid: Grid, *, inside: np.ndarray | None = None,
                      alpha: float = 0.05, trend_alpha: float = 0.05,
                      radius_cells: int = 1) -> EmergingHotspots:
    """Classify cells by how their hot/cold status evolved over time slices.

    Parameters
    ----------
    counts
        ``(t, n_cells)`` values per time slice (oldest first), e.g. monthly counts.
    grid, inside, radius_cells
        As for :func:`gi_star`.
    alpha
        FDR level at which a cell is a hot or cold spot in a slice.
    trend_alpha
        Two-sided level of the Mann–Kendall test on the z-scores.

    Raises
    ------
    EmptySelectionError
        Fewer than :data:`MIN_SLICES` slices, or no incident at all.
    """
    c = np.asarray(counts, dtype=float).reshape(-1, grid.n_cells)
    if c.shape[0] < MIN_SLICES:
        msg = (f"Pas assez de données : {_format.count(c.shape[0], 'période')} seulement, "
               "il en faut au moins "
               f"{MIN_SLICES} pour dire si un point chaud apparaît, dure ou s'atténue. "
               "Allongez la période ou raccourcissez les tranches.")
        raise EmptySelectionError(msg)
    if not np.any(c):
        raise EmptySelectionError("Aucun fait dans la période : pas de tendance à analyser.")
    mask = (np.ones(grid.n_cells, dtype=bool) if inside is None
            else np.asarray(inside, dtype=bool).ravel())
    z = gi_star_z(c, grid, inside=mask, radius_cells=radius_cells)
    sig = fdr_reject(p_two_sided(z), alpha=alpha)
    hot = sig & (z > 0)
    cold = sig & (z < 0)
    zi = z[:, mask]
    _, tz_in, tp_in = mann_kendall(zi)
    trend_z = np.full(grid.n_cells, np.nan)
    trend_p = np.full(grid.n_cells, np.nan)
    trend_z[mask], trend_p[mask] = tz_in, tp_in
    pattern = np.full(grid.n_cells, "none", dtype=object)
    pattern[mask] = classify_patterns(hot[:, mask], cold[:, mask], tz_in, tp_in,
                                      trend_alpha=trend_alpha)
    return EmergingHotspots(grid, mask, z, hot, cold, trend_z, trend_p, pattern)
