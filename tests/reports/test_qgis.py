"""The styled GeoPackage: a style per layer, QML that parses, layers read back whole."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest

from clspd_geo.access.gateway import Gateway
from clspd_geo.reports import qgis


@pytest.mark.parametrize("role", ["police", "public"])
def test_styles_and_counts(demo_store: Path, tmp_path: Path, role: str) -> None:
    view = Gateway(str(demo_store)).view(role)
    out = tmp_path / "clspd.gpkg"
    counts = qgis.export(view, out)
    with sqlite3.connect(out) as con:
        rows = con.execute("SELECT f_table_name, styleQML, useAsDefault FROM layer_styles"
                           ).fetchall()
    assert {r[0] for r in rows} == set(counts)
    for _, text, default in rows:
        ET.fromstring(text.split(">", 1)[1])  # after the DOCTYPE
        assert default == 1
    for name, n in counts.items():
        assert len(pyogrio.read_dataframe(out, layer=name)) == n
    assert ("cameras" in counts) == (role == "police")


def test_export_bytes_is_a_geopackage(demo_store: Path) -> None:
    data = qgis.export_bytes(Gateway(str(demo_store)).view("elu"))
    assert data[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize("role", ["groupe_travail", "police"])
def test_the_same_cells_from_counts_as_from_one_row_per_incident(demo_store: Path,
                                                                 tmp_path: Path,
                                                                 role: str) -> None:
    from geopandas.testing import assert_geodataframe_equal

    from .conftest import one_row_per_incident

    weighted = Gateway(str(demo_store)).view(role)
    expanded = one_row_per_incident(Gateway(str(demo_store)).view(role))
    a, b = qgis.incident_cells(weighted), qgis.incident_cells(expanded)
    assert_geodataframe_equal(a, b)
    assert len(a) > 0 and (a["faits"] >= weighted.small_count_k).all()
    # One feature per cell with its count: no column of released rows reaches the file.
    assert set(a.columns) == {"cell_id", "row", "col", "faits", "geometry"}
    counts_a = qgis.export(weighted, tmp_path / "a.gpkg")
    counts_b = qgis.export(expanded, tmp_path / "b.gpkg")
    assert counts_a == counts_b
    cells_a = pyogrio.read_dataframe(tmp_path / "a.gpkg", layer=qgis.CELLS_LAYER)
    assert cells_a["faits"].sum() == a["faits"].sum()
