"""A new sector map for one force: propose it over today's area, compare it, store it.

:func:`propose` cuts the area a force covers today into ``k`` balanced sectors (blocks from
:mod:`clspd_geo.police.blocks`, the redesign of :mod:`clspd_geo.police.redesign`), optionally
keeping the national/municipal split, and :func:`compare` measures today's sectors and the
proposal on the same incidents. The checks of a sectors layer are in
:mod:`clspd_geo.police.sector_checks`; :func:`check_sectors` is re-exported here for ``ui.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import crs, vocab
from clspd_geo.errors import EmptySelectionError
from clspd_geo.police.blocks import block_loads, grid_blocks
from clspd_geo.police.load import NATIONAL, balance, row_loads, sector_of
from clspd_geo.police.redesign import TARGET_CV, Redesign, redesign
from clspd_geo.police.sector_checks import check_sectors, shape_table

__all__ = ["check_sectors", "compare", "proposal_layer", "propose"]


def compare(current: gpd.GeoDataFrame, proposal: gpd.GeoDataFrame,
            incidents: gpd.GeoDataFrame, *, weights: Mapping[str, float] | None = None,
            default_weight: float = 1.0, category_column: str = "category") -> pd.DataFrame:
    """Compare today's sectors with a proposal on the same incidents.

    Both sets are measured the same way: each incident counts in the sector(s) it falls in
    (a row with an ``n`` column stands for ``n`` incidents).

    Returns
    -------
    DataFrame
        Index ``"actuels"``, ``"proposés"``; columns ``n_sectors``, ``cv``,
        ``max_over_mean``, ``polsby_popper_mean``, ``polsby_popper_min``,
        ``max_distance_m`` (the largest over the sectors).
    """
    rows = {}
    _, w = row_loads(incidents, weights=weights, default_weight=default_weight,
                     category_column=category_column)
    for label, frame in (("actuels", current), ("proposés", proposal)):
        if frame.empty:
            raise EmptySelectionError(f"Aucun secteur {label} à comparer.")
        frame = frame.reset_index(drop=True)
        pairs = sector_of(incidents, frame)
        loads = np.bincount(pairs["sector"].to_numpy(), weights=w[pairs["point"].to_numpy()],
                            minlength=len(frame))
        shapes = shape_table(frame.assign(sector_id=np.arange(len(frame)).astype(str)))
        b = balance(loads)
        rows[label] = {"n_sectors": len(frame), "cv": b.cv, "max_over_mean": b.max_over_mean,
                       "polsby_popper_mean": float(shapes["polsby_popper"].mean()),
                       "polsby_popper_min": float(shapes["polsby_popper"].min()),
                       "max_distance_m": float(shapes["max_distance_m"].max())}
    return pd.DataFrame.from_dict(rows, orient="index")


def proposal_layer(result: Redesign) -> gpd.GeoDataFrame:
    """Return the proposal as a ``secteurs_proposes`` layer (EPSG:4326), ready to store."""
    cols = ["sector_id", "name", "force", "workload", "n_blocks", "polsby_popper",
            "max_distance_m"]
    return result.sectors[cols + ["geometry"]].copy()


def propose(sectors: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, k: int,
            force: str = NATIONAL, blocks: gpd.GeoDataFrame | None = None,
            block_id_column: str = "quartier_id", cell_size_m: float = 250.0,
            keep_split: bool = False, weights: Mapping[str, float] | None = None,
            target_cv: float = TARGET_CV, seed: int | None = 0,
            islands: str = "raise") -> tuple[Redesign, pd.DataFrame]:
    """Redesign a force's sectors over the area it covers today, and compare.

    Parameters
    ----------
    sectors
        Today's sectors of every force (``sector_id``, ``force``), any CRS.
    incidents
        Incidents (``category``), any CRS.
    k
        Number of sectors wanted.
    force
        Whose sectors are redesigned (its current area is the area to cut).
    blocks
        Quartiers to build from (id in ``block_id_column``); default: grid cells of
        ``cell_size_m`` metres over the force's area.
    keep_split
        Keep the national/municipal split: no proposed sector straddles the limit of the
        *other* force's area (blocks are split by whether their centre lies in it).

    Returns
    -------
    Redesign, DataFrame
        The proposal and :func:`compare`'s table (today's sectors of ``force`` against it).
    """
    mine = sectors[sectors["force"] == force]
    if mine.empty:
        label = vocab.FORCES.get(force, force)
        raise EmptySelectionError(f"Aucun secteur de la {label} dans la couche « secteurs » : "
                                  "rien à redécouper.")
    area = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(
        mine.geometry.to_numpy()))], crs=mine.crs)
    if blocks is None:
        blk = grid_blocks(area, incidents, cell_size_m=cell_size_m, weights=weights)
    else:
        work_b = crs.to_compute(blocks)
        centre = gpd.GeoDataFrame(geometry=shapely.point_on_surface(
            work_b.geometry.to_numpy()), crs=work_b.crs)
        inside = sector_of(centre, area)["point"].unique()
        blk = block_loads(blocks.iloc[np.sort(inside)], incidents, id_column=block_id_column,
                          weights=weights)
    split = None
    if keep_split:
        other = sectors[sectors["force"] != force]
        if not other.empty:
            other_area = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(
                other.geometry.to_numpy()))], crs=other.crs)
            work_b = crs.to_compute(blk)
            centre = gpd.GeoDataFrame(geometry=shapely.point_on_surface(
                work_b.geometry.to_numpy()), crs=work_b.crs)
            split = np.zeros(len(blk), dtype=bool)
            split[sector_of(centre, other_area)["point"].unique()] = True
            if split.all() or not split.any():
                split = None
    result = redesign(blk, k=k, force=force, target_cv=target_cv, seed=seed, islands=islands,
                      split=split)
    table = compare(mine, result.sectors, incidents, weights=weights)
    return result, table
