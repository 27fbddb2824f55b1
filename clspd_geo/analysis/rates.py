"""Rates per 1,000 inhabitants per quartier, small counts suppressed.

When the Filosofi grid (``carreaux`` layer) is loaded, each quartier's population is the
sum of the grid's inhabitants inside it (:func:`clspd_geo.analysis.residents.area_population`);
otherwise the quartiers' (or IRIS') own population. When the population is unknown, counts
are shown with a French sentence saying why (:func:`rates_by_quartier`). With communes
chosen (an intercommunal territory), the quartiers are those of the chosen communes, and a
rate for the whole selection uses the legal population of those communes only
(:func:`population_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, crs, safe
from clspd_geo.analysis import indicators, residents, selection


def population_of(territoire: pd.DataFrame, *, communes: Sequence[str] = ()) -> float | None:
    """Return the legal population of the chosen communes (all when none is chosen).

    Parameters
    ----------
    territoire
        The ``territoire`` layer (``insee_code``, ``population``).
    communes
        INSEE codes of the chosen communes; empty for the whole territory.

    Returns
    -------
    float or None
        The sum of their ``population``; None when one of them has no population, or the
        sum is 0 (no rate can then be computed).
    """
    terr = selection.communes_in(territoire, communes)
    if terr.empty or "population" not in terr.columns:
        return None
    pop = pd.to_numeric(terr["population"], errors="coerce")
    if pop.isna().any() or float(pop.sum()) <= 0:
        return None
    return float(pop.sum())


def rate_per_1000(count: float, territoire: pd.DataFrame, *,
                  communes: Sequence[str] = ()) -> float | None:
    """Return ``count`` per 1,000 inhabitants of the chosen communes (None: unknown population)."""
    pop = population_of(territoire, communes=communes)
    return None if pop is None else 1000.0 * float(count) / pop


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
    population_source
        ``"carreaux"`` (Filosofi grid), ``"iris"`` or ``"uniforme"`` (the quartiers' own
        population): see :mod:`clspd_geo.analysis.residents`.
    """

    quartiers: gpd.GeoDataFrame
    population_known: bool
    k: int
    population_source: residents.PopulationSource = "uniforme"

    @property
    def population_text(self) -> str:
        """French sentence naming where the population comes from ("" when unknown)."""
        if not self.population_known:
            return ""
        return {"carreaux": " Population des quartiers calculée d'après les carreaux de "
                            "200 m de l'Insee (Filosofi).",
                "iris": " Population des IRIS d'après le recensement de l'Insee.",
                "uniforme": ""}[self.population_source]

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
        masked = (f" Les effectifs de 1 à {self.k - 1} sont masqués "
                  f"({_format.count(hidden, 'quartier')})." if hidden else "")
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
            return (f"Le taux le plus élevé est à {safe.md(top['name'])} : "
                    f"{_format.number(top['valeur'], decimals=1)} {what} pour 1 000 habitants, "
                    f"contre {_format.number(mean, decimals=1)} en moyenne sur les quartiers "
                    "affichés." + masked + self.population_text)
        return (f"La population des quartiers n'est pas connue : les chiffres sont des "
                f"effectifs, pas des taux, et ne se comparent pas d'un quartier à l'autre. "
                f"Le plus grand effectif est à {safe.md(top['name'])} ({int(top['valeur'])} {what})."
                + masked)


def rates_by_quartier(incidents: pd.DataFrame, quartiers: gpd.GeoDataFrame, *, k: int,
                      per: float = 1000.0, aggregated: bool = False,
                      carreaux: gpd.GeoDataFrame | None = None,
                      communes: Sequence[str] = ()) -> QuartierRates:
    """Return incidents per quartier with small counts suppressed, as rates when possible.

    Parameters
    ----------
    incidents
        Rows with a ``quartier_id`` (already filtered to the period and categories); a row
        stands for ``n`` incidents when it has that column
        (:func:`clspd_geo.analysis.indicators.weights`).
    quartiers
        The ``quartiers`` layer.
    k
        Counts from 1 to k−1 are suppressed: shown "< k", neither coloured nor turned into
        a rate (a rate would give the count back).
    per
        Rates per this many inhabitants.
    aggregated
        The incidents are released atoms (:func:`clspd_geo.access.release.restrict`): a
        quartier's atoms of fewer than k facts are withheld or published for the whole
        territory only, so a count of 0 cannot be told from 1 to k−1 and reads "< k" too.
    carreaux
        The Filosofi grid: when it places inhabitants in every inhabited quartier, its
        sums replace the quartiers' ``population`` (rounded to whole inhabitants).
    communes
        INSEE codes of the chosen communes: only their quartiers are kept (all when empty).
    """
    counts = indicators.counts_by(incidents, "quartier_id")
    counts.index = counts.index.astype("string")
    out = crs.to_storage(selection.quartiers_in(quartiers, communes))
    raw = out["quartier_id"].astype("string").map(counts).fillna(0).astype(int)
    kept = raw.where(raw >= k, 0)
    values, source = residents.area_population(out, carreaux=carreaux)
    if source == "carreaux":
        out["population"] = np.round(values).astype(int)
    pop = pd.to_numeric(out["population"], errors="coerce").astype(float)
    population_known = bool(len(out) and pop.notna().all() and (pop > 0).all())
    out["faits"] = kept.to_numpy()
    shown = indicators.suppress_small(raw, k=k)
    if aggregated and k > 1:
        shown = shown.where(raw > 0, f"< {k}")
    out["faits_affiches"] = shown.to_numpy()
    if population_known:
        rate = per * kept / pop
        out["taux_pour_1000"] = rate.where(kept > 0).round(2).to_numpy()
        out["valeur"] = rate.fillna(0).to_numpy()
        out["affiche"] = [("< " + str(k) + " faits" if s.startswith("<")
                           else _format.number(r, decimals=1))
                          for s, r in zip(out["faits_affiches"], rate.fillna(0), strict=True)]
    else:
        out["taux_pour_1000"] = np.nan
        out["valeur"] = kept.astype(float).to_numpy()
        out["affiche"] = out["faits_affiches"]
    return QuartierRates(out, population_known, k, source)
