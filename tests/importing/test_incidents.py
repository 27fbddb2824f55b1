"""Incident imports: categories mapped or counted, and Portland's calls in feet."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from import_helpers import BAD, FIXTURES, refused

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions


def test_unknown_categories_counted(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "unknown_categories.csv"], SchemaError,
                  "sans correspondance")
    assert "(2 lignes)" in msg and "Vol à la tire" in msg
    report = pipeline.prepare("incidents", [BAD / "unknown_categories.csv", BAD /
                                            "decimal_commas.csv"], store_path=store)
    assert report.unmapped == {"Vol à la tire": 2, "Nuisance": 1}


def test_portland_calls_in_feet_land_on_the_published_positions(shared_data: Path,
                                                                 tmp_path: Path) -> None:
    src = pd.read_csv(shared_data / "crime/portland_cfs_2016-08.csv.gz", dtype=str)
    feet_only = tmp_path / "portland_feet.csv"
    src.drop(columns=["lon", "lat"]).to_csv(feet_only, index=False)
    options = ImportOptions(mapping=FIXTURES / "portland_categories.csv")
    report = pipeline.prepare("incidents", [feet_only], options=options)
    inc = report.frames["incidents"]
    assert "EPSG:2913" in report.files[0].crs
    # 87 burglaries + 198 vehicle thefts + 3,342 street crimes; OTHER is unmapped.
    assert len(inc) == 87 + 198 + 3342
    assert report.unmapped["OTHER"] == 15748
    assert inc["category"].value_counts()["cambriolage"] == 87
    published = src.loc[~src["CATEGORY"].isin(["OTHER"]) & src["lon"].notna()]
    merged = inc.assign(line=inc["incident_id"].str.split(":").str[1].astype(int))
    ref = published.assign(line=published.index + 2)
    both = merged.merge(ref, on="line")
    assert len(both) == len(inc)
    ours = gpd.GeoSeries(both.geometry, crs=4326).to_crs(32610)
    theirs = gpd.GeoSeries(gpd.points_from_xy(both["lon"].astype(float),
                                              both["lat"].astype(float)),
                           crs=4326).to_crs(32610)
    assert np.asarray(ours.distance(theirs)).max() < 1.0  # metres
    assert not any(c in inc.columns for c in ("CASE_DESC", "CALL_GROUP"))


def test_portland_incidents_get_their_district(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    pipeline.run("boundaries", [shared_data / "crime/portland_police_districts.geojson"],
                 store_path=path, options=ImportOptions(as_layer="quartiers"))
    pipeline.run("incidents", [shared_data / "crime/portland_cfs_2016-08.csv.gz"],
                 store_path=path,
                 options=ImportOptions(mapping=FIXTURES / "portland_categories.csv"))
    inc = store_mod.open_store(path).read("incidents")
    assert inc["quartier_id"].notna().mean() > 0.99
