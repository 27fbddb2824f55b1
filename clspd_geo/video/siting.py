"""Where to put the next cameras: the maximal covering location problem (MCLP).

Demand is a set of weighted points in metres: incidents (weighted by category and
recency), usually aggregated into small cells, or the cells of a hotspot surface.
Candidate sites come from a layer (street crossings, lamp posts…), from the crossings of
the roads layer, from a grid restricted to public space, or from points clicked on a map.
A new camera is modelled as a dome that sees a disc of ``radius_m`` metres; existing
cameras keep their real views (bearing, field of view, range) and the demand they already
see counts as covered. One chooses ``n_new`` sites, or as many as a budget in euros allows
with a cost per site, optionally no two closer than ``min_distance_m``.

Two solvers share one prepared :class:`Problem`:

- :func:`greedy`: adds the site with the largest marginal gain (gain per euro under a
  budget) until done, in milliseconds. Coverage is submodular, so for any set ``S``,
  ``OPT <= f(S) + (sum of the k largest marginal gains w.r.t. S)``; the smallest such value
  met along the way is a proven upper bound, reported with the greedy gap.
- :func:`exact`: the MCLP as a mixed-integer programme solved by HiGHS (module
  :mod:`siting_exact`): the LP relaxation and its Lagrangian bound first drop the sites
  that cannot be in an optimal answer, then branch-and-cut runs on the rest, with a time
  limit. It reports the proven bound and gap; when the time runs out with no better
  answer, the greedy answer and its bound are kept.

The coverage matrix is sparse and built with a KD-tree; demand points covered by exactly
the same candidates are merged before the MILP, which keeps it small.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from clspd_geo.video import cameras as cams_mod
from clspd_geo import config, crs, vocab
from clspd_geo.analysis import cells
from clspd_geo.errors import EmptySelectionError, OptimisationError

DEFAULT_RADIUS_M = 100.0
DEFAULT_COST_EUR = 25_000.0
"""Typical cost of one street camera with its fibre link and CSU integration, euros."""


# -- demand ------------------------------------------------------------------------------

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
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    epsg: int
    description: str

    @property
    def total(self) -> float:
        """Total demand weight."""
        return float(self.weight.sum())


def incident_weights(incidents: pd.DataFrame, *,
                     category_weights: Mapping[str, float] | Literal["egal", "gravite"] = "egal",
                     half_life_days: float | None = None,
                     reference: dt.datetime | None = None) -> np.ndarray:
    """Return the weight of each incident: category weight times recency weight.

    Parameters
    ----------
    incidents
        Frame with ``category`` (and ``occurred_at`` for recency).
    category_weights
        ``"egal"`` (1 each), ``"gravite"`` (the vocabulary's severity, 1–5) or a mapping
        ``{category: weight}`` (categories absent from the mapping weigh 0).
    half_life_days
        An incident this many days older than ``reference`` weighs half as much.
    reference
        Date recency is measured from (default: the latest incident).
    """
    n = len(incidents)
    if isinstance(category_weights, str):
        if category_weights == "egal":
            w = np.ones(n)
        elif category_weights == "gravite":
            sev = vocab.severity_weights()
            w = incidents["category"].astype(str).map(sev).fillna(1.0).to_numpy(dtype=float)
        else:
            msg = (f"Pondération inconnue « {category_weights} » : choisissez « egal », "
                   "« gravite » ou un poids par catégorie.")
            raise EmptySelectionError(msg)
    else:
        w = incidents["category"].astype(str).map(dict(category_weights)).fillna(0.0) \
            .to_numpy(dtype=float)
    if half_life_days is not None:
        if half_life_days <= 0:
            raise EmptySelectionError("La demi-vie doit être un nombre de jours positif.")
        ts = pd.to_datetime(incidents["occurred_at"])
        ref = pd.Timestamp(reference) if reference is not None else ts.max()
        age = (ref - ts).dt.total_seconds().to_numpy() / 86400.0
        w = w * np.power(0.5, np.clip(np.nan_to_num(age, nan=0.0), 0, None) / half_life_days)
    return w


def demand_from_incidents(incidents: pd.DataFrame, *, epsg: int | None = None,
                          category_weights: Mapping[str, float] | Literal["egal", "gravite"]
                          = "egal", half_life_days: float | None = None,
                          reference: dt.datetime | None = None,
                          cell_size_m: float | None = 50.0) -> Demand:
    """Return the demand of a set of incidents, aggregated into square cells.

    Parameters
    ----------
    incidents
        A GeoDataFrame (any CRS), or a light frame with ``x``/``y`` metres and ``epsg``.
    cell_size_m
        Side of the aggregation cells, metres (the demand point is the cell centre);
        ``None`` keeps one demand point per incident.
    category_weights, half_life_days, reference
        See :func:`incident_weights`.

    Raises
    ------
    EmptySelectionError
        No incident (for instance none in the chosen period), or all weights are zero.
    """
    from clspd_geo.video import coverage

    x, y, epsg_out = coverage.points_xy(incidents, epsg=epsg)
    if len(x) == 0:
        msg = ("Aucun fait dans la période choisie : impossible de placer des caméras sans "
               "demande. Élargissez la période ou les catégories.")
        raise EmptySelectionError(msg)
    w = incident_weights(incidents, category_weights=category_weights,
                         half_life_days=half_life_days, reference=reference)
    ok = np.isfinite(x) & np.isfinite(y) & (w > 0)
    if not ok.any():
        msg = ("Tous les faits retenus ont un poids nul : vérifiez les poids par catégorie.")
        raise EmptySelectionError(msg)
    x, y, w = x[ok], y[ok], w[ok]
    desc = f"{int(ok.sum())} faits"
    if cell_size_m is None:
        return Demand(x, y, w, epsg_out, desc)
    if cell_size_m <= 0:
        raise EmptySelectionError("La taille des cellules de demande doit être positive.")
    size = float(cell_size_m)
    x0 = np.floor(x.min() / size) * size
    y0 = np.floor(y.min() / size) * size
    grid = cells.Grid(float(x0), float(y0), size, int((x.max() - x0) // size) + 1,
                      int((y.max() - y0) // size) + 1, epsg_out)
    counts = cells.count(grid, x, y, weights=w)
    flat = np.flatnonzero(counts > 0)
    cx, cy = grid.centres(flat)
    desc += f" regroupés en {len(flat)} cellules de {cell_size_m:g} m"
    return Demand(np.asarray(cx, dtype=float), np.asarray(cy, dtype=float), counts[flat],
                  epsg_out, desc)


def demand_from_surface(surface: gpd.GeoDataFrame, *, column: str,
                        epsg: int | None = None) -> Demand:
    """Return demand from a surface of cells (hotspot grid): one point per cell centroid.

    Parameters
    ----------
    surface
        Polygons (any CRS) with a value column, e.g. a hotspot grid.
    column
        The value column; cells with a value of zero or less are left out.
    """
    if column not in surface.columns:
        msg = f"La surface n'a pas de colonne « {column} » : choisissez la colonne des valeurs."
        raise EmptySelectionError(msg)
    work = crs.to_compute(surface, epsg=epsg)
    w = pd.to_numeric(work[column], errors="coerce").fillna(0).to_numpy(dtype=float)
    keep = w > 0
    if not keep.any():
        raise EmptySelectionError("La surface de demande est vide (toutes les valeurs sont "
                                  "nulles) : choisissez une autre période ou un autre indicateur.")
    c = work.geometry[keep].centroid
    return Demand(c.x.to_numpy(dtype=float), c.y.to_numpy(dtype=float), w[keep],
                  int(work.crs.to_epsg()), f"surface « {column} » ({int(keep.sum())} cellules)")


# -- candidate sites ---------------------------------------------------------------------

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


def candidates_from_points(points: gpd.GeoDataFrame, *, epsg: int | None = None,
                           id_column: str | None = None, label_column: str | None = None,
                           cost_eur: float | str = DEFAULT_COST_EUR,
                           territory: gpd.GeoDataFrame | None = None) -> Candidates:
    """Return candidate sites from a point layer (crossings, lamp posts, clicked points).

    Parameters
    ----------
    points
        Points, any CRS.
    epsg
        Metric CRS (default: the points' own).
    id_column, label_column
        Columns holding an identifier and a place name (default: row numbers, coordinates).
    cost_eur
        One cost for every site, or the name of a column of costs (euros).
    territory
        When given, sites outside it are dropped (their number is in ``dropped_outside``).

    Raises
    ------
    EmptySelectionError
        No candidate site, or none inside the territory.
    """
    if len(points) == 0:
        raise EmptySelectionError("Aucun site candidat : choisissez une couche de sites, "
                                  "les carrefours, une grille, ou cliquez des points sur la carte.")
    work = crs.to_compute(points, epsg=epsg)
    geom = work.geometry
    ok = (geom.notna() & ~geom.is_empty).to_numpy().copy()
    ok &= (geom.geom_type == "Point").to_numpy()
    dropped = 0
    if territory is not None and len(territory):
        area = shapely.union_all(crs.to_compute(territory, epsg=int(work.crs.to_epsg()))
                                 .geometry.to_numpy())
        inside = np.zeros(len(work), dtype=bool)
        inside[ok] = shapely.covers(area, geom[ok].to_numpy())
        dropped = int((ok & ~inside).sum())
        ok &= inside
    if not ok.any():
        msg = (f"Aucun des {len(points)} sites candidats n'est dans le territoire : vérifiez "
               "la couche des sites (coordonnées, système de coordonnées) ou la commune "
               "choisie.")
        raise EmptySelectionError(msg)
    x = geom[ok].x.to_numpy(dtype=float)
    y = geom[ok].y.to_numpy(dtype=float)
    rows = np.flatnonzero(ok)
    ids = (tuple(str(v) for v in work[id_column].to_numpy()[rows]) if id_column
           else tuple(f"S{i + 1}" for i in rows))
    if label_column:
        labels = tuple(str(v) for v in work[label_column].to_numpy()[rows])
    else:
        lonlat = gpd.GeoSeries(geom[ok].to_numpy(), crs=work.crs).to_crs(config.STORAGE_CRS)
        labels = tuple(f"{p.y:.5f}, {p.x:.5f}" for p in lonlat)
    if isinstance(cost_eur, str):
        if cost_eur not in work.columns:
            raise EmptySelectionError(f"La couche des sites n'a pas de colonne « {cost_eur} » "
                                      "pour le coût.")
        cost = pd.to_numeric(work[cost_eur], errors="coerce").to_numpy(dtype=float)[rows]
        if np.isnan(cost).any() or (cost < 0).any():
            raise EmptySelectionError(f"La colonne « {cost_eur} » contient des coûts vides ou "
                                      "négatifs : indiquez un coût en euros pour chaque site.")
    else:
        if cost_eur < 0:
            raise EmptySelectionError("Le coût d'un site ne peut pas être négatif.")
        cost = np.full(len(x), float(cost_eur))
    return Candidates(x, y, ids, labels, cost, int(work.crs.to_epsg()), dropped)


def street_crossings(voies: gpd.GeoDataFrame, *, epsg: int | None = None,
                     snap_m: float = 0.5) -> gpd.GeoDataFrame:
    """Return the crossings of a roads layer: nodes where three or more road ends meet.

    Lines are noded together first (a crossing in the middle of two lines counts).

    Returns
    -------
    GeoDataFrame
        ``crossing_id``, ``degree`` (number of road ends meeting), ``name`` (the road
        names when the layer has a ``name`` column); points in EPSG:4326.
    """
    work = crs.to_compute(voies, epsg=epsg)
    lines = work.geometry.to_numpy()
    if len(lines) == 0:
        raise EmptySelectionError("La couche des voies est vide : aucun carrefour à proposer.")
    noded = shapely.get_parts(shapely.union_all(lines))
    noded = noded[shapely.get_type_id(noded) == 1]  # LineString
    starts = shapely.get_coordinates(shapely.get_point(noded, 0))
    ends = shapely.get_coordinates(shapely.get_point(noded, -1))
    ends_xy = np.round(np.vstack([starts, ends]) / snap_m) * snap_m
    uniq, degree = np.unique(ends_xy, axis=0, return_counts=True)
    keep = degree >= 3
    pts = gpd.GeoDataFrame({"crossing_id": [f"X{i + 1}" for i in range(int(keep.sum()))],
                            "degree": degree[keep]},
                           geometry=gpd.points_from_xy(uniq[keep, 0], uniq[keep, 1]),
                           crs=work.crs)
    if "name" in work.columns and len(pts):
        near = gpd.sjoin_nearest(pts, work[["name", work.geometry.name]], how="left",
                                 max_distance=snap_m * 4)
        names = near.groupby(level=0)["name"].agg(
            lambda s: " × ".join(sorted({str(v) for v in s.dropna()})))
        pts["name"] = names.reindex(pts.index).fillna("").to_numpy()
    return crs.to_storage(pts)


def grid_sites(territory: gpd.GeoDataFrame, *, spacing_m: float,
               public_space: gpd.GeoDataFrame | None = None,
               buildings: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return a regular grid of candidate sites inside the territory.

    Parameters
    ----------
    spacing_m
        Distance between two neighbouring sites, metres.
    public_space
        Polygons of public space (streets, squares); sites must fall inside.
    buildings
        Building footprints; sites inside a building are dropped.

    Returns
    -------
    GeoDataFrame
        ``site_id`` and points, EPSG:4326.
    """
    grid = cells.grid_for(territory, cell_size_m=spacing_m)
    keep = cells.inside_mask(grid, territory)
    cx, cy = grid.centres()
    if public_space is not None and len(public_space):
        ps = shapely.union_all(crs.to_compute(public_space, epsg=grid.epsg).geometry.to_numpy())
        keep &= shapely.contains_xy(ps, cx, cy)
    if buildings is not None and len(buildings):
        b = shapely.union_all(crs.to_compute(buildings, epsg=grid.epsg).geometry.to_numpy())
        keep &= ~shapely.contains_xy(b, cx, cy)
    flat = np.flatnonzero(keep)
    if len(flat) == 0:
        raise EmptySelectionError(f"Aucun site sur une grille de {spacing_m:g} m dans "
                                  "l'espace public du territoire : réduisez l'espacement.")
    gdf = gpd.GeoDataFrame({"site_id": [f"G{i + 1}" for i in range(len(flat))]},
                           geometry=gpd.points_from_xy(cx[flat], cy[flat]), crs=grid.epsg)
    return crs.to_storage(gdf)


# -- the prepared problem ----------------------------------------------------------------

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
        From :func:`demand_from_incidents` / :func:`candidates_from_points` (same CRS).
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
        Neither a number nor a budget, a number below one, a budget smaller than the
        cheapest site, or a negative radius or distance (French messages).
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
        p = cams_mod.view_params(existing, epsg=demand.epsg)
        seen = cams_mod.seen_by_xy(p, demand.x, demand.y, radius_m=p.range_m,
                                   buildings=buildings)
        already = np.asarray(seen.sum(axis=1)).ravel() > 0
        weight[already] = 0.0
        if min_distance_m > 0:
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
                   cover.T.tocsr())


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


# -- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SitingResult:
    """Chosen sites and what they bring.

    Attributes
    ----------
    sites
        One row per chosen site, in order of marginal gain: ``rank``, ``site_id``,
        ``label``, ``marginal_gain`` (demand weight newly covered when added in this
        order), ``covered_after`` (cumulative covered weight), ``cost_eur``; points in
        EPSG:4326.
    method
        ``"glouton"`` or ``"exact"``.
    status
        ``"optimal"`` (proven), ``"limite_de_temps"`` (time limit, best answer kept),
        ``"heuristique"`` (greedy, with its bound).
    covered_before, covered_after
        Demand weight covered by existing cameras, and after adding the sites.
    total_weight
        Total demand weight.
    bound
        Proven upper bound on ``covered_after`` for any feasible choice.
    seconds
        Solve time, seconds (greedy, or MILP only; the matrix is built by :func:`prepare`).
    message
        French summary for the planner.
    """

    sites: gpd.GeoDataFrame
    method: str
    status: str
    covered_before: float
    covered_after: float
    total_weight: float
    bound: float
    seconds: float
    message: str

    @property
    def gap(self) -> float:
        """Relative optimality gap ``(bound - covered_after) / bound`` (0 when proven)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.covered_after) / self.bound)

    @property
    def share_before(self) -> float:
        """Share of the demand covered before (0–1)."""
        return self.covered_before / self.total_weight if self.total_weight else 0.0

    @property
    def share_after(self) -> float:
        """Share of the demand covered after (0–1)."""
        return self.covered_after / self.total_weight if self.total_weight else 0.0

    def summary(self) -> dict[str, object]:
        """Return the figures as plain values (for JSON and the command line)."""
        return {
            "methode": self.method, "statut": self.status,
            "poids_total": self.total_weight, "couvert_avant": self.covered_before,
            "couvert_apres": self.covered_after, "part_avant": self.share_before,
            "part_apres": self.share_after, "borne": self.bound, "ecart": self.gap,
            "secondes": self.seconds, "message": self.message,
        }


def _order_by_gain(problem: Problem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order chosen sites greedily by marginal gain; return (order, gains)."""
    chosen = list(np.asarray(chosen, dtype=np.int64))
    residual = problem.weight.copy()
    order: list[int] = []
    gains: list[float] = []
    rows = {j: problem.cover.indices[problem.cover.indptr[j]:problem.cover.indptr[j + 1]]
            for j in chosen}
    while chosen:
        g = [float(residual[rows[j]].sum()) for j in chosen]
        k = int(np.argmax(g))
        j = chosen.pop(k)
        order.append(j)
        gains.append(g[k])
        residual[rows[j]] = 0.0
    return np.asarray(order, dtype=np.int64), np.asarray(gains)


def _pct(share: float, digits: int = 1) -> str:
    """Format a share as a French percentage: 0.154 → "15,4 %"."""
    return f"{100 * share:.{digits}f}\u202f%".replace(".", ",")


def _result(problem: Problem, chosen: np.ndarray, *, method: str, status: str, bound: float,
            seconds: float, note: str = "", gains: np.ndarray | None = None) -> SitingResult:
    if gains is None:
        order, gains = _order_by_gain(problem, chosen)
    else:
        order = np.asarray(chosen, dtype=np.int64)
    c = problem.candidates
    after = problem.covered_before + np.cumsum(gains)
    sites = gpd.GeoDataFrame(
        {"rank": np.arange(1, len(order) + 1),
         "site_id": [c.ids[j] for j in order], "label": [c.labels[j] for j in order],
         "marginal_gain": gains, "covered_after": after, "cost_eur": c.cost_eur[order]},
        geometry=gpd.points_from_xy(c.x[order], c.y[order]), crs=c.epsg)
    sites = crs.to_storage(sites)
    covered_after = float(after[-1]) if len(after) else problem.covered_before
    bound = max(bound, covered_after)
    total = problem.total_weight
    gap = (bound - covered_after) / bound if bound > 0 else 0.0
    label = "exacte (HiGHS)" if method == "exact" else "gloutonne"
    msg = (f"Solution {label} : {len(order)} site(s), couverture de "
           f"{_pct(problem.covered_before / total)} à {_pct(covered_after / total)} de la "
           f"demande ; borne prouvée {_pct(bound / total)}, écart à l'optimum au plus "
           f"{_pct(gap, 2)}." if total else "Aucune demande à couvrir.")
    if note:
        msg += " " + note
    return SitingResult(sites, method, status, problem.covered_before, covered_after, total,
                        float(bound), float(seconds), msg)


# -- greedy ------------------------------------------------------------------------------

def _knapsack_bound(gains: np.ndarray, costs: np.ndarray, budget: float) -> float:
    """Fractional knapsack: the most gain a budget can buy if sites could be split."""
    pos = gains > 0
    if not pos.any():
        return 0.0
    g, cst = gains[pos], costs[pos]
    free = cst <= 0
    total = float(g[free].sum())
    g, cst = g[~free], cst[~free]
    order = np.argsort(-g / cst, kind="stable")
    cum = np.cumsum(cst[order])
    full = cum <= budget
    total += float(g[order][full].sum())
    nxt = int(full.sum())
    if nxt < len(order):
        left = budget - (cum[nxt - 1] if nxt else 0.0)
        total += float(g[order][nxt] * left / cst[order][nxt])
    return total


def _step_bound(gains: np.ndarray, problem: Problem, n_left: int | None,
                budget_left: float | None) -> float:
    """Upper bound on what any completion could still add (see module docstring)."""
    g = np.where(problem.blocked, 0.0, gains)
    bounds = []
    if n_left is not None:
        k = min(max(n_left, 0), len(g))
        bounds.append(float(np.partition(g, len(g) - k)[len(g) - k:].sum()) if k else 0.0)
    if budget_left is not None:
        bounds.append(_knapsack_bound(g, problem.candidates.cost_eur, max(budget_left, 0.0)))
    return min(bounds)


def _rows_of(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Gather the column indices of several CSR rows: (columns, position of their row)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    which = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return indices[starts[which] + offsets], which


def greedy(problem: Problem, *, bound_iterations: int = 40) -> SitingResult:
    """Choose sites one by one by largest marginal gain (per euro under a budget).

    Returns the chosen sites with a proven upper bound, the smallest of: for every set
    ``S`` met along the way, ``f(S)`` plus the best marginal gains any feasible choice
    could add to ``S`` (the ``n_new`` largest, or a fractional knapsack under the budget);
    and, with a number of cameras, a Lagrangian bound refined by ``bound_iterations``
    subgradient steps (see :func:`lagrangian_bound`). With a budget, the best single
    affordable site replaces the greedy set when it alone covers more.
    """
    t0 = time.perf_counter()
    cover = problem.cover
    cover_t = problem.cover_t
    residual = problem.weight.copy()
    gains = np.asarray(cover @ residual).ravel().astype(float)
    cost = problem.candidates.cost_eur
    allowed = ~problem.blocked
    conflicts = _conflict_matrix(problem)
    n_max = problem.n_new if problem.n_new is not None else len(gains)
    budget = problem.budget_eur
    spent = 0.0
    chosen: list[int] = []
    steps: list[float] = []
    covered = 0.0
    best_bound = _step_bound(gains, problem, problem.n_new, budget)
    by_ratio = budget is not None
    while len(chosen) < n_max:
        ok = allowed & (gains > 1e-12)
        if budget is not None:
            ok &= cost <= budget - spent + 1e-9
        if not ok.any():
            break
        score = gains / np.maximum(cost, 1e-9) if by_ratio else gains
        j = int(np.argmax(np.where(ok, score, -np.inf)))
        chosen.append(j)
        steps.append(float(gains[j]))
        covered += float(gains[j])
        spent += float(cost[j])
        allowed[j] = False
        if conflicts is not None:
            allowed[conflicts.indices[conflicts.indptr[j]:conflicts.indptr[j + 1]]] = False
        newly = cover.indices[cover.indptr[j]:cover.indptr[j + 1]]
        newly = newly[residual[newly] > 0]
        if len(newly):
            # Every site covering a newly covered point loses that point's weight.
            sites, row = _rows_of(cover_t.indptr, cover_t.indices, newly)
            gains -= np.bincount(sites, weights=residual[newly][row], minlength=len(gains))
            residual[newly] = 0.0
        # OPT <= f(S) + the best gains any feasible set could add to S: the full
        # n_new / budget, since the optimal set need not contain S.
        best_bound = min(best_bound, covered + _step_bound(gains, problem, problem.n_new, budget))
    order = np.asarray(chosen, dtype=np.int64)
    step_gains = np.asarray(steps)
    if budget is not None:
        single = np.where(~problem.blocked & (cost <= budget),
                          np.asarray(cover @ problem.weight).ravel(), -np.inf)
        j = int(np.argmax(single))
        if np.isfinite(single[j]) and single[j] > covered:
            order, step_gains, covered = np.array([j]), np.array([single[j]]), float(single[j])
    best_bound = min(best_bound, float(problem.weight.sum()))
    if problem.n_new is not None and bound_iterations > 0:
        lag = lagrangian_bound(problem, lower=covered, iterations=bound_iterations)
        best_bound = min(best_bound, lag.bound)
    best_bound += problem.covered_before
    seconds = time.perf_counter() - t0
    status = "optimal" if best_bound - (problem.covered_before + covered) <= 1e-9 * max(
        best_bound, 1.0) else "heuristique"
    return _result(problem, order, method="glouton", status=status, bound=best_bound,
                   seconds=seconds, gains=step_gains)


def _conflict_matrix(problem: Problem) -> sparse.csr_array | None:
    """Return the symmetric sparse matrix of sites too close to each other, or None."""
    if len(problem.conflicts) == 0:
        return None
    n = len(problem.candidates)
    a, b = problem.conflicts[:, 0], problem.conflicts[:, 1]
    return sparse.csr_array((np.ones(2 * len(a), dtype=bool), (np.r_[a, b], np.r_[b, a])),
                            shape=(n, n))


# -- Lagrangian bound --------------------------------------------------------------------

@dataclass(frozen=True)
class LagrangianBound:
    """A Lagrangian upper bound on the weight new sites can add (existing coverage excluded).

    Attributes
    ----------
    bound
        Proven upper bound on the weight any ``n_new`` sites can newly cover.
    scores
        Lagrangian score of each candidate at the best multipliers.
    kth, next_score
        The ``n_new``-th and ``(n_new + 1)``-th largest scores (zero when absent).
    chosen
        Candidates in the Lagrangian solution (the ``n_new`` best positive scores).
    """

    bound: float
    scores: np.ndarray
    kth: float
    next_score: float
    chosen: np.ndarray


def lagrangian_bound(problem: Problem, *, lower: float, iterations: int = 300) -> \
        LagrangianBound:
    """Bound the MCLP by relaxing the coverage constraints (subgradient optimisation).

    With multipliers ``0 <= l_j <= w_j`` on ``y_j <= sum_{i covers j} x_i``, the
    relaxation splits: ``L(l) = sum_j (w_j - l_j) + (sum of the n_new largest site scores
    s_i = sum_{j covered by i} l_j)``, and every ``L(l)`` bounds the optimum from above
    (minimum distances are relaxed too, which keeps the bound valid). The multipliers
    start at ``l = w`` (the bound "sum of the n_new best single gains") and follow
    Polyak steps towards ``lower`` (a known feasible value, e.g. the greedy one).

    Only for a number of new cameras (``problem.n_new``); the existing coverage is not
    included in the bound.
    """
    k = int(problem.n_new or 0)
    w = problem.weight.astype(float)
    a = problem.cover[~problem.blocked] if problem.blocked.any() else problem.cover
    idx = np.flatnonzero(~problem.blocked)
    n = a.shape[0]
    if n == 0 or k == 0 or w.sum() <= 0:
        return LagrangianBound(0.0, np.zeros(len(problem.candidates)), 0.0, 0.0,
                               np.zeros(0, dtype=np.int64))
    a = a.astype(float)
    coverable = np.bincount(a.indices, minlength=len(w)) > 0
    lam = w.astype(float).copy()  # uncoverable demand keeps l = w: it contributes nothing
    best = np.inf
    best_lam = lam.copy()
    theta = 2.0
    stall = 0
    kk = min(k, n)
    for _ in range(max(1, iterations)):
        s = a @ lam
        top = np.argpartition(-s, kk - 1)[:kk] if kk < n else np.arange(n)
        top = top[s[top] > 0]
        value = float((w - lam).sum() + s[top].sum())
        if value < best - 1e-9:
            best, best_lam, stall = value, lam.copy(), 0
        else:
            stall += 1
            if stall >= 8:
                theta, stall = theta / 2, 0
        if best - lower <= 1e-9 * max(best, 1.0) or theta < 1e-4:
            break
        # y_j - sum of chosen x_i covering j (only the n_new chosen rows are read).
        hit, _ = _rows_of(a.indptr, a.indices, top)
        g = (w - lam > 0).astype(float) - np.bincount(hit, minlength=len(w))
        g[~coverable] = 0.0
        g = np.where(((lam <= 0) & (g < 0)) | ((lam >= w) & (g > 0)), 0.0, g)
        norm = float(g @ g)
        if norm == 0:
            break
        step = theta * max(value - lower, 1e-9 * max(value, 1.0)) / norm
        lam = np.clip(lam + step * g, 0.0, w)
    s = a @ best_lam
    order = np.argsort(-s, kind="stable")
    kth = float(s[order[kk - 1]]) if kk <= n and s[order[kk - 1]] > 0 else 0.0
    nxt = float(s[order[kk]]) if kk < n else 0.0
    chosen = order[:kk][s[order[:kk]] > 0]
    scores = np.zeros(len(problem.candidates))
    scores[idx] = s
    return LagrangianBound(float(best), scores, kth, max(nxt, 0.0), idx[chosen])


# -- exact MILP --------------------------------------------------------------------------

def exact(problem: Problem, *, time_limit_s: float = 60.0, mip_rel_gap: float = 1e-6,
          fallback: SitingResult | None = None, presolve: bool = False) -> SitingResult:
    """Solve the MCLP exactly with HiGHS, within ``time_limit_s`` seconds.

    See :func:`clspd_geo.video.siting_exact.solve` (LP relaxation, Lagrangian reduction of the
    candidate sites, then branch-and-cut on the sites left). When the time runs out, the
    best answer found (at least the greedy one) is kept with the best proven bound.

    Raises
    ------
    OptimisationError
        HiGHS fails for another reason than the time limit (French message).
    """
    from clspd_geo.video import siting_exact

    return siting_exact.solve(problem, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap,
                              fallback=fallback, presolve=presolve)


def _site_indices(problem: Problem, result: SitingResult) -> np.ndarray:
    index = {sid: i for i, sid in enumerate(problem.candidates.ids)}
    return np.asarray([index[s] for s in result.sites["site_id"]], dtype=np.int64)


def solve(problem: Problem, *, method: Literal["glouton", "exact"] = "glouton",
          time_limit_s: float = 60.0) -> SitingResult:
    """Solve with the greedy method, or exactly (keeping the greedy answer as fallback)."""
    if method == "glouton":
        return greedy(problem)
    if method == "exact":
        return exact(problem, time_limit_s=time_limit_s)
    raise OptimisationError(f"Méthode inconnue « {method} » (glouton ou exact).")


# -- using the answer --------------------------------------------------------------------

def as_cameras(result: SitingResult, *, radius_m: float, operator: str = "csu_municipal",
               prefix: str = "N") -> gpd.GeoDataFrame:
    """Return the chosen sites as projected cameras (domes of ``radius_m``, status "projet").

    The frame has the cameras layer's columns, so :func:`cameras.view_polygons` and the
    map builders draw their cones. EPSG:4326.
    """
    s = result.sites
    return gpd.GeoDataFrame(
        {"camera_id": [f"{prefix}{r}" for r in s["rank"]], "name": s["label"].astype(str),
         "kind": "dome", "status": "projet", "bearing_deg": np.nan, "fov_deg": 360.0,
         "range_m": float(radius_m), "operator": operator, "commissioned_on": pd.NaT,
         "marginal_gain": s["marginal_gain"].to_numpy(), "site_id": s["site_id"]},
        geometry=s.geometry.to_numpy(), crs=s.crs)


@dataclass(frozen=True)
class Evaluation:
    """Coverage of a demand by existing cameras, with and without new sites.

    Attributes
    ----------
    total, before, after
        Demand weight: total, covered by existing cameras, covered with the new sites.
    """

    total: float
    before: float
    after: float

    @property
    def gain(self) -> float:
        """Weight the new sites add."""
        return self.after - self.before

    @property
    def share_before(self) -> float:
        """Share covered before (0–1)."""
        return self.before / self.total if self.total else 0.0

    @property
    def share_after(self) -> float:
        """Share covered after (0–1)."""
        return self.after / self.total if self.total else 0.0


def evaluate(sites: gpd.GeoDataFrame, demand: Demand, *, radius_m: float,
             existing: gpd.GeoDataFrame | None = None,
             buildings: gpd.GeoDataFrame | None = None) -> Evaluation:
    """Score sites on a demand (for instance the next period's incidents: out of sample).

    Parameters
    ----------
    sites
        Chosen sites (points, any CRS), e.g. ``result.sites``.
    demand
        The demand to score on.
    radius_m
        Radius a new camera sees, metres.
    existing
        Existing cameras (any CRS), with their real views.
    """
    weight = demand.weight.astype(float)
    seen = np.zeros(len(weight), dtype=bool)
    if existing is not None and len(existing):
        p = cams_mod.view_params(existing, epsg=demand.epsg)
        seen = np.asarray(cams_mod.seen_by_xy(p, demand.x, demand.y, radius_m=p.range_m,
                                              buildings=buildings).sum(axis=1)).ravel() > 0
    before = float(weight[seen].sum())
    after_seen = seen.copy()
    if len(sites):
        s = crs.to_compute(sites, epsg=demand.epsg)
        mat = coverage_matrix(s.geometry.x.to_numpy(), s.geometry.y.to_numpy(), demand.x,
                              demand.y, radius_m=radius_m)
        after_seen |= np.asarray(mat.sum(axis=0)).ravel() > 0
    return Evaluation(float(weight.sum()), before, float(weight[after_seen].sum()))


@dataclass(frozen=True)
class OutOfSample:
    """Sites chosen on one period and scored on the next.

    Attributes
    ----------
    result
        The choice made on the training period.
    train, test
        Coverage of the training and of the test period's demand, before and after
        adding the chosen sites.
    """

    result: SitingResult
    train: Evaluation
    test: Evaluation

    @property
    def kept_share(self) -> float:
        """Test gain in share points over training gain in share points (1 = all kept)."""
        gain_train = self.train.share_after - self.train.share_before
        if gain_train <= 0:
            return 0.0
        return (self.test.share_after - self.test.share_before) / gain_train


def out_of_sample(train: Demand, test: Demand, candidates: Candidates, *,
                  radius_m: float = DEFAULT_RADIUS_M, n_new: int | None = None,
                  budget_eur: float | None = None,
                  existing: gpd.GeoDataFrame | None = None, min_distance_m: float = 0.0,
                  buildings: gpd.GeoDataFrame | None = None) -> OutOfSample:
    """Choose sites on ``train`` (greedy) and measure the coverage they add on ``test``.

    This is the honest check of a siting: incidents move, and sites fitted to one period
    keep only part of their value on the next one.
    """
    problem = prepare(train, candidates, radius_m=radius_m, n_new=n_new,
                      budget_eur=budget_eur, existing=existing,
                      min_distance_m=min_distance_m, buildings=buildings)
    res = greedy(problem)
    on_train = Evaluation(problem.total_weight, res.covered_before, res.covered_after)
    on_test = evaluate(res.sites, test, radius_m=radius_m, existing=existing,
                       buildings=buildings)
    return OutOfSample(res, on_train, on_test)
