"""Settings of the library, as typed constants.

Constants
---------
STORAGE_CRS : str
    ``"EPSG:4326"``. Every layer is stored and displayed in WGS84.
COMPUTE_CRS : str
    ``"EPSG:2154"`` (Lambert-93). Distances and areas are measured in it in mainland
    France and Corsica; overseas territories use their own UTM zone (see :mod:`clspd_geo.crs`).
DEFAULT_STORE_NAME : str
    ``"clspd.gpkg"``: file name of the embedded store under :func:`data_dir`.
BASEMAPS : dict
    The basemap choices: OpenStreetMap, IGN "Plan IGN v2" and IGN orthophotos from the
    Géoplateforme, or none (the territory's own layers still draw).
DEFAULT_BASEMAP : str
    ``"aucun"`` unless ``CLSPD_BASEMAP`` says otherwise: a police network often has no
    internet, and a blank background is better than broken tiles.
HOTSPOT_CELL_M : float
    ``200.0``: side of the square cells of the overview's incident layer, in metres.
MAX_MAP_BYTES : int
    ``2_000_000``: target size of the overview map HTML.
DEMO_MAX_COMMUNES : int
    ``5``: most communes of the intercommunal demo (``demo --communes``).

Environment variables (read at call time, so tests can change them):
``CLSPD_DATA_DIR`` (folder of the store, default ``data/``), ``CLSPD_STORE`` (path of the
store file, overrides the folder), ``CLSPD_BASEMAP`` (a key of :data:`BASEMAPS`),
``CLSPD_DEMO_COMMUNES`` (communes of the demo built on first start, 1 to 5, default 1).
"""

from __future__ import annotations

import os
from pathlib import Path

STORAGE_CRS = "EPSG:4326"
COMPUTE_CRS = "EPSG:2154"
DEFAULT_STORE_NAME = "clspd.gpkg"
HOTSPOT_CELL_M = 200.0
MAX_MAP_BYTES = 2_000_000
DEMO_MAX_COMMUNES = 5

REPO_ROOT = Path(__file__).resolve().parent.parent

# Basemap tile services. IGN's Géoplateforme WMTS needs no key for these two layers.
BASEMAPS: dict[str, dict[str, str]] = {
    "aucun": {"label": "Aucun fond (hors ligne)", "url": "", "attribution": ""},
    "osm": {
        "label": "OpenStreetMap",
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": "© les contributeurs d'OpenStreetMap",
    },
    "plan_ign": {
        "label": "Plan IGN (Géoplateforme)",
        "url": (
            "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
            "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        ),
        "attribution": "© IGN – Géoplateforme",
    },
    "ortho_ign": {
        "label": "Orthophotos IGN (Géoplateforme)",
        "url": (
            "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM"
            "&FORMAT=image/jpeg&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        ),
        "attribution": "© IGN – Géoplateforme",
    },
}


def default_basemap() -> str:
    """Return the basemap key from ``CLSPD_BASEMAP``, or ``"aucun"``."""
    key = os.environ.get("CLSPD_BASEMAP", "aucun")
    return key if key in BASEMAPS else "aucun"


def demo_communes() -> int:
    """Return the communes of the first-start demo: ``CLSPD_DEMO_COMMUNES`` (1 to 5), else 1.

    Like ``CLSPD_BASEMAP``, a value that is not a whole number from 1 to 5 gives the default.
    """
    text = os.environ.get("CLSPD_DEMO_COMMUNES", "1").strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= DEMO_MAX_COMMUNES else 1


def data_dir() -> Path:
    """Return the data folder: ``CLSPD_DATA_DIR`` if set, else ``data/`` of the repository."""
    return Path(os.environ.get("CLSPD_DATA_DIR", REPO_ROOT / "data"))


def store_target() -> str:
    """Return where the store is: a GeoPackage path, or a ``postgresql://`` URL (``CLSPD_STORE``)."""
    env = os.environ.get("CLSPD_STORE")
    if env and env.startswith(("postgresql://", "postgres://")):
        return env
    return str(store_path())


def store_path() -> Path:
    """Return the path of the embedded store: ``CLSPD_STORE`` if set, else under ``data_dir()``.

    When ``CLSPD_STORE`` is a PostGIS URL, this is the GeoPackage path under ``data_dir()``:
    files kept beside the store (accounts, audit trail, when ``CLSPD_ACCESS_DB=sqlite``
    keeps them out of the base) then live in that folder.
    """
    env = os.environ.get("CLSPD_STORE")
    if env and not env.startswith(("postgresql://", "postgres://")):
        return Path(env)
    return data_dir() / DEFAULT_STORE_NAME
