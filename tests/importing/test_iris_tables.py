"""IRIS population tables joined on the IRIS code to the real Paris IRIS (the table is
hand-made from the INSEE column names: no real table here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions

TABLE = ("IRIS;COM;LIBIRIS;TYP_IRIS;P21_POP;P21_POP0014;P21_POP65P\n"
         "751145509;75114;Plaisance 9;H;2450;310;402\n"
         "751208009;75120;Charonne 9;H;3120,5;702;330\n"
         "930010101;93001;Hors Paris;H;2000;400;300\n")


@pytest.fixture
def iris_store(shared_data: Path, tmp_path: Path) -> Path:
    store = tmp_path / "s.gpkg"
    pipeline.run("boundaries", [shared_data / "areas/paris_iris_2013_rp2011_csp.geojson"],
                 store_path=store, options=ImportOptions(as_layer="quartiers"))
    return store


def test_table_joined_on_the_iris_code(iris_store: Path, tmp_path: Path) -> None:
    table = tmp_path / "base-ic-evol-struct-pop-2021.csv"
    table.write_text(TABLE, encoding="utf-8")
    report = pipeline.run("iris_population", [table], store_path=iris_store)
    q = store_mod.open_store(iris_store).read("quartiers").set_index("quartier_id")
    assert len(q) == 992 and report.filtered_out == 1  # the 93 IRIS is not a quartier
    assert q.loc["751145509", "population"] == 2450
    assert q.loc["751208009", "P21_POP"] == 3120.5
    assert q.loc["751145509", "P21_POP0014"] == 310
    assert q["population"].notna().sum() == 2
    assert int(q["C11_POP15P"].sum()) == 1926666  # the IRIS' own columns are kept


def test_no_matching_iris_refused_store_unchanged(iris_store: Path, tmp_path: Path) -> None:
    table = tmp_path / "autre.csv"
    table.write_text("IRIS;P21_POP\n930010101;2000\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="Aucune ligne de « autre.csv » ne correspond"):
        pipeline.run("iris_population", [table], store_path=iris_store)
    assert store_mod.open_store(iris_store).read("quartiers")["population"].isna().all()


def test_without_quartiers_refused(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("IRIS;P21_POP\n751145509;2000\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="Aucun quartier dans la base"):
        pipeline.prepare("iris_population", [table])
