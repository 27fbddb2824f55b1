"""Row-level writes: appends and per-row edits, and how a conflict on a row is found.

A row's version is a short hash of its content as the store returns it (every column of
the layer's schema and the geometry), so it needs no extra column and it changes whatever
tool changed the row (the app, an import, QGIS). An editor keeps the versions of the rows
it showed (:func:`row_versions`); when it saves, the store compares them, inside its lock or
transaction, with the rows as they are now (:func:`check_rows`): a row changed or deleted
meanwhile refuses the save with :class:`~clspd_geo.errors.RowConflictError`; rows nobody
else touched are saved even though the store changed elsewhere.

:func:`check_new_ids` refuses an append whose identifiers already exist, against the rows
present when the append commits (not when it was prepared).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, schemas
from clspd_geo.errors import RowConflictError, SchemaError

ROW_EDITS_TABLE = "clspd_row_edits"
"""Who last edited a row through :meth:`edit_rows` (layer, row_id, by, at)."""


@dataclass(frozen=True)
class RowEdits:
    """A set of row edits on one layer, prepared from the rows an editor showed.

    Attributes
    ----------
    layer
        The layer edited.
    upserts
        The rows to write (changed or new), conformed to the layer's schema.
    deletes
        Identifiers of the rows to delete.
    base_versions
        ``{row id: version}`` of the rows as the editor showed them (:func:`row_versions`);
        ``None`` for a row that is new.
    """

    layer: str
    upserts: gpd.GeoDataFrame
    deletes: tuple[str, ...] = ()
    base_versions: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def touched(self) -> list[str]:
        """Return the identifiers this edit writes or deletes."""
        idc = schemas.schema(self.layer).id_column
        return [*self.upserts[idc].astype(str), *self.deletes]


def _plain(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(value)
        return None if pd.isna(ts) else ts.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def row_versions(gdf: gpd.GeoDataFrame, layer: str) -> dict[str, str]:
    """Return ``{row id: version}``: a hash of each row's schema columns and geometry.

    Parameters
    ----------
    gdf
        Rows of ``layer`` as a store's ``read`` returns them.
    layer
        A layer of the data model with an identifier column.
    """
    sch = schemas.schema(layer)
    idc = sch.id_column
    if not idc:
        raise SchemaError(f"La couche « {layer} » n'a pas d'identifiant : pas d'édition "
                          "ligne à ligne.")
    if gdf.empty:
        return {}
    conformed = schemas.conform(gdf, sch)
    cols = [c for c in sch.column_names if c in conformed.columns]
    geoms = conformed.geometry.to_numpy()
    wkb = [None if g is None or shapely.is_empty(g) else shapely.to_wkb(
        shapely.set_precision(g, 1e-9), hex=True) for g in geoms]
    out: dict[str, str] = {}
    records = conformed[cols].astype(object).to_numpy()
    for values, g in zip(records, wkb, strict=True):
        payload = json.dumps([_plain(v) for v in values] + [g], default=str)
        row_id = str(values[cols.index(idc)])
        out[row_id] = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return out


def row_dict(gdf: gpd.GeoDataFrame, layer: str, row_id: str) -> dict | None:
    """Return one row as plain values (geometry as WKT), or ``None`` when it is absent."""
    idc = schemas.schema(layer).id_column
    rows = gdf[gdf[idc].astype(str) == str(row_id)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    out = {c: _plain(row[c]) for c in rows.columns if c != rows.geometry.name}
    geom = row[rows.geometry.name]
    out["geometry"] = None if geom is None or shapely.is_empty(geom) else geom.wkt
    return out


def conflict_message(row_id: str, *, by: str | None, at: str | None) -> str:
    """Return the French message of a row changed meanwhile."""
    who = by or "un autre utilisateur ou un import"
    when = f" le {at}" if at else ""
    return (f"L'action « {row_id} » a été modifiée entre-temps par {who}{when} : votre "
            "enregistrement a été refusé et rien n'a été écrit. Comparez les deux versions, "
            "puis enregistrez de nouveau.")


def check_rows(current: gpd.GeoDataFrame, edits: RowEdits, *,
               authors: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Raise :class:`RowConflictError` when a row the edit touches changed since it was read.

    Parameters
    ----------
    current
        The layer as it is now in the store (read inside the writer's lock).
    edits
        The edit; a row id absent from ``base_versions`` counts as new (version ``None``).
    authors
        ``{row id: (by, at)}`` of the last edits known to the store.
    """
    now = row_versions(current, edits.layer)
    authors = authors or {}
    idc = schemas.schema(edits.layer).id_column
    for row_id in edits.touched:
        base = edits.base_versions.get(row_id)
        if now.get(row_id) == base:
            continue
        by, at = authors.get(row_id, (None, None))
        mine_rows = edits.upserts[edits.upserts[idc].astype(str) == row_id]
        mine = row_dict(mine_rows, edits.layer, row_id) if len(mine_rows) else None
        raise RowConflictError(conflict_message(row_id, by=by, at=at), layer=edits.layer,
                               row_id=row_id, mine=mine,
                               theirs=row_dict(current, edits.layer, row_id), by=by, at=at,
                               expected=base, current=now.get(row_id))


def apply_rows(current: gpd.GeoDataFrame, edits: RowEdits) -> gpd.GeoDataFrame:
    """Return ``current`` with the edit's rows replaced, added or deleted (no check)."""
    idc = schemas.schema(edits.layer).id_column
    drop = set(edits.touched)
    kept = current[~current[idc].astype(str).isin(drop)] if len(current) else current
    parts = [p for p in (kept, edits.upserts) if len(p)]
    if not parts:
        return schemas.empty(edits.layer)
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=current.crs or edits.upserts.crs)


def check_new_ids(existing_ids: Iterable[object], gdf: gpd.GeoDataFrame, layer: str) -> None:
    """Raise :class:`SchemaError` when rows to append reuse identifiers already present."""
    idc = schemas.schema(layer).id_column
    if not idc or gdf.empty:
        return
    have = {str(v) for v in existing_ids}
    clash = gdf[idc].astype(str).isin(have)
    if clash.any():
        n = int(clash.sum())
        msg = (f"{_format.count(n, 'identifiant')} de « {idc} » "
               f"{'existe' if n < 2 else 'existent'} déjà dans la "
               f"couche « {layer} » (par ex. {gdf.loc[clash, idc].iloc[0]}). "
               "Utilisez --replace pour remplacer la couche, ou changez les "
               "identifiants ; rien n'a été écrit.")
        raise SchemaError(msg)
