"""Where to put the next cameras: the maximal covering location problem (MCLP).

One module per step, dependencies pointing one way:

- :mod:`~clspd_geo.video.siting.model`: :class:`Demand`, :class:`Candidates`, the prepared
  :class:`Problem` (:func:`prepare`) and the sparse :func:`coverage_matrix`;
- :mod:`~clspd_geo.video.siting.demand`: demand from incidents (weighted by category and
  recency) or accidents (weighted by severity) at their real positions, or from a hotspot
  surface;
- :mod:`~clspd_geo.video.siting.candidates`: candidate sites from a point layer, the street
  crossings, or a grid restricted to public space;
- :mod:`~clspd_geo.video.siting.result`: :class:`SitingResult` and :func:`as_cameras`;
- :mod:`~clspd_geo.video.siting.csr`: rows of the sparse incidence matrices gathered at once;
- :mod:`~clspd_geo.video.siting.greedy_solver`: :func:`greedy`, with its proven bounds
  (submodularity, Lagrangian);
- :mod:`~clspd_geo.video.siting.local_search`: swap local search (a better incumbent for
  the exact solver, no proof);
- :mod:`~clspd_geo.video.siting.exact_solver`: :func:`exact` (LP relaxation, Lagrangian
  reduction of the sites, HiGHS branch-and-cut) and :func:`solve` (either method);
- :mod:`~clspd_geo.video.siting.evaluation`: :func:`evaluate` (score sites on any demand),
  :func:`rescore` (every printed figure recomputed on the points) and :func:`out_of_sample`.

The solver modules are named ``*_solver`` and the scoring one ``evaluation`` so that the
functions ``siting.greedy``, ``siting.exact`` and ``siting.evaluate`` re-exported here do not
shadow a submodule of the same name. Callers use the package: ``siting.prepare(...)``,
``siting.greedy(problem)``.
"""

from __future__ import annotations

from clspd_geo.video.siting import (candidates, demand, evaluation, exact_solver,
                                    greedy_solver, local_search, model, result)
from clspd_geo.video.siting.candidates import candidates_from_points, grid_sites, road_labels, \
    street_crossings
from clspd_geo.video.siting.demand import ACCIDENT_WEIGHTS, accident_weights, \
    demand_from_accidents, demand_from_incidents, demand_from_surface, incident_weights, \
    merge_positions
from clspd_geo.video.siting.evaluation import Evaluation, OutOfSample, evaluate, \
    out_of_sample, rescore
from clspd_geo.video.siting.exact_solver import exact, solve
from clspd_geo.video.siting.greedy_solver import LagrangianBound, greedy, lagrangian_bound
from clspd_geo.video.siting.model import DEFAULT_COST_EUR, DEFAULT_RADIUS_M, Candidates, \
    Demand, Problem, already_seen, coverage_matrix, prepare
from clspd_geo.video.siting.result import SitingResult, as_cameras

__all__ = [
    "ACCIDENT_WEIGHTS", "accident_weights", "already_seen", "demand_from_accidents",
    "merge_positions", "rescore", "road_labels",
    "DEFAULT_COST_EUR", "DEFAULT_RADIUS_M", "Candidates", "Demand", "Evaluation",
    "LagrangianBound", "OutOfSample", "Problem", "SitingResult", "as_cameras",
    "candidates", "candidates_from_points", "coverage_matrix", "demand",
    "demand_from_incidents", "demand_from_surface", "evaluate", "evaluation", "exact",
    "exact_solver", "greedy", "greedy_solver", "grid_sites", "incident_weights",
    "lagrangian_bound", "local_search", "model", "out_of_sample", "prepare", "result", "solve",
    "street_crossings",
]
