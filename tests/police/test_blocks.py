"""Tests of clspd_geo.police.blocks: block workloads, grid blocks, contiguity and islands."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo.errors import SchemaError
from clspd_geo.police import blocks as blocks_mod

X0, Y0 = 650_000.0, 6_860_000.0


def _two_blocks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"quartier_id": ["a", "b"]},
                            geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                      box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
                            crs=2154).to_crs(4326)


def _three_incidents() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"category": ["rixe", "tapage", "cambriolage"],
         "occurred_at": pd.to_datetime(["2026-03-02 23:00", "2026-03-02 08:00",
                                        "2026-03-02 09:00"])},
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 60, Y0 + 50), Point(X0 + 150, Y0 + 50)],
        crs=2154).to_crs(4326)


def test_block_loads_weighs_incidents_by_severity_and_shift():
    out = blocks_mod.block_loads(_two_blocks(), _three_incidents(), id_column="quartier_id")
    # rixe 4 + tapage 1 in a, cambriolage 3 in b.
    assert out["block_id"].tolist() == ["a", "b"]
    assert out["n_incidents"].tolist() == [2, 1] and out["load"].tolist() == [5.0, 3.0]
    night = blocks_mod.block_loads(_two_blocks(), _three_incidents(), id_column="quartier_id",
                                   shift="nuit")
    assert night["load"].tolist() == [4.0, 0.0]
    with pytest.raises(SchemaError, match="« code » manque"):
        blocks_mod.block_loads(_two_blocks(), _three_incidents(), id_column="code")


def test_grid_blocks_cover_the_area_with_loaded_cells():
    area = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 200, Y0 + 100)], crs=2154).to_crs(4326)
    cells = blocks_mod.grid_blocks(area, _three_incidents(), cell_size_m=100.0)
    assert len(cells) == 2 and cells["block_id"].str.startswith("c").all()
    assert sorted(cells["load"]) == [3.0, 5.0] and cells["n_incidents"].sum() == 3


def test_corner_contact_is_not_contiguity():
    blocks = gpd.GeoDataFrame({"block_id": ["a", "b"], "load": [1.0, 1.0]},
                              geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                        box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)],
                              crs=2154).to_crs(4326)
    g = blocks_mod.contiguity(blocks)
    assert g.neighbours == [[], []]
    assert g.components.tolist() == [0, 1]


def test_islands_are_attached_to_the_nearest_block():
    blocks = gpd.GeoDataFrame({"block_id": ["a", "b", "ile"]},
                              geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                        box(X0 + 100, Y0, X0 + 200, Y0 + 100),
                                        box(X0 + 500, Y0, X0 + 600, Y0 + 100)],
                              crs=2154).to_crs(4326)
    g = blocks_mod.contiguity(blocks)
    assert g.neighbours == [[1], [0], []] and g.components.tolist() == [0, 0, 1]
    xy = np.array([[50.0, 50.0], [150.0, 50.0], [550.0, 50.0]])
    linked = blocks_mod.attach_islands(g, xy)
    assert linked.attached == [(2, 1)]
    assert linked.components.tolist() == [0, 0, 0]
    u, v = linked.edges
    assert sorted(zip(u.tolist(), v.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
