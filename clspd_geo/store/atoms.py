"""Release atoms of the incidents: counts per grid cell, quartier, commune, category, month.

An atom row counts the incidents of one 200 m grid cell (anchored on multiples of
:data:`clspd_geo.access.policy.GRID_CELL_M` in the territory's metric CRS), one quartier,
one commune (``insee_code``), one category and one calendar month. Every zone and time step
the privacy release uses (cell, quartier, commune; month, year) is a sum of these rows, so
the release of an aggregated category needs the atoms only, never the points
(:func:`clspd_geo.access.release.restrict_atoms`).

The PostGIS store keeps them in a table refreshed inside each import's transaction; the
GeoPackage store computes them here from its points (:func:`atoms_of_points`). Both give
the same figures on the same data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clspd_geo import crs

GRID_CELL_M = 200.0
"""Side of the cells, metres (the same as :data:`clspd_geo.access.policy.GRID_CELL_M`)."""

ATOM_COLUMNS = ["cell_x", "cell_y", "quartier_id", "insee_code", "category", "month", "n"]
"""Columns of an atoms frame: cell indices (``floor(x / 200)``, ``floor(y / 200)``, in the
metric CRS), ``quartier_id`` and ``insee_code`` (the commune; None when unknown),
``category`` code, ``month`` (its first day, ``datetime64``), ``n`` (incidents, at least 1)."""

_KEYS = ("quartier_id", "insee_code")
"""The atom keys that may be unknown (None)."""


def empty_atoms() -> pd.DataFrame:
    """Return an atoms frame with no row."""
    return conform_atoms(pd.DataFrame({c: [] for c in ATOM_COLUMNS}))


def conform_atoms(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the dtypes of :data:`ATOM_COLUMNS` (a new frame)."""
    keys = {}
    for c in _KEYS:
        v = (df[c] if c in df.columns else pd.Series(None, index=df.index)).astype(object)
        # Plain objects, whatever pandas would infer from all-text values.
        keys[c] = pd.Series(v.where(v.notna(), None).to_numpy(dtype=object), dtype=object)
    return pd.DataFrame({
        "cell_x": pd.to_numeric(df["cell_x"]).astype("int64").to_numpy(),
        "cell_y": pd.to_numeric(df["cell_y"]).astype("int64").to_numpy(),
        **keys,
        "category": df["category"].astype(str).to_numpy(dtype=object),
        "month": pd.to_datetime(df["month"]).to_numpy("datetime64[ns]"),
        "n": pd.to_numeric(df["n"]).astype("int64").to_numpy(),
    })


def atoms_of_points(points: pd.DataFrame, *, epsg: int) -> pd.DataFrame:
    """Count incidents per cell, quartier, commune, category and month.

    Parameters
    ----------
    points
        A plain frame with ``lon``/``lat`` (WGS84), ``occurred_at``, ``category`` and
        optionally ``quartier_id`` and ``insee_code`` (as :meth:`Store.read_points` returns it).
    epsg
        The territory's metric CRS (cells are anchored in it).

    Returns
    -------
    DataFrame
        :data:`ATOM_COLUMNS`, sorted by month, category, quartier, commune, cell.
    """
    if points.empty:
        return empty_atoms()
    x, y = crs.project_xy(points["lon"].to_numpy(float), points["lat"].to_numpy(float),
                          epsg=epsg)
    return atoms_of_prepared(points.assign(x=x, y=y))


def atoms_of_prepared(prepared: pd.DataFrame) -> pd.DataFrame:
    """Count incidents per cell, quartier, commune, category and month, from metric ``x``/``y``.

    ``prepared`` is the table of :func:`clspd_geo.analysis.indicators.prepare_incidents`
    (or any frame with ``x``, ``y``, ``occurred_at``, ``category``, and optionally
    ``quartier_id`` and ``insee_code``).
    """
    if prepared.empty:
        return empty_atoms()
    keys = {}
    for c in _KEYS:
        v = (prepared[c].astype(object) if c in prepared.columns
             else pd.Series(None, index=prepared.index, dtype=object))
        # "" stands for an unknown quartier or commune while grouping (groupby drops NaN).
        keys[c] = v.where(v.notna(), "").astype(str).to_numpy()
    frame = pd.DataFrame({
        "cell_x": np.floor(prepared["x"].to_numpy(float) / GRID_CELL_M).astype(np.int64),
        "cell_y": np.floor(prepared["y"].to_numpy(float) / GRID_CELL_M).astype(np.int64),
        **keys,
        "category": prepared["category"].astype(str).to_numpy(),
        "month": pd.to_datetime(prepared["occurred_at"]).dt.to_period("M").dt.start_time
                 .to_numpy("datetime64[ns]"),
    })
    out = frame.groupby(ATOM_COLUMNS[:-1], sort=False).size().rename("n").reset_index()
    for c in _KEYS:
        out[c] = out[c].where(out[c] != "", None)
    return sort_atoms(conform_atoms(out))


def sort_atoms(df: pd.DataFrame) -> pd.DataFrame:
    """Return atoms in a canonical order (for comparisons), index reset."""
    key = df.assign(_q=df["quartier_id"].fillna(""), _c=df["insee_code"].fillna(""))
    order = key.sort_values(["month", "category", "_q", "_c", "cell_x", "cell_y"]).index
    return df.loc[order].reset_index(drop=True)


def totals(atoms_: pd.DataFrame) -> pd.DataFrame:
    """Return the atoms summed over their cells: ``quartier_id``, ``insee_code``,
    ``category``, ``month``, ``n`` (what the count of facts in a whole-month selection needs)."""
    keys = ["quartier_id", "insee_code", "category", "month"]
    out = atoms_.groupby(keys, dropna=False, sort=False)["n"].sum().reset_index()
    for c in _KEYS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out
