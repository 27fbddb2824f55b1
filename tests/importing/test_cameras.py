"""Camera imports: geocoded lists, crossings and points outside the territory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clspd_geo import store as store_mod
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions


def test_geocoded_2019_cameras(shared_data: Path, paris_store: Path) -> None:
    report = pipeline.run("cameras",
                          [shared_data / "videoprotection/paris_cameras_geocoded_2019.csv"],
                          store_path=paris_store)
    assert report.accepted == 707 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 707
    assert set(cams["operator"]) == {"etat"}
    assert cams["commissioned_on"].notna().sum() > 300
    # « Début 2019 » is not a date: kept empty and reported, never invented.
    assert any("Début 2019" in k for k in report.fixes)


@pytest.mark.parametrize("annexe", ["paris_pvpp_annexe1_prefecture_2019.csv",
                                    "paris_vpp_annexe2_ville_2019.csv"])
def test_annexe_rows_geocoded_with_crossings(shared_data: Path, tmp_path: Path,
                                             annexe: str) -> None:
    vp = shared_data / "videoprotection"
    rows = len(pd.read_csv(vp / annexe, sep=";", dtype=str))
    report = pipeline.prepare(
        "cameras", [vp / annexe],
        options=ImportOptions(geocode_with=vp / "paris_street_intersections_osm.csv.gz"))
    unplaced = report.rejected["motif"].str.startswith("lieu introuvable").sum()
    assert unplaced > 0
    assert report.accepted + report.n_rejected == rows
    assert unplaced == report.n_rejected  # nothing else rejected, nothing dropped silently
    assert report.accepted > rows / 2
    assert f"{report.n_rejected} ligne(s) rejetée(s)" in report.to_text()
    cams = report.frames["cameras"]
    lon, lat = cams.geometry.x, cams.geometry.y
    assert lon.between(2.2, 2.5).all() and lat.between(48.8, 48.91).all()


def test_prefecture_2013_cameras_outside_flagged_not_dropped(shared_data: Path,
                                                             paris_store: Path) -> None:
    path = shared_data / "videoprotection/paris_pvpp_cameras_prefecture_2013.geojson"
    report = pipeline.run("cameras", [path], store_path=paris_store)
    assert report.accepted == 1389 and report.n_rejected == 0
    cams = store_mod.open_store(paris_store).read("cameras")
    assert len(cams) == 1389
    assert int(cams["outside_territory"].sum()) == 37
    # The same 37 as the publisher's own flag against the same simplified polygon.
    assert (cams["outside_territory"] == ~cams["in_paris_polygon"].astype(bool)).all()
