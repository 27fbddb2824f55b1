"""Benchmark of the hotspot library against the peers a user would otherwise pick.

Run: ``.venv/bin/python benchmarks/bench_hotspots.py [--sizes 10000 100000 1000000]``
(peers: ``pip install -r requirements-bench.txt``). Prints a table; asserts nothing.

For each size, incidents come from the demo territory generator (:mod:`clspd_geo.demo`,
two years). Timed steps: cell counts (200 m squares and hexagons), KDE on a 50 m grid,
Gi* + FDR, emerging hotspots, and the forecast evaluation. The targets of the issue are
stated on a 10 km × 10 km territory with a 50 m grid (200 × 200 = 40,000 cells), so the
KDE, Gi* and emerging-hotspot rows are also run on a synthetic clustered territory of that
size. Peers, in the same run: scipy ``gaussian_kde`` and scikit-learn ``KernelDensity``
(exact sums: run on a 10,000-point subsample when the sample is larger, and said so),
KDEpy ``FFTKDE`` (all points), esda ``G_Local`` (analytic z-scores, binary weights with
self). "écart max" is the largest difference against our result, relative to the peak for
densities and absolute for z-scores. Times are the best of a few runs (the machine is
shared), in milliseconds.
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable

import numpy as np

from clspd_geo import crs, demo
from clspd_geo.analysis import cells, counts, density, forecast, spatial_stats, temporal

SUBSAMPLE = 10_000
ERROR_SAMPLE = 5_000


def best_ms(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Return the best wall time of ``repeat`` calls, milliseconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * min(times)


ROWS: list[tuple[str, str, str, str, str, str, str]] = []


def row(step: str, n: str, ours_ms: float | None, peer: str = "", peer_ms: float | None = None,
        diff: str = "", note: str = "", vs_ms: float | None = None) -> None:
    """Print and keep one line; ``vs_ms`` is our time a peer line is compared with."""
    ref = ours_ms or vs_ms
    ratio = f"{peer_ms / ref:,.1f}×" if ref and peer_ms else ""
    ROWS.append((step, n, "" if ours_ms is None else f"{ours_ms:,.1f}", peer,
                 "" if peer_ms is None else f"{peer_ms:,.1f}", ratio, diff + note))
    print(f"  {step:<34} {n:>9} {ROWS[-1][2]:>10} {peer:<28} {ROWS[-1][4]:>12} "
          f"{ratio:>8}  {diff}{note}", flush=True)


# -- peers ----------------------------------------------------------------------------
def scipy_kde(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray,
              h: float) -> np.ndarray:
    """Isotropic Gaussian KDE by scipy, as a sum of kernels at the grid nodes (per m²)."""
    from scipy.stats import gaussian_kde

    k = gaussian_kde(np.vstack([x, y]))
    # Make the kernel isotropic with standard deviation h (scipy scales the data covariance).
    k._data_covariance = np.eye(2)
    k._data_cho_cov = np.eye(2)
    k.set_bandwidth(bw_method=h)
    gx, gy = np.meshgrid(cx, cy)
    return k(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape) * x.size


def sklearn_kde(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                h: float) -> np.ndarray:
    from sklearn.neighbors import KernelDensity

    kd = KernelDensity(bandwidth=h, kernel="gaussian").fit(np.column_stack([x, y]))
    gx, gy = np.meshgrid(cx, cy)
    logd = kd.score_samples(np.column_stack([gx.ravel(), gy.ravel()]))
    return np.exp(logd).reshape(gx.shape) * x.size


def kdepy_kde(x: np.ndarray, y: np.ndarray, cx: np.ndarray, cy: np.ndarray,
              h: float) -> np.ndarray:
    """KDEpy FFTKDE on our nodes (padded so every point is inside its grid), cropped."""
    from KDEpy import FFTKDE

    d = cx[1] - cx[0]
    pad = int(np.ceil(6 * h / d)) + 1
    ex = cx[0] + d * np.arange(-pad, cx.size + pad)
    ey = cy[0] + d * np.arange(-pad, cy.size + pad)
    gx, gy = np.meshgrid(ex, ey, indexing="ij")
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    dens = FFTKDE(kernel="gaussian", bw=h).fit(np.column_stack([x, y])).evaluate(grid)
    full = dens.reshape(ex.size, ey.size).T * x.size
    return full[pad:pad + cy.size, pad:pad + cx.size]


def esda_gi(values: np.ndarray, ny: int, nx: int) -> tuple[np.ndarray, float, float]:
    from esda.getisord import G_Local
    from libpysal.weights import lat2W

    t = time.perf_counter()
    w = lat2W(ny, nx, rook=False)
    t_w = time.perf_counter() - t
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        lg = G_Local(values, w, transform="B", star=True, permutations=0)
        t_g = time.perf_counter() - t
    return lg.Zs, 1e3 * t_w, 1e3 * t_g


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# -- data -----------------------------------------------------------------------------
def clustered_square(n: int, *, seed: int = 0, side_m: float = 10_000.0):
    """Clustered points and 24 monthly dates on a synthetic square territory."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1 * side_m, 0.9 * side_m, (40, 2))
    spread = rng.uniform(80, 600, 40)
    k = rng.integers(0, 40, n)
    x = centres[k, 0] + rng.normal(0, 1, n) * spread[k]
    y = centres[k, 1] + rng.normal(0, 1, n) * spread[k]
    noise = rng.random(n) < 0.3
    x[noise] = rng.uniform(0, side_m, noise.sum())
    y[noise] = rng.uniform(0, side_m, noise.sum())
    x = np.clip(x, 0.01, side_m - 0.01)
    y = np.clip(y, 0.01, side_m - 0.01)
    month = rng.integers(0, 24, n)
    return x, y, month


