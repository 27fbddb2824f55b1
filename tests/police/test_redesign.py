"""Tests of clspd_geo.police.redesign: the balanced, contiguous, compact redesign."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from clspd_geo import crs
from clspd_geo.errors import OptimisationError
from clspd_geo.police import blocks as blocks_mod
from clspd_geo.police import redesign

X0, Y0 = 650_000.0, 6_860_000.0


def labels_of(result: redesign.Redesign) -> list[str]:
    return result.assignment["sector_id"].tolist()


def test_strip_redesign_finds_the_only_balanced_cut(grid):
    # Loads 3 1 1 3 in a row: the only balanced 2-sector cut is {3,1} | {1,3}.
    res = redesign.redesign(grid(4, 1, [3, 1, 1, 3]), k=2, seed=1)
    lab = labels_of(res)
    assert lab[0] == lab[1] and lab[2] == lab[3] and lab[0] != lab[2]
    assert res.cv == pytest.approx(0.0)
    assert res.reached_target
    assert sorted(res.sectors["workload"]) == [4.0, 4.0]


def test_uniform_square_into_four_gives_compact_quadrants(grid):
    res = redesign.redesign(grid(4, 4, np.ones(16)), k=4, seed=0)
    assert res.cv == pytest.approx(0.0)
    assert (res.sectors["n_blocks"] == 4).all()
    # 2 × 2 squares, not 1 × 4 strips: Polsby–Popper of a square.
    assert res.sectors["polsby_popper"].to_numpy() == pytest.approx(np.pi / 4, rel=1e-6)


def test_heavy_block_gets_its_own_small_sector(grid):
    loads = np.ones(12)
    loads[0] = 11.0  # one block as heavy as the eleven others together
    res = redesign.redesign(grid(4, 3, loads), k=2, seed=0)
    lab = labels_of(res)
    alone = [b for b, s in zip(range(12), lab) if s == lab[0]]
    assert alone == [0]
    assert res.cv == pytest.approx(0.0)


def _connected(geom) -> bool:
    return shapely.get_num_geometries(shapely.make_valid(geom)) == 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nx=st.integers(2, 7), ny=st.integers(2, 6), k=st.integers(1, 6),
       seed=st.integers(0, 10_000))


def test_every_sector_is_always_in_one_piece(grid, graph_connected, nx, ny, k, seed):
    rng = np.random.default_rng(seed)
    k = min(k, nx * ny)
    blocks = grid(nx, ny, rng.poisson(3, nx * ny) + rng.integers(0, 2))
    if blocks["load"].sum() == 0:
        blocks["load"] = 1.0
    res = redesign.redesign(blocks, k=k, seed=seed, restarts=1)
    assert len(res.sectors) == k
    assert (res.sectors["n_blocks"] >= 1).all()
    assert res.sectors["n_blocks"].sum() == nx * ny
    assert all(_connected(g) for g in crs.to_compute(res.sectors).geometry)
    # The graph view agrees: each sector's blocks form one component.
    assert graph_connected(blocks, res)


def test_improve_keeps_a_given_start_contiguous(grid):
    blocks = grid(6, 1, [1, 1, 1, 1, 1, 7])
    graph = blocks_mod.contiguity(blocks)
    xy = shapely.get_coordinates(shapely.centroid(
        crs.to_compute(blocks).geometry.to_numpy()))
    labels, moves = redesign.improve(np.array([0, 0, 0, 0, 0, 1]), graph,
                                    blocks["load"].to_numpy(), np.full(6, 1e4), xy)
    # Already the best contiguous answer: 5 | 7; nothing to move.
    assert labels.tolist() == [0, 0, 0, 0, 0, 1]
    assert moves == 0


def test_k_larger_than_blocks_is_explained(grid):
    with pytest.raises(OptimisationError, match="5 secteurs sont demandés.*que 4 îlots"):
        redesign.redesign(grid(2, 2, [1, 1, 1, 1]), k=5)


def test_islands_are_named_or_attached(grid):
    main = grid(3, 1, [1, 1, 1])
    island = gpd.GeoDataFrame({"block_id": ["ile"], "load": [3.0], "n_incidents": [3]},
                              geometry=[box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)],
                              crs=2154).to_crs(4326)
    blocks = pd.concat([main, island], ignore_index=True)
    with pytest.raises(OptimisationError, match="1 îlot.*ile.*rattachement"):
        redesign.redesign(blocks, k=2)
    res = redesign.redesign(blocks, k=2, islands="attach")
    assert res.attached == ["ile"]
    assert res.cv == pytest.approx(0.0)


def test_split_keeps_each_sector_on_one_side(grid):
    loads = np.ones(16)
    inside = np.zeros(16, dtype=bool)
    inside[[0, 1, 4, 5]] = True  # the lower-left 2 × 2 is the municipal area
    res = redesign.redesign(grid(4, 4, loads), k=4, split=inside)
    lab = np.asarray(labels_of(res))
    for s in set(lab):
        assert len(set(inside[lab == s])) == 1
    assert sorted(res.sectors["n_blocks"]) == [4, 4, 4, 4]
