"""Filosofi 200 m cells: the INSPIRE id decoded to its EPSG:3035 square (hand-made fixture
written from the INSEE layout: no real extract here)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import filosofi, pipeline
from clspd_geo.importing.context import ImportOptions

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "import"
GRID = FIXTURES / "filosofi_fictif.csv"


def test_decode_known_cell() -> None:
    epsg, cell = filosofi.decode("CRS3035RES200mN2029800E4252400")
    assert epsg == 3035 and cell.bounds == (4252400.0, 2029800.0, 4252600.0, 2030000.0)
    assert filosofi.decode("CRS3035RES1000mN2889000E3760000")[1].area == 1e6
    assert filosofi.decode("N2029800E4252400") is None
    assert filosofi.decode("CRS3035RES200mN2029800") is None


def test_cells_values_and_squares(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    report = pipeline.run("population", [GRID], store_path=store)
    cells = store_mod.open_store(store).read("carreaux").set_index("cell_id")
    assert len(cells) == 3 and report.n_rejected == 0
    first = cells.loc["CRS3035RES200mN2889400E3760600"]
    assert (first["population"], first["households"], first["poor_households"],
            first["social_housing"]) == (1250.5, 640, 96, 210)
    assert cells.loc["CRS3035RES200mN2889600E3760600", "ind_80p"] == 0.5  # decimal comma
    back = gpd.GeoSeries([first.geometry], crs=4326).to_crs(3035).iloc[0]
    assert back.area == pytest.approx(40_000, rel=1e-6)
    assert shapely.Point(3760700, 2889500).within(back)
    assert sum(cells["population"]) == pytest.approx(1250.5 + 830 + 12.5)


def test_commune_filter_reads_lcog_geo() -> None:
    report = pipeline.prepare("population", [GRID], options=ImportOptions(commune="75104"))
    assert sorted(report.frames["carreaux"]["cell_id"]) == [
        "CRS3035RES200mN2889400E3760600", "CRS3035RES200mN2889400E3760800"]
    assert report.filtered_out == 1


def test_id_that_does_not_decode_refused_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    pipeline.run("population", [GRID], store_path=store)
    lines = GRID.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("CRS3035RES200mN2889400E3760800", "N2889400E3760800", 1)
    bad = tmp_path / "carreaux.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"« carreaux.csv », ligne 3 : identifiant de "
                                          r"carreau « N2889400E3760800 » illisible"):
        pipeline.run("population", [bad], store_path=store)
    assert len(store_mod.open_store(store).read("carreaux")) == 3
