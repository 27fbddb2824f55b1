"""The figures a report prints, computed from one role view with small counts withheld.

Every function takes a :class:`clspd_geo.access.view.RoleView` and a selection, reads
through the view (so the role's matrix applies exactly as on screen) and returns figures
ready to print. Incidents are read as the weighted release (:meth:`RoleView.counts`: one
row per released atom with its count ``n``), every count weighing rows by
:func:`clspd_geo.analysis.indicators.weights`, so the figures are those of one row per
incident: incident counts from 1 to k−1 (``view.small_count_k``) never appear as
numbers, and nothing that would let a reader recompute one (a change or a rate computed
from a withheld count) is printed either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators, rates, selection as selection_mod
from clspd_geo.reports import typography


def visible_categories(view: RoleView) -> tuple[str, ...]:
    """Return the incident category codes the role sees in some form."""
    return tuple(c for c in vocab.category_codes() if view.finest_zone(c) is not None)


def selection(view: RoleView, *, start: dt.date, end: dt.date,
              categories: Sequence[str] | None = None,
              communes: Sequence[str] = ()) -> indicators.Selection:
    """Return the selection ``[start, end)`` of the given categories the role sees.

    ``communes``: INSEE codes of the communes reported on (all when empty).
    """
    seen = visible_categories(view)
    cats = seen if categories is None else tuple(c for c in categories if c in seen)
    return indicators.Selection(start, end, cats, communes=tuple(communes))


def commune_name(view: RoleView, *, communes: Sequence[str] = ()) -> str:
    """Return the name(s) of the communes reported on, or « Territoire » when none has one."""
    terr = selection_mod.communes_in(view.layer("territoire"), communes)
    if terr.empty or "name" not in terr.columns:
        return "Territoire"
    return ", ".join(str(n) for n in terr["name"].dropna().unique()) or "Territoire"


def population(view: RoleView, *, communes: Sequence[str] = ()) -> float | None:
    """Return the legal population of the communes reported on (None when unknown)."""
    return rates.population_of(view.layer("territoire"), communes=communes)


def printable(value: float, *, k: int) -> bool:
    """Tell whether a count may be printed (0 or at least k)."""
    return typography.is_printable_count(value, k=k)


def kpi_box(kpi: indicators.Kpi, *, k: int) -> tuple[str, str, str]:
    """Return ``(label, value, comment)`` of a KPI box; the change is left out when a count is withheld."""
    value = typography.count(kpi.value, k=k)
    if not (printable(kpi.value, k=k) and printable(kpi.previous, k=k)):
        return kpi.label, value, "évolution non publiée (petit effectif)"
    pct = kpi.change_pct
    if pct is None:
        return kpi.label, value, f"N-1 : {typography.count(kpi.previous, k=k)}"
    return (kpi.label, value, f"{typography.percent(pct, signed=True)} par rapport à N-1 "
            f"({typography.count(kpi.previous, k=k)})")


def change_text(kpi: indicators.Kpi, *, k: int) -> str:
    """Return the change of a KPI in words, or why it is not given."""
    if not (printable(kpi.value, k=k) and printable(kpi.previous, k=k)):
        return "évolution non publiée (petit effectif)"
    pct = kpi.change_pct
    if pct is None:
        return "aucun fait l'année précédente"
    return f"{typography.percent(pct, signed=True)} par rapport à la même période de N-1"


def quartier_counts(view: RoleView, sel: indicators.Selection) -> gpd.GeoDataFrame:
    """Return the quartiers with ``faits``, ``faits_n1`` and ``pour_1000`` of the selection.

    Returns
    -------
    GeoDataFrame
        The quartiers layer (EPSG:4326) with ``faits`` and ``faits_n1`` (int) and
        ``pour_1000`` (float, NaN when the population is unknown), largest count first.
    """
    quartiers = view.layer("quartiers")
    if quartiers.empty:
        return quartiers.assign(faits=pd.Series(dtype=int), faits_n1=pd.Series(dtype=int),
                                pour_1000=pd.Series(dtype=float))
    table = indicators.by_quartier(quartiered(view), quartiers, sel)
    out = quartiers[["quartier_id", "name", "qpv", "population", "geometry"]].merge(
        table[["quartier_id", "Faits", "Faits N-1", "Pour 1 000 hab."]], on="quartier_id")
    out = out.rename(columns={"Faits": "faits", "Faits N-1": "faits_n1",
                              "Pour 1 000 hab.": "pour_1000"})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=quartiers.crs).sort_values(
        "faits", ascending=False).reset_index(drop=True)


def quartiered(view: RoleView) -> pd.DataFrame:
    """Return the role's released rows with ``quartier_id`` filled from their position.

    The weighted release (:meth:`RoleView.counts`, its ``n`` column kept: count with
    :func:`clspd_geo.analysis.indicators.weights`). Rows released on a grid cell carry no
    quartier (the atom is the cell): they are given the quartier holding the cell's centre,
    so that a table by quartier counts them. Rows released for the whole territory (or
    commune) stay without quartier. Counts stay sums of released atoms, so 0 or at least k.
    Computed once per view.
    """
    def compute() -> pd.DataFrame:
        df = view.counts()
        quartiers = view.layer("quartiers")
        missing = df["quartier_id"].isna().to_numpy()
        if quartiers.empty or not missing.any():
            return df
        x, y = df["x"].to_numpy(), df["y"].to_numpy()
        # Released for the whole territory (each commune's, with several): no quartier.
        unplaced = missing & (df["zone_level"].astype(str) != "territoire").to_numpy()
        filled = df["quartier_id"].astype(object).to_numpy().copy()
        metric = quartiers.to_crs(view.metric_epsg)
        for qid, geom in zip(metric["quartier_id"], metric.geometry, strict=True):
            hit = unplaced & shapely.contains_xy(geom, x, y)
            filled[hit] = qid
            unplaced &= ~hit
        out = df.copy()
        out["quartier_id"] = pd.Categorical(filled)
        return out
    return view.memo(("reports.quartiered",), compute)


def quartier_rows(counts: gpd.GeoDataFrame, *, k: int) -> list[list[str]]:
    """Return the printed rows of :func:`quartier_counts`: quartier, counts, change, rate.

    A change or a rate is printed only when both counts are printable: a rate and a
    population give the count back.
    """
    rows = []
    for r in counts.itertuples(index=False):
        ok = printable(r.faits, k=k) and printable(r.faits_n1, k=k)
        change = (typography.percent(100.0 * (r.faits - r.faits_n1) / r.faits_n1, signed=True)
                  if ok and r.faits_n1 > 0 else "—")
        rate = (typography.number(r.pour_1000, digits=1)
                if printable(r.faits, k=k) and pd.notna(r.pour_1000) else "—")
        name = f"{r.name} (QPV)" if bool(r.qpv) else str(r.name)
        rows.append([name, typography.count(r.faits, k=k), typography.count(r.faits_n1, k=k),
                     change, rate])
    return rows


def trend(view: RoleView, sel: indicators.Selection, *, k: int) -> tuple[pd.DataFrame, bool]:
    """Return the monthly trend with withheld months set to NaN, and whether any was withheld."""
    table = indicators.monthly_trend(view.counts(), sel).astype(float)
    hidden = (table > 0) & (table < k)
    return table.mask(hidden), bool(hidden.to_numpy().any())


def category_rows(view: RoleView, sel: indicators.Selection, *, k: int,
                  top: int | None = None) -> list[list[str]]:
    """Return the printed rows per category: label, count, count N-1, change."""
    if not sel.categories:
        return []
    table = indicators.by_category(view.counts(), sel)
    rows = []
    # Categories the role sees only for the whole territory are in the totals, never named.
    hidden = {vocab.category(c).label for c in sel.categories
              if view.finest_zone(c) == "territoire"}
    for r in table.itertuples(index=False):
        n, p = r[2], r[3]
        if (n == 0 and p == 0) or r[0] in hidden:
            continue
        ok = printable(n, k=k) and printable(p, k=k)
        change = typography.percent(100.0 * (n - p) / p, signed=True) if ok and p else "—"
        rows.append([r[0], typography.count(n, k=k), typography.count(p, k=k), change])
    return rows[:top] if top else rows


def qpv_share(counts: gpd.GeoDataFrame) -> float | None:
    """Return the share of the period's incidents in priority quartiers (QPV), percent."""
    if counts.empty or counts["faits"].sum() == 0:
        return None
    qpv = counts["qpv"].fillna(False).astype(bool).to_numpy()
    return 100.0 * float(counts["faits"].to_numpy()[qpv].sum()) / float(counts["faits"].sum())


def all_counts(counts: gpd.GeoDataFrame) -> np.ndarray:
    """Return every count of a :func:`quartier_counts` frame (for checks)."""
    return np.concatenate([counts["faits"].to_numpy(), counts["faits_n1"].to_numpy()])


def sources(view: RoleView, *layers: str) -> str:
    """Return the sources of the layers the role sees, joined for a « Source : » line."""
    parts = view.sources(*layers)
    return " ; ".join(parts) if parts else "données du CLSPD"
