"""Polygon layers read from vector files (clspd_geo.importing.areas_common)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from clspd_geo.errors import DataFileError
from clspd_geo.importing import areas_common, sniffing
from clspd_geo.importing.report import RowLog


def test_polygon_frame_reprojects_repairs_and_numbers_features(tmp_path: Path) -> None:
    bowtie = Polygon([(652000, 6862000), (653000, 6863000), (653000, 6862000),
                      (652000, 6863000)])
    gdf = gpd.GeoDataFrame({"code": ["A", "B"]},
                           geometry=[box(651000, 6861000, 652000, 6862000), bowtie], crs=2154)
    path = tmp_path / "zones.geojson"
    gdf.to_file(path, driver="GeoJSON")
    log = RowLog()
    out = areas_common.polygon_frame(sniffing.open_source(path), log, what="les zones")
    assert out.crs.to_epsg() == 4326
    assert out["code"].tolist() == ["A", "B"]
    assert out["_file"].tolist() == ["zones.geojson"] * 2 and out["_line"].tolist() == [1, 2]
    assert out.is_valid.all()
    assert out.to_crs(2154).area.iloc[0] == pytest.approx(1e6, rel=1e-6)
    assert "2154" in log.crs["zones.geojson"]
    assert any("auto-intersection" in k for k in log.fixes)


def test_polygon_frame_refuses_a_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="« t.csv » est un tableau .* les secteurs demande"):
        areas_common.polygon_frame(sniffing.open_source(path), RowLog(), what="les secteurs")


def test_extra_columns_drop_schema_names_in_any_case() -> None:
    gdf = gpd.GeoDataFrame({"NAME": ["x"], "fid": [1], "pop": [3], "_line": [1]},
                           geometry=[box(0, 0, 1, 1)])
    assert areas_common.extra_columns(gdf, ["name", "sector_id"]).columns.tolist() == ["pop"]


def test_pick_first_matching_column_any_case() -> None:
    frame = pd.DataFrame(columns=["INSEE_COM", "Nom", "code"])
    assert areas_common.pick(frame, "insee", "insee_com", "code") == "INSEE_COM"
    assert areas_common.pick(frame, "nom") == "Nom"
    assert areas_common.pick(frame, "population") is None
