"""Comparison of the communes of an intercommunal territory: rates per 1,000 and their change.

An intercommunal council (CISPD) compares its communes on the same indicators: the facts
of the period per 1,000 residents, the same period a year earlier, the change and whether
it is more than chance (the exact conditional Poisson test of
:func:`clspd_geo.analysis.temporal.change_test`, corrected for the number of communes).
The indicators come from the vocabulary: one per action field of the selected categories
(:data:`clspd_geo.vocab.ACTION_FIELDS`), and « Ensemble des faits » when there are several.

The commune of a fact (:func:`commune_of`) is, in this order: its ``insee_code`` column
when the table has one; the commune of its quartier (``quartiers.insee_code`` via
``quartier_id``); the commune whose polygon holds its point (in the metric CRS). Facts a
role sees only for the whole territory (``zone_level`` ``"territoire"``) belong to no
commune when there are several: they are counted apart (:attr:`CommuneComparison.unattributed`).

Small counts are suppressed as everywhere (:func:`clspd_geo.analysis.indicators.suppress_small`):
a count from 1 to k−1 reads « < k », and no rate, change or test is shown from it. When the
SSMSI statistics are imported (``statistiques`` layer), reference rows give the
département(s) and France on the SSMSI categories of each indicator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, safe, vocab
from clspd_geo.analysis import indicators, selection, temporal
from clspd_geo.analysis.selection import Selection
from clspd_geo.store import communes as store_communes

ALL_FACTS = "ensemble"
"""Code of the indicator that sums every selected category."""
_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Indicator:
    """An indicator of the comparison: an action field (or all facts) and its categories."""

    code: str
    label: str
    categories: tuple[str, ...]


def indicators_for(categories: Iterable[str]) -> tuple[Indicator, ...]:
    """Return the indicators of these categories: one per action field, plus the total.

    The total (:data:`ALL_FACTS`) comes first, and only when the categories span several
    action fields (else it would repeat the one field).
    """
    chosen = set(categories)
    cats = [c for c in vocab.category_codes() if c in chosen]
    fields = []
    for f in vocab.ACTION_FIELDS:
        mine = tuple(c for c in cats if vocab.category(c).field == f.code)
        if mine:
            fields.append(Indicator(f.code, f.short, mine))
    if len(fields) > 1:
        return (Indicator(ALL_FACTS, "Ensemble des faits", tuple(cats)), *fields)
    return tuple(fields)


def commune_of(incidents: pd.DataFrame, territoire: gpd.GeoDataFrame,
               quartiers: gpd.GeoDataFrame, *, epsg: int) -> np.ndarray:
    """Return the INSEE code of each incident's commune (None when it has none).

    Parameters
    ----------
    incidents
        The prepared incidents (:func:`clspd_geo.analysis.indicators.prepare_incidents`)
        or a role's release (:meth:`clspd_geo.access.view.RoleView.counts`, one row per
        released atom): ``x``/``y`` in metres in ``epsg``, ``quartier_id``, optionally
        ``insee_code`` and ``zone_level``.
    territoire, quartiers
        The layers (any CRS).
    epsg
        The metric CRS of ``x``/``y``.

    Returns
    -------
    ndarray
        Object array, one INSEE code (str) or None per row, in the rows' order.
    """
    codes = np.full(len(incidents), None, dtype=object)
    if "insee_code" in incidents.columns:
        given = incidents["insee_code"].astype("string")
        have = given.notna().to_numpy()
        codes[have] = given[have].to_numpy(dtype=object)
    unknown = pd.isna(codes)
    if unknown.any() and "quartier_id" in incidents.columns and not quartiers.empty:
        known = quartiers[quartiers["insee_code"].notna()]
        of_quartier = dict(zip(known["quartier_id"].astype(str),
                               known["insee_code"].astype(str), strict=True))
        by_q = incidents["quartier_id"].astype("string").map(of_quartier).to_numpy(dtype=object)
        fill = unknown & ~pd.isna(by_q)
        codes[fill] = by_q[fill]
        unknown = pd.isna(codes)
    if len(territoire) == 1:
        # One commune: every fact is in it, including those published for the territory.
        codes[unknown] = str(territoire["insee_code"].iloc[0])
        return codes
    if "zone_level" in incidents.columns:
        unknown &= (incidents["zone_level"].to_numpy(dtype=object) != "territoire")
    idx = np.flatnonzero(unknown)
    if idx.size and not territoire.empty:
        # Rows of a store written before the writers filled the commune: the writers' rule.
        codes[idx] = store_communes.communes_at(
            incidents["x"].to_numpy(dtype=float)[idx], incidents["y"].to_numpy(dtype=float)[idx],
            territoire, epsg=epsg)
    return codes


@dataclass(frozen=True)
class CommuneComparison:
    """Facts per commune and indicator, against the year before, with reference rows.

    Attributes
    ----------
    rows
        One row per commune × indicator, then the reference rows: ``level``
        (``"commune"``, ``"departement"`` or ``"france"``), ``insee_code``, ``commune``
        (name, or « Département 63 (SSMSI 2024) »), ``population``, ``indicator`` (code),
        ``indicator_label``, ``faits`` and ``faits_n1`` (counts; 0 where suppressed),
        ``faits_affiches`` and ``faits_n1_affiches`` (text, « < k »), ``taux`` and
        ``taux_n1`` (per 1,000 residents; NaN when suppressed or the population is
        unknown), ``evolution_pct`` (NaN unless both counts are shown), ``p_value``,
        ``significant`` and ``verdict`` (French words).
    communes
        The communes compared (EPSG:4326): ``insee_code``, ``name``, ``population``.
    indicators
        The indicators, in the rows' order.
    k
        The small-count threshold.
    unattributed
        ``{indicator code: facts of the period in no commune}`` (published for the whole
        territory only, or outside every commune).
    reference_year
        The SSMSI year of the reference rows (None: no reference row).
    notes
        French sentences to show under the table (population unknown, SSMSI coverage…).
    """

    rows: pd.DataFrame
    communes: gpd.GeoDataFrame
    indicators: tuple[Indicator, ...]
    k: int
    unattributed: dict[str, int]
    reference_year: int | None
    notes: tuple[str, ...]

    @property
    def n_communes(self) -> int:
        """Number of communes compared."""
        return len(self.communes)

    @property
    def population_known(self) -> bool:
        """True when every commune compared has a population."""
        pop = pd.to_numeric(self.communes["population"], errors="coerce")
        return bool(len(pop) and pop.notna().all() and (pop > 0).all())

    def table(self, *, indicator: str | None = None, year_before: bool = True) -> pd.DataFrame:
        """Return the French table: indicator, commune, population, rates, N-1, change, test.

        Parameters
        ----------
        indicator
            Only this indicator's rows, without the « Indicateur » column (None: all).
        year_before
            False when the data does not cover the year before: its columns are left out.
        """
        r = self.rows if indicator is None else self.rows[self.rows["indicator"] == indicator]
        out = pd.DataFrame({
            "Indicateur": r["indicator_label"].to_numpy(),
            "Commune": r["commune"].to_numpy(),
            "Population": [_format.number(p) if pd.notna(p) else "inconnue"
                           for p in r["population"]],
            "Faits": r["faits_affiches"].to_numpy(),
            "Pour 1 000 hab.": [_rate_text(t, s, p) for t, s, p in
                                zip(r["taux"], r["faits_affiches"], r["population"],
                                    strict=True)],
        })
        if year_before:
            out["Faits N-1"] = r["faits_n1_affiches"].to_numpy()
            out["Pour 1 000 hab. N-1"] = [
                _rate_text(t, s, p) for t, s, p in
                zip(r["taux_n1"], r["faits_n1_affiches"], r["population"], strict=True)]
            out["Évolution"] = [_change_text(v) for v in r["evolution_pct"]]
            out["Significativité"] = r["verdict"].to_numpy()
        return out if indicator is None else out.drop(columns="Indicateur")

    def map_frame(self, indicator: str) -> gpd.GeoDataFrame:
        """Return the communes with what a choropleth of one indicator colours.

        Returns
        -------
        GeoDataFrame
            The communes (EPSG:4326) with ``valeur`` (the rate per 1,000 when every
            population is known, else the count; 0 where suppressed), ``masque`` (True for
            a count from 1 to k−1, or unknown to an aggregate role) and ``affiche`` (text).
        """
        r = self.rows[(self.rows["level"] == "commune") & (self.rows["indicator"] == indicator)]
        by_code = r.set_index("insee_code")
        out = self.communes.copy()
        codes = out["insee_code"].astype(str)
        shown = by_code["faits_affiches"].reindex(codes).fillna("0").astype(str).to_numpy()
        masked = np.char.startswith(shown.astype(str), "<")
        if self.population_known:
            value = by_code["taux"].reindex(codes).fillna(0.0).to_numpy(dtype=float)
            text = [("masqué" if m else _format.number(v, decimals=1))
                    for m, v in zip(masked, value, strict=True)]
        else:
            value = by_code["faits"].reindex(codes).fillna(0).to_numpy(dtype=float)
            text = list(shown)
        out["valeur"] = value
        out["masque"] = masked
        out["affiche"] = text
        return out

    def sentence(self, indicator: str) -> str:
        """Return one French sentence on an indicator: highest and lowest rate, changes.

        Built from the figures shown (a suppressed count is never named); with unknown
        populations, it says that counts do not compare.
        """
        r = self.rows[(self.rows["level"] == "commune") & (self.rows["indicator"] == indicator)]
        label = r["indicator_label"].iloc[0] if len(r) else indicator
        shown = r[r["taux"].notna()]
        if not self.population_known:
            text = (f"{label} : la population d'une commune au moins n'est pas connue ; les "
                    "effectifs ne se comparent pas d'une commune à l'autre.")
        elif shown.empty:
            return (f"{label} : aucune commune n'atteint {self.k} faits sur la période ; rien "
                    "n'est comparé pour protéger les personnes.")
        else:
            top = shown.loc[shown["taux"].idxmax()]
            text = (f"{label} : le taux le plus élevé est à {safe.md(top['commune'])}, "
                    f"{_format.number(top['taux'], decimals=1)} faits pour 1 000 habitants")
            if len(shown) > 1:
                low = shown.loc[shown["taux"].idxmin()]
                text += (f", le plus bas à {safe.md(low['commune'])} "
                         f"({_format.number(low['taux'], decimals=1)})")
            text += "."
        moves = [f"{v} à {safe.md(c)}" for c, v in zip(r["commune"], r["verdict"], strict=True)
                 if v in ("hausse significative", "baisse significative")]
        text += (" Par rapport à l'année précédente : " + ", ".join(moves) + "." if moves else
                 " Aucune évolution par rapport à l'année précédente ne dépasse le hasard.")
        return text

    def unit(self) -> str:
        """French unit of :meth:`map_frame`'s ``valeur``."""
        return "faits pour 1 000 hab." if self.population_known else "faits"


