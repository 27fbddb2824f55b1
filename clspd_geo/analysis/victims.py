"""Victim support access: the walk from incident places and residents to the nearest support.

Residents are placed where they live (:mod:`clspd_geo.analysis.residents`): by the Filosofi
200 m grid when the ``carreaux`` layer is loaded, else spread evenly over each quartier
(IRIS census counts or the quartiers' own population); the result names its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, crs, safe
from clspd_geo.analysis import _field, accessibility, indicators, release_zones, residents

SUPPORT_KINDS = ("asso_aide_victimes", "intervenant_social", "psychologue_victimes", "umj",
                 "acces_droit")
"""Victim support open to the public (shelters are confidential and not walk-in places)."""


@dataclass(frozen=True)
class SupportAccess:
    """How far victims are from support.

    Attributes
    ----------
    quartiers
        The quartiers (EPSG:4326) with ``faits`` / ``faits_affiches`` (suppressed below k),
        ``distance_faits_m`` (median distance from the quartier's incidents to the nearest
        support; NaN when fewer than k incidents), ``distance_habitants_m`` (median over the
        quartier's residents, placed as ``population_source`` says; NaN for a quartier
        without any resident), ``walk_min`` (of the latter) and
        ``eloigne`` (True when that walk exceeds ``minutes``) and ``distance_affichee``
        (French text of the residents' distance and walk).
    share_within_pct
        Share of all incidents within ``minutes`` of a support; with rows placed by zone,
        the share surely within reach (``share_high_pct``: possibly within reach).
    k
        Suppression threshold: with fewer than ``k`` incidents the sentence gives no share.
    n_incidents
        Incidents considered.
    method_text
        How distances were measured (French).
    minutes
        The walk considered "near".
    population_source
        Where the residents were placed: ``"carreaux"`` (Filosofi grid), ``"iris"`` or
        ``"uniforme"`` (see :mod:`clspd_geo.analysis.residents`).
    share_high_pct
        Share of incidents possibly within reach (None: as ``share_within_pct``).
    n_zoned
        Incidents released by zone (cell, quartier, commune) rather than at their place:
        they enter no distance, and the share of them within reach is known only between
        the bounds.
    """

    quartiers: gpd.GeoDataFrame
    share_within_pct: float
    n_incidents: int
    method_text: str
    minutes: float
    k: int = 1
    population_source: residents.PopulationSource = "uniforme"
    share_high_pct: float | None = None
    n_zoned: int = 0

    @property
    def share_low_pct(self) -> float:
        """Share of incidents surely within reach (``share_within_pct``)."""
        return self.share_within_pct

    @property
    def is_exact(self) -> bool:
        """True when the share within reach is known exactly (no row placed by zone)."""
        return self.share_high_pct is None or self.share_high_pct == self.share_within_pct

    @property
    def population_text(self) -> str:
        """French sentence naming where the residents were placed."""
        return residents.SOURCE_TEXT[self.population_source]

    def table(self) -> pd.DataFrame:
        """Return the French table by quartier, farthest first."""
        q = self.quartiers.sort_values("distance_habitants_m", ascending=False)
        return pd.DataFrame({
            "Quartier": q["name"].to_numpy(), "QPV": q["qpv"].to_numpy(),
            "Faits": q["faits_affiches"].to_numpy(),
            "Distance médiane des faits (m)": q["distance_faits_m"].round(0).to_numpy(),
            "Distance médiane des habitants (m)": q["distance_habitants_m"].round(0).to_numpy(),
            "À pied (min)": q["walk_min"].round(0).to_numpy(),
            "Éloigné de toute aide": np.where(q["eloigne"], "oui", "non")})

    def sentence(self) -> str:
        """Return one French sentence: share within reach and the far quartiers."""
        far = self.quartiers[self.quartiers["eloigne"]]
        if self.n_incidents < self.k:
            # A share of 1 to k-1 incidents would reveal them: say only that there are few.
            text = (f"Moins de {self.k} faits dans la sélection : pas de part calculée "
                    f"({self.method_text}). ")
        elif self.is_exact:
            text = (f"{_format.number(self.share_within_pct)} % des {self.n_incidents} faits de la "
                    f"sélection ont eu lieu à moins de {self.minutes:g} minutes à pied d'une "
                    f"aide aux victimes ({self.method_text}). ")
        elif self.share_within_pct == 0 and self.share_high_pct == 100:
            text = (f"La part des {self.n_incidents} faits de la sélection qui ont eu lieu à "
                    f"moins de {self.minutes:g} minutes à pied d'une aide aux victimes n'est pas "
                    "mesurable pour votre rôle : ils sont publiés par maille, quartier ou "
                    "commune, sans leur lieu, et chacune de ces zones approche une aide sans "
                    "être tout entière à sa portée. ")
        else:
            text = (f"Entre {_format.number(self.share_within_pct)} % et "
                    f"{_format.number(self.share_high_pct)} % des {self.n_incidents} faits de la "
                    f"sélection ont eu lieu à moins de {self.minutes:g} minutes à pied d'une "
                    f"aide aux victimes ({self.method_text}) : "
                    f"{_format.count(self.n_zoned, 'fait')} publiés pour votre rôle par maille, "
                    "quartier ou commune, sans leur lieu, ne comptent à coup sûr que si toute "
                    "leur zone est à portée (en ligne droite), et peut-être si elle en "
                    "approche. ")
        if far.empty:
            return text + "Aucun quartier n'est éloigné de toute aide."
        names = ", ".join(safe.md(n) for n in far.sort_values("distance_habitants_m",
                                                          ascending=False)["name"])
        return text + (f"{_format.count(len(far), 'quartier')} {'est' if len(far) < 2 else 'sont'} à plus de {self.minutes:g} minutes de toute "
                       f"aide pour la plupart de leurs habitants : {names}.")


def support_access(incidents: gpd.GeoDataFrame | pd.DataFrame, quartiers: gpd.GeoDataFrame,
                   facilities: gpd.GeoDataFrame, *, epsg: int, k: int,
                   kinds: Sequence[str] = SUPPORT_KINDS, voies: gpd.GeoDataFrame | None = None,
                   minutes: float = accessibility.WALK_MINUTES, sample_m: float = 100.0,
                   speed_m_per_min: float = accessibility.WALK_SPEED_M_PER_MIN,
                   carreaux: gpd.GeoDataFrame | None = None,
                   territoire: gpd.GeoDataFrame | None = None,
                   cell_size_m: float = 200.0) -> SupportAccess:
    """Measure the walk from incident places and from residents to the nearest support.

    Parameters
    ----------
    incidents
        Incidents with ``quartier_id`` (GeoDataFrame or prepared table in ``epsg``); a row
        stands for ``n`` incidents when it has that column
        (:func:`clspd_geo.analysis.indicators.weights`).
    quartiers
        The ``quartiers`` layer.
    facilities
        The ``equipements`` layer; supports are the rows of ``kinds``.
    k
        Per-quartier figures from fewer than k incidents are suppressed.
    sample_m
        Spacing of the residents' sample points, metres (even spread only).
    carreaux
        The Filosofi grid (``carreaux`` layer): residents are then placed in its cells
        rather than spread evenly over each quartier.
    territoire, cell_size_m
        For rows of a role's release placed at a zone's point (``zone_level``, see
        :mod:`clspd_geo.analysis.release_zones`): the commune outlines and the side of the
        grid cells. Such rows enter no distance; the share within reach is then known
        between two bounds (:attr:`SupportAccess.share_low_pct` and ``share_high_pct``).

    Raises
    ------
    EmptySelectionError
        No support loaded.
    """
    sites = _field.sites(facilities, kinds)
    if sites.empty:
        raise _field.no_site(kinds)
    network = accessibility.network_or_none(voies, epsg=epsg)
    sxy = _field.points_xy(sites, epsg=epsg)
    xy = _field.points_xy(incidents, epsg=epsg)
    w = indicators.weights(incidents)
    dist, _ = accessibility.nearest_to(xy, sxy, network=network)
    limit = minutes * speed_m_per_min
    at_point = release_zones.levels(incidents) == "point"
    sure, possible = _within_bounds(incidents, at_point, dist <= limit, sxy, limit_m=limit,
                                    straight=network is None, quartiers=quartiers,
                                    territoire=territoire, epsg=epsg, cell_size_m=cell_size_m)
    # A row placed at a zone's point has no distance of its own: it enters no median.
    dist = np.where(at_point, dist, np.nan)
    out = crs.to_storage(quartiers).reset_index(drop=True)
    # Incidents outside every quartier have no quartier_id: they count in the share only.
    qid = pd.Series(incidents["quartier_id"]).astype("string").fillna("").to_numpy(dtype=object)
    qids = out["quartier_id"].astype(str).to_numpy(dtype=object)
    raw = np.array([int(w[qid == q].sum()) for q in qids], dtype=np.int64)
    out["faits"] = np.where(raw >= k, raw, 0)
    out["faits_affiches"] = indicators.suppress_small(pd.Series(raw), k=k).to_numpy()
    located = w * at_point
    out["distance_faits_m"] = [
        _field.median(dist[(qid == q) & at_point], w[(qid == q) & at_point])
        if n >= k and n > 0 and located[qid == q].sum() >= k else np.nan
        for q, n in zip(qids, raw, strict=True)]
    where = residents.resident_points(out, carreaux=carreaux, sample_m=sample_m, epsg=epsg)
    pts = where.points
    pdist, _ = accessibility.nearest_to(pts[["x", "y"]].to_numpy(), sxy, network=network)
    med = np.full(len(out), np.nan)
    for i, grp in pts.groupby("area").groups.items():
        med[int(i)] = accessibility.weighted_median(pdist[grp], pts.loc[grp, "weight"].to_numpy())
    out["distance_habitants_m"] = med
    out["walk_min"] = accessibility.walk_minutes(med, speed_m_per_min=speed_m_per_min)
    out["eloigne"] = med > limit
    out["distance_affichee"] = [f"{d:.0f} m, {w:.0f} min à pied" if np.isfinite(d) else
                                "aucun habitant" if np.isnan(d) else "hors de portée"
                                for d, w in zip(med, out["walk_min"], strict=True)]
    n_incidents = int(w.sum())
    low = _field.share_pct(float(w[sure].sum()), float(n_incidents))
    high = _field.share_pct(float(w[possible].sum()), float(n_incidents))
    method = "reseau" if network is not None else "droite"
    return SupportAccess(out, low, n_incidents, accessibility.METHOD_TEXT[method], float(minutes),
                         int(k), where.source, share_high_pct=high,
                         n_zoned=int(w[~at_point].sum()))


def _within_bounds(incidents: pd.DataFrame, at_point: np.ndarray, near: np.ndarray,
                   sxy: np.ndarray, *, limit_m: float, straight: bool,
                   quartiers: gpd.GeoDataFrame, territoire: gpd.GeoDataFrame | None, epsg: int,
                   cell_size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return per row whether its incidents are surely, and possibly, within reach.

    A row at its own position is as its distance says. A row placed at a zone's point is
    possibly within reach when its zone comes within ``limit_m`` of a support in a straight
    line (a walk is never shorter); surely when its whole zone does, in a straight line
    only (along the roads the zone's far side is not known to be reachable).
    """
    sure = np.asarray(near & at_point, dtype=bool)
    possible = sure.copy()
    zoned = np.flatnonzero(~at_point)
    if not len(zoned):
        return sure, possible
    if not len(sxy):
        return sure, possible
    zones, of_row = release_zones.outlines(
        incidents.iloc[zoned], release_zones.levels(incidents)[zoned], quartiers=quartiers,
        territoire=territoire if territoire is not None else gpd.GeoDataFrame(), epsg=epsg,
        cell_size_m=cell_size_m)
    reach = shapely.union_all(shapely.buffer(shapely.points(sxy), limit_m, quad_segs=32))
    # The discs' polygons lie inside the true discs: widen them by their largest gap for the
    # "possibly" test (a 32-segment quarter circle falls short by r (1 - cos(pi / 128))).
    wide = shapely.buffer(reach, limit_m * (1 - np.cos(np.pi / 128)) + 1.0)
    known = ~shapely.is_missing(zones)
    z_sure = np.zeros(len(zones), dtype=bool)
    z_possible = np.ones(len(zones), dtype=bool)  # an unknown outline may come near
    if straight:
        z_sure[known] = shapely.contains(reach, zones[known])
    z_possible[known] = shapely.intersects(wide, zones[known])
    sure[zoned] = z_sure[of_row]
    possible[zoned] = z_possible[of_row]
    return sure, possible | sure
