"""What every store offers, and the logic both back-ends share.

:class:`Store` is the protocol callers are typed on (a GeoPackage file, a PostGIS database):
list layers, read a layer (optionally filtered by period, category and bounding box), read
a point layer fast, write one or several layers atomically, provenance and a version token.

:class:`BaseStore` holds what the two back-ends used to write twice: the listing of
data-model layers (``layers``, ``has``, ``count``), the absent-layer check, the validation
of every frame before a multi-layer write (nothing is written when one fails) and the
provenance lookup. A back-end supplies the storage steps: :meth:`BaseStore.table_names`,
:meth:`BaseStore.count_rows`, :meth:`BaseStore.read_provenance_table` and
:meth:`BaseStore.write_checked`.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

import geopandas as gpd
import pandas as pd

from clspd_geo import schemas
from clspd_geo.errors import DataFileError, SchemaError
from clspd_geo.store import communes

PROVENANCE_TABLE = "clspd_provenance"
PROVENANCE_COLUMNS = ["layer", "source", "imported_at", "rows"]

Period = tuple[dt.date | dt.datetime, dt.date | dt.datetime]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Provenance:
    """Where a layer comes from."""

    layer: str
    source: str
    imported_at: str
    rows: int


class Store(Protocol):
    """What every store offers (GeoPackage file, PostGIS database)."""

    @property
    def location(self) -> str:
        """Where the store lives (a file path, or a database URL with its password hidden)."""
        ...

    def layers(self) -> list[str]:
        """Return the names of the data-model layers present."""
        ...

    def has(self, layer: str) -> bool:
        """Tell whether a layer is present."""
        ...

    def count(self, layer: str) -> int:
        """Return the number of rows of a layer (0 if absent)."""
        ...

    def read(self, layer: str, *, period: Period | None = None,
             categories: Iterable[str] | None = None, bbox: BBox | None = None,
             columns: list[str] | None = None) -> gpd.GeoDataFrame:
        """Read a layer, optionally filtered, in EPSG:4326."""
        ...

    def read_points(self, layer: str, *, columns: list[str]) -> pd.DataFrame:
        """Read a point layer as a plain frame with ``lon``/``lat`` and ``columns``."""
        ...

    def write(self, layer: str, gdf: gpd.GeoDataFrame, *, source: str,
              expected_version: str | None = None) -> None:
        """Validate and write one layer atomically (refused if the store left that version)."""
        ...

    def point_read(self, layer: str, *, columns: list[str], period: Period | None = None,
                   categories: Iterable[str] | None = None,
                   bbox: BBox | None = None) -> pd.DataFrame:
        """Read the points of a bounding box and period only, as :meth:`read_points` does."""
        ...

    def incident_atoms(self, *, epsg: int) -> pd.DataFrame:
        """Return the release atoms of the incidents (:mod:`clspd_geo.store.atoms`).

        Counts per 200 m cell (in the metric CRS ``epsg``), quartier, category and month:
        what the privacy release of aggregated categories needs, without any point.
        """
        ...

    def upsert(self, layer: str, gdf: gpd.GeoDataFrame, *, source: str,
               expected_version: str | None = None) -> int:
        """Add or replace rows by identifier in one atomic step; return the rows changed."""
        ...


    def write_many(self, frames: Mapping[str, gpd.GeoDataFrame], *, source: str,
                   expected_version: str | None = None) -> None:
        """Validate and write several layers in one atomic step."""
        ...

    def append_many(self, frames: Mapping[str, gpd.GeoDataFrame], *, source: str,
                    expected_version: str | None = None) -> dict[str, int]:
        """Add rows to layers in one atomic step, on the store as it is when committing."""
        ...

    def edit_rows(self, edits, *, source: str, by: str) -> None:
        """Save per-row edits; refused only when one of the same rows changed meanwhile."""
        ...

    def provenance(self) -> pd.DataFrame:
        """Return the provenance table (layer, source, imported_at, rows)."""
        ...

    def source_of(self, layer: str) -> Provenance | None:
        """Return the provenance of one layer, or ``None`` when unknown."""
        ...

    def version(self) -> str:
        """Return a token that changes whenever the store's content changes."""
        ...


