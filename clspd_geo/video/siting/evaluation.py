"""Scoring a siting: coverage of a demand with and without new sites, out of sample.

:func:`evaluate` re-scores chosen sites on any demand (for instance the next period's
incidents); :func:`rescore` recomputes every figure of an answer on the demand points
(what the page and the command print); :func:`out_of_sample` chooses on one period and
scores on the next, which is the honest check of a siting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from clspd_geo import crs
from clspd_geo.video.siting.greedy_solver import greedy
from clspd_geo.video.siting.model import (DEFAULT_RADIUS_M, Candidates, Demand, Problem,
                                          already_seen, coverage_matrix, prepare)
from clspd_geo.video.siting.result import SitingResult, site_indices, summary_text


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
    seen = already_seen(demand, existing, buildings=buildings)
    before = float(weight[seen].sum())
    after_seen = seen.copy()
    if len(sites):
        s = crs.to_compute(sites, epsg=demand.epsg)
        mat = coverage_matrix(s.geometry.x.to_numpy(), s.geometry.y.to_numpy(), demand.x,
                              demand.y, radius_m=radius_m)
        after_seen |= np.asarray(mat.sum(axis=0)).ravel() > 0
    return Evaluation(float(weight.sum()), before, float(weight[after_seen].sum()))


def rescore(result: SitingResult, problem: Problem) -> SitingResult:
    """Return ``result`` with its figures recomputed on the demand points of ``problem``.

    Existing coverage comes from the coverage page's view model
    (:func:`~clspd_geo.video.siting.model.already_seen`), the new sites' from a fresh
    KD-tree search of the points within ``problem.radius_m`` of each chosen site (in rank
    order, for the marginal gains). The solvers' own figures are not read: what is
    printed is what the chosen sites cover on the points. The proven bound is kept
    (raised to the re-scored coverage if lower), so the printed gap stays an upper bound.
    """
    d = problem.demand
    weight = d.weight.astype(float)
    covered = already_seen(d, problem.existing, buildings=problem.buildings)
    before = float(weight[covered].sum())
    idx = site_indices(problem, result)
    c = problem.candidates
    mat = coverage_matrix(c.x[idx], c.y[idx], d.x, d.y, radius_m=problem.radius_m)
    gains = np.zeros(len(idx))
    for k in range(len(idx)):
        pts = mat.indices[mat.indptr[k]:mat.indptr[k + 1]]
        new = pts[~covered[pts]]
        gains[k] = float(weight[new].sum())
        covered[new] = True
    after = float(weight[covered].sum())
    sites = result.sites.copy()
    sites["marginal_gain"] = gains
    sites["covered_after"] = before + np.cumsum(gains)
    bound = max(result.bound, after)
    total = float(weight.sum())
    msg = summary_text(result.method, len(idx), before, after, bound, total, result.note)
    return dataclasses.replace(result, sites=sites, covered_before=before, covered_after=after,
                               total_weight=total, bound=bound, message=msg, rescored=True)


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
