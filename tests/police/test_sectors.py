"""Tests of clspd_geo.police.sectors: checks, shape figures and the balanced redesign."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from clspd_geo.police import sectors
from clspd_geo.errors import OptimisationError

X0, Y0 = 650_000.0, 6_860_000.0


def grid(nx: int, ny: int, loads, *, cell_m: float = 100.0) -> gpd.GeoDataFrame:
    """nx × ny square blocks, row by row from the lower left, with the given loads."""
    geoms = [box(X0 + i * cell_m, Y0 + j * cell_m, X0 + (i + 1) * cell_m, Y0 + (j + 1) * cell_m)
             for j in range(ny) for i in range(nx)]
    loads = np.asarray(loads, dtype=float)
    return gpd.GeoDataFrame({"block_id": [f"b{n}" for n in range(nx * ny)], "load": loads,
                             "n_incidents": loads.astype(int)},
                            geometry=geoms, crs=2154).to_crs(4326)


def labels_of(result: sectors.Redesign) -> list[str]:
    return result.assignment["sector_id"].tolist()


def test_polsby_popper_and_travel_distance_known_answers():
    sq = box(0, 0, 100, 100)
    disc = Point(0, 0).buffer(50, quad_segs=256)
    pp = sectors.polsby_popper(np.array([sq, disc, box(0, 0, 400, 100)]))
    assert pp == pytest.approx([np.pi / 4, 1.0, 4 * np.pi * 40_000 / 1000**2], rel=1e-3)
    assert sectors.max_distance_m(np.array([sq]))[0] == pytest.approx(100 * np.sqrt(2))


def test_strip_redesign_finds_the_only_balanced_cut():
    # Loads 3 1 1 3 in a row: the only balanced 2-sector cut is {3,1} | {1,3}.
    res = sectors.redesign(grid(4, 1, [3, 1, 1, 3]), k=2, seed=1)
    lab = labels_of(res)
    assert lab[0] == lab[1] and lab[2] == lab[3] and lab[0] != lab[2]
    assert res.cv == pytest.approx(0.0)
    assert res.reached_target
    assert sorted(res.sectors["workload"]) == [4.0, 4.0]


def test_uniform_square_into_four_gives_compact_quadrants():
    res = sectors.redesign(grid(4, 4, np.ones(16)), k=4, seed=0)
    assert res.cv == pytest.approx(0.0)
    assert (res.sectors["n_blocks"] == 4).all()
    # 2 × 2 squares, not 1 × 4 strips: Polsby–Popper of a square.
    assert res.sectors["polsby_popper"].to_numpy() == pytest.approx(np.pi / 4, rel=1e-6)


def test_heavy_block_gets_its_own_small_sector():
    loads = np.ones(12)
    loads[0] = 11.0  # one block as heavy as the eleven others together
    res = sectors.redesign(grid(4, 3, loads), k=2, seed=0)
    lab = labels_of(res)
    alone = [b for b, s in zip(range(12), lab) if s == lab[0]]
    assert alone == [0]
    assert res.cv == pytest.approx(0.0)


def _connected(geom) -> bool:
    return shapely.get_num_geometries(shapely.make_valid(geom)) == 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nx=st.integers(2, 7), ny=st.integers(2, 6), k=st.integers(1, 6),
       seed=st.integers(0, 10_000))
def test_every_sector_is_always_in_one_piece(nx, ny, k, seed):
    rng = np.random.default_rng(seed)
    k = min(k, nx * ny)
    blocks = grid(nx, ny, rng.poisson(3, nx * ny) + rng.integers(0, 2))
    if blocks["load"].sum() == 0:
        blocks["load"] = 1.0
    res = sectors.redesign(blocks, k=k, seed=seed, restarts=1)
    assert len(res.sectors) == k
    assert (res.sectors["n_blocks"] >= 1).all()
    assert res.sectors["n_blocks"].sum() == nx * ny
    assert all(_connected(g) for g in sectors.crs.to_compute(res.sectors).geometry)
    # The graph view agrees: each sector's blocks form one component.
    assert _graph_connected(blocks, res)


def _graph_connected(blocks: gpd.GeoDataFrame, res: sectors.Redesign) -> bool:
    graph = sectors.contiguity(blocks)
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


def test_improve_keeps_a_given_start_contiguous():
    blocks = grid(6, 1, [1, 1, 1, 1, 1, 7])
    graph = sectors.contiguity(blocks)
    xy = shapely.get_coordinates(shapely.centroid(
        sectors.crs.to_compute(blocks).geometry.to_numpy()))
    labels, moves = sectors.improve(np.array([0, 0, 0, 0, 0, 1]), graph,
                                    blocks["load"].to_numpy(), np.full(6, 1e4), xy)
    # Already the best contiguous answer: 5 | 7; nothing to move.
    assert labels.tolist() == [0, 0, 0, 0, 0, 1]
    assert moves == 0


def test_corner_contact_is_not_contiguity():
    blocks = gpd.GeoDataFrame({"block_id": ["a", "b"], "load": [1.0, 1.0]},
                              geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                        box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)],
                              crs=2154).to_crs(4326)
    g = sectors.contiguity(blocks)
    assert g.neighbours == [[], []]
    assert g.components.tolist() == [0, 1]


def test_k_larger_than_blocks_is_explained():
    with pytest.raises(OptimisationError, match="5 secteurs sont demandés.*que 4 îlots"):
        sectors.redesign(grid(2, 2, [1, 1, 1, 1]), k=5)


def test_islands_are_named_or_attached():
    main = grid(3, 1, [1, 1, 1])
    island = gpd.GeoDataFrame({"block_id": ["ile"], "load": [3.0], "n_incidents": [3]},
                              geometry=[box(X0 + 1000, Y0, X0 + 1100, Y0 + 100)],
                              crs=2154).to_crs(4326)
    blocks = pd.concat([main, island], ignore_index=True)
    with pytest.raises(OptimisationError, match="1 îlot.*ile.*rattachement"):
        sectors.redesign(blocks, k=2)
    res = sectors.redesign(blocks, k=2, islands="attach")
    assert res.attached == ["ile"]
    assert res.cv == pytest.approx(0.0)


def test_split_keeps_each_sector_on_one_side():
    loads = np.ones(16)
    inside = np.zeros(16, dtype=bool)
    inside[[0, 1, 4, 5]] = True  # the lower-left 2 × 2 is the municipal area
    res = sectors.redesign(grid(4, 4, loads), k=4, split=inside)
    lab = np.asarray(labels_of(res))
    for s in set(lab):
        assert len(set(inside[lab == s])) == 1
    assert sorted(res.sectors["n_blocks"]) == [4, 4, 4, 4]


def test_proposal_layer_fits_the_store_schema(tmp_path):
    from clspd_geo import schemas
    res = sectors.redesign(grid(4, 4, np.arange(16) % 3 + 1), k=3)
    layer = sectors.proposal_layer(res)
    schemas.validate(schemas.conform(layer, "secteurs_proposes"), "secteurs_proposes")


# -- checks ----------------------------------------------------------------------------------

def test_check_reports_overlap_hole_and_empty_sector_with_places():
    geoms = [box(X0, Y0, X0 + 1000, Y0 + 1000),
             box(X0 + 900, Y0, X0 + 2000, Y0 + 1000),                 # overlaps A by 100 m
             shapely.Polygon(box(X0, Y0 + 1000, X0 + 2000, Y0 + 2000).exterior,
                             [list(box(X0 + 500, Y0 + 1200, X0 + 700, Y0 + 1400).exterior.coords)]),
             box(X0, Y0, X0 + 2000, Y0 + 2000)]                         # PM: may overlap PN
    lay = gpd.GeoDataFrame({"sector_id": ["A", "B", "C", "M"],
                            "force": ["police_nationale"] * 3 + ["police_municipale"]},
                           geometry=geoms, crs=2154).to_crs(4326)
    inc = gpd.GeoDataFrame({"category": ["rixe"] * 2},
                           geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 1500, Y0 + 1500)],
                           crs=2154).to_crs(4326)
    chk = sectors.check_sectors(lay, incidents=inc)
    assert not chk.ok
    kinds = chk.places["kind"].tolist()
    assert kinds.count("chevauchement") == 1 and kinds.count("trou") == 1
    assert kinds.count("sans_fait") == 1
    text = " ".join(chk.problems)
    assert "« A » et « B »" in text and "10.00 ha" in text and "N," in text
    assert "Trou de 4.00 ha" in text and "« C »" in text
    assert "Aucun fait enregistré dans le secteur « B »" in text
    assert chk.places.crs.to_epsg() == 4326


def test_clean_sectors_pass_the_check():
    lay = gpd.GeoDataFrame({"sector_id": ["A", "B"], "force": ["police_nationale"] * 2},
                           geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                     box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
                           crs=2154).to_crs(4326)
    assert sectors.check_sectors(lay).ok


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


def test_portland_three_balanced_precincts_beat_the_real_ones(portland):
    districts, calls = portland
    blocks = sectors.block_loads(districts, calls, id_column="DISTRICT",
                                 category_column="CATEGORY")
    graph = sectors.contiguity(blocks)
    assert graph.components.max() == 0  # the 60 districts hold together
    res = sectors.redesign(blocks, k=3, force="police_nationale")
    real = districts.dissolve("PRECINCT", as_index=False)
    real["sector_id"] = real["PRECINCT"]
    table = sectors.compare(real, res.sectors, calls, category_column="CATEGORY")
    assert table.loc["proposés", "cv"] < table.loc["actuels", "cv"]
    assert res.reached_target
    # Every district is in exactly one proposed precinct, each of one piece (districts that
    # share a boundary; their digitised outlines leave hairline gaps, so not by union).
    assert res.assignment["block_id"].is_unique and len(res.assignment) == 60
    assert _graph_connected(blocks, res)
    # Measured in metres in a UTM zone, not in degrees.
    assert res.sectors["max_distance_m"].min() > 1_000


# -- command line ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from clspd_geo import demo
    from clspd_geo.store import open_store
    path = tmp_path_factory.mktemp("police") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=3, n_incidents=4000)
    return path


def test_cli_sectors_redesign_writes_the_proposal(demo_store, capsys):
    import json

    from clspd_geo import store
    from clspd_geo.cli import main as cli
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["current"]["n_sectors"] == 3
    assert out["proposal"]["n_sectors"] == 4
    assert out["proposal"]["cv"] < out["current"]["cv"]
    assert 0 < out["proposal"]["polsby_popper_mean"] <= 1
    layer = store.open_store(demo_store).read("secteurs_proposes")
    assert len(layer) == 4 and set(layer["force"]) == {"police_nationale"}
    assert cli.main(["sectors", "--store", str(demo_store)]) == 0
    text = capsys.readouterr().out
    assert "Secteurs actuels (Police nationale) : 3 secteurs, CV de la charge" in text


def test_cli_sectors_errors_are_french_with_exit_2(demo_store, capsys):
    from clspd_geo.cli import main as cli
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "0"]) == 2
    assert "au moins 1" in capsys.readouterr().err
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "5000",
                     "--blocks", "quartiers"]) == 2
    assert "îlots à regrouper" in capsys.readouterr().err
    assert cli.main(["sectors", "--store", str(demo_store / "absent.gpkg")]) == 2
    assert "introuvable" in capsys.readouterr().err