def kde_rows(label: str, grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
             *, peers: bool) -> None:
    n = x.size
    h = density.default_bandwidth_m(x, y, cell_size_m=grid.cell_m)
    ours = best_ms(lambda: density.kde_grid(grid, x, y, bandwidth_m=h, inside=inside))
    ours_raw = best_ms(lambda: density.kde_grid(grid, x, y, bandwidth_m=h))
    rng = np.random.default_rng(1)
    sub = rng.choice(n, size=min(n, ERROR_SAMPLE), replace=False)
    xs, ys = x[sub], y[sub]
    exact = density.exact_kde(grid, xs, ys, bandwidth_m=h)
    mine = density.kde_grid(grid, xs, ys, bandwidth_m=h)
    err = np.abs(mine - exact).max() / exact.max()
    row(f"KDE 50 m, {label}", f"{n:,}", ours,
        diff=f"h = {h:.0f} m ; {grid.ny}×{grid.nx} ; sans bord {ours_raw:.1f} ms ; "
             f"écart à la somme exacte ({xs.size:,} pts) : {err:.1e} du pic")
    if not peers:
        return
    cx = grid.x0 + (np.arange(grid.nx) + 0.5) * grid.cell_m
    cy = grid.y0 + (np.arange(grid.ny) + 0.5) * grid.cell_m
    if available("KDEpy"):
        t = best_ms(lambda: kdepy_kde(x, y, cx, cy, h), repeat=3)
        theirs_sub = kdepy_kde(xs, ys, cx, cy, h)
        their_err = np.abs(theirs_sub - exact).max() / exact.max()
        row("", "", None, "KDEpy FFTKDE", t, vs_ms=ours,
            diff=f"écart KDEpy à la somme exacte : {their_err:.1e} du pic (nous {err:.1e}) ; "
                 "FFTKDE tronque son noyau gaussien (masse perdue)")
    else:
        row("", "", None, "KDEpy FFTKDE", None, note="non installé")
    m = min(n, SUBSAMPLE)
    xm, ym = x[:m], y[:m]
    ours_m = density.kde_grid(grid, xm, ym, bandwidth_m=h)
    for name, fn, mod in (("scipy gaussian_kde", scipy_kde, "scipy"),
                          ("scikit-learn KernelDensity", sklearn_kde, "sklearn")):
        if not available(mod):
            row("", "", None, name, None, note="non installé")
            continue
        t = time.perf_counter()
        theirs = fn(xm, ym, cx, cy, h)
        t_ms = 1e3 * (time.perf_counter() - t)
        diff = np.abs(theirs - ours_m).max() / ours_m.max()
        note = ""
        if m < n:
            note = (f" ; sous-échantillon de {m:,} pts (trop lent sur {n:,}) : "
                    f"~{t_ms * n / m / 1e3:,.0f} s extrapolés")
        ours_sub = best_ms(lambda: density.kde_grid(grid, xm, ym, bandwidth_m=h), repeat=3)
        row("", f"{m:,}", ours_sub, name, t_ms, diff=f"écart max : {diff:.1e} du pic", note=note)


def gi_rows(label: str, grid: cells.Grid, inside: np.ndarray, counts: np.ndarray, *,
            peers: bool) -> None:
    ours = best_ms(lambda: spatial_stats.gi_star(counts, grid, inside=inside), repeat=9)
    res = spatial_stats.gi_star(counts, grid, inside=inside)
    row(f"Gi* + FDR, {label}", f"{int(inside.sum()):,} c.", ours,
        diff=f"{res.n_hot} cellules chaudes, {res.n_cold} froides (poids compris)")
    if peers and available("esda") and inside.all():
        zs, t_w, t_g = esda_gi(counts, grid.ny, grid.nx)
        diff = np.nanmax(np.abs(zs - res.z_score))
        row("", "", None, "esda G_Local (+ lat2W)", t_w + t_g, vs_ms=ours,
            diff=f"écart max des z : {diff:.1e} (poids {t_w:,.0f} ms + G_Local {t_g:,.0f} ms)")
        row("", "", None, "esda G_Local seul", t_g, vs_ms=ours)


