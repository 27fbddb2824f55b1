"""Open a store from its target: a GeoPackage path or a PostgreSQL URL."""

from __future__ import annotations

import os

from clspd_geo import config
from clspd_geo.store.base import Store
from clspd_geo.store.gpkg import GeoPackageStore
from clspd_geo.store.postgis import PostGISStore


def is_database_url(target: str | os.PathLike[str]) -> bool:
    """Tell whether a store target is a PostgreSQL URL rather than a file path."""
    return str(target).startswith(("postgresql://", "postgres://"))


def open_store(path: str | os.PathLike[str] | None = None, *, create: bool = False) -> Store:
    """Open the store at ``path`` (default: :func:`config.store_target`).

    A ``postgresql://`` URL opens a PostGIS database
    (:class:`clspd_geo.store.postgis.PostGISStore`); anything else is a GeoPackage file
    (:class:`clspd_geo.store.gpkg.GeoPackageStore`, created by the first write if
    ``create``).

    Raises
    ------
    DataFileError
        The file is not a readable GeoPackage, or the database cannot be reached.
    """
    target = str(path) if path is not None else config.store_target()
    if is_database_url(target):
        return PostGISStore(target)
    return GeoPackageStore(target, create=create)
