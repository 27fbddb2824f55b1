"""Tests of the store inventory (the « Données » page's table of layers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import make_valid_layers

from clspd_geo import schemas
from clspd_geo.store import inventory
from clspd_geo.store.gpkg import GeoPackageStore


def test_layer_summary_lists_every_layer_with_rows_period_and_source(tmp_path: Path):
    st = GeoPackageStore(tmp_path / "clspd.gpkg", create=True)
    layers = make_valid_layers()
    st.write_many({"incidents": layers["incidents"], "cameras": layers["cameras"]},
                  source="import du 1er mars")
    table = inventory.layer_summary(st)
    assert list(table.columns) == ["Couche", "Nom", "Lignes", "Du", "Au", "Source",
                                   "Chargée le"]
    assert list(table["Couche"]) == list(schemas.LAYERS)
    rows = table.set_index("Couche")
    inc = rows.loc["incidents"]
    assert (inc["Nom"], inc["Lignes"], inc["Du"], inc["Au"], inc["Source"]) == (
        "Faits et incidents", 6, dt.date(2024, 1, 1), dt.date(2024, 3, 1), "import du 1er mars")
    assert len(inc["Chargée le"]) == 16 and inc["Chargée le"][10] == " "  # "AAAA-MM-JJ hh:mm"
    cams = rows.loc["cameras"]
    assert (cams["Lignes"], cams["Du"], cams["Au"], cams["Source"]) == (
        3, None, None, "import du 1er mars")  # no dates on cameras
    absent = rows.loc["territoire"]
    assert (absent["Lignes"], absent["Source"]) == (0, "absente")
    assert pd.isna(absent["Chargée le"])
