"""GeoJSON contents are parsed as data, never handed to GDAL as a file name (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

from clspd_geo.importing import sniffing


def _write(path: Path, names: list[str]) -> Path:
    features = [{"type": "Feature", "properties": {"name": n},
                 "geometry": {"type": "Point", "coordinates": [2.35 + i / 1000, 48.85]}}
                for i, n in enumerate(names)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_geojson_with_bang_and_semicolon_in_names(tmp_path: Path) -> None:
    names = ["Place de la République !", "Rue A ; Rue B", "/vsicurl/http://x!y"]
    gdf = sniffing.read_vector(_write(tmp_path / "zones.geojson", names), "geojson")
    assert list(gdf["name"]) == names
    assert gdf.crs.to_epsg() == 4326


def test_geojson_longer_than_a_path(tmp_path: Path) -> None:
    names = [f"Équipement n° {i} ; « test » !" for i in range(300)]
    path = _write(tmp_path / "long.geojson", names)
    assert path.stat().st_size > 4096
    gdf = sniffing.read_vector(path, "geojson")
    assert list(gdf["name"]) == names
    assert len(gdf) == 300
