"""Geometries of imported features: repaired, refused, or rejected per feature."""

from __future__ import annotations

from pathlib import Path

from import_helpers import BAD, refused, repaired

from clspd_geo.errors import SchemaError


def test_self_intersecting_polygon_repaired_and_reported(store: Path) -> None:
    report = repaired(store, "sectors", [BAD / "self_intersecting.geojson"],
                      "polygone invalide réparé (auto-intersection) : Polygon → MultiPolygon")
    assert report.frames["secteurs"].is_valid.all()


def test_collapsed_polygon_refused(store: Path) -> None:
    refused(store, "sectors", [BAD / "collapsed_polygon.geojson"], SchemaError,
            "polygone invalide et irréparable")


def test_empty_geometries_refused(store: Path) -> None:
    msg = refused(store, "sectors", [BAD / "empty_geometries.geojson"], SchemaError,
                  "géométrie vide ou absente \\(2 lignes\\)")
    assert "ligne 1" in msg


def test_mixed_geometry_types_rejected_per_feature(store: Path) -> None:
    report = repaired(store, "cameras", [BAD / "mixed_geometries.geojson"],
                      "géométrie de type LineString au lieu d'un point")
    assert report.accepted == 1
    assert report.rejected["ligne"].tolist() == [2, 3]