def empty_provenance() -> pd.DataFrame:
    """Return a provenance table with no row."""
    return pd.DataFrame(columns=PROVENANCE_COLUMNS)


def provenance_of(table: pd.DataFrame, layer: str) -> Provenance | None:
    """Return one layer's row of a provenance table, or ``None`` when it has none."""
    rows = table[table["layer"] == layer]
    if rows.empty:
        return None
    row = rows.iloc[-1]
    return Provenance(layer, str(row["source"]), str(row["imported_at"]), int(row["rows"]))


def absent_layer_message(layer: str, *, where: str) -> str:
    """Return the French message for a layer the store lacks.

    ``where`` names the store (« du fichier … », « de la base … »).
    """
    sch = schemas.schema(layer)
    return (f"La couche « {layer} » ({sch.title}) est absente {where}. Importez-la depuis "
            "la page « Données » ou avec python -m clspd_geo import.")


def require_layer(store: Store, layer: str, *, where: str) -> schemas.LayerSchema:
    """Return the schema of ``layer``; raise :class:`DataFileError` when the store lacks it.

    ``where`` names the store in the message (« du fichier … », « de la base … »).
    """
    sch = schemas.schema(layer)
    if not store.has(layer):
        raise DataFileError(absent_layer_message(layer, where=where))
    return sch


def present_columns(sch: schemas.LayerSchema, columns: list[str], have: set[str]) -> list[str]:
    """Return the columns to read: ``columns`` less the optional ones the layer lacks.

    A layer written before an optional column of the data model existed (``insee_code``)
    is read with that column empty (:func:`with_absent`) rather than refused.
    """
    optional = {c.name for c in sch.columns if not c.required}
    return [c for c in columns if c in have or c not in optional]


def with_absent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``frame`` with the asked ``columns`` it lacks added empty (categorical), in order."""
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    out = frame.assign(**{c: pd.Categorical([None] * len(frame)) for c in missing})
    return out[[c for c in out.columns if c not in columns] + list(columns)]


def conform_frames(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Return every frame cast to its layer's schema and validated, before any write.

    Raises
    ------
    SchemaError
        A frame breaks its schema, or ``frames`` is empty.
    """
    ready: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in frames.items():
        sch = schemas.schema(name)
        conformed = schemas.conform(gdf, sch)
        schemas.validate(conformed, sch)
        ready[name] = conformed
    if not ready:
        raise SchemaError("Aucune couche à écrire.")
    return ready


