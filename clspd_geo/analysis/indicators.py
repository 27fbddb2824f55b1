"""Figures the pages show: KPIs against the year before, tables by quartier, monthly trends.

Incidents are handled as a plain :class:`pandas.DataFrame` prepared once by
:func:`prepare_incidents` (metric ``x``/``y`` columns, categorical codes), because filters
on a million rows must stay in the tens of milliseconds. Periods are half-open
``[start, end)`` on dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, crs, vocab
from clspd_geo.analysis import cells, shared_masks
from clspd_geo.analysis.selection import Selection, minus_year, quartiers_in
from clspd_geo.errors import EmptySelectionError

MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc.")


@dataclass(frozen=True)
class Kpi:
    """A figure with its value the same period a year earlier."""

    label: str
    value: float
    previous: float

    @property
    def change_pct(self) -> float | None:
        """Change against the year before, in percent (None when there was nothing)."""
        if self.previous == 0:
            return None
        return 100.0 * (self.value - self.previous) / self.previous

    @property
    def flat(self) -> bool:
        """Whether the change is under 0.05 % either way (shown as stable, with no arrow)."""
        pct = self.change_pct
        return pct is not None and abs(pct) < 0.05

    def delta_text(self) -> str | None:
        """French text of the change, e.g. "+12 % par rapport à N-1", or None.

        The sign always matches the change: a change under 0.5 % keeps one decimal
        ("+0,3 %"), never "+0 %" nor "-0 %"; under 0.05 % it reads as stable."""
        pct = self.change_pct
        if pct is None:
            return None
        if self.value == self.previous:
            return "stable par rapport à N-1"
        if self.flat:
            return "stable (moins de 0,1 %) par rapport à N-1"
        text = f"{pct:+.1f}".replace(".", ",") if abs(pct) < 0.5 else f"{pct:+.0f}"
        return f"{text} % par rapport à N-1"


YEAR_BEFORE_COLUMNS = ("Faits N-1", "Évolution (%)")
"""The columns of a count table that compare with the same period a year earlier."""


def without_year_before(table: pd.DataFrame) -> pd.DataFrame:
    """Return a count table without its year-before columns (:data:`YEAR_BEFORE_COLUMNS`)."""
    return table.drop(columns=[c for c in YEAR_BEFORE_COLUMNS if c in table.columns])


def prepare_incidents(incidents: pd.DataFrame, *, epsg: int) -> pd.DataFrame:
    """Return incidents as a light frame for fast filtering.

    Parameters
    ----------
    incidents
        The incidents layer as a GeoDataFrame (any CRS), or the plain frame of
        :meth:`clspd_geo.store.GeoPackageStore.read_points` (``lon``/``lat`` in WGS84).
    epsg
        The territory's metric CRS.

    Returns
    -------
    DataFrame
        ``occurred_at`` (datetime64), ``category`` (categorical code), ``field`` and
        ``sensitivity`` (categorical, from the vocabulary), ``quartier_id``, ``insee_code``
        (the commune, categorical), ``lon``/``lat`` and ``x``/``y`` in metres in ``epsg``.
    """
    if isinstance(incidents, gpd.GeoDataFrame):
        geo = incidents if incidents.crs is None or incidents.crs.to_epsg() == 4326 else \
            incidents.to_crs(4326)
        lon, lat = geo.geometry.x.to_numpy(), geo.geometry.y.to_numpy()
    else:
        lon, lat = incidents["lon"].to_numpy(float), incidents["lat"].to_numpy(float)
    x, y = crs.project_xy(lon, lat, epsg=epsg)
    order = [c.code for c in vocab.INCIDENT_CATEGORIES]
    raw = incidents["category"]
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes = raw.cat.set_categories(order).to_numpy()
    else:
        codes = pd.Categorical(raw.astype("string").to_numpy(), categories=order)
    codes = pd.Categorical(codes, categories=order)
    # Field and sensitivity looked up by category code (vectorised; -1 = unknown category).
    field_order = [f.code for f in vocab.ACTION_FIELDS]
    sens_order = ["standard", "stupefiants", "sensible"]
    field_of = np.array([field_order.index(c.field) for c in vocab.INCIDENT_CATEGORIES] + [-1])
    sens_of = np.array([sens_order.index(c.sensitivity) for c in vocab.INCIDENT_CATEGORIES]
                       + [-1])
    cat_codes = codes.codes
    def key(column: str) -> pd.Categorical:
        v = (incidents[column] if column in incidents.columns
             else pd.Series(None, index=incidents.index, dtype="string"))
        return v if isinstance(v.dtype, pd.CategoricalDtype) else pd.Categorical(
            v.astype("string").to_numpy())
    return pd.DataFrame({
        "occurred_at": pd.to_datetime(incidents["occurred_at"]).to_numpy(),
        "category": codes,
        "field": pd.Categorical.from_codes(field_of[cat_codes], categories=field_order),
        "sensitivity": pd.Categorical.from_codes(sens_of[cat_codes], categories=sens_order),
        "quartier_id": key("quartier_id"),
        "insee_code": key("insee_code"),
        "lon": lon, "lat": lat, "x": x, "y": y,
    })


def data_period(df: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """Return the first and last dates present, or None when there is no row."""
    if df.empty:
        return None
    ts = df["occurred_at"]
    return ts.min().date(), ts.max().date()


def default_selection(df: pd.DataFrame, *, categories: Iterable[str] | None = None) -> Selection:
    """Return the last 12 months of data (ending the day after the last incident)."""
    span = data_period(df)
    cats = tuple(categories) if categories is not None else tuple(
        c.code for c in vocab.INCIDENT_CATEGORIES)
    if span is None:
        today = dt.date.today()
        return Selection(minus_year(today), today, cats)
    end = span[1] + dt.timedelta(days=1)
    start = max(minus_year(end), span[0])
    return Selection(start, end, cats)


def mask(df: pd.DataFrame, sel: Selection) -> np.ndarray:
    """Return the boolean mask of rows inside the selection.

    A row released as a monthly or yearly atom (``time_step`` ``"mois"`` or ``"annee"``,
    see :func:`clspd_geo.access.release.restrict`) is inside the period only when its
    whole month or year is: a year of facts dated 1 January never counts against a
    period that holds only part of that year, so a period and the same period one year
    earlier always compare the same atoms.

    The mask of a shared table (a role view's release, :mod:`clspd_geo.analysis.shared_masks`)
    is computed once per selection.
    """
    return shared_masks.kept(df, sel, lambda: _mask(df, sel))


def _mask(df: pd.DataFrame, sel: Selection) -> np.ndarray:
    ts = df["occurred_at"].to_numpy("datetime64[ns]")
    m = (ts >= np.datetime64(sel.start)) & (ts < np.datetime64(sel.end))
    if "time_step" in df.columns and len(df):
        step = df["time_step"]
        end = np.datetime64(sel.end, "ns")
        for code, unit in (("mois", "M"), ("annee", "Y")):
            rows = (step == code).to_numpy(dtype=bool)
            if rows.any():
                atom_end = (ts[rows].astype(f"datetime64[{unit}]") + 1).astype("datetime64[ns]")
                m[rows] &= atom_end <= end
    if len(sel.categories) < len(vocab.INCIDENT_CATEGORIES):
        m &= is_in(df["category"], sel.categories)
    if sel.communes:
        m &= is_in(df["insee_code"], sel.communes)
    if sel.quartiers:
        m &= is_in(df["quartier_id"], sel.quartiers)
    return m


def is_in(column: pd.Series, values: Iterable[object]) -> np.ndarray:
    """Return the boolean mask of the rows whose value is one of ``values`` (``isin``).

    On a categorical column (the release's keys, :meth:`RoleView.counts`) each category is
    tested once and the answer read off the codes: a million rows cost about a
    millisecond, where ``Series.isin`` hashes every row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.append(column.cat.categories.isin(list(values)), False)  # code -1: missing
        return hit[column.cat.codes.to_numpy()]
    return column.isin(list(values)).to_numpy(dtype=bool)


def select(df: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Return the rows inside the selection."""
    return df[mask(df, sel)]


def weights(df: pd.DataFrame) -> np.ndarray:
    """Return how many incidents each row stands for.

    A weighted release (:meth:`clspd_geo.access.view.RoleView.counts`) carries it in its
    ``n`` column; any other incidents table has one incident per row.
    """
    if "n" in df.columns:
        return df["n"].to_numpy(np.int64)
    return np.ones(len(df), dtype=np.int64)


def count(df: pd.DataFrame, sel: Selection) -> int:
    """Return the number of incidents of the selection (rows weighted by :func:`weights`)."""
    return int(weights(df)[mask(df, sel)].sum())


def counts_by(df: pd.DataFrame, column: str) -> pd.Series:
    """Return the number of incidents per value of ``column`` (like ``value_counts``).

    Rows are weighted by :func:`weights`; values with no incident are left out.
    """
    if "n" not in df.columns:
        return df[column].value_counts()
    if not len(df):
        return pd.Series(dtype=np.int64)
    w = weights(df)
    col = df[column]
    if isinstance(col.dtype, pd.CategoricalDtype):  # one pass over the codes
        codes = col.cat.codes.to_numpy()
        ok = codes >= 0
        sums = np.bincount(codes[ok], weights=w[ok], minlength=len(col.cat.categories))
        out = pd.Series(sums.astype(np.int64), index=col.cat.categories.to_numpy())
    else:
        out = pd.Series(w, index=col.to_numpy()).groupby(level=0, observed=True).sum()
    return out[out > 0]


def per_incident(df: pd.DataFrame, *columns: str) -> list[np.ndarray]:
    """Return columns as arrays of one value per incident (rows repeated by :func:`weights`).

    For methods that are not sums of weights (a forecast's default bandwidth and its
    minimum numbers of incidents count points): repeating a few numeric columns of 10
    million incidents takes a fraction of a second, where expanding the whole table
    (:func:`clspd_geo.access.release.expand`) takes a minute.
    """
    w = weights(df)
    repeat = "n" in df.columns and not (w == 1).all()
    return [np.repeat(df[c].to_numpy(), w) if repeat else df[c].to_numpy() for c in columns]


def total_kpi(df: pd.DataFrame, sel: Selection, *, label: str = "Faits enregistrés") -> Kpi:
    """Return the number of incidents in the selection and the year before."""
    return Kpi(label, float(count(df, sel)), float(count(df, sel.previous_year())))


def field_kpis(df: pd.DataFrame, sel: Selection) -> list[Kpi]:
    """Return one KPI per action field present in the selected categories."""
    cur = counts_by(select(df, sel), "field")
    prev = counts_by(select(df, sel.previous_year()), "field")
    out = []
    chosen = {vocab.category(c).field for c in sel.categories}
    for f in vocab.ACTION_FIELDS:
        if f.code in chosen:
            out.append(Kpi(f.short, float(cur.get(f.code, 0)), float(prev.get(f.code, 0))))
    return out


def by_quartier(df: pd.DataFrame, quartiers: gpd.GeoDataFrame, sel: Selection) -> pd.DataFrame:
    """Return incidents per quartier, the year before, the change and the rate per 1,000.

    Returns
    -------
    DataFrame
        ``quartier_id``, ``Quartier``, ``QPV``, ``Population``, ``Faits``,
        ``Faits N-1``, ``Évolution (%)``, ``Pour 1 000 hab.`` (empty when the population
        is unknown), sorted by decreasing count.
    """
    whole = Selection(sel.start, sel.end, sel.categories, communes=sel.communes)
    cur = counts_by(select(df, whole), "quartier_id")
    prev = counts_by(select(df, whole.previous_year()), "quartier_id")
    q = quartiers[["quartier_id", "name", "qpv", "population"]].copy()
    if sel.quartiers:
        q = q[q["quartier_id"].isin(sel.quartiers)]
    else:
        q = q.loc[quartiers_in(quartiers, sel.communes).index]
    q["Faits"] = q["quartier_id"].map(cur).fillna(0).astype(int)
    q["Faits N-1"] = q["quartier_id"].map(prev).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = 100.0 * (q["Faits"] - q["Faits N-1"]) / q["Faits N-1"].replace(0, np.nan)
        pop = pd.to_numeric(q["population"], errors="coerce").astype(float)
        rate = 1000.0 * q["Faits"] / pop.replace(0, np.nan)
    q["Évolution (%)"] = change.round(1)
    q["Pour 1 000 hab."] = rate.round(1)
    q = q.rename(columns={"name": "Quartier", "qpv": "QPV", "population": "Population"})
    return q.sort_values("Faits", ascending=False).reset_index(drop=True)


def monthly_counts(timestamps: pd.Series, start: dt.date, end: dt.date, *,
                   weights: np.ndarray | None = None) -> pd.DataFrame:
    """Return counts per month of ``[start, end)`` beside the same months a year earlier.

    ``weights`` gives how many incidents each timestamp stands for (one when None).

    Returns
    -------
    DataFrame
        Index: month labels ("janv. 2026"); columns ``Période`` and ``Année précédente``.
    """
    ts = pd.Series(pd.to_datetime(timestamps).to_numpy())
    w = pd.Series(np.ones(len(ts), dtype=np.int64) if weights is None
                  else np.asarray(weights, dtype=np.int64))
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end - dt.timedelta(days=1)),
                             freq="M")
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    plo, phi = pd.Timestamp(minus_year(start)), pd.Timestamp(minus_year(end))

    def per_month(keep: pd.Series, shift: pd.DateOffset | None) -> pd.Series:
        t = ts[keep] if shift is None else ts[keep] + shift
        return w[keep].groupby(t.dt.to_period("M").to_numpy()).sum()

    c = per_month((ts >= lo) & (ts < hi), None)
    p = per_month((ts >= plo) & (ts < phi), pd.DateOffset(years=1))
    labels = [f"{MONTHS_FR[m.month - 1]} {m.year}" for m in months]
    out = pd.DataFrame({"Période": [int(c.get(m, 0)) for m in months],
                        "Année précédente": [int(p.get(m, 0)) for m in months]}, index=labels)
    out.index.name = "Mois"
    return out


def monthly_trend(df: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Return selected incidents per month, beside the same month a year earlier."""
    rows = select(df, replace(sel, start=minus_year(sel.start)))
    return monthly_counts(rows["occurred_at"], sel.start, sel.end, weights=weights(rows))


def by_category(df: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Return counts per category with its French label, action field and change."""
    cur = counts_by(select(df, sel), "category")
    prev = counts_by(select(df, sel.previous_year()), "category")
    rows = []
    for c in vocab.INCIDENT_CATEGORIES:
        if c.code not in sel.categories:
            continue
        n, p = int(cur.get(c.code, 0)), int(prev.get(c.code, 0))
        rows.append({"Catégorie": c.label, "Champ d'action": vocab.action_field(c.field).short,
                     "Faits": n, "Faits N-1": p,
                     "Évolution (%)": round(100.0 * (n - p) / p, 1) if p else None})
    return pd.DataFrame(rows).sort_values("Faits", ascending=False).reset_index(drop=True)


def incident_cells(df: pd.DataFrame, sel: Selection, grid: cells.Grid, *,
                   min_count: int = 1) -> gpd.GeoDataFrame:
    """Return the grid cells holding at least ``min_count`` selected incidents (EPSG:4326).

    Raises
    ------
    EmptySelectionError
        No incident matches the selection.
    """
    rows = mask(df, sel)
    if not rows.any():
        raise EmptySelectionError("Aucun fait ne correspond à la sélection (période, catégories, "
                                  "quartiers) : élargissez les filtres.")
    counts = cells.count(grid, df["x"].to_numpy()[rows], df["y"].to_numpy()[rows],
                         weights=weights(df)[rows] if "n" in df.columns else None)
    return cells.cells_frame(grid, counts, keep=counts >= min_count, column="faits")


def suppress_small(counts: pd.Series, *, k: int) -> pd.Series:
    """Return counts as text where values from 1 to k−1 read "< k" (small-count suppression)."""
    return counts.map(lambda v: f"< {k}" if 0 < v < k else _format.number(int(v)))


# -- road accidents ---------------------------------------------------------------------------

def accidents_in(accidents: gpd.GeoDataFrame, start: dt.date, end: dt.date) -> gpd.GeoDataFrame:
    """Return accidents whose ``occurred_at`` lies in ``[start, end)``."""
    ts = pd.to_datetime(accidents["occurred_at"])
    return accidents[(ts >= pd.Timestamp(start)) & (ts < pd.Timestamp(end))]


def accident_kpis(accidents: gpd.GeoDataFrame, sel: Selection) -> list[Kpi]:
    """Return accidents, killed, hospitalised and slightly injured, against the year before."""
    cur = accidents_in(accidents, sel.start, sel.end)
    prv = sel.previous_year()
    prev = accidents_in(accidents, prv.start, prv.end)
    out = [Kpi("Accidents corporels", float(len(cur)), float(len(prev)))]
    for col, label in (("killed", "Tués"), ("hospitalised", "Blessés hospitalisés"),
                       ("slightly_injured", "Blessés légers")):
        out.append(Kpi(label, float(cur[col].sum()), float(prev[col].sum())))
    return out


def accidents_by_user(accidents: gpd.GeoDataFrame, sel: Selection) -> pd.DataFrame:
    """Return, per road-user type, the accidents involving it and their killed/hospitalised."""
    cur = accidents_in(accidents, sel.start, sel.end)
    types = cur["user_types"].fillna("").str.split(";")
    rows = []
    for code, label in vocab.ROAD_USERS.items():
        has = types.map(lambda t, c=code: c in t).to_numpy(dtype=bool)
        if not has.any():
            continue
        sub = cur[has]
        rows.append({"Usager impliqué": label, "Accidents": int(has.sum()),
                     "Tués": int(sub["killed"].sum()),
                     "Blessés hospitalisés": int(sub["hospitalised"].sum())})
    return pd.DataFrame(rows).sort_values("Accidents", ascending=False).reset_index(drop=True)


def accidents_monthly(accidents: gpd.GeoDataFrame, sel: Selection) -> pd.DataFrame:
    """Return accidents per month of the period and the same month a year earlier."""
    return monthly_counts(accidents["occurred_at"], sel.start, sel.end)


# -- sensitive categories -------------------------------------------------------------------------

def split_sensitive(categories: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split category codes into (may be drawn as cells, only aggregated by quartier)."""
    cats = list(categories)
    sensitive = [c for c in cats if vocab.category(c).sensitivity == "sensible"]
    return [c for c in cats if c not in sensitive], sensitive


def quartier_counts(df: pd.DataFrame, quartiers: gpd.GeoDataFrame, sel: Selection, *,
                    k: int) -> gpd.GeoDataFrame:
    """Return quartiers with the count of selected incidents, small counts suppressed.

    Returns
    -------
    GeoDataFrame
        The quartiers (of the chosen communes) with ``faits`` (0 where the count is between 1 and k−1, so neither
        the colour nor the value reveals it) and ``faits_affiches`` (text: "< k" for
        suppressed counts).
    """
    counts = counts_by(select(df, sel), "quartier_id")
    out = quartiers_in(quartiers, sel.communes).copy()
    raw = out["quartier_id"].map(counts).fillna(0).astype(int)
    out["faits_affiches"] = suppress_small(raw, k=k).to_numpy()
    out["faits"] = raw.where(raw >= k, 0).to_numpy()
    return out


# -- counts inside polygons (sectors, camera views) ---------------------------------------------

def counts_in_polygons(df: pd.DataFrame, sel: Selection, polygons: gpd.GeoDataFrame, *,
                       epsg: int) -> np.ndarray:
    """Return, for each polygon, the number of selected incidents inside it.

    ``polygons`` may be in any CRS; it is projected to ``epsg`` (the metric CRS of the
    prepared incidents' ``x``/``y``). Overlapping polygons each count the same incident.
    """
    import shapely

    rows = mask(df, sel)
    x, y, w = df["x"].to_numpy()[rows], df["y"].to_numpy()[rows], weights(df)[rows]
    geoms = polygons.to_crs(epsg=epsg).geometry.to_numpy()
    out = np.zeros(len(geoms), dtype=np.int64)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        shapely.prepare(g)
        out[i] = int(w[shapely.contains_xy(g, x, y)].sum())
    return out


def share_inside(df: pd.DataFrame, sel: Selection, polygons: gpd.GeoDataFrame, *,
                 epsg: int) -> tuple[int, int]:
    """Return (incidents inside the union of ``polygons``, selected incidents)."""
    import shapely

    rows = mask(df, sel)
    w = weights(df)[rows]
    n = int(w.sum())
    if n == 0 or polygons.empty:
        return 0, n
    union = shapely.union_all(polygons.to_crs(epsg=epsg).geometry.to_numpy())
    shapely.prepare(union)
    inside = shapely.contains_xy(union, df["x"].to_numpy()[rows], df["y"].to_numpy()[rows])
    return int(w[inside].sum()), n


def facilities_table(equipements: gpd.GeoDataFrame, *, field: str) -> pd.DataFrame:
    """Return the number of facilities of each kind serving an action field, with its partner."""
    kinds = vocab.facility_kinds_for(field)
    counts = equipements["kind"].value_counts()
    rows = [{"Équipement": vocab.facility_kind(k).label,
             "Partenaire": vocab.partner(vocab.facility_kind(k).partner).label,
             "Nombre": int(counts.get(k, 0))} for k in kinds]
    return pd.DataFrame(rows)


def accident_cells(accidents: gpd.GeoDataFrame, sel: Selection, grid: cells.Grid) -> gpd.GeoDataFrame:
    """Return grid cells with the accidents of the period and their severity (EPSG:4326).

    Columns ``accidents``, ``tues``, ``blesses_hospitalises`` and ``gravite`` (a severity
    weight: 10 per killed, 3 per hospitalised, 1 per slightly injured).

    Raises
    ------
    EmptySelectionError
        No accident in the period.
    """
    cur = accidents_in(accidents, sel.start, sel.end)
    if cur.empty:
        raise EmptySelectionError("Aucun accident dans la période choisie : élargissez-la, ou "
                                  "importez les accidents (python -m clspd_geo import accidents "
                                  "FICHIER --store …).")
    xy = crs.metric_xy(cur, epsg=grid.epsg)
    x, y = xy[:, 0], xy[:, 1]
    n = cells.count(grid, x, y)
    killed = cells.count(grid, x, y, weights=cur["killed"].to_numpy(dtype=float))
    hosp = cells.count(grid, x, y, weights=cur["hospitalised"].to_numpy(dtype=float))
    light = cells.count(grid, x, y, weights=cur["slightly_injured"].to_numpy(dtype=float))
    out = cells.cells_frame(grid, n, column="accidents")
    idx = out["cell_id"].to_numpy()
    out["tues"] = killed[idx]
    out["blesses_hospitalises"] = hosp[idx]
    out["gravite"] = 10 * killed[idx] + 3 * hosp[idx] + light[idx]
    return out


def quarterly_counts(df: pd.DataFrame, sel: Selection, *, k: int) -> pd.DataFrame:
    """Return selected incidents per quarter of the period, counts from 1 to k−1 hidden."""
    rows = select(df, sel)
    quarters = pd.period_range(pd.Timestamp(sel.start),
                               pd.Timestamp(sel.end - dt.timedelta(days=1)), freq="Q")
    c = pd.Series(weights(rows)).groupby(
        rows["occurred_at"].dt.to_period("Q").to_numpy()).sum()
    counts = pd.Series([int(c.get(q, 0)) for q in quarters])
    return pd.DataFrame({"Trimestre": [f"T{q.quarter} {q.year}" for q in quarters],
                         "Faits": suppress_small(counts, k=k).to_numpy()})
