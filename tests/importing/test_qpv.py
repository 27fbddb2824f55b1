"""QPV contours: the real 2015-generation sample, the 2024 and 2015 ANCT columns, the flags."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline, qpv
from clspd_geo.importing.context import ImportOptions
from clspd_geo.importing.report import RowLog

SAMPLE = "qpv/qpv_lesemplois_testfactory_3qp.geojson"


def test_real_qpv_flag_the_paris_iris_they_cover(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "p.gpkg"
    pipeline.run("boundaries", [shared_data / "areas/paris_iris_2013_rp2011_csp.geojson"],
                 store_path=store, options=ImportOptions(as_layer="quartiers"))
    report = pipeline.run("qpv", [shared_data / SAMPLE], store_path=store)
    st = store_mod.open_store(store)
    contours = st.read("qpv").set_index("qpv_id")
    assert sorted(contours.index) == ["QP075019", "QP093028", "QP094025"]
    assert set(contours["generation"]) == {"2015"}
    assert contours.is_valid.all()  # QP075019 is invalid in the source: repaired, reported
    assert any("polygone invalide réparé" in k for k in report.fixes)
    iris = st.read("quartiers").set_index("NOM_IRIS")
    assert len(iris) == 992
    # « Les Portes du Vingtième » covers these six IRIS at 50 % or more.
    assert sorted(iris.index[iris["qpv"]]) == ["CHARONNE 11", "CHARONNE 20", "CHARONNE 8",
                                              "CHARONNE 9", "SAINT-FARGEAU 3",
                                              "SAINT-FARGEAU 4"]
    assert iris.loc["CHARONNE 9", "qpv_share"] == pytest.approx(0.987, abs=0.002)
    assert 0.3 < iris.loc["CHARONNE 10", "qpv_share"] < qpv.QPV_SHARE_MIN
    assert not iris.loc["CHARONNE 10", "qpv"]
    assert iris["qpv_share"].between(0, 1).all()


def test_real_qpv_without_quartiers_only_the_overlay(shared_data: Path) -> None:
    report = pipeline.prepare("qpv", [shared_data / SAMPLE])
    assert set(report.frames) == {"qpv"} and len(report.frames["qpv"]) == 3


@pytest.mark.parametrize(("columns", "code", "generation"), [
    ({"code_qp": "QN07501M", "lib_qp": "Cité A"}, "QN07501M", "2024"),
    ({"CODE_QP": "QP075001", "NOM_QP": "Cité B"}, "QP075001", "2015"),
])
def test_anct_columns_of_both_generations(tmp_path: Path, columns: dict, code: str,
                                          generation: str) -> None:
    path = tmp_path / "qpv.geojson"
    gpd.GeoDataFrame({k: [v] for k, v in columns.items()},
                     geometry=[box(2.35, 48.85, 2.36, 48.86)], crs=4326).to_file(
        path, driver="GeoJSON")
    out = pipeline.prepare("qpv", [path]).frames["qpv"]
    assert out["qpv_id"].tolist() == [code] and out["generation"].tolist() == [generation]


def test_flag_share_known_answer() -> None:
    # Two 1 km × 1 km quartiers; the QPV covers 60 % of the west one, 10 % of the east one.
    quartiers = gpd.GeoDataFrame({"quartier_id": ["o", "e"], "qpv": [False, True]},
                                 geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
                                 crs=2154).to_crs(4326)
    contour = gpd.GeoDataFrame(geometry=[box(400, 0, 1100, 1000)], crs=2154).to_crs(4326)
    out = qpv.flag_quartiers(quartiers, contour, file="qpv.geojson", log=RowLog())
    assert out["qpv_share"].tolist() == pytest.approx([0.6, 0.1], abs=1e-3)
    assert out["qpv"].tolist() == [True, False]


def test_file_without_qpv_columns_refused(tmp_path: Path) -> None:
    path = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"id": [1]}, geometry=[box(2.35, 48.85, 2.36, 48.86)],
                     crs=4326).to_file(path, driver="GeoJSON")
    with pytest.raises(SchemaError, match="« zones.geojson » n'a pas les colonnes d'un "
                                          "contour de QPV"):
        pipeline.prepare("qpv", [path])
