"""Tests of the hotspot zones a page draws (density zones, Gi*, layer, study area)."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from clspd_geo.analysis import counts, density, hotspots
from clspd_geo.errors import EmptySelectionError
from tests.analysis.grid_layers import X0, Y0, points_at, square_territory


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
