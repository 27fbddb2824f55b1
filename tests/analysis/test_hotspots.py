"""Tests of hotspots (cell counts, kernel density) and the hexagonal grid of cells."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from clspd_geo.analysis import cells, counts, density, hotspots
from clspd_geo.errors import EmptySelectionError, SchemaError
from tests.conftest import make_points

X0, Y0 = 650_000.0, 6_860_000.0  # Lambert-93, Paris area


def square_territory(side_m: float = 1000.0) -> gpd.GeoDataFrame:
    """A square territory of ``side_m`` metres, returned in EPSG:4326."""
    return gpd.GeoDataFrame({"name": ["T"]}, geometry=[box(X0, Y0, X0 + side_m, Y0 + side_m)],
                            crs=2154).to_crs(4326)


def points_at(xy: list[tuple[float, float]], **columns: list) -> gpd.GeoDataFrame:
    return make_points([(X0 + x, Y0 + y) for x, y in xy], **columns)


# -- hexagonal grid ----------------------------------------------------------------------
def test_hex_points_fall_in_their_hexagon():
    grid = cells.HexGrid(0.0, 0.0, 100.0, 20, 20, 2154)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1500, 5000), rng.uniform(0, 1500, 5000)
    idx = grid.cell_index(x, y)
    assert (idx >= 0).all()
    assert shapely.contains_xy(grid.polygons(idx), x, y).all()
    assert grid.polygons([0])[0].area == pytest.approx(grid.cell_area_m2)
    assert grid.cell_area_m2 == pytest.approx(np.sqrt(3) / 2 * 100**2)


def test_hex_window_sum_is_the_six_nearest_plus_self():
    grid = cells.HexGrid(0.0, 0.0, 100.0, 9, 9, 2154)
    cx, cy = grid.centres()
    for flat in (4 * 9 + 4, 5 * 9 + 3):  # an even and an odd row
        one = np.zeros(grid.n_cells)
        one[flat] = 1.0
        got = np.flatnonzero(grid.window_sum(one.reshape(grid.shape)).ravel())
        dist = np.hypot(cx - cx[flat], cy - cy[flat])
        expected = np.flatnonzero(dist < 100.0 + 1e-6)
        assert sorted(got) == sorted(expected)
        assert len(got) == 7


def test_square_window_sum_matches_a_loop():
    grid = cells.Grid(0.0, 0.0, 10.0, 6, 5, 2154)
    vals = np.arange(30, dtype=float).reshape(5, 6)
    for r in (1, 2, 3):
        got = grid.window_sum(vals, radius_cells=r)
        exp = np.zeros_like(vals)
        for i in range(5):
            for j in range(6):
                exp[i, j] = vals[max(0, i - r):i + r + 1, max(0, j - r):j + r + 1].sum()
        np.testing.assert_allclose(got, exp)


def test_hex_grid_covers_the_territory():
    terr = square_territory(1000)
    grid = cells.hex_grid_for(terr, cell_size_m=100)
    inside = cells.inside_mask(grid, terr)
    area = inside.sum() * grid.cell_area_m2
    assert area == pytest.approx(1e6, rel=0.1)


# -- counts ---------------------------------------------------------------------------
def test_square_counts_known_answer():
    xy = [(50, 50)] * 3 + [(150, 50)] * 2 + [(950, 950)] + [(500, 500)] * 30
    inc = points_at(xy, category=["cambriolage"] * 3 + ["rixe"] * 2 + ["tapage"] * 31)
    res = counts.cell_counts(inc, square_territory(), cell_size_m=100)
    assert res.n_incidents == 36
    g = res.grid
    assert res.counts[g.cell_index(np.array([X0 + 50]), np.array([Y0 + 50]))[0]] == 3
    assert res.counts[g.cell_index(np.array([X0 + 150]), np.array([Y0 + 50]))[0]] == 2
    frame = res.frame(nonzero_only=True)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["n_incidents"]) == {3, 2, 1, 30}
    assert frame["incidents_per_km2"].max() == pytest.approx(30 / 0.01)


def test_severity_weighted_counts():
    xy = [(50, 50)] * 2 + [(500, 500)] * 30
    inc = points_at(xy, category=["violences_conjugales", "tapage"] + ["tapage"] * 30)
    res = counts.cell_counts(inc, square_territory(), cell_size_m=100, weights="severity")
    frame = res.frame(nonzero_only=True).set_index("n_incidents")
    assert frame.loc[2, "weighted_total"] == 5 + 1
    assert frame.loc[30, "weighted_total"] == 30


def test_accident_severity_weights():
    acc = pd.DataFrame({"killed": [1, 0, 0], "hospitalised": [0, 2, 0],
                        "slightly_injured": [1, 0, 0]})
    np.testing.assert_allclose(counts.severity_weights(acc), [11, 8, 1])
    with pytest.raises(SchemaError, match="gravité"):
        counts.severity_weights(pd.DataFrame({"a": [1]}))


def test_hex_counts_sum_to_the_incidents():
    rng = np.random.default_rng(1)
    xy = list(zip(rng.uniform(10, 990, 200), rng.uniform(10, 990, 200), strict=True))
    res = counts.cell_counts(points_at(xy), square_territory(), cell_size_m=100, shape="hex")
    assert isinstance(res.grid, cells.HexGrid)
    # Hexagons whose centre is outside the square lose a few edge points.
    assert res.n_incidents + res.n_outside == 200
    assert res.counts.sum() == res.n_incidents
    assert res.n_incidents > 180


def test_too_few_incidents_say_not_enough_data():
    inc = points_at([(50, 50)] * 5)
    with pytest.raises(EmptySelectionError, match="Pas assez de données"):
        counts.cell_counts(inc, square_territory(), cell_size_m=100)
    with pytest.raises(EmptySelectionError, match="Aucun fait"):
        counts.cell_counts(inc.iloc[:0], square_territory(), cell_size_m=100)


def test_cell_larger_than_territory():
    inc = points_at([(50, 50)] * 40)
    with pytest.raises(EmptySelectionError, match="plus grandes que le territoire"):
        counts.cell_counts(inc, square_territory(), cell_size_m=5000)


def test_cell_finer_than_data_precision():
    rng = np.random.default_rng(2)
    lon = np.round(rng.uniform(2.30, 2.40, 100), 2)
    lat = np.round(rng.uniform(48.82, 48.88, 100), 2)
    assert counts.coordinate_precision_m(lon, lat) == pytest.approx(1113.2)
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    terr = gpd.GeoDataFrame(geometry=[box(2.29, 48.81, 2.41, 48.89)], crs=4326)
    with pytest.raises(EmptySelectionError, match="précision des positions"):
        counts.cell_counts(inc, terr, cell_size_m=200)
    assert counts.coordinate_precision_m(lon + 1e-6 * rng.random(100), lat) == 0.0


# -- kernel density ----------------------------------------------------------------------
def test_kde_matches_the_exact_gaussian_sum():
    grid = cells.Grid(0.0, 0.0, 50.0, 120, 100, 2154)
    rng = np.random.default_rng(3)
    x = rng.normal(3000, 700, 3000)
    y = rng.normal(2500, 500, 3000)
    keep = (x > 0) & (x < 6000) & (y > 0) & (y < 5000)
    x, y = x[keep], y[keep]
    w = rng.uniform(1, 5, x.size)
    for h in (150.0, 300.0):
        ours = density.kde_grid(grid, x, y, bandwidth_m=h, weights=w)
        exact = density.exact_kde(grid, x, y, bandwidth_m=h, weights=w)
        assert np.abs(ours - exact).max() <= 1e-3 * exact.max()


def test_kde_of_one_point_integrates_to_one():
    grid = cells.Grid(0.0, 0.0, 25.0, 80, 80, 2154)
    dens = density.kde_grid(grid, np.array([1012.0]), np.array([990.0]), bandwidth_m=100)
    assert dens.sum() * 25.0**2 == pytest.approx(1.0, rel=1e-4)
    row, col = np.unravel_index(np.argmax(dens), dens.shape)
    assert (col, row) == (40, 39)


def test_edge_correction_keeps_boundary_density():
    # Uniform points over the territory: corrected density is flat up to the edge.
    rng = np.random.default_rng(4)
    n = 200_000
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    grid = cells.Grid(0.0, 0.0, 50.0, 40, 40, 2154)
    inside = np.ones(grid.n_cells, dtype=bool)
    raw = density.kde_grid(grid, x, y, bandwidth_m=200)
    corrected = density.kde_grid(grid, x, y, bandwidth_m=200, inside=inside)
    true = n / 2000**2
    assert raw[0, 0] < 0.4 * true  # a corner loses three quarters of its kernel
    np.testing.assert_allclose(corrected, true, rtol=0.05)


def test_kde_outside_the_territory_is_nan():
    inc = points_at([(300 + i, 300) for i in range(40)])
    half = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 500)], crs=2154)
    full = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=2154)
    terr = gpd.GeoDataFrame(geometry=[half.geometry[0].union(full.geometry[0]).intersection(
        half.geometry[0])], crs=2154).to_crs(4326)
    dens = density.kde(inc, terr, cell_size_m=50, bandwidth_m=100)
    flat = dens.density_per_km2.ravel()
    assert np.isnan(flat[~dens.inside]).all()
    assert np.isfinite(flat[dens.inside]).all()
    assert dens.n_incidents == 40
    frame = dens.frame(top_share=0.05)
    assert 0 < len(frame) <= int(np.ceil(0.05 * dens.inside.sum())) + 5
    assert "density_per_km2" in frame.columns


def test_default_bandwidth_rule():
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 1000, 10_000), rng.normal(0, 1000, 10_000)
    h = density.default_bandwidth_m(x, y, cell_size_m=50)
    assert h == pytest.approx(1000 * 10_000 ** (-1 / 6), rel=0.05)
    assert density.default_bandwidth_m(x[:5], y[:5], cell_size_m=5000) == 5000
    assert density.default_bandwidth_m(x, y, cell_size_m=50) < \
        density.default_bandwidth_m(x[:1000], y[:1000], cell_size_m=50)


def test_density_zones_and_layer():
    rng = np.random.default_rng(6)
    xy = [(500 + dx, 500 + dy) for dx, dy in rng.normal(0, 80, (300, 2))]
    xy += list(zip(rng.uniform(0, 1000, 100), rng.uniform(0, 1000, 100), strict=True))
    dens = density.kde(points_at(xy), square_territory(), cell_size_m=50)
    zones = hotspots.density_zones(dens)
    assert zones.crs.to_epsg() == 4326
    assert list(zones["share_pct"]) == sorted(zones["share_pct"], reverse=True)
    centre = shapely.Point(*gpd.GeoSeries([shapely.Point(X0 + 500, Y0 + 500)], crs=2154)
                           .to_crs(4326)[0].coords[0])
    densest = zones.iloc[-1]
    assert densest.geometry.distance(centre) < 0.002
    m = folium.Map()
    hotspots.zones_layer(zones, name="Densité <test>").add_to(m)
    html = m.get_root().render()
    assert "faits/km" in html
    assert "<test>" not in html


def test_hotspot_map_density_and_gi():
    rng = np.random.default_rng(7)
    terr = square_territory(2000)
    xs = np.concatenate([X0 + 500 + rng.normal(0, 60, 400), X0 + rng.uniform(0, 2000, 400)])
    ys = np.concatenate([Y0 + 1500 + rng.normal(0, 60, 400), Y0 + rng.uniform(0, 2000, 400)])
    dens = hotspots.hotspot_map(xs, ys, terr, mode="densite")
    assert dens.n_incidents == 800 and len(dens.zones) == 5
    assert "noyau gaussien" in dens.caption and not dens.empty_reason
    gi = hotspots.hotspot_map(xs, ys, terr, mode="gi_star", gi_cell_m=100)
    assert (gi.zones["hotspot_class"] > 0).any()
    hot = gi.zones[gi.zones["hotspot_class"] == 3].to_crs(2154).geometry.iloc[0]
    assert hot.contains(shapely.Point(X0 + 500, Y0 + 1500))
    # Spatially random incidents: no Gi* zone, and the page says why.
    flat = hotspots.hotspot_map(X0 + rng.uniform(0, 2000, 800), Y0 + rng.uniform(0, 2000, 800),
                                terr, mode="gi_star", gi_cell_m=100)
    assert flat.zones.empty and "hasard" in flat.empty_reason
    with pytest.raises(EmptySelectionError, match="Pas assez de données"):
        hotspots.hotspot_map(xs[:10], ys[:10], terr, mode="densite")


def test_density_cell_grows_on_large_territories():
    assert hotspots.density_cell_m(10_000) == 50.0
    step = hotspots.density_cell_m(100_000)
    assert step > 50 and (100_000 / step) ** 2 <= hotspots.MAX_DENSITY_CELLS


def test_legend_items_follow_the_zones():
    rng = np.random.default_rng(8)
    xy = [(500 + dx, 500 + dy) for dx, dy in rng.normal(0, 80, (300, 2))]
    zones = hotspots.density_zones(density.kde(points_at(xy), square_territory(),
                                               cell_size_m=50))
    items = hotspots.legend_items(zones)
    assert [c for c, _ in items] == list(zones["color"])
    assert all("faits/km²" in label for _, label in items)
    assert set(hotspots.MAP_MODES) == {"densite", "gi_star"}


# -- real data ----------------------------------------------------------------------------
def test_paris_accidents_density_and_counts(shared_data):
    df = pd.read_csv(shared_data / "accidents" / "paris_accidents_2012.csv.gz")
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    paris = gpd.read_file(shared_data / "boundaries" / "communes-75-paris.geojson")
    counted = counts.cell_counts(inc, paris, cell_size_m=200)
    hexes = counts.cell_counts(inc, paris, cell_size_m=200, shape="hex")
    assert counted.n_incidents > 0.99 * len(df)
    assert abs(hexes.n_incidents - counted.n_incidents) < 0.01 * len(df)
    dens = density.kde(inc, paris, cell_size_m=50)
    total = np.nansum(dens.density_per_km2) * (50 / 1000) ** 2
    # Edge-corrected density keeps (about) every accident inside Paris.
    assert total == pytest.approx(dens.n_incidents, rel=0.05)
    assert 50 <= dens.bandwidth_m <= 1000
    zones = hotspots.density_zones(dens)
    assert len(zones) == 5


def test_study_area_is_the_chosen_quartiers():
    terr = square_territory(1000)
    quartiers = gpd.GeoDataFrame(
        {"quartier_id": ["A", "B"]},
        geometry=[box(X0, Y0, X0 + 500, Y0 + 1000), box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)],
        crs=2154).to_crs(4326)
    assert hotspots.study_area(terr, quartiers, ()) is terr
    area = hotspots.study_area(terr, quartiers, ("B",))
    assert list(area["quartier_id"]) == ["B"]
    # Incidents all in B: against B alone nothing is "hot" just for being in B.
    rng = np.random.default_rng(9)
    x = X0 + 500 + rng.uniform(0, 500, 400)
    y = Y0 + rng.uniform(0, 1000, 400)
    whole = hotspots.hotspot_map(x, y, terr, mode="gi_star", gi_cell_m=100)
    alone = hotspots.hotspot_map(x, y, area, mode="gi_star", gi_cell_m=100)
    def hot_cells(hm: hotspots.HotspotMap) -> int:
        return int(hm.zones.loc[hm.zones["hotspot_class"] > 0, "n_cells"].sum())

    # B has 50 cells of 100 m: against the whole territory most of B looks hot; against
    # itself at most a stray cell or two (FDR bounds false alarms, it does not abolish them).
    assert hot_cells(whole) >= 25
    assert hot_cells(alone) <= 3
    with pytest.raises(EmptySelectionError, match="quartiers choisis"):
        hotspots.study_area(terr, quartiers, ("Z",))
