"""The analyses of the action-field pages: one question of a CLSPD partner each.

- Schools (jeunesse, routier): incidents in 200 m and 500 m rings around schools at school
  hours against other hours (:func:`school_surroundings`), and per school zone
  (:func:`school_zone_counts`).
- Addictions: alcohol incidents near licensed premises by hour of the night
  (:func:`alcohol_by_night_hour`); the densest cells of drug incidents (:func:`dense_cells`)
  and the walk from each to the nearest care site (:func:`distance_to_care`).
- Victim support: the walk from incident places to the nearest support, per quartier, and
  the quartiers far from every support (:func:`support_access`).
- Rates per 1,000 inhabitants per quartier with small counts suppressed, or counts and a
  French sentence saying why when the population is unknown (:func:`rates_by_quartier`).
- Radicalisation prevention: resources and actions per quartier, aggregated only
  (:func:`resources_by_quartier`).

Incidents may be given as a GeoDataFrame (any CRS) or as the prepared table of
:func:`clspd_geo.analysis.indicators.prepare_incidents` (``x``/``y`` in metres in ``epsg``), which the
pages hold for speed. Every result carries a French ``sentence`` computed from its figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from clspd_geo import config, crs, vocab
from clspd_geo.analysis import accessibility, cells, indicators
from clspd_geo.errors import EmptySelectionError

SCHOOL_KINDS = ("ecole_maternelle", "ecole_elementaire", "college", "lycee")
CARE_KINDS = ("csapa", "caarud", "hopital")
SUPPORT_KINDS = ("asso_aide_victimes", "intervenant_social", "psychologue_victimes", "umj",
                 "acces_droit")
"""Victim support open to the public (shelters are confidential and not walk-in places)."""
LICENSED_KINDS = ("debit_boissons",)
ALCOHOL_CATEGORIES = ("ivresse_publique",)
NIGHT_HOURS = (18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
"""Hours of the night, in the order a night runs (18 h to 5 h 59)."""


def _pts_xy(points: gpd.GeoDataFrame | pd.DataFrame, *, epsg: int) -> np.ndarray:
    """Return ``(n, 2)`` metres in ``epsg``: projected geometry, or the ``x``/``y`` columns."""
    if isinstance(points, gpd.GeoDataFrame):
        if points.empty:
            return np.empty((0, 2))
        geom = crs.to_compute(points, epsg=epsg).geometry
        if not (geom.geom_type == "Point").all():
            geom = geom.centroid
        return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])
    return points[["x", "y"]].to_numpy(dtype=float)


def _times(points: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(points["occurred_at"]).reset_index(drop=True)


def _require_hours(times: pd.Series, *, what: str) -> None:
    """Raise when every time is midnight: the hours are unknown, not all at 0 h.

    Aggregated releases (roles that see incidents by month) and some exports carry dates
    without time; a comparison by hour would then put everything at midnight.
    """
    if len(times) >= 5 and bool((times.dt.hour.eq(0) & times.dt.minute.eq(0)).all()):
        msg = ("Les heures des faits ne sont pas disponibles (faits agrégés par mois pour votre "
               f"rôle, ou fichier importé sans heure) : {what} est impossible.")
        raise EmptySelectionError(msg)


def _sites(facilities: gpd.GeoDataFrame, kinds: Sequence[str]) -> gpd.GeoDataFrame:
    fac, _ = accessibility._facility_frame(facilities, kinds)
    return fac.reset_index(drop=True)


def _no_site(kinds: Sequence[str]) -> EmptySelectionError:
    labels = ", ".join(vocab.facility_kind(k).label for k in kinds)
    return EmptySelectionError(f"Aucun équipement ({labels}) n'est chargé : "
                               f"{accessibility.IMPORT_FACILITIES}.")


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _fr(v: float, digits: int = 0) -> str:
    return f"{v:.{digits}f}".replace(".", ",")


# -- schools -----------------------------------------------------------------------------------

def is_school_time(when: pd.Series) -> np.ndarray:
    """Tell which times fall in school hours.

    School hours are Monday, Tuesday, Thursday and Friday 8:00–16:59, and Wednesday
    8:00–11:59 (the usual French timetable). School holidays are not known to the app:
    their weekdays count as school hours, which makes the contrast with other hours smaller,
    never larger.
    """
    ts = pd.to_datetime(when)
    wd = ts.dt.day_of_week.to_numpy()
    h = ts.dt.hour.to_numpy()
    full_day = np.isin(wd, (0, 1, 3, 4)) & (h >= 8) & (h < 17)
    wednesday = (wd == 2) & (h >= 8) & (h < 12)
    return full_day | wednesday


@dataclass(frozen=True)
class SchoolRings:
    """Incidents by distance to the nearest school, at school hours and other hours.

    Attributes
    ----------
    table
        One row per ring (``Anneau``: "0 – 200 m", "200 – 500 m", "au-delà de 500 m"):
        ``Faits``, ``Aux heures scolaires``, ``Hors heures scolaires``, ``Part aux heures
        scolaires (%)``; counts are text when suppressed (``k`` > 0).
    rings
        The ring polygons around the schools (EPSG:4326): ``label``, ``inner_m``, ``outer_m``.
    n_schools
        Number of schools.
    """

    table: pd.DataFrame
    rings: gpd.GeoDataFrame
    n_schools: int
    shares: tuple[float, ...]
    counts: tuple[int, ...]

    def sentence(self, *, what: str = "faits") -> str:
        """Return one French sentence comparing the nearest ring with the rest."""
        near, far = self.shares[0], self.shares[-1]
        if self.counts[0] == 0:
            return (f"Aucun des {what} de la sélection ne s'est produit à moins de "
                    f"{self.table['Anneau'].iloc[0].split('– ')[1]} d'une école.")
        ratio = near / far if far else float("inf")
        if far == 0 or ratio >= 1.25:
            verdict = "nettement plus souvent pendant les heures de classe qu'ailleurs"
        elif ratio <= 0.8:
            verdict = "moins souvent pendant les heures de classe qu'ailleurs"
        else:
            verdict = "à peu près aussi souvent pendant les heures de classe qu'ailleurs"
        return (f"Autour des {self.n_schools} écoles, {_fr(near)} % des {what} à moins de "
                f"{self.table['Anneau'].iloc[0].split('– ')[1]} ont lieu aux heures de classe, "
                f"contre {_fr(far)} % au-delà de {self.table['Anneau'].iloc[-1].split('de ')[-1]}"
                f" : les abords des écoles sont touchés {verdict}.")


def school_surroundings(incidents: gpd.GeoDataFrame | pd.DataFrame,
                        facilities: gpd.GeoDataFrame, *, epsg: int,
                        radii_m: tuple[float, ...] = (200.0, 500.0),
                        kinds: Sequence[str] = SCHOOL_KINDS, k: int = 0) -> SchoolRings:
    """Count incidents in rings around schools, at school hours and at other hours.

    Parameters
    ----------
    incidents
        Points with ``occurred_at`` (a GeoDataFrame in any CRS, or the prepared table with
        ``x``/``y`` in ``epsg``). Accidents work too.
    facilities
        The ``equipements`` layer; schools are the rows of ``kinds``.
    epsg
        Metric CRS of the computation.
    radii_m
        Increasing outer radii of the rings, metres.
    k
        Suppress counts from 1 to k−1 in the table (0: show every count).

    Raises
    ------
    EmptySelectionError
        No school in ``facilities``.
    """
    schools = _sites(facilities, kinds)
    if schools.empty:
        raise _no_site(kinds)
    sxy = _pts_xy(schools, epsg=epsg)
    xy = _pts_xy(incidents, epsg=epsg)
    dist = cKDTree(sxy).query(xy)[0] if len(xy) else np.zeros(0)
    times = _times(incidents) if len(xy) else pd.Series([], dtype="datetime64[ns]")
    _require_hours(times, what="la comparaison heures de classe / autres heures")
    school = is_school_time(times) if len(xy) else np.zeros(0, dtype=bool)
    edges = [0.0, *radii_m, np.inf]
    rows, shares, counts = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (dist > lo) & (dist <= hi) if lo > 0 else dist <= hi
        n, ns = int(inside.sum()), int((inside & school).sum())
        label = f"au-delà de {lo:.0f} m" if np.isinf(hi) else f"{lo:.0f} – {hi:.0f} m"
        share = _pct(ns, n)
        shares.append(share)
        counts.append(n)
        rows.append({"Anneau": label, "Faits": n, "Aux heures scolaires": ns,
                     "Hors heures scolaires": n - ns,
                     "Part aux heures scolaires (%)": round(share, 1) if n >= max(k, 1) else None})
    table = pd.DataFrame(rows)
    if k:
        for col in ("Faits", "Aux heures scolaires", "Hors heures scolaires"):
            table[col] = indicators.suppress_small(table[col], k=k).to_numpy()
    work = crs.to_compute(schools, epsg=epsg)
    ring_rows = []
    for lo, hi in zip(edges[:-2], edges[1:-1], strict=True):
        outer = work.geometry.buffer(hi).union_all()
        geom = outer.difference(work.geometry.buffer(lo).union_all()) if lo > 0 else outer
        ring_rows.append({"label": f"Abords des écoles : {lo:.0f} – {hi:.0f} m",
                          "inner_m": lo, "outer_m": hi, "geometry": geom})
    rings = gpd.GeoDataFrame(ring_rows, geometry="geometry", crs=epsg).to_crs(config.STORAGE_CRS)
    return SchoolRings(table, rings, len(schools), tuple(shares), tuple(counts))


def school_zone_counts(incidents: gpd.GeoDataFrame | pd.DataFrame,
                       facilities: gpd.GeoDataFrame, *, epsg: int, radius_m: float = 500.0,
                       kinds: Sequence[str] = SCHOOL_KINDS, k: int = 0) -> pd.DataFrame:
    """Count incidents per school zone: each incident goes to its nearest school within reach.

    A school zone is the part of the ``radius_m`` disc around a school that is nearer to it
    than to any other school, so an incident counts once.

    Returns
    -------
    DataFrame
        ``facility_id``, ``École`` (name), ``Type`` (French), ``faits`` (int) and
        ``Faits`` (text, "< k" for counts from 1 to k−1 when ``k`` > 0), sorted by
        decreasing count.

    Raises
    ------
    EmptySelectionError
        No school in ``facilities``.
    """
    schools = _sites(facilities, kinds)
    if schools.empty:
        raise _no_site(kinds)
    xy = _pts_xy(incidents, epsg=epsg)
    counts = np.zeros(len(schools), dtype=np.int64)
    if len(xy):
        dist, idx = cKDTree(_pts_xy(schools, epsg=epsg)).query(xy)
        counts = np.bincount(idx[dist <= radius_m], minlength=len(schools))
    out = pd.DataFrame({"facility_id": schools["facility_id"].to_numpy(),
                        "École": schools["name"].to_numpy(),
                        "Type": schools["kind"].map(vocab.facility_labels()).to_numpy(),
                        "faits": counts})
    out["Faits"] = (indicators.suppress_small(out["faits"], k=k) if k
                    else out["faits"].astype(str))
    return out.sort_values("faits", ascending=False, kind="stable").reset_index(drop=True)


# -- rates per quartier ------------------------------------------------------------------------

@dataclass(frozen=True)
class QuartierRates:
    """Incidents per quartier, as rates per 1,000 inhabitants when the population is known.

    Attributes
    ----------
    quartiers
        The quartiers (EPSG:4326) with ``faits`` (0 where suppressed), ``faits_affiches``
        ("< k" for counts from 1 to k−1), ``taux_pour_1000`` (NaN when the population is
        unknown or the count suppressed), ``valeur`` (what the map colours: the rate when
        known, else the unsuppressed count) and ``affiche`` (its text).
    population_known
        True when every quartier has a population.
    k
        The suppression threshold.
    """

    quartiers: gpd.GeoDataFrame
    population_known: bool
    k: int

    @property
    def unit(self) -> str:
        """French unit of ``valeur``."""
        return "faits pour 1 000 hab." if self.population_known else "faits"

    def table(self) -> pd.DataFrame:
        """Return the French table (quartier, QPV, population, faits, rate)."""
        q = self.quartiers
        out = pd.DataFrame({"Quartier": q["name"].to_numpy(), "QPV": q["qpv"].to_numpy(),
                            "Faits": q["faits_affiches"].to_numpy()})
        if self.population_known:
            out["Population"] = q["population"].to_numpy()
            out["Pour 1 000 hab."] = q["affiche"].to_numpy()
        return out

    def sentence(self, *, what: str = "faits") -> str:
        """Return one French sentence on the highest rate (or count), built from the figures."""
        q = self.quartiers
        shown = q[q["valeur"] > 0]
        hidden = int(((q["faits_affiches"].astype(str)).str.startswith("<")).sum())
        masked = (f" Les effectifs de 1 à {self.k - 1} sont masqués ({hidden} quartier(s))."
                  if hidden else "")
        if shown.empty:
            text = (f"Aucun quartier ne compte au moins {self.k} {what} sur la période : rien "
                    "n'est affiché pour protéger les personnes." + masked)
            if not self.population_known:
                text += (" La population des quartiers n'est pas connue : les taux pour 1 000 "
                         "habitants ne peuvent pas être calculés.")
            return text
        top = shown.sort_values("valeur", ascending=False).iloc[0]
        if self.population_known:
            total_pop = float(q["population"].sum())
            mean = 1000.0 * float(q["faits"].sum()) / total_pop if total_pop else 0.0
            return (f"Le taux le plus élevé est à {top['name']} : {_fr(top['valeur'], 1)} "
                    f"{what} pour 1 000 habitants, contre {_fr(mean, 1)} en moyenne sur les "
                    "quartiers affichés." + masked)
        return (f"La population des quartiers n'est pas connue : les chiffres sont des "
                f"effectifs, pas des taux, et ne se comparent pas d'un quartier à l'autre. "
                f"Le plus grand effectif est à {top['name']} ({int(top['valeur'])} {what})."
                + masked)


def rates_by_quartier(incidents: pd.DataFrame, quartiers: gpd.GeoDataFrame, *, k: int,
                      per: float = 1000.0) -> QuartierRates:
    """Return incidents per quartier with small counts suppressed, as rates when possible.

    Parameters
    ----------
    incidents
        Rows with a ``quartier_id`` (already filtered to the period and categories).
    quartiers
        The ``quartiers`` layer.
    k
        Counts from 1 to k−1 are suppressed: shown "< k", neither coloured nor turned into
        a rate (a rate would give the count back).
    per
        Rates per this many inhabitants.
    """
    counts = pd.Series(incidents["quartier_id"]).astype("string").value_counts()
    out = crs.to_storage(quartiers)
    raw = out["quartier_id"].astype("string").map(counts).fillna(0).astype(int)
    kept = raw.where(raw >= k, 0)
    pop = pd.to_numeric(out["population"], errors="coerce").astype(float)
    population_known = bool(len(out) and pop.notna().all() and (pop > 0).all())
    out["faits"] = kept.to_numpy()
    out["faits_affiches"] = indicators.suppress_small(raw, k=k).to_numpy()
    if population_known:
        rate = per * kept / pop
        out["taux_pour_1000"] = rate.where(kept > 0).round(2).to_numpy()
        out["valeur"] = rate.fillna(0).to_numpy()
        out["affiche"] = [("< " + str(k) + " faits" if s.startswith("<") else _fr(r, 1))
                          for s, r in zip(out["faits_affiches"], rate.fillna(0), strict=True)]
    else:
        out["taux_pour_1000"] = np.nan
        out["valeur"] = kept.astype(float).to_numpy()
        out["affiche"] = out["faits_affiches"]
    return QuartierRates(out, population_known, k)


# -- addictions --------------------------------------------------------------------------------

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
        return (f"La nuit, {_fr(_pct(near, total))} % des faits liés à l'alcool ({near} sur "
                f"{total}) ont lieu à moins de {self.radius_m:.0f} m d'un des "
                f"{self.n_premises} débits de boissons ; près de ces débits, l'heure la plus "
                f"chargée est {peak}.")


def alcohol_by_night_hour(incidents: gpd.GeoDataFrame | pd.DataFrame,
                          facilities: gpd.GeoDataFrame, *, epsg: int, radius_m: float = 100.0,
                          kinds: Sequence[str] = LICENSED_KINDS) -> NightHours:
    """Count night-time incidents by hour, within ``radius_m`` of licensed premises or not.

    Parameters
    ----------
    incidents
        The alcohol-related incidents (``occurred_at``; GeoDataFrame or prepared table).
    facilities
        The ``equipements`` layer; licensed premises are the rows of ``kinds``.

    Raises
    ------
    EmptySelectionError
        No licensed premises in ``facilities``.
    """
    bars = _sites(facilities, kinds)
    if bars.empty:
        raise _no_site(kinds)
    xy = _pts_xy(incidents, epsg=epsg)
    times = _times(incidents) if len(xy) else pd.Series([], dtype="datetime64[ns]")
    _require_hours(times, what="la répartition par heure de la nuit")
    hours = times.dt.hour.to_numpy() if len(xy) else np.zeros(0, dtype=int)
    near = (cKDTree(_pts_xy(bars, epsg=epsg)).query(xy)[0] <= radius_m) if len(xy) else (
        np.zeros(0, dtype=bool))
    rows = [{"Heure": f"{h} h", "Près d'un débit de boissons": int(((hours == h) & near).sum()),
             "Ailleurs": int(((hours == h) & ~near).sum())} for h in NIGHT_HOURS]
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
    xy = _pts_xy(incidents, epsg=epsg)
    counts = cells.count(grid, xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(grid.n_cells)
    order = np.argsort(-counts, kind="stable")
    keep = order[counts[order] >= min_count][:top]
    if keep.size == 0:
        raise EmptySelectionError(f"Aucune cellule de {cell_m:.0f} m ne compte {min_count} faits "
                                  "ou plus : pas de point chaud à examiner sur cette période.")
    out = gpd.GeoDataFrame({"rang": np.arange(1, keep.size + 1), "faits": counts[keep].astype(int),
                            "cell_id": keep}, geometry=grid.polygons(keep), crs=grid.epsg)
    return out.to_crs(config.STORAGE_CRS)


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
                f"de : {first['Lieu de soins le plus proche']}. ")
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


# -- victim support ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SupportAccess:
    """How far victims are from support.

    Attributes
    ----------
    quartiers
        The quartiers (EPSG:4326) with ``faits`` / ``faits_affiches`` (suppressed below k),
        ``distance_faits_m`` (median distance from the quartier's incidents to the nearest
        support; NaN when fewer than k incidents), ``distance_habitants_m`` (median over the
        quartier's area, population spread evenly), ``walk_min`` (of the latter) and
        ``eloigne`` (True when that walk exceeds ``minutes``) and ``distance_affichee``
        (French text of the residents' distance and walk).
    share_within_pct
        Share of all incidents within ``minutes`` of a support.
    k
        Suppression threshold: with fewer than ``k`` incidents the sentence gives no share.
    n_incidents
        Incidents considered.
    method_text
        How distances were measured (French).
    minutes
        The walk considered "near".
    """

    quartiers: gpd.GeoDataFrame
    share_within_pct: float
    n_incidents: int
    method_text: str
    minutes: float
    k: int = 1

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
        else:
            text = (f"{_fr(self.share_within_pct)} % des {self.n_incidents} faits de la "
                    f"sélection ont eu lieu à moins de {self.minutes:g} minutes à pied d'une "
                    f"aide aux victimes ({self.method_text}). ")
        if far.empty:
            return text + "Aucun quartier n'est éloigné de toute aide."
        names = ", ".join(far.sort_values("distance_habitants_m", ascending=False)["name"])
        return text + (f"{len(far)} quartier(s) sont à plus de {self.minutes:g} minutes de toute "
                       f"aide pour la plupart de leurs habitants : {names}.")


def support_access(incidents: gpd.GeoDataFrame | pd.DataFrame, quartiers: gpd.GeoDataFrame,
                   facilities: gpd.GeoDataFrame, *, epsg: int, k: int,
                   kinds: Sequence[str] = SUPPORT_KINDS, voies: gpd.GeoDataFrame | None = None,
                   minutes: float = accessibility.WALK_MINUTES, sample_m: float = 100.0,
                   speed_m_per_min: float = accessibility.WALK_SPEED_M_PER_MIN
                   ) -> SupportAccess:
    """Measure the walk from incident places and from residents to the nearest support.

    Parameters
    ----------
    incidents
        Incidents with ``quartier_id`` (GeoDataFrame or prepared table in ``epsg``).
    quartiers
        The ``quartiers`` layer.
    facilities
        The ``equipements`` layer; supports are the rows of ``kinds``.
    k
        Per-quartier figures from fewer than k incidents are suppressed.

    Raises
    ------
    EmptySelectionError
        No support loaded.
    """
    sites = _sites(facilities, kinds)
    if sites.empty:
        raise _no_site(kinds)
    network = accessibility._network_or_none(voies, epsg=epsg)
    sxy = _pts_xy(sites, epsg=epsg)
    xy = _pts_xy(incidents, epsg=epsg)
    dist, _ = accessibility._nearest_to(xy, sxy, network=network)
    limit = minutes * speed_m_per_min
    out = crs.to_storage(quartiers).reset_index(drop=True)
    # Incidents outside every quartier have no quartier_id: they count in the share only.
    qid = pd.Series(incidents["quartier_id"]).astype("string").fillna("").to_numpy(dtype=object)
    qids = out["quartier_id"].astype(str).to_numpy(dtype=object)
    raw = np.array([int((qid == q).sum()) for q in qids], dtype=np.int64)
    out["faits"] = np.where(raw >= k, raw, 0)
    out["faits_affiches"] = indicators.suppress_small(pd.Series(raw), k=k).to_numpy()
    out["distance_faits_m"] = [float(np.median(dist[qid == q])) if n >= k and n > 0 else np.nan
                               for q, n in zip(qids, raw, strict=True)]
    pts = accessibility.sample_points(out, sample_m=sample_m, epsg=epsg)
    pdist, _ = accessibility._nearest_to(pts[["x", "y"]].to_numpy(), sxy, network=network)
    med = np.full(len(out), np.nan)
    for i, grp in pts.groupby("area").groups.items():
        med[int(i)] = accessibility._weighted_median(pdist[grp], pts.loc[grp, "weight"].to_numpy())
    out["distance_habitants_m"] = med
    out["walk_min"] = accessibility.walk_minutes(med, speed_m_per_min=speed_m_per_min)
    out["eloigne"] = med > limit
    out["distance_affichee"] = [f"{d:.0f} m, {w:.0f} min à pied" if np.isfinite(d) else
                                "hors de portée" for d, w in zip(med, out["walk_min"],
                                                                 strict=True)]
    share = _pct(float((dist <= limit).sum()), float(len(dist)))
    method = "reseau" if network is not None else "droite"
    return SupportAccess(out, share, len(dist), accessibility.METHOD_TEXT[method], float(minutes),
                         int(k))


# -- radicalisation prevention -----------------------------------------------------------------

def resources_by_quartier(quartiers: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame,
                          actions: gpd.GeoDataFrame, *, kinds: Sequence[str],
                          field: str) -> gpd.GeoDataFrame:
    """Return, per quartier, the resources of an action field and its actions (counts only).

    Parameters
    ----------
    quartiers
        The ``quartiers`` layer.
    facilities
        The ``equipements`` layer; resources are the rows of ``kinds`` (confidential
        sites included in the counts, never located).
    actions
        The ``actions`` layer (may be empty); an action counts in its ``quartier_id``.
    field
        The action field whose actions are counted.

    Returns
    -------
    GeoDataFrame
        The quartiers (EPSG:4326) with ``ressources``, ``actions`` (not suspended) and
        ``actions_realisees``.
    """
    from clspd_geo.analysis import areas

    out = crs.to_storage(quartiers).reset_index(drop=True)
    fac, _ = accessibility._facility_frame(facilities, kinds)
    where = (areas.assign_quartier(crs.to_storage(fac), out) if len(fac)
             else pd.Series([], dtype=object))
    res_counts = where.value_counts()
    out["ressources"] = out["quartier_id"].map(res_counts).fillna(0).astype(int).to_numpy()
    act = actions[(actions["field"] == field)] if len(actions) else actions
    live = act[act["status"] != "suspendue"] if len(act) else act
    out["actions"] = out["quartier_id"].map(
        live["quartier_id"].value_counts() if len(live) else pd.Series(dtype=int)
    ).fillna(0).astype(int).to_numpy()
    done = live[live["status"] == "realisee"] if len(live) else live
    out["actions_realisees"] = out["quartier_id"].map(
        done["quartier_id"].value_counts() if len(done) else pd.Series(dtype=int)
    ).fillna(0).astype(int).to_numpy()
    return out


def resources_sentence(by_quartier: gpd.GeoDataFrame, *, counts: pd.Series, k: int) -> str:
    """Return one French sentence crossing resources, actions and (suppressed) reports.

    ``counts`` are the reports per ``quartier_id`` (raw; only counts ≥ k are named).
    """
    q = by_quartier.assign(signalements=by_quartier["quartier_id"].map(counts).fillna(0))
    without = q[(q["ressources"] == 0) & (q["actions"] == 0)]
    exposed = without[without["signalements"] >= k]
    text = (f"{int(q['ressources'].sum())} ressources de prévention et d'orientation et "
            f"{int(q['actions'].sum())} actions de sensibilisation ou de formation sont "
            f"rattachées à un quartier ; {len(without)} quartier(s) n'en ont aucune.")
    if len(exposed):
        text += (f" Parmi eux, {', '.join(exposed['name'])} compte(nt) au moins {k} "
                 "signalements ou atteintes sur la période : une action de proximité y est à "
                 "envisager.")
    return text
