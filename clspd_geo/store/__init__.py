"""The store: where layers live. A GeoPackage file by default, or a PostGIS database.

- :mod:`~clspd_geo.store.base`: the :class:`Store` protocol callers are typed on, the
  shared :class:`BaseStore` (listing, validation before writing, provenance), and
  :func:`require_layer` / :func:`provenance_of`;
- :mod:`~clspd_geo.store.gpkg`: :class:`GeoPackageStore`, with
  :mod:`~clspd_geo.store.gpkg_file` (the file's :func:`file_version` and
  :func:`check_geopackage`);
- :mod:`~clspd_geo.store.postgis`: :class:`PostGISStore` (psycopg is imported only when a
  database is opened), with :mod:`~clspd_geo.store.postgis_incidents` (the incidents table
  partitioned by month, imports through staging, the atoms table);
- :mod:`~clspd_geo.store.atoms`: the release atoms (counts per cell, quartier, category and
  month) both stores hand the privacy release;
- :mod:`~clspd_geo.store.targets`: :func:`open_store` and :func:`is_database_url`;
- :mod:`~clspd_geo.store.inventory`: what the store holds, for the « Données » page.

The names re-exported here are those callers use (``store.open_store(...)``,
``store.GeoPackageStore(...)``).
"""

from __future__ import annotations

from clspd_geo.store import atoms, base, gpkg, inventory, postgis, targets
from clspd_geo.store.base import (
    PROVENANCE_TABLE,
    BaseStore,
    Provenance,
    Store,
    provenance_of,
    require_layer,
)
from clspd_geo.store.gpkg import GeoPackageStore
from clspd_geo.store.gpkg_file import GPKG_APPLICATION_ID, check_geopackage, file_version
from clspd_geo.store.postgis import PostGISStore
from clspd_geo.store.targets import is_database_url, open_store

__all__ = [
    "GPKG_APPLICATION_ID",
    "PROVENANCE_TABLE",
    "BaseStore",
    "GeoPackageStore",
    "PostGISStore",
    "Provenance",
    "Store",
    "atoms",
    "base",
    "check_geopackage",
    "file_version",
    "gpkg",
    "inventory",
    "is_database_url",
    "open_store",
    "postgis",
    "provenance_of",
    "require_layer",
    "targets",
]
