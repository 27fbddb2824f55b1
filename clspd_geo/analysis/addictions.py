"""Addictions: night-time alcohol incidents near licensed premises, and access to care.

:func:`alcohol_by_night_hour` counts alcohol incidents by hour of the night near licensed
premises or not; :func:`dense_cells` finds the densest cells of drug incidents (for a role
that reads them by zone, :func:`released_cells`: the densest cells of its own release) and
:func:`distance_to_care` the walk from each to the nearest care site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from clspd_geo import _format, config, safe, vocab
from clspd_geo.analysis import _field, accessibility, cells, indicators, release_zones
from clspd_geo.errors import EmptySelectionError

CARE_KINDS = ("csapa", "caarud", "hopital")
LICENSED_KINDS = ("debit_boissons",)
ALCOHOL_CATEGORIES = ("ivresse_publique",)
NIGHT_HOURS = (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
"""Hours of the night, in the order a night runs (18 h to 5 h 59)."""


@dataclass(frozen=True)
class NightHours:
    """Alcohol incidents by hour of the night, near licensed premises or not.

    Attributes
    ----------
    table
        One row per hour of :data:`NIGHT_HOURS` (``Heure``: "18 h"): ``Près d'un débit de
        boissons``, ``Ailleurs``.
    radius_m
        The "near" distance.
    n_premises
        Licensed premises used.
    """

    table: pd.DataFrame
    radius_m: float
    n_premises: int

    def sentence(self) -> str:
        """Return one French sentence: share near premises, and the peak hour."""
        near = int(self.table["Près d'un débit de boissons"].sum())
        total = near + int(self.table["Ailleurs"].sum())
        if total == 0:
            return "Aucun fait lié à l'alcool la nuit (18 h – 6 h) sur la période choisie."
        peak = self.table.loc[self.table["Près d'un débit de boissons"].idxmax(), "Heure"]
        share = _format.number(_field.share_pct(near, total))
        return (f"La nuit, {share} % des faits liés à l'alcool ({near} sur {total}) ont lieu "
                f"à moins de {self.radius_m:.0f} m d'un des {self.n_premises} débits de boissons ; près de ces débits, l'heure la plus "
                f"chargée est {peak}.")


def alcohol_by_night_hour(incidents: gpd.GeoDataFrame | pd.DataFrame,
                          facilities: gpd.GeoDataFrame, *, epsg: int, radius_m: float = 100.0,
                          kinds: Sequence[str] = LICENSED_KINDS) -> NightHours:
    """Count night-time incidents by hour, within ``radius_m`` of licensed premises or not.

    Parameters
    ----------
    incidents
        The alcohol-related incidents (``occurred_at``; GeoDataFrame or prepared table); a
        row stands for ``n`` incidents when it has that column
        (:func:`clspd_geo.analysis.indicators.weights`).
    facilities
        The ``equipements`` layer; licensed premises are the rows of ``kinds``.

    Raises
    ------
    EmptySelectionError
        No licensed premises in ``facilities``.
    """
    bars = _field.sites(facilities, kinds)
    if bars.empty:
        raise _field.no_site(kinds)
    xy = _field.points_xy(incidents, epsg=epsg)
    w = indicators.weights(incidents)
    times = _field.occurred_at(incidents) if len(xy) else pd.Series([], dtype="datetime64[ns]")
    _field.require_hours(times, what="la répartition par heure de la nuit", weights=w)
    hours = times.dt.hour.to_numpy() if len(xy) else np.zeros(0, dtype=int)
    near = (cKDTree(_field.points_xy(bars, epsg=epsg)).query(xy)[0] <= radius_m) if len(xy) else (
        np.zeros(0, dtype=bool))
    rows = [{"Heure": f"{h} h", "Près d'un débit de boissons": int(w[(hours == h) & near].sum()),
             "Ailleurs": int(w[(hours == h) & ~near].sum())} for h in NIGHT_HOURS]
    return NightHours(pd.DataFrame(rows), float(radius_m), len(bars))


def dense_cells(incidents: gpd.GeoDataFrame | pd.DataFrame, territory: gpd.GeoDataFrame, *,
                epsg: int, cell_m: float = config.HOTSPOT_CELL_M, top: int = 5,
                min_count: int = 3) -> gpd.GeoDataFrame:
    """Return the ``top`` grid cells holding the most incidents (at least ``min_count``).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 squares with ``rang`` (1 = most incidents), ``faits`` and ``cell_id``.

    Raises
    ------
    EmptySelectionError
        No cell holds ``min_count`` incidents.
    """
    grid = cells.grid_for(territory, cell_size_m=cell_m, epsg=epsg)
    xy = _field.points_xy(incidents, epsg=epsg)
    counts = (cells.count(grid, xy[:, 0], xy[:, 1], weights=indicators.weights(incidents))
              if len(xy) else np.zeros(grid.n_cells))
    order = np.argsort(-counts, kind="stable")
    keep = order[counts[order] >= min_count][:top]
    if keep.size == 0:
        raise EmptySelectionError(f"Aucune cellule de {cell_m:.0f} m ne compte {min_count} faits "
                                  "ou plus : pas de point chaud à examiner sur cette période.")
    out = gpd.GeoDataFrame({"rang": np.arange(1, keep.size + 1), "faits": counts[keep].astype(int),
                            "cell_id": keep}, geometry=grid.polygons(keep), crs=grid.epsg)
    return out.to_crs(config.STORAGE_CRS)


def released_cells(incidents: pd.DataFrame, *, epsg: int, cell_size_m: float, top: int = 5,
                   min_count: int = 3) -> tuple[gpd.GeoDataFrame, int]:
    """Return the ``top`` cells of a role's release grid holding the most incidents.

    For a role that does not see the incidents at their place: the cells are those of its
    release (squares of ``cell_size_m`` on multiples of it in ``epsg``, :mod:`clspd_geo.access
    .release`), so each count is one the role reads. Rows at their own place count in the
    cell they fall in; rows released by quartier or commune (``zone_level``) are in no cell
    and are counted apart, never moved to a cell at their zone's point.

    Returns
    -------
    tuple
        ``(cells, outside)``: EPSG:4326 squares with ``rang``, ``faits`` and ``cell_id``
        (``"column:row"`` of the release grid), and the incidents in no cell.

    Raises
    ------
    EmptySelectionError
        No released cell holds ``min_count`` incidents.
    """
    level = release_zones.levels(incidents)
    w = indicators.weights(incidents)
    in_cell = (level == "point") | (level == "grille")
    outside = int(w[~in_cell].sum())
    xy = _field.points_xy(incidents, epsg=epsg)[in_cell] if len(incidents) else \
        np.zeros((0, 2))
    frame = pd.DataFrame({"cx": np.floor(xy[:, 0] / cell_size_m).astype(np.int64),
                          "cy": np.floor(xy[:, 1] / cell_size_m).astype(np.int64),
                          "faits": w[in_cell]})
    per_cell = frame.groupby(["cx", "cy"], sort=True)["faits"].sum().reset_index()
    per_cell = per_cell[per_cell["faits"] >= min_count].sort_values(
        ["faits", "cx", "cy"], ascending=[False, True, True], kind="stable").head(top)
    if per_cell.empty:
        raise EmptySelectionError(
            f"Aucune cellule de {cell_size_m:.0f} m publiée pour votre rôle ne compte "
            f"{min_count} faits ou plus : pas de point chaud à examiner sur cette période"
            + (f" ({_format.count(outside, 'fait')} publiés seulement par quartier ou pour "
               "la commune n'entrent dans aucune cellule)." if outside else "."))
    cx, cy = per_cell["cx"].to_numpy(), per_cell["cy"].to_numpy()
    geoms = shapely.box(cx * cell_size_m, cy * cell_size_m, (cx + 1) * cell_size_m,
                        (cy + 1) * cell_size_m)
    out = gpd.GeoDataFrame({"rang": np.arange(1, len(per_cell) + 1),
                            "faits": per_cell["faits"].to_numpy().astype(int),
                            "cell_id": [f"{a}:{b}" for a, b in zip(cx, cy, strict=True)]},
                           geometry=geoms, crs=epsg)
    return out.to_crs(config.STORAGE_CRS), outside


@dataclass(frozen=True)
class CareDistance:
    """The walk from each hotspot to the nearest care site.

    Attributes
    ----------
    table
        One row per hotspot: ``Point chaud`` (rank), ``Faits``, ``Lieu de soins le plus
        proche``, ``Type``, ``Distance (m)``, ``À pied (min)``.
    method_text
        How distances were measured (French).
    minutes
        The walk considered "near".
    """

    table: pd.DataFrame
    method_text: str
    minutes: float

    def sentence(self) -> str:
        """Return one French sentence on the hotspots far from care."""
        far = self.table[self.table["À pied (min)"] > self.minutes]
        first = self.table.iloc[0]
        text = (f"Le premier point chaud ({first['Faits']} faits) est à "
                f"{first['Distance (m)']:.0f} m, soit {first['À pied (min)']:.0f} min à pied, "
                f"de : {safe.md(first['Lieu de soins le plus proche'])}. ")
        if far.empty:
            return text + (f"Les {len(self.table)} points chauds sont tous à moins de "
                           f"{self.minutes:g} minutes à pied d'un lieu de soins.")
        return text + (f"{len(far)} des {len(self.table)} points chauds sont à plus de "
                       f"{self.minutes:g} minutes à pied de tout lieu de soins : une "
                       "permanence ou une maraude y rapprocherait l'offre des usagers.")


def distance_to_care(hotspots: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, *,
                     kinds: Sequence[str] = CARE_KINDS, voies: gpd.GeoDataFrame | None = None,
                     minutes: float = accessibility.WALK_MINUTES) -> CareDistance:
    """Return the distance from the centre of each hotspot to the nearest care site.

    Parameters
    ----------
    hotspots
        Polygons or points with ``rang`` and ``faits`` (e.g. :func:`dense_cells`).
    facilities
        The ``equipements`` layer; care sites are the rows of ``kinds``.
    voies
        A roads layer for network distances (straight line when None).

    Raises
    ------
    EmptySelectionError
        No care site loaded.
    """
    res = accessibility.nearest_facility(hotspots, facilities, kinds=list(kinds), voies=voies)
    p = res.points
    table = pd.DataFrame({
        "Point chaud": p["rang"].to_numpy(), "Faits": p["faits"].to_numpy(),
        "Lieu de soins le plus proche": p["nearest_name"].to_numpy(),
        "Type": p["nearest_kind"].map(vocab.facility_labels()).to_numpy(),
        "Distance (m)": p["distance_m"].round(0).to_numpy(),
        "À pied (min)": p["walk_min"].round(1).to_numpy()})
    return CareDistance(table, res.method_text, float(minutes))