class BaseStore(abc.ABC):
    """The shared part of the GeoPackage and PostGIS stores.

    A back-end sets :attr:`PLACE` (« du fichier », « de la base ») and :attr:`location`,
    and implements the storage steps :meth:`table_names`, :meth:`count_rows`,
    :meth:`read_provenance_table` and :meth:`write_checked`, and the readers ``read``,
    ``read_points`` and ``version``. The rest of :class:`Store` comes from here.
    """

    PLACE: ClassVar[str]

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where the store lives."""

    @property
    def where(self) -> str:
        """Name the store in a French message: « du fichier « clspd.gpkg » »."""
        return f"{self.PLACE} « {self.location} »"

    # -- storage steps a back-end provides ----------------------------------------------------
    @abc.abstractmethod
    def table_names(self) -> set[str]:
        """Return the names of every table or layer present, data-model or not."""

    @abc.abstractmethod
    def count_rows(self, layer: str) -> int:
        """Return the number of rows of a layer known to be present."""

    @abc.abstractmethod
    def read_provenance_table(self) -> pd.DataFrame:
        """Return the provenance table, known to be present."""

    @abc.abstractmethod
    def write_checked(self, ready: Mapping[str, gpd.GeoDataFrame], *, source: str,
                      imported_at: str) -> None:
        """Write frames already validated by :func:`conform_frames`, in one atomic step.

        A back-end that supports optimistic concurrency also takes ``expected_version``
        (keyword) and raises :class:`~clspd_geo.errors.ConflictError` when the store is no
        longer at that version, checked inside its lock or transaction.
        """

    @abc.abstractmethod
    def read(self, layer: str, *, period: Period | None = None,
             categories: Iterable[str] | None = None, bbox: BBox | None = None,
             columns: list[str] | None = None) -> gpd.GeoDataFrame:
        """Read a layer, optionally filtered, in EPSG:4326."""

    @abc.abstractmethod
    def read_points(self, layer: str, *, columns: list[str]) -> pd.DataFrame:
        """Read a point layer as a plain frame with ``lon``/``lat`` and ``columns``."""

    @abc.abstractmethod
    def version(self) -> str:
        """Return a token that changes whenever the store's content changes."""

    # -- shared logic ------------------------------------------------------------------------
    def layers(self) -> list[str]:
        """Return the names of the data-model layers present, in data-model order."""
        present = self.table_names()
        return [name for name in schemas.LAYERS if name in present]

    def has(self, layer: str) -> bool:
        """Tell whether a layer is present."""
        return layer in self.table_names()

    def count(self, layer: str) -> int:
        """Return the number of rows of a layer (0 if absent)."""
        if not self.has(layer):
            return 0
        return self.count_rows(layer)

    def ready(self, frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
        """Return the frames conformed, validated and with their communes filled.

        What every writer does first (:func:`conform_frames`, then
        :func:`clspd_geo.store.communes.fill_communes` with the territory being written,
        else the store's).
        """
        ready = conform_frames(frames)
        if not any(name in communes.POINT_LAYERS for name in ready):
            return ready
        territoire = ready.get("territoire")
        if territoire is None and self.has("territoire"):
            territoire = self.read("territoire", columns=["insee_code"])
        return communes.fill_communes(ready, territoire)

    def stale_communes(self, ready: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
        """Return the point layers a new territory leaves with outdated communes.

        When ``ready`` holds the ``territoire``, the point layers present in the store and
        not written with it; the writer fills their ``insee_code`` again in the same
        atomic step (their provenance is kept: their rows did not change).
        """
        if "territoire" not in ready:
            return []
        present = self.table_names()
        return [n for n in communes.POINT_LAYERS if n in present and n not in ready]

    def refilled_communes(self, ready: Mapping[str, gpd.GeoDataFrame]
                          ) -> dict[str, gpd.GeoDataFrame]:
        """Return the :meth:`stale_communes` layers read and with their communes filled again."""
        return communes.fill_communes({n: self.read(n) for n in self.stale_communes(ready)},
                                      ready.get("territoire"))

    def require(self, layer: str) -> schemas.LayerSchema:
        """Return the schema of ``layer``; raise :class:`DataFileError` when it is absent."""
        return require_layer(self, layer, where=self.where)

    def provenance(self) -> pd.DataFrame:
        """Return the provenance table: one row per layer (layer, source, imported_at, rows)."""
        if PROVENANCE_TABLE not in self.table_names():
            return empty_provenance()
        return self.read_provenance_table()

    def source_of(self, layer: str) -> Provenance | None:
        """Return the provenance of one layer, or ``None`` when unknown."""
        return provenance_of(self.provenance(), layer)

    def write(self, layer: str, gdf: gpd.GeoDataFrame, *, source: str,
              expected_version: str | None = None) -> None:
        """Validate and write one layer atomically (see :meth:`write_many`)."""
        self.write_many({layer: gdf}, source=source, expected_version=expected_version)

    def write_many(self, frames: Mapping[str, gpd.GeoDataFrame], *, source: str,
                   expected_version: str | None = None) -> None:
        """Validate and write several layers in one atomic step.

        Every frame is validated first: if one fails, nothing is written. The back-end's
        :meth:`write_checked` then writes them all, with ``source`` and the import time
        (to the second) recorded in the provenance table.

        Parameters
        ----------
        expected_version
            The :meth:`version` the frames were prepared from. The back-end commits only
            if it is still the current version, checked inside its lock or transaction;
            ``None`` writes whatever the version (a replacement that depends on nothing
            read from the store).

        Raises
        ------
        SchemaError
            A frame breaks its schema, or ``frames`` is empty (nothing is written).
        ConflictError
            The store is no longer at ``expected_version`` (nothing is written).
        """
        ready = self.ready(frames)
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        if expected_version is None:
            self.write_checked(ready, source=source, imported_at=now)
        else:
            self.write_checked(ready, source=source, imported_at=now,
                               expected_version=expected_version)
