"""Tests of Gi*, FDR, Mann–Kendall and emerging hotspots on tiny hand-made grids."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from clspd_geo.analysis import cells, spatial_stats as ss
from clspd_geo.errors import EmptySelectionError


def grid(nx: int, ny: int) -> cells.Grid:
    return cells.Grid(0.0, 0.0, 100.0, nx, ny, 2154)


def test_gi_star_equals_a_hand_computation():
    g = grid(3, 3)
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    z = ss.gi_star_z(x, g)
    n = 9
    mean = x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    # Corner cell 0: itself and cells 1, 3, 4.
    lag, w = x[[0, 1, 3, 4]].sum(), 4
    expected0 = (lag - w * mean) / (s * np.sqrt(w * (n - w) / (n - 1)))
    assert z[0] == pytest.approx(expected0, abs=1e-12)
    # Centre: the whole grid, W = n, nothing to compare with.
    assert z[4] == 0.0


def test_single_hot_cell_is_a_hotspot_with_its_neighbours():
    g = grid(15, 15)
    x = np.zeros(g.n_cells)
    centre = 7 * 15 + 7
    x[centre] = 20.0
    res = ss.gi_star(x, g)
    hot = np.flatnonzero(res.hotspot_class > 0)
    rows, cols = np.divmod(hot, 15)
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == {
        (r, c) for r in (6, 7, 8) for c in (6, 7, 8)}
    assert res.hotspot_class[centre] == 3
    assert res.n_cold == 0


def test_uniform_field_has_no_hotspot():
    g = grid(40, 40)
    assert ss.gi_star(np.full(g.n_cells, 3.0), g).n_hot == 0
    rng = np.random.default_rng(0)
    res = ss.gi_star(rng.poisson(2.0, g.n_cells).astype(float), g)
    assert res.n_hot == 0 and res.n_cold == 0
    # Without FDR, about 10 % of cells would pass p <= 0.10 by chance.
    assert (res.p_value <= 0.10).sum() > 50


def test_cells_outside_the_territory_are_ignored():
    g = grid(10, 10)
    rng = np.random.default_rng(1)
    x = rng.poisson(3.0, g.n_cells).astype(float)
    inside = np.ones(g.n_cells, dtype=bool)
    inside[:30] = False
    z_masked = ss.gi_star_z(x, g, inside=inside)
    x2 = x.copy()
    x2[:30] = 1000.0  # whatever lies outside must not matter
    np.testing.assert_allclose(ss.gi_star_z(x2, g, inside=inside), z_masked)
    assert np.isnan(z_masked[:30]).all()


def test_gi_star_equals_esda_square_and_hex():
    libpysal = pytest.importorskip("libpysal")
    getisord = pytest.importorskip("esda.getisord")
    rng = np.random.default_rng(2)
    g = grid(30, 20)
    y = rng.poisson(rng.gamma(0.5, 4, g.n_cells)).astype(float)
    w = libpysal.weights.lat2W(20, 30, rook=False)  # row-major, like our flat index
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lg = getisord.G_Local(y, w, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ss.gi_star_z(y, g), lg.Zs, atol=1e-9, rtol=0)

    hexes = cells.HexGrid(0.0, 0.0, 100.0, 12, 10, 2154)
    yh = rng.poisson(2.0, hexes.n_cells).astype(float)
    centres = np.column_stack(hexes.centres())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Neighbouring hexagon centres are exactly one cell apart.
        wq = libpysal.weights.DistanceBand(centres, threshold=101.0, binary=True)
        lgh = getisord.G_Local(yh, wq, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ss.gi_star_z(yh, hexes), lgh.Zs, atol=1e-9, rtol=0)


def test_fdr_matches_scipy():
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(0, 1, 500), rng.uniform(0, 1e-3, 20)])
    np.testing.assert_allclose(ss.fdr_bh(p), stats.false_discovery_control(p), rtol=1e-12)
    for alpha in (0.01, 0.05, 0.1):
        np.testing.assert_array_equal(ss.fdr_reject(p, alpha=alpha), ss.fdr_bh(p) <= alpha)
    with_nan = np.array([0.01, np.nan, 0.02])
    q = ss.fdr_bh(with_nan)
    assert np.isnan(q[1]) and q[0] == pytest.approx(0.02)


def test_classes_follow_the_levels():
    z = np.array([3.0, 2.5, 1.8, 0.5, -1.8, -2.5, -3.0])
    q = np.array([0.005, 0.03, 0.08, 0.5, 0.08, 0.03, 0.005])
    np.testing.assert_array_equal(ss.classify(z, q), [3, 2, 1, 0, -1, -2, -3])


def test_mann_kendall_known_answers():
    up = np.arange(10, dtype=float)[:, None]
    s, z, p = ss.mann_kendall(up)
    assert s[0] == 45
    var = 10 * 9 * 25 / 18
    assert z[0] == pytest.approx(44 / np.sqrt(var))
    # Ties: 1, 1, 2, 2, 2 -> S = 6 (each 1 < each 2), groups of 2 and 3.
    tied = np.array([1.0, 1, 2, 2, 2])[:, None]
    s, z, _ = ss.mann_kendall(tied)
    var = (5 * 4 * 15 - (2 * 1 * 9) - (3 * 2 * 11)) / 18
    assert s[0] == 6
    assert z[0] == pytest.approx(5 / np.sqrt(var))
    flat = np.ones((8, 1))
    s, z, p = ss.mann_kendall(flat)
    assert s[0] == 0 and z[0] == 0 and p[0] == 1


def _pattern(hot_steps: str, *, trend: float = 0.0) -> str:
    """Pattern of one series written as e.g. 'hhhh.h' (h hot, c cold, . nothing)."""
    hot = np.array([c == "h" for c in hot_steps])[:, None]
    cold = np.array([c == "c" for c in hot_steps])[:, None]
    tz = np.array([trend])
    tp = np.array([0.001 if trend else 0.9])
    return ss.classify_patterns(hot, cold, tz, tp)[0]


def test_space_time_patterns_on_constructed_series():
    assert _pattern(".........h") == "new_hot"
    assert _pattern("......hhhh") == "consecutive_hot"
    assert _pattern("..h....hhh") == "sporadic_hot"
    assert _pattern("hhhhhhhhhh", trend=3) == "intensifying_hot"
    assert _pattern("hhhhhhhhhh") == "persistent_hot"
    assert _pattern("hhhhhhhhhh", trend=-3) == "diminishing_hot"
    assert _pattern("h.h..h...h") == "sporadic_hot"
    assert _pattern("c.h..h...h") == "oscillating_hot"
    assert _pattern("hhhhhhhhhh." * 1 + "h" * 9 + ".") == "historical_hot"
    assert _pattern(".........c") == "new_cold"
    assert _pattern("cccccccccc", trend=-3) == "intensifying_cold"
    assert _pattern("h........c") == "new_cold"  # never cold before
    assert _pattern("h..c.....c") == "oscillating_cold"
    assert _pattern("..........") == "none"
    assert _pattern("hhh.......") == "none"


def test_emerging_hotspots_end_to_end():
    g = grid(20, 20)
    rng = np.random.default_rng(4)
    t = 12
    counts = rng.poisson(1.0, (t, g.n_cells)).astype(float)
    cell = 10 * 20 + 10
    counts[-4:, cell] += 25  # appears in the last four months
    old = 3 * 20 + 3
    counts[:, old] += 25  # hot every month
    res = ss.emerging_hotspots(counts, g)
    assert res.pattern[cell] == "consecutive_hot"
    assert res.pattern[old] in {"persistent_hot", "intensifying_hot", "diminishing_hot"}
    summary = res.summary()
    assert summary["none"] > 300
    frame = res.frame()
    assert {"pattern", "label", "trend_z"} <= set(frame.columns)
    assert frame.crs.to_epsg() == 4326
    with pytest.raises(EmptySelectionError, match="Pas assez de données"):
        ss.emerging_hotspots(counts[:3], g)


def test_gi_zones_dissolve_by_class():
    g = grid(15, 15)
    x = np.zeros(g.n_cells)
    x[7 * 15 + 7] = 20.0
    zones = ss.gi_zones(ss.gi_star(x, g))
    assert list(zones["hotspot_class"]) == [3]
    assert zones["n_cells"].iloc[0] == 9
    assert zones.crs.to_epsg() == 4326
    empty = ss.gi_zones(ss.gi_star(np.ones(g.n_cells), g))
    assert empty.empty


def test_portland_calls_gi_star_and_emerging(shared_data):
    import geopandas as gpd
    import pandas as pd

    from clspd_geo.analysis import counts

    df = pd.read_csv(shared_data / "crime" / "portland_cfs_2016-08.csv.gz")
    df = df.dropna(subset=["lon", "lat"])
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    districts = gpd.read_file(shared_data / "crime" / "portland_police_districts.geojson")
    counted = counts.cell_counts(inc, districts, cell_size_m=400)
    res = ss.gi_star(counted.counts, counted.grid, inside=counted.inside)
    raw_hot = int(((res.p_value <= 0.05) & (res.z_score > 0)).sum())
    fdr_hot = int(((res.q_value <= 0.05) & (res.z_score > 0)).sum())
    assert 0 < fdr_hot <= raw_hot
    # Daily slices of the month: 31 slices, a pattern for every studied cell.
    day = pd.to_datetime(df["occ_date"]).dt.day.to_numpy() - 1
    x, y = counts.points_xy(inc, epsg=counted.grid.epsg)
    idx = counted.grid.cell_index(x, y)
    ok = idx >= 0
    slices = np.bincount(day[ok] * counted.grid.n_cells + idx[ok],
                         minlength=31 * counted.grid.n_cells).reshape(31, -1)
    emerging = ss.emerging_hotspots(slices, counted.grid, inside=counted.inside)
    assert sum(emerging.summary().values()) == int(counted.inside.sum())
    assert emerging.summary().get("persistent_hot", 0) > 0
