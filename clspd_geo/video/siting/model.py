"""The camera-siting model: demand, candidate sites, the prepared MCLP instance.

Demand is a set of weighted points in metres (:class:`Demand`), candidate sites another
(:class:`Candidates`), both in the same metric CRS; :func:`prepare` builds the
:class:`Problem` every solver shares. A new camera is modelled as a dome that sees a disc of
``radius_m`` metres; existing cameras keep their real views (bearing, field of view, range)
and the demand they already see counts as covered (the view model of the coverage page,
:func:`clspd_geo.video.coverage.assess`). One chooses ``n_new`` sites, or as many
as a budget in euros allows with a cost per site, optionally no two closer than
``min_distance_m``.

The coverage matrix is sparse and built with a KD-tree (:func:`coverage_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from clspd_geo import _format
from clspd_geo.errors import OptimisationError
from clspd_geo.video import cameras as cams_mod
from clspd_geo.video import coverage

DEFAULT_RADIUS_M = 100.0
DEFAULT_COST_EUR = 25_000.0
"""Typical cost of one street camera with its fibre link and CSU integration, euros."""



@dataclass(frozen=True)
class Demand:
    """Weighted demand points in a metric CRS.

    Attributes
    ----------
    x, y
        Positions, metres (``epsg``).
    weight
        Weight of each point (weighted incidents).
    epsg
        Metric CRS.
    description
        French description of how the demand was built (shown to the planner).
    n_source
        Number of incidents (or accidents) behind the points; 0 when unknown.
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    epsg: int
    description: str
    n_source: int = 0

    @property
    def total(self) -> float:
        """Total demand weight."""
        return float(self.weight.sum())

    @property
    def units(self) -> int:
        """Number of demand points (distinct positions)."""
        return len(self.x)



@dataclass(frozen=True)
class Candidates:
    """Candidate sites in a metric CRS.

    Attributes
    ----------
    x, y
        Positions, metres (``epsg``).
    ids
        Identifier of each site.
    labels
        Place name of each site (French, for display).
    cost_eur
        Cost of equipping each site, euros.
    epsg
        Metric CRS.
    dropped_outside
        Sites dropped because they lie outside the territory.
    """

    x: np.ndarray
    y: np.ndarray
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    cost_eur: np.ndarray
    epsg: int
    dropped_outside: int = 0

    def __len__(self) -> int:
        return len(self.x)



@dataclass(frozen=True)
class Problem:
    """An MCLP instance ready for the solvers (all distances in metres).

    Attributes
    ----------
    candidates, demand
        The candidate sites and the demand, in the same metric CRS.
    radius_m
        Radius seen by a new camera, metres.
    cover
        Sparse boolean ``(n_candidates, n_demand)``: True where a site would see the point.
    weight
        Demand weight still to cover: zero where an existing camera already sees it.
    covered_before
        Demand weight existing cameras already see.
    n_new
        Maximum number of new cameras (None: only the budget limits).
    budget_eur
        Budget in euros (None: only ``n_new`` limits).
    min_distance_m
        Minimum distance between two cameras (new or existing), metres.
    conflicts
        ``(k, 2)`` pairs of candidate indices closer than ``min_distance_m``.
    blocked
        Candidates closer than ``min_distance_m`` to an existing camera.
    cover_t
        The transpose of ``cover`` (demand point → sites covering it), as CSR.
    existing
        The existing cameras the demand already seen was computed with (None: none).
    buildings
        Building footprints cutting their views (None: none).
    """

    candidates: Candidates
    demand: Demand
    radius_m: float
    cover: sparse.csr_array
    weight: np.ndarray
    covered_before: float
    n_new: int | None
    budget_eur: float | None
    min_distance_m: float
    conflicts: np.ndarray
    blocked: np.ndarray
    cover_t: sparse.csr_array
    existing: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None

    @property
    def total_weight(self) -> float:
        """Total demand weight."""
        return self.demand.total

    def covered_by(self, chosen: np.ndarray) -> float:
        """Return the demand weight covered by existing cameras plus the ``chosen`` sites."""
        chosen = np.asarray(chosen, dtype=np.int64)
        if len(chosen) == 0:
            return self.covered_before
        hit = np.asarray(self.cover[chosen].sum(axis=0)).ravel() > 0
        return self.covered_before + float(self.weight[hit].sum())


