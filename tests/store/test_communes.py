"""The commune of every point row, filled by the store's writers (two hand-made communes)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from conftest import X0, Y0, two_commune_layers
from shapely.geometry import Point

from clspd_geo.store import GeoPackageStore, atoms, communes


def _points(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(X0 + x, Y0 + y) for x, y in xy],
                            crs=2154).to_crs(4326)


def test_each_point_gets_the_commune_covering_it_or_the_nearest_just_outside():
    terr = two_commune_layers()["territoire"]
    # Inside Testville, inside Autreville, on their shared border (first commune wins),
    # 30 m east of Autreville (within the 50 m tolerance), 500 m away from both.
    pts = _points([(500, 500), (1500, 500), (1000, 500), (2030, 500), (2500, 500)])
    got = communes.assign_communes(pts, terr)
    assert got.tolist() == ["00000", "00001", "00000", "00001", None]
    assert got.name == "insee_code"
    assert communes.assign_communes(pts, terr, tolerance_m=10)[3] is None


def test_points_without_a_geometry_have_no_commune():
    terr = two_commune_layers()["territoire"]
    pts = gpd.GeoDataFrame(geometry=[None, Point(), _points([(1500, 500)]).geometry.iloc[0]],
                           crs=4326)
    assert communes.assign_communes(pts, terr).tolist() == [None, None, "00001"]


def test_a_single_commune_gets_every_row():
    terr = two_commune_layers()["territoire"].iloc[[0]]
    got = communes.assign_communes(_points([(500, 500), (2500, 500)]), terr)
    assert got.tolist() == ["00000", "00000"]


@pytest.mark.parametrize("layer", ["incidents", "accidents", "equipements", "cameras"])
def test_writers_fill_the_commune_of_point_layers(tmp_path, layer):
    layers = two_commune_layers()
    st = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    st.write_many(layers, source="test")
    got = st.read(layer)
    expected = communes.assign_communes(layers[layer], layers["territoire"])
    assert got["insee_code"].tolist() == expected.tolist()
    if layer == "incidents":
        assert got.set_index("incident_id")["insee_code"].to_dict()["I8"] == "00001"
        assert (got["insee_code"] == "00000").sum() == 7


def test_appends_and_upserts_take_the_territory_from_the_store(tmp_path):
    layers = two_commune_layers()
    st = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    st.write_many(layers, source="test")
    new = layers["incidents"].iloc[[0]].assign(incident_id="N1")
    new = new.set_geometry(_points([(1800, 800)]).geometry.to_numpy())
    st.append_many({"incidents": new}, source="ajout")
    moved = layers["incidents"].iloc[[1]].set_geometry(_points([(1200, 900)]).geometry
                                                      .to_numpy())
    st.upsert("incidents", moved, source="correction")
    got = st.read("incidents").set_index("incident_id")["insee_code"]
    assert got["N1"] == "00001" and got[moved["incident_id"].iloc[0]] == "00001"


def _store_before_the_communes(tmp_path) -> tuple[GeoPackageStore, gpd.GeoDataFrame]:
    """A store of the two communes whose incidents layer has no insee_code (as written by
    an older version); return it and the incidents written."""
    import pyogrio

    st = GeoPackageStore(tmp_path / "old.gpkg", create=True)
    st.write_many(two_commune_layers(), source="test")
    old = st.read("incidents").drop(columns="insee_code")
    pyogrio.write_dataframe(old, st.path, layer="incidents", driver="GPKG")
    return st, old


def test_a_layer_written_before_the_communes_reads_with_an_empty_commune(tmp_path):
    st, old = _store_before_the_communes(tmp_path)
    pts = st.read_points("incidents", columns=["occurred_at", "insee_code"])
    assert list(pts.columns) == ["lon", "lat", "occurred_at", "insee_code"]
    assert pts["insee_code"].isna().all() and len(pts) == len(old)


def test_atoms_count_per_commune_and_equal_a_group_by_on_the_points(tmp_path):
    st = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    st.write_many(two_commune_layers(), source="test")
    got = st.incident_atoms(epsg=2154)
    assert list(got.columns) == atoms.ATOM_COLUMNS
    pts = st.read("incidents")
    plain = pts.groupby(["insee_code", "category", pts["occurred_at"].dt.strftime("%Y-%m")]
                        ).size()
    mine = got.groupby(["insee_code", "category", got["month"].dt.strftime("%Y-%m")])["n"].sum()
    pd.testing.assert_series_equal(mine.sort_index(), plain.sort_index(), check_names=False)
    assert int(got.loc[got["insee_code"] == "00001", "n"].sum()) == 4


def test_a_new_territory_fills_the_communes_of_the_stored_points_again(tmp_path):
    layers = two_commune_layers()
    one = {**layers, "territoire": layers["territoire"].iloc[[0]]}
    st = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    st.write_many(one, source="une commune")
    assert set(st.read("incidents")["insee_code"]) == {"00000"}
    st.write("territoire", layers["territoire"], source="deux communes")
    got = st.read("incidents").set_index("incident_id")["insee_code"]
    assert (got[[f"I{i}" for i in range(7, 11)]] == "00001").all()
    assert (got[[f"I{i}" for i in range(7)]] == "00000").all()
    assert st.source_of("incidents").source == "une commune"  # its rows did not change
    assert st.source_of("territoire").source == "deux communes"
    assert int(st.incident_atoms(epsg=2154).query("insee_code == '00001'")["n"].sum()) == 4


def test_a_territory_with_one_insee_code_twice_is_refused_by_the_writers(tmp_path):
    from clspd_geo.errors import SchemaError

    terr = two_commune_layers()["territoire"].assign(insee_code=["00000", "00000"])
    st = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    with pytest.raises(SchemaError, match="identifiants en double dans « insee_code » "
                                          r"\(par ex. 00000\)") as err:
        st.write("territoire", terr, source="test")
    assert "Corrigez le fichier source" in str(err.value)
    assert not (tmp_path / "s.gpkg").exists()


def test_an_append_to_a_layer_written_before_the_communes_fills_every_row(tmp_path):
    st, _ = _store_before_the_communes(tmp_path)
    new = two_commune_layers()["incidents"].iloc[[9]].assign(incident_id="N1")
    st.append_many({"incidents": new}, source="ajout")  # the file lacks the column: rebuilt
    got = st.read("incidents").set_index("incident_id")["insee_code"]
    assert got["N1"] == "00001" and got["I8"] == "00001" and got.notna().all()
