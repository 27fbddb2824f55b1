"""Scoring a siting: coverage of a demand with and without new sites, out of sample.

:func:`evaluate` re-scores chosen sites on any demand (for instance the next period's
incidents); :func:`out_of_sample` chooses on one period and scores on the next, which is the
honest check of a siting.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from clspd_geo import crs
from clspd_geo.video import cameras as cams_mod
from clspd_geo.video.siting.greedy_solver import greedy
from clspd_geo.video.siting.model import (DEFAULT_RADIUS_M, Candidates, Demand,
                                          coverage_matrix, prepare)
from clspd_geo.video.siting.result import SitingResult


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
