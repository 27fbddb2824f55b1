"""Tests of the intercommunal demo (``demo --communes N``)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from clspd_geo import demo, schemas
from clspd_geo.cli import main as cli
from clspd_geo.demo import intercommunal
from clspd_geo.store import open_store

N = 3_000


@pytest.fixture(scope="module")
def three() -> dict[str, gpd.GeoDataFrame]:
    return demo.build_demo(seed=5, n_incidents=N, n_communes=3)


def test_three_communes_each_with_code_name_and_population(three):
    terr = three["territoire"]
    assert list(terr["insee_code"]) == ["00000", "00001", "00002"]
    assert terr["insee_code"].is_unique
    assert terr["name"].str.endswith("(commune fictive de démonstration)").all()
    assert terr["name"].iloc[0] == demo.NAME
    assert terr["fictitious"].all()
    by_commune = three["quartiers"].groupby("insee_code")["population"].sum()
    assert dict(by_commune) == dict(zip(terr["insee_code"], terr["population"], strict=True))
    assert terr["population"].tolist() == [50_000, 20_000, 15_000]


def test_layers_are_valid_and_ids_unique(three):
    assert tuple(three) == demo.LAYER_NAMES
    for name, gdf in three.items():
        schemas.validate(schemas.conform(gdf, name), name)
        assert gdf.crs.to_epsg() == 4326


def test_communes_do_not_overlap_and_quartiers_lie_in_their_commune(three):
    terr = three["territoire"].to_crs(2154)
    for i in range(len(terr)):
        for j in range(i + 1, len(terr)):
            assert terr.geometry.iloc[i].intersection(terr.geometry.iloc[j]).area == 0
    q = three["quartiers"].to_crs(2154)
    inside = gpd.sjoin(q.set_geometry(q.representative_point()),
                       terr[["insee_code", "geometry"]].rename(columns={"insee_code": "in"}),
                       predicate="within")
    assert (inside["insee_code"] == inside["in"]).all() and len(inside) == len(q)


def test_incidents_split_among_communes_with_different_rates(three):
    inc = three["incidents"]
    assert len(inc) == N and inc["incident_id"].is_unique
    assert inc["occurred_at"].is_monotonic_increasing
    terr = three["territoire"]
    joined = gpd.sjoin(inc.drop(columns="insee_code", errors="ignore"),
                       terr[["insee_code", "geometry"]], predicate="within")
    assert len(joined) == N  # every incident inside one commune
    counts = joined["insee_code"].value_counts()
    expected = intercommunal.split_incidents(N, intercommunal.communes(3))
    assert [counts[c] for c in terr["insee_code"]] == expected.tolist()
    # The incident's quartier belongs to the commune it falls in.
    commune_of_q = dict(zip(three["quartiers"]["quartier_id"], three["quartiers"]["insee_code"],
                            strict=True))
    assert (joined["quartier_id"].map(commune_of_q) == joined["insee_code"]).all()
    rates = 1000 * np.array([counts[c] for c in terr["insee_code"]]) / terr["population"]
    # Marvent's rate is well above Valbourg's, Orvalle's well below.
    assert rates[1] > 1.3 * rates[0] > 1.3 * 1.3 * rates[2]
    for layer in ("cameras", "equipements", "accidents"):
        j = gpd.sjoin(three[layer].drop(columns="insee_code", errors="ignore"),
                      terr[["insee_code", "geometry"]], predicate="within")
        assert set(j["insee_code"]) == set(terr["insee_code"]), layer


def test_deterministic_per_seed_and_commune_zero_is_valbourg(three):
    again = demo.build_demo(seed=5, n_incidents=N, n_communes=3)
    for name in demo.LAYER_NAMES:
        assert_geodataframe_equal(three[name], again[name])
    other = demo.build_demo(seed=6, n_incidents=N, n_communes=3)
    with pytest.raises(AssertionError):
        assert_geodataframe_equal(three["incidents"], other["incidents"])
    single = demo.build_demo(seed=5, n_incidents=N)
    mine = three["quartiers"][three["quartiers"]["insee_code"] == demo.INSEE_CODE]
    assert mine["quartier_id"].tolist() == single["quartiers"]["quartier_id"].tolist()
    # Valbourg's cameras are those of the one-commune demo (same random stream).
    cams = three["cameras"][three["cameras"]["camera_id"].str.startswith("CAM-")]
    assert_geodataframe_equal(cams.reset_index(drop=True), single["cameras"],
                              check_less_precise=True)


def test_one_commune_is_the_unchanged_demo():
    for name, gdf in demo.build_demo(seed=2, n_incidents=500, n_communes=1).items():
        assert_geodataframe_equal(gdf, demo.build_demo(seed=2, n_incidents=500)[name])


@pytest.mark.parametrize("bad", [0, 6, True, 2.5])
def test_refuses_a_bad_number_of_communes(bad):
    with pytest.raises(ValueError, match="nombre de communes"):
        demo.build_demo(n_incidents=100, n_communes=bad)


def test_refuses_fewer_incidents_than_communes():
    with pytest.raises(ValueError, match="au moins un incident par commune"):
        demo.build_demo(n_incidents=2, n_communes=3)


def test_demo_command_with_three_communes(tmp_path, capsys):
    path = tmp_path / "cispd.gpkg"
    assert cli.main(["demo", "--store", str(path), "--incidents", "900", "--communes", "3",
                     "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 communes" in out
    store = open_store(path)
    assert sorted(store.read("territoire")["insee_code"]) == ["00000", "00001", "00002"]
    assert set(store.read("quartiers")["insee_code"]) == {"00000", "00001", "00002"}
    assert len(store.read("incidents")) == 900


def test_demo_command_refuses_six_communes(tmp_path, capsys):
    assert cli.main(["demo", "--store", str(tmp_path / "x.gpkg"), "--communes", "6"]) == 2
    assert not (tmp_path / "x.gpkg").exists()
    assert "nombre de communes" in capsys.readouterr().err
