"""Tests of clspd_geo.police.sectors: proposing a force's new sectors and comparing them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo.police import blocks as blocks_mod
from clspd_geo.police import redesign, sector_checks, sectors

X0, Y0 = 650_000.0, 6_860_000.0


def test_proposal_layer_fits_the_store_schema(tmp_path, grid):
    from clspd_geo import schemas
    res = redesign.redesign(grid(4, 4, np.arange(16) % 3 + 1), k=3)
    layer = sectors.proposal_layer(res)
    schemas.validate(schemas.conform(layer, "secteurs_proposes"), "secteurs_proposes")


def test_propose_and_compare_on_hand_made_sectors():
    # Today: PN sector A holds all incidents, B none. The proposal balances them.
    lay = gpd.GeoDataFrame({"sector_id": ["A", "B"], "force": ["police_nationale"] * 2},
                           geometry=[box(X0, Y0, X0 + 1000, Y0 + 2000),
                                     box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000)],
                           crs=2154).to_crs(4326)
    rng = np.random.default_rng(3)
    xy = np.column_stack([rng.uniform(0, 2000, 400), rng.uniform(0, 2000, 400)])
    xy[:200, 0] = rng.uniform(0, 1000, 200)
    inc = gpd.GeoDataFrame({"category": ["tapage"] * 400},
                           geometry=[Point(X0 + x, Y0 + y) for x, y in xy],
                           crs=2154).to_crs(4326)
    result, table = sectors.propose(lay, inc, k=2, cell_size_m=250)
    assert table.loc["proposés", "cv"] < 0.10 < table.loc["actuels", "cv"]
    assert table.loc["proposés", "n_sectors"] == 2
    assert 0 < table.loc["proposés", "polsby_popper_min"] <= 1
    assert table.loc["actuels", "max_distance_m"] == pytest.approx(np.hypot(1000, 2000),
                                                                   rel=1e-3)


# -- real data: Portland ---------------------------------------------------------------------

@pytest.fixture
def portland(shared_data):
    districts = gpd.read_file(shared_data / "crime" / "portland_police_districts.geojson")
    calls = pd.read_csv(shared_data / "crime" / "portland_cfs_2016-08.csv.gz",
                        usecols=["CATEGORY", "occ_date", "lon", "lat"]).dropna(
        subset=["lon", "lat"])
    calls = gpd.GeoDataFrame(calls, geometry=gpd.points_from_xy(calls["lon"], calls["lat"]),
                             crs=4326)
    return districts, calls


def test_portland_three_balanced_precincts_beat_the_real_ones(portland, graph_connected):
    districts, calls = portland
    blocks = blocks_mod.block_loads(districts, calls, id_column="DISTRICT",
                                    category_column="CATEGORY")
    graph = blocks_mod.contiguity(blocks)
    assert graph.components.max() == 0  # the 60 districts hold together
    res = redesign.redesign(blocks, k=3, force="police_nationale")
    real = districts.dissolve("PRECINCT", as_index=False)
    real["sector_id"] = real["PRECINCT"]
    table = sectors.compare(real, res.sectors, calls, category_column="CATEGORY")
    assert table.loc["proposés", "cv"] < table.loc["actuels", "cv"]
    assert res.reached_target
    # Every district is in exactly one proposed precinct, each of one piece (districts that
    # share a boundary; their digitised outlines leave hairline gaps, so not by union).
    assert res.assignment["block_id"].is_unique and len(res.assignment) == 60
    assert graph_connected(blocks, res)
    # Measured in metres in a UTM zone, not in degrees.
    assert res.sectors["max_distance_m"].min() > 1_000


def test_check_sectors_is_still_importable_from_sectors():
    # ui.py calls sectors.check_sectors; the check lives in sector_checks.
    assert sectors.check_sectors is sector_checks.check_sectors