def emerging_row(label: str, grid: cells.Grid, inside: np.ndarray, slices: np.ndarray) -> None:
    ours = best_ms(lambda: spatial_stats.emerging_hotspots(slices, grid, inside=inside),
                   repeat=3)
    res = spatial_stats.emerging_hotspots(slices, grid, inside=inside)
    summary = {k: v for k, v in res.summary().items() if k != "none"}
    row(f"Points chauds émergents, {label}", f"{slices.shape[0]}×{int(inside.sum()):,}", ours,
        diff=f"motifs : {summary}")


def demo_case(n: int, *, peers: bool) -> None:
    t = time.perf_counter()
    frames = demo.build_demo(seed=0, n_incidents=n)
    build_s = time.perf_counter() - t
    inc = frames["incidents"]
    terr = frames["territoire"]
    print(f"\nTerritoire de démonstration, {n:,} faits (générés en {build_s:.1f} s)", flush=True)
    grid200 = cells.grid_for(terr, cell_size_m=200)
    t = time.perf_counter()
    x, y = counts.points_xy(inc, epsg=grid200.epsg)
    row("Projection Lambert-93 (une fois)", f"{n:,}", 1e3 * (time.perf_counter() - t))
    times = inc["occurred_at"].to_numpy("datetime64[ns]")
    inside200 = cells.inside_mask(grid200, terr)
    row("Comptage, carrés 200 m", f"{n:,}",
        best_ms(lambda: counts.count_xy(grid200, x, y, inside=inside200)))
    hexes = cells.hex_grid_for(terr, cell_size_m=200)
    inside_hex = cells.inside_mask(hexes, terr)
    row("Comptage, hexagones 200 m", f"{n:,}",
        best_ms(lambda: counts.count_xy(hexes, x, y, inside=inside_hex)))
    grid50 = cells.grid_for(terr, cell_size_m=50)
    inside50 = cells.inside_mask(grid50, terr)
    kde_rows("démo", grid50, inside50, x, y, peers=False)
    counts50 = counts.count_xy(grid50, x, y, inside=inside50).counts
    gi_rows("démo 50 m", grid50, inside50, counts50, peers=False)
    month = ((times - np.datetime64("2024-11-01")) // np.timedelta64(1, "D")) * 24 // 730
    idx = grid50.cell_index(x, y)
    ok = (idx >= 0) & (month >= 0) & (month < 24)
    slices = np.bincount(month[ok] * grid50.n_cells + idx[ok],
                         minlength=24 * grid50.n_cells).reshape(24, grid50.n_cells)
    emerging_row("démo 50 m", grid50, inside50, slices)
    train = (np.datetime64("2025-01-01"), np.datetime64("2025-10-01"))
    test = (np.datetime64("2025-10-01"), np.datetime64("2025-11-01"))
    rep = None

    def evaluate() -> None:
        nonlocal rep
        rep = forecast.evaluate_xy(grid200, inside200, x, y, times, train=train, test=test)

    ms = best_ms(evaluate, repeat=3)
    rec = rep.row(rep.recommended)
    base = rep.row("derniere_periode")
    row("Évaluation (7 méthodes + essais)", f"{n:,}", ms,
        diff=f"recommandée {rep.recommended} : PAI 5 % = {rec['pai']:.2f} ; "
             f"référence période précédente : {base['pai']:.2f}")
    frame = inc[["occurred_at"]]

    def panel() -> None:
        counts.count_xy(grid200, x, y, inside=inside200)
        spatial_stats.gi_star(counts.count_xy(grid200, x, y, inside=inside200).counts,
                              grid200, inside=inside200)
        density.density_xy(grid50, x, y, inside=inside50)
        temporal.hour_weekday(frame)

    row("Panneau (comptes, Gi*, KDE, heures)", f"{n:,}", best_ms(panel, repeat=3),
        diff="sans la projection ni l'évaluation (mises en cache dans l'app)")


def synthetic_case(n: int, *, peers: bool) -> None:
    print(f"\nTerritoire synthétique 10 km × 10 km, {n:,} faits groupés", flush=True)
    x, y, month = clustered_square(n)
    grid = cells.Grid(0.0, 0.0, 50.0, 200, 200, 2154)
    inside = np.ones(grid.n_cells, dtype=bool)
    kde_rows("10 km", grid, inside, x, y, peers=peers)
    idx = grid.cell_index(x, y)
    counts = np.bincount(idx, minlength=grid.n_cells).astype(float)
    gi_rows("40 000 cellules", grid, inside, counts, peers=peers)
    slices = np.bincount(month * grid.n_cells + idx, minlength=24 * grid.n_cells)
    emerging_row("24 mois × 40 000 c.", grid, inside, slices.reshape(24, grid.n_cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-peers", action="store_true", help="skip the peer libraries")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo territory")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}, {__import__('os').cpu_count()} cœurs")
    print(f"  {'étape':<34} {'taille':>9} {'nous (ms)':>10} {'pair':<28} {'pair (ms)':>12} "
          f"{'ratio':>8}  remarques")
    for n in args.sizes:
        synthetic_case(n, peers=not args.no_peers)
        if not args.no_demo:
            demo_case(n, peers=not args.no_peers)
    _ = crs  # the library projects through crs.project_xy (timed above)


if __name__ == "__main__":
    main()
