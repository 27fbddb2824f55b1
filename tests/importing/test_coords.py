"""Coordinates of imported rows: columns, systems, swaps, zones and the territory."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from import_helpers import BAD, refused, repaired

from clspd_geo.errors import CrsError, SchemaError
from clspd_geo.importing import coords
from clspd_geo.importing.report import RowLog


def test_column_priority_degrees_then_named_crs() -> None:
    frame = pd.DataFrame(columns=["x_ft_epsg2913", "y_ft_epsg2913", "lon", "lat"])
    found = coords.all_columns(frame)
    assert [(c.x, c.epsg) for c in found] == [("lon", None), ("x_ft_epsg2913", 2913)]
    frame = pd.DataFrame({"coordonnee_x": ["1"], "coordonnee_y": ["2"], "EPSG": ["EPSG:2154"]})
    assert coords.find_columns(frame).epsg == 2154


def test_lambert93_columns_projected_exactly() -> None:
    log = RowLog()
    frame = pd.DataFrame({"x_l93": ["652000"], "y_l93": ["6862000"]})
    cols = coords.find_columns(frame)
    pts = coords.points(frame, pd.Series([2]), cols, file="f", log=log)
    back = gpd.GeoSeries(pts, crs=4326).to_crs(2154).iloc[0]
    assert (back.x, back.y) == pytest.approx((652000, 6862000), abs=1e-3)


def test_swap_only_when_it_lands_in_france() -> None:
    log = RowLog()
    frame = pd.DataFrame({"lon": ["48.85", "-122.6"], "lat": ["2.35", "45.5"]})
    pts = coords.points(frame, pd.Series([2, 3]), coords.find_columns(frame), file="f",
                        log=log)
    assert (pts.iloc[0].x, pts.iloc[0].y) == (2.35, 48.85)
    assert (pts.iloc[1].x, pts.iloc[1].y) == (-122.6, 45.5)  # Portland: not swapped
    assert sum(log.fixes.values()) == 1


def test_local_epsg_per_zone() -> None:
    pts = gpd.GeoSeries([Point(2.35, 48.85), Point(-61.0, 14.6), Point(55.45, -21.1),
                         Point(-122.6, 45.5)], crs=4326)
    assert coords.local_epsg(pts).tolist() == [2154, 5490, 2975, 32610]


def test_territory_tolerance_flags_near_and_rejects_far() -> None:
    terr = gpd.GeoDataFrame(geometry=[box(652000, 6862000, 653000, 6863000)],
                            crs=2154).to_crs(4326)
    pts = gpd.GeoSeries([Point(652500, 6862500), Point(653500, 6862500),
                         Point(660000, 6862500)], crs=2154).to_crs(4326)
    log = RowLog()
    out = coords.check_territory(pts, pd.Series([2, 3, 4]), terr, file="f", log=log,
                                 tolerance_m=1000)
    assert out.tolist() == [False, True, False]
    rej = log.rejected_frame()
    assert rej["ligne"].tolist() == [4]
    assert "à 7,0 km" in rej["motif"].iloc[0]  # decimal comma


def test_swapped_lat_lon_put_back_and_reported(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "swapped_lat_lon.csv"],
                      "latitude et longitude inversées")
    assert report.fixes[next(k for k in report.fixes if "inversées" in k)] == 2
    assert report.frames["incidents"].geometry.iloc[0].x == pytest.approx(2.3522)


def test_lambert93_in_degree_columns_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "lambert93_as_degrees.csv"], SchemaError,
                  "valeurs en mètres dans des colonnes de degrés")
    assert "Lambert-93 (EPSG:2154)" in msg and "x_l93" in msg


def test_xy_without_crs_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "xy_without_crs.csv"], CrsError,
            "ne disent pas leur système de coordonnées")


def test_points_outside_territory_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "outside_territory.csv"], SchemaError,
                  r"point hors du territoire \(à \d+,\d km")
    assert "ligne 2" in msg


def test_geojson_without_crs_but_metres_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "metres_without_crs.geojson"], CrsError,
            "coordonnées sont en mètres .* Lambert-93")


def test_missing_required_column_refused(store: Path) -> None:
    msg = refused(store, "incidents", [BAD / "missing_category_column.csv"], SchemaError,
                  "Colonne obligatoire absente dans")
    assert "catégorie" in msg and "date_heure, lon, lat" in msg