def prepare(demand: Demand, candidates: Candidates, *, radius_m: float = DEFAULT_RADIUS_M,
            n_new: int | None = None, budget_eur: float | None = None,
            existing: gpd.GeoDataFrame | None = None, min_distance_m: float = 0.0,
            buildings: gpd.GeoDataFrame | None = None) -> Problem:
    """Build the MCLP instance: coverage matrix, residual demand, conflicts.

    Parameters
    ----------
    demand, candidates
        From :func:`~clspd_geo.video.siting.demand.demand_from_incidents` and
        :func:`~clspd_geo.video.siting.candidates.candidates_from_points` (same CRS).
    radius_m
        Radius a new camera sees, metres.
    n_new
        Number of new cameras (at most).
    budget_eur
        Budget in euros; with ``n_new`` too, both limits hold.
    existing
        Existing cameras (any CRS): demand they see counts as covered, and no new site
        may be closer to them than ``min_distance_m``.
    min_distance_m
        Minimum distance between two cameras, metres.
    buildings
        Building footprints cutting the existing cameras' views.

    Raises
    ------
    OptimisationError
        Neither a number nor a budget, a number below one or above the number of candidate
        sites, a budget smaller than the cheapest site, or a negative radius or distance
        (French messages).
    """
    if radius_m <= 0:
        raise OptimisationError(f"Le rayon de vision doit être positif (reçu : {radius_m:g} m).")
    if min_distance_m < 0:
        raise OptimisationError("La distance minimale entre caméras ne peut pas être négative.")
    if n_new is None and budget_eur is None:
        raise OptimisationError("Indiquez un nombre de nouvelles caméras ou un budget en euros.")
    if n_new is not None and n_new < 1:
        raise OptimisationError(f"Le nombre de nouvelles caméras doit être au moins 1 "
                                f"(reçu : {n_new}).")
    if n_new is not None and n_new > len(candidates):
        msg = (f"Vous demandez {n_new} nouvelles caméras, mais il n'y a que "
               f"{_format.count(len(candidates), 'site candidat')} dans le territoire : "
               "demandez au plus "
               f"{_format.count(len(candidates), 'caméra')}, ou choisissez plus de sites (grille plus "
               "serrée, carrefours, autre couche).")
        raise OptimisationError(msg)
    if budget_eur is not None:
        cheapest = float(candidates.cost_eur.min()) if len(candidates) else 0.0
        if budget_eur < cheapest or budget_eur <= 0:
            msg = (f"Le budget de {budget_eur:,.0f} € ne permet pas d'installer une seule "
                   f"caméra (le site le moins cher coûte {cheapest:,.0f} €). Augmentez le "
                   "budget ou baissez le coût par site.").replace(",", " ")
            raise OptimisationError(msg)
    if candidates.epsg != demand.epsg:
        msg = (f"Les sites candidats (EPSG:{candidates.epsg}) et la demande "
               f"(EPSG:{demand.epsg}) ne sont pas dans le même système de coordonnées.")
        raise OptimisationError(msg)
    cover = coverage_matrix(candidates.x, candidates.y, demand.x, demand.y, radius_m=radius_m)
    weight = demand.weight.astype(float).copy()
    blocked = np.zeros(len(candidates), dtype=bool)
    if existing is not None and len(existing):
        weight[already_seen(demand, existing, buildings=buildings)] = 0.0
        if min_distance_m > 0:
            p = cams_mod.view_params(existing, epsg=demand.epsg)
            tree = cKDTree(np.column_stack([p.x, p.y]))
            d, _ = tree.query(np.column_stack([candidates.x, candidates.y]))
            blocked = d < min_distance_m
    covered_before = float(demand.weight.sum() - weight.sum())
    if min_distance_m > 0 and len(candidates) > 1:
        tree = cKDTree(np.column_stack([candidates.x, candidates.y]))
        conflicts = tree.query_pairs(min_distance_m, output_type="ndarray")
        # query_pairs is "<= r": keep strict "closer than" pairs only.
        dd = np.hypot(candidates.x[conflicts[:, 0]] - candidates.x[conflicts[:, 1]],
                      candidates.y[conflicts[:, 0]] - candidates.y[conflicts[:, 1]])
        conflicts = conflicts[dd < min_distance_m]
    else:
        conflicts = np.zeros((0, 2), dtype=np.int64)
    return Problem(candidates, demand, float(radius_m), cover, weight, covered_before,
                   n_new, budget_eur, float(min_distance_m), conflicts, blocked,
                   cover.T.tocsr(), existing if existing is not None and len(existing)
                   else None, buildings)


def already_seen(demand: Demand, existing: gpd.GeoDataFrame | None, *,
                 buildings: gpd.GeoDataFrame | None = None) -> np.ndarray:
    """Return, for each demand point, whether an existing camera sees it.

    The same view model as the coverage page (:func:`clspd_geo.video.coverage.assess`:
    position, bearing, field of view, range, buildings).
    """
    if existing is None or len(existing) == 0 or demand.units == 0:
        return np.zeros(demand.units, dtype=bool)
    points = pd.DataFrame({"x": demand.x, "y": demand.y})
    return coverage.assess(existing, points, buildings=buildings, epsg=demand.epsg).seen


def coverage_matrix(cx: np.ndarray, cy: np.ndarray, dx: np.ndarray, dy: np.ndarray, *,
                    radius_m: float) -> sparse.csr_array:
    """Return the sparse ``(n_sites, n_demand)`` matrix of demand points within ``radius_m``.

    Built with a KD-tree on the demand; coordinates in metres, same CRS.
    """
    n_c, n_d = len(cx), len(dx)
    if n_c == 0 or n_d == 0:
        return sparse.csr_array((n_c, n_d), dtype=bool)
    tree = cKDTree(np.column_stack([dx, dy]))
    near = tree.query_ball_point(np.column_stack([cx, cy]), r=radius_m, return_sorted=False)
    lengths = np.fromiter((len(a) for a in near), dtype=np.int64, count=n_c)
    indptr = np.r_[0, np.cumsum(lengths)]
    indices = (np.concatenate([np.asarray(a, dtype=np.int64) for a in near]) if indptr[-1]
               else np.zeros(0, dtype=np.int64))
    mat = sparse.csr_array((np.ones(len(indices), dtype=bool), indices, indptr),
                           shape=(n_c, n_d))
    mat.sort_indices()
    return mat
