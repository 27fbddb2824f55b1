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


# -- an intercommunal territory: every incident in one of its communes -----------------------

def _two_commune_store(tmp_path: Path) -> Path:
    from conftest import two_commune_layers

    layers = two_commune_layers()
    path = tmp_path / "cispd.gpkg"
    store_mod.GeoPackageStore(path, create=True).write_many(
        {"territoire": layers["territoire"], "quartiers": layers["quartiers"]}, source="test")
    return path


def test_incidents_outside_every_commune_are_rejected_with_their_lines(tmp_path: Path) -> None:
    from conftest import X0, Y0

    path = _two_commune_store(tmp_path)
    csv = tmp_path / "faits.csv"
    # Line 2: Testville; 3: Autreville; 4: 30 m east of Autreville (its border, kept);
    # 5: 1.5 km north of both, still within the territory's 5 km tolerance (rejected).
    rows = [(500, 500), (1500, 500), (2030, 500), (1000, 2500)]
    csv.write_text("date_heure;categorie;x_l93;y_l93\n" + "".join(
        f"2025-03-0{i + 1} 22:00;tapage;{X0 + x:.0f};{Y0 + y:.0f}\n"
        for i, (x, y) in enumerate(rows)), encoding="utf-8")
    report = pipeline.run("incidents", [csv], store_path=path)
    assert report.rejected[["fichier", "ligne"]].values.tolist() == [["faits.csv", 5]]
    assert "hors des communes du territoire" in report.rejected["motif"].iloc[0]
    assert "importez d'abord la commune" in report.to_text()
    got = store_mod.open_store(path).read("incidents").sort_values("incident_id")
    assert got["insee_code"].tolist() == ["00000", "00001", "00001"]
    assert got["quartier_id"].tolist() == ["Q1", "Q3", None]


def test_a_single_commune_keeps_incidents_just_outside_as_before(tmp_path: Path) -> None:
    from conftest import X0, Y0, tiny_layers

    path = tmp_path / "one.gpkg"
    store_mod.GeoPackageStore(path, create=True).write_many(
        {"territoire": tiny_layers()["territoire"]}, source="test")
    csv = tmp_path / "faits.csv"
    csv.write_text("date_heure;categorie;x_l93;y_l93\n"
                   f"2025-03-01 22:00;tapage;{X0 + 500:.0f};{Y0 + 2500:.0f}\n", encoding="utf-8")
    report = pipeline.run("incidents", [csv], store_path=path)
    assert report.rejected.empty
    assert store_mod.open_store(path).read("incidents")["insee_code"].tolist() == ["00000"]