def _rate_text(rate: float, shown: str, population: float) -> str:
    if str(shown).startswith("<"):
        return "masqué"
    if pd.isna(population) or not population:
        return "population inconnue"
    return "—" if pd.isna(rate) else _format.number(rate, decimals=1)


def _change_text(pct: float) -> str:
    if pd.isna(pct):
        return "—"
    whole = int(round(float(pct)))
    return f"+{_format.number(whole)} %" if whole > 0 else f"{_format.number(whole)} %"


def _commune_rows(counts: np.ndarray, counts_n1: np.ndarray, population: np.ndarray, *,
                  k: int, aggregated: bool, days: float, days_n1: float,
                  alpha: float) -> dict[str, np.ndarray | list]:
    """Counts of the communes for one indicator: suppression, rates and the change test."""
    test = temporal.change_test(counts_n1, counts, days_before=days_n1, days_after=days,
                                alpha=alpha)
    shown = indicators.suppress_small(pd.Series(counts), k=k)
    shown_n1 = indicators.suppress_small(pd.Series(counts_n1), k=k)
    if aggregated and k > 1:
        # Released atoms: a quartier's atom below k is withheld, so 0 may hide 1 to k−1.
        shown = shown.where(pd.Series(counts) > 0, f"< {k}")
        shown_n1 = shown_n1.where(pd.Series(counts_n1) > 0, f"< {k}")
    hidden = shown.str.startswith("<").to_numpy()
    hidden_n1 = shown_n1.str.startswith("<").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = np.where(population > 0, population, np.nan)
        rate = np.where(hidden, np.nan, 1000.0 * counts / pop)
        rate_n1 = np.where(hidden_n1, np.nan, 1000.0 * counts_n1 / pop)
    either = hidden | hidden_n1
    verdict = np.where(either, f"non testé : effectif inférieur à {k}",
                       test["verdict"].to_numpy(dtype=object))
    return {"faits": np.where(hidden, 0, counts), "faits_n1": np.where(hidden_n1, 0, counts_n1),
            "faits_affiches": shown.to_numpy(dtype=object),
            "faits_n1_affiches": shown_n1.to_numpy(dtype=object),
            "taux": rate, "taux_n1": rate_n1,
            "evolution_pct": np.where(either, np.nan, test["change_pct"].to_numpy()),
            "p_value": np.where(either, np.nan, test["p_value"].to_numpy()),
            "significant": np.where(either, False, test["significant"].to_numpy(dtype=bool)),
            "verdict": verdict}


