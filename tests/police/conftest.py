"""Layers shared by the police tests: hand-made sectors and incidents in Lambert-93."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from clspd_geo.police.blocks import contiguity

X0, Y0 = 650_000.0, 6_860_000.0  # somewhere in Lambert-93 (Île-de-France)


def square(x: float, y: float, w: float, h: float | None = None):
    """A box whose lower-left corner is (X0 + x, Y0 + y), metres."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + (w if h is None else h))


def layer(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=2154).to_crs(4326)


def points(xy, **columns) -> gpd.GeoDataFrame:
    return layer([Point(X0 + x, Y0 + y) for x, y in xy], **columns)


@pytest.fixture
def two_pn_one_pm() -> gpd.GeoDataFrame:
    """PN: A = [0,1000]², B = [1000,2000]×[0,1000]; PM: M = [500,1500]×[0,1000]."""
    return layer([square(0, 0, 1000), square(1000, 0, 1000), square(500, 0, 1000)],
                 sector_id=["A", "B", "M"], name=["Alpha", "Bravo", "Municipal"],
                 force=["police_nationale", "police_nationale", "police_municipale"])


@pytest.fixture
def incidents() -> gpd.GeoDataFrame:
    # 2026-03-02 is a Monday.
    return points(
        [(100, 100), (200, 200), (700, 500), (1200, 500), (1800, 900), (5000, 5000)],
        incident_id=list("abcdef"),
        category=["cambriolage", "tapage", "rixe", "trafic_stupefiants", "tapage", "rixe"],
        occurred_at=pd.to_datetime([
            "2026-03-02 08:00",   # Monday morning, A
            "2026-03-02 15:30",   # Monday afternoon, A
            "2026-03-03 02:00",   # Tuesday 02:00 -> Monday's night shift, A and M
            "2026-03-03 23:00",   # Tuesday night, B and M
            "2026-03-04 06:00",   # Wednesday 06:00 exactly -> morning, B
            "2026-03-04 12:00",   # outside every sector
        ]),
    )


def _grid(nx: int, ny: int, loads, *, cell_m: float = 100.0) -> gpd.GeoDataFrame:
    """nx × ny square blocks, row by row from the lower left, with the given loads."""
    geoms = [box(X0 + i * cell_m, Y0 + j * cell_m, X0 + (i + 1) * cell_m, Y0 + (j + 1) * cell_m)
             for j in range(ny) for i in range(nx)]
    loads = np.asarray(loads, dtype=float)
    return gpd.GeoDataFrame({"block_id": [f"b{n}" for n in range(nx * ny)], "load": loads,
                             "n_incidents": loads.astype(int)},
                            geometry=geoms, crs=2154).to_crs(4326)


# Builders as session fixtures (plain functions; session scope so hypothesis accepts them).


@pytest.fixture(scope="session")
def grid():
    """Return ``grid(nx, ny, loads, cell_m=100)``: square blocks with ``block_id`` and ``load``."""
    return _grid


@pytest.fixture(scope="session", name="square")
def square_fixture():
    """Return ``square(x, y, w, h=None)``: a box from (X0 + x, Y0 + y), metres."""
    return square


@pytest.fixture(scope="session", name="layer")
def layer_fixture():
    """Return ``layer(geoms, **columns)``: Lambert-93 geometries as an EPSG:4326 layer."""
    return layer


def _graph_connected(blocks: gpd.GeoDataFrame, res) -> bool:
    graph = contiguity(blocks)
    lab = pd.factorize(res.assignment["sector_id"])[0]
    for r in range(lab.max() + 1):
        members = set(np.flatnonzero(lab == r))
        start = next(iter(members))
        seen, stack = {start}, [start]
        while stack:
            u = stack.pop()
            for v in graph.neighbours[u]:
                if v in members and v not in seen:
                    seen.add(v)
                    stack.append(v)
        if seen != members:
            return False
    return True


@pytest.fixture(scope="session")
def graph_connected():
    """Return ``graph_connected(blocks, redesign_result)``: each proposed sector's blocks are
    one component of the blocks' contiguity graph."""
    return _graph_connected
