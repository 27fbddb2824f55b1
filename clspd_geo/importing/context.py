"""What an import step may know besides its files: the options and the current store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd

from clspd_geo.importing import coords, sniffing


@dataclass(frozen=True)
class ImportOptions:
    """Options of an import, as given on the command line or the "Données" page.

    Attributes
    ----------
    commune
        INSEE code: keep only this commune (accidents, boundaries).
    as_layer
        For boundaries: ``"territoire"`` (the commune(s)) or ``"quartiers"`` (sub-areas).
    geocode_with
        CSV of street crossings or addresses (``nom1, nom2, lon, lat``) to place camera rows
        that give only a place name.
    mapping
        CSV ``libelle;code`` from local labels (incident categories, facility types) to
        the vocabulary.
    force
        Force of sectors whose file has no force column.
    mode
        ``"replace"`` the layer, ``"append"`` to it (identifiers already present are
        refused), or ``"upsert"``: add new identifiers and update the rows of those already
        present, leaving identical rows alone (the incidents of a monthly import; the
        store's :meth:`~clspd_geo.store.base.Store.upsert`, one transaction).
    max_bytes
        Largest input file accepted.
    tolerance_m
        Points outside the territory but closer than this are kept and flagged.
    isolated
        Read the files into frames in a child process with a memory and time limit
        (:mod:`clspd_geo.importing.worker`; the app's imports), not in this process.
    """

    commune: str | None = None
    as_layer: Literal["territoire", "quartiers"] = "territoire"
    geocode_with: Path | None = None
    mapping: Path | None = None
    force: str | None = None
    mode: Literal["replace", "append", "upsert"] = "replace"
    max_bytes: int = sniffing.MAX_FILE_BYTES
    tolerance_m: float = coords.OUTSIDE_TOLERANCE_M
    isolated: bool = False


@dataclass(frozen=True)
class Context:
    """Options plus the store layers an import checks against (``None`` when absent)."""

    options: ImportOptions
    territoire: gpd.GeoDataFrame | None = None
    quartiers: gpd.GeoDataFrame | None = None
    now: dt.datetime = field(default_factory=dt.datetime.now)
