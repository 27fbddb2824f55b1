"""A siting answer: the chosen sites ranked by marginal gain, with the proven bound.

Both solvers hand their choice (site indices) to :func:`make_result`, which ranks the sites
by marginal gain and writes the French summary; :func:`as_cameras` turns the answer into
projected cameras the map builders draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, crs
from clspd_geo.video.siting.model import Problem


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
        Solve time, seconds (greedy, or MILP only; the matrix is built by
        :func:`~clspd_geo.video.siting.model.prepare`).
    message
        French summary for the planner.
    note
        The French sentences appended to the summary (time limit, fewer sites than asked).
    rescored
        True once the figures were recomputed on the demand points
        (:func:`~clspd_geo.video.siting.evaluation.rescore`).
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
    note: str = ""
    rescored: bool = False

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
    return _format.percent(100 * share, decimals=digits)


def make_result(problem: Problem, chosen: np.ndarray, *, method: str, status: str, bound: float,
            seconds: float, note: str = "", gains: np.ndarray | None = None) -> SitingResult:
    """Build the result of choosing the sites ``chosen`` (problem indices).

    Parameters
    ----------
    chosen
        Indices of the chosen candidates; ranked greedily by marginal gain unless ``gains``
        gives the gain of each in the given order.
    method, status
        See :class:`SitingResult`.
    bound
        Proven upper bound on the covered weight (raised to the covered weight if lower).
    seconds
        Solve time, seconds.
    note
        French sentence appended to the summary.
    """
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
    short = shortfall_note(problem, len(order))
    note = " ".join(t for t in (note, short) if t)
    total = problem.total_weight
    msg = summary_text(method, len(order), problem.covered_before, covered_after, bound,
                       total, note)
    return SitingResult(sites, method, status, problem.covered_before, covered_after, total,
                        float(bound), float(seconds), msg, note)


def summary_text(method: str, n_sites: int, before: float, after: float, bound: float,
                 total: float, note: str = "") -> str:
    """Return the French summary of a siting: coverage before/after, bound, gap, note."""
    if not total:
        return "Aucune demande à couvrir." + (" " + note if note else "")
    gap = (bound - after) / bound if bound > 0 else 0.0
    label = "exacte (HiGHS)" if method == "exact" else "gloutonne"
    msg = (f"Solution {label} : {_format.count(n_sites, 'site')}, couverture de {_pct(before / total)} à "
           f"{_pct(after / total)} de la demande ; borne prouvée {_pct(bound / total)}, "
           f"écart à l'optimum au plus {_pct(gap, 2)}.")
    return msg + (" " + note if note else "")


def shortfall_note(problem: Problem, n_chosen: int) -> str:
    """Return the French sentence saying why fewer sites than asked are proposed ("" if not).

    Two reasons: the demand is too coarse (fewer demand points than cameras asked, for
    instance incidents released by zone), or no other candidate sees demand not yet
    covered.
    """
    asked = problem.n_new
    if asked is None or n_chosen >= asked:
        return ""
    units = problem.demand.units
    if units < asked:
        return (f"Demande trop grossière : {_format.count(units, 'point')} de demande "
                f"seulement pour {asked} caméras demandées — {problem.demand.description} : "
                "des faits regroupés par zone ou très concentrés. Une caméra n'apporte "
                "quelque chose que si elle voit un point encore non couvert, d'où "
                f"{_format.count(n_chosen, 'site proposé')} au lieu de {asked}.")
    return (f"{_format.count(n_chosen, 'site proposé')} au lieu de {asked} : aucun autre site candidat ne "
            "voit un point de demande encore non couvert (les caméras en service et les "
            "sites proposés voient déjà tout ce que les sites candidats peuvent voir).")


def site_indices(problem: Problem, result: SitingResult) -> np.ndarray:
    """Return the problem indices of the sites a result chose (in its rank order)."""
    index = {sid: i for i, sid in enumerate(problem.candidates.ids)}
    return np.asarray([index[s] for s in result.sites["site_id"]], dtype=np.int64)



def as_cameras(result: SitingResult, *, radius_m: float, operator: str = "csu_municipal",
               prefix: str = "N") -> gpd.GeoDataFrame:
    """Return the chosen sites as projected cameras (domes of ``radius_m``, status "projet").

    The frame has the cameras layer's columns, so
    :func:`clspd_geo.video.cameras.view_polygons` and the map builders draw their cones.
    EPSG:4326.
    """
    s = result.sites
    return gpd.GeoDataFrame(
        {"camera_id": [f"{prefix}{r}" for r in s["rank"]], "name": s["label"].astype(str),
         "kind": "dome", "status": "projet", "bearing_deg": np.nan, "fov_deg": 360.0,
         "range_m": float(radius_m), "operator": operator, "commissioned_on": pd.NaT,
         "marginal_gain": s["marginal_gain"].to_numpy(), "site_id": s["site_id"]},
        geometry=s.geometry.to_numpy(), crs=s.crs)