def _departement(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _reference_year(stats: pd.DataFrame, sel: Selection) -> int | None:
    last = (pd.Timestamp(sel.end) - pd.Timedelta(days=1)).year
    years = pd.to_numeric(stats["year"], errors="coerce").dropna().astype(int)
    years = years[years <= last]
    return int(years.max()) if len(years) else None


def references(statistiques: pd.DataFrame | None, insee_codes: Iterable[str],
               inds: Iterable[Indicator], sel: Selection, *,
               alpha: float = 0.05) -> tuple[pd.DataFrame, int | None, list[str]]:
    """Return the département and France rows of each indicator from the SSMSI statistics.

    Counts of the SSMSI categories of the indicator are summed for the latest SSMSI year
    up to the period's end, and the year before; the rate is per 1,000 inhabitants (the
    SSMSI population of that year). A count not diffused makes the row unknown.

    Returns
    -------
    tuple
        The rows (columns of :attr:`CommuneComparison.rows`), the SSMSI year (None when no
        row) and French notes (which categories the SSMSI counts per indicator).
    """
    columns = ["level", "insee_code", "commune", "population", "indicator", "indicator_label",
               "faits", "faits_n1", "faits_affiches", "faits_n1_affiches", "taux", "taux_n1",
               "evolution_pct", "p_value", "significant", "verdict"]
    empty = pd.DataFrame(columns=columns)
    if statistiques is None or statistiques.empty:
        return empty, None, []
    stats = pd.DataFrame(statistiques.drop(columns="geometry", errors="ignore"))
    year = _reference_year(stats, sel)
    if year is None:
        return empty, None, []
    places = [("departement", d, f"Département {d}")
              for d in sorted({_departement(str(c)) for c in insee_codes})]
    places.append(("france", "FR", "France"))
    rows, notes = [], []
    for ind in inds:
        covered = [c for c in ind.categories if (stats["category"] == c).any()]
        if not covered:
            continue
        if len(covered) < len(ind.categories):
            labels = ", ".join(vocab.category(c).label.lower() for c in covered)
            notes.append(f"{ind.label} : les références du SSMSI ne comptent que : {labels}.")
        for level, code, name in places:
            mine = stats[(stats["level"] == level) & (stats["territory_code"].astype(str) == code)
                         & stats["category"].isin(covered)]
            now, before = mine[mine["year"] == year], mine[mine["year"] == year - 1]
            if now.empty:
                continue
            n, n1 = _ssmsi_total(now), _ssmsi_total(before)
            pop = pd.to_numeric(now["population"], errors="coerce").max()
            rate = 1000.0 * n / pop if pd.notna(pop) and pop > 0 else np.nan
            pop1 = pd.to_numeric(before["population"], errors="coerce").max()
            rate1 = 1000.0 * n1 / pop1 if pd.notna(pop1) and pop1 > 0 else np.nan
            known = pd.notna(n) and pd.notna(n1)
            test = temporal.change_test(np.array([int(n1) if known else 0]),
                                        np.array([int(n) if known else 0]),
                                        days_before=_DAYS_PER_YEAR, days_after=_DAYS_PER_YEAR,
                                        alpha=alpha).iloc[0]
            rows.append({
                "level": level, "insee_code": code, "commune": f"{name} (SSMSI {year})",
                "population": pop, "indicator": ind.code, "indicator_label": ind.label,
                "faits": n, "faits_n1": n1,
                "faits_affiches": _format.number(n) if pd.notna(n) else "non diffusé",
                "faits_n1_affiches": _format.number(n1) if pd.notna(n1) else "non diffusé",
                "taux": rate, "taux_n1": rate1,
                "evolution_pct": test["change_pct"] if known else np.nan,
                "p_value": test["p_value"] if known else np.nan,
                "significant": bool(test["significant"]) if known else False,
                "verdict": test["verdict"] if known else "non testé : chiffre non diffusé"})
    return (pd.DataFrame(rows, columns=columns) if rows else empty), (year if rows else None), \
        notes


def _ssmsi_total(rows: pd.DataFrame) -> float:
    if rows.empty or not rows["diffused"].astype(bool).all():
        return np.nan
    return float(pd.to_numeric(rows["count"], errors="coerce").sum(min_count=1))


def compare(incidents: pd.DataFrame, territoire: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame,
            sel: Selection, *, k: int, epsg: int, statistiques: pd.DataFrame | None = None,
            aggregated: bool = False, alpha: float = 0.05) -> CommuneComparison:
    """Compare the communes on each indicator of the selection, against the year before.

    Parameters
    ----------
    incidents
        The role's released incidents, all periods (:meth:`RoleView.counts` without a
        selection): the period and the year before are selected here. Rows are weighed by
        :func:`clspd_geo.analysis.indicators.weights` (the count ``n`` of a released
        atom), so one row per incident (:meth:`RoleView.incidents`) gives the same figures.
    territoire
        The communes (``insee_code``, ``name``, ``population``; any CRS).
    quartiers
        The quartiers (``quartier_id``, ``insee_code``).
    sel
        The selection (period and categories; its communes, when it has some, restrict
        the communes compared; its quartiers are not applied: communes are compared whole).
    k
        Small-count threshold (the role view's ``small_count_k``).
    epsg
        The metric CRS of the incidents' ``x``/``y``.
    statistiques
        The SSMSI statistics layer, for the reference rows (None or empty: none).
    aggregated
        Some selected category reaches the role as released atoms: a count of 0 may hide
        withheld atoms and reads « < k » too.
    alpha
        False-discovery rate of « significant », over the communes of one indicator.
    """
    terr = selection.communes_in(territoire.to_crs(4326), sel.communes)
    terr = terr[["insee_code", "name", "population", "geometry"]].reset_index(drop=True)
    inds = indicators_for(sel.categories)
    # Rates are per resident of the whole commune: a quartier filter would count part of a
    # commune against all its residents.
    whole = replace(sel, quartiers=())
    before_sel = whole.previous_year()
    cur = indicators.select(incidents, whole)
    prev = indicators.select(incidents, before_sel)
    where = commune_of(cur, territoire, quartiers, epsg=epsg)
    where_n1 = commune_of(prev, territoire, quartiers, epsg=epsg)
    codes = terr["insee_code"].astype(str).to_numpy()
    population = pd.to_numeric(terr["population"], errors="coerce").to_numpy(dtype=float)
    parts, unattributed = [], {}
    w, w_n1 = indicators.weights(cur), indicators.weights(prev)
    for ind in inds:
        in_cur = cur["category"].isin(ind.categories).to_numpy()
        in_prev = prev["category"].isin(ind.categories).to_numpy()
        counts = _per_commune(where[in_cur], w[in_cur], codes)
        counts_n1 = _per_commune(where_n1[in_prev], w_n1[in_prev], codes)
        unattributed[ind.code] = int(w[in_cur][pd.isna(where[in_cur])].sum())
        cols = _commune_rows(counts, counts_n1, population, k=k, aggregated=aggregated,
                             days=sel.days, days_n1=before_sel.days, alpha=alpha)
        parts.append(pd.DataFrame({"level": "commune", "insee_code": codes,
                                   "commune": terr["name"].astype(str).to_numpy(),
                                   "population": population, "indicator": ind.code,
                                   "indicator_label": ind.label, **cols}))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    refs, year, notes = references(statistiques, codes, inds, sel, alpha=alpha)
    if not refs.empty:
        order = {ind.code: i for i, ind in enumerate(inds)}
        rows = pd.concat([rows, refs], ignore_index=True)
        rows = rows.iloc[np.lexsort((rows["level"].map(
            {"commune": 0, "departement": 1, "france": 2}).to_numpy(),
            rows["indicator"].map(order).to_numpy()))].reset_index(drop=True)
    notes = _notes(terr, population, unattributed, k=k, statistiques=statistiques,
                   year=year) + notes
    if sel.quartiers:
        notes.insert(0, "Les communes sont comparées entières : le filtre de quartiers ne "
                        "s'applique pas à cette page (un taux rapporte les faits de toute la "
                        "commune à tous ses habitants).")
    return CommuneComparison(rows, terr, inds, k, unattributed, year, tuple(notes))


def _per_commune(where: np.ndarray, weights: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Return the incidents of each commune of ``codes``: ``weights`` summed by ``where``.

    Rows of no commune (None in ``where``) count for none.
    """
    per = pd.Series(weights, index=pd.Index(where, dtype=object)).groupby(level=0).sum()
    return per.reindex(codes).fillna(0).to_numpy(dtype=np.int64)


def _notes(terr: gpd.GeoDataFrame, population: np.ndarray, unattributed: dict[str, int], *,
           k: int, statistiques: pd.DataFrame | None, year: int | None) -> list[str]:
    notes = [f"Petits effectifs : les nombres de faits de 1 à {k - 1} ne sont pas affichés "
             f"(« < {k} ») ; ni taux, ni évolution, ni test n'en sont tirés."]
    unknown = [str(n) for n, p in zip(terr["name"], population, strict=True)
               if not (p > 0)]
    if unknown:
        notes.append("Population inconnue pour " + ", ".join(unknown) + " : effectifs "
                     "seulement, sans taux pour 1 000 habitants, qui ne se comparent pas aux "
                     "autres communes.")
    total = unattributed.get(ALL_FACTS, sum(unattributed.values()))
    if total:
        notes.append(f"Hors communes : {_format.count(total, 'fait')} de la période "
                     "(publication pour votre rôle à l'échelle de tout le territoire seulement, "
                     "ou lieu hors des communes), absents des lignes par commune.")
    notes.append("Significativité : test exact de Poisson conditionnel (binomial) entre la "
                 "période et la même période un an plus tôt, corrigé pour le nombre de "
                 "communes (Benjamini–Hochberg, 5 %).")
    if statistiques is None or statistiques.empty:
        notes.append("Département et France : les statistiques du SSMSI ne sont pas "
                     "importées ; pas de ligne de référence.")
    elif year is None:
        notes.append("Département et France : les statistiques du SSMSI importées ne "
                     "couvrent ni ce département ni la France pour ces indicateurs.")
    else:
        notes.append(f"Département et France : statistiques du SSMSI de {year} (année "
                     "civile), comparées à " f"{year - 1} ; les taux locaux portent sur la "
                     "période choisie.")
    return notes
