"""The release of data to a role: the one function every read goes through.

:func:`restrict` takes a role and a layer (or the prepared incidents table) and returns
what that role may see under :data:`clspd_geo.access.policy.MATRIX`.

Aggregated incidents are released as *atoms*. An atom gathers the incidents of one zone
(a 200 m grid cell, a quartier or the whole territory), one quartier (none at the
territory level), one commune, one category and one time step (a month or a year); in a
territory of several communes, the territory level is each commune. Each incident goes
to the finest level of its rule's hierarchy (cell, then quartier, then territory) where
its atom, among the incidents not placed at a finer level, holds at least k incidents;
incidents that reach no such atom are withheld. Released incidents are placed on the
zone's representative point (cell centre, a point inside the quartier or the territory)
and dated at the start of their time step (no day, no time of day). Atoms are disjoint
and every filter the pages offer (period, categories, communes, quartiers, polygons) takes whole
atoms, so every published count is a sum of atoms: 0 or at least k, and so is the
difference of two counts. A hidden count cannot be recovered by subtraction across
filters (the primary suppression is at the finest level, so no secondary suppression
pattern is needed on top). The price is that a period filter works month by month (or
year by year) for aggregated categories, and that thin categories disappear for roles
with a high k; both are stated on the pages through :func:`clspd_geo.access.policy.notice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs, vocab
from clspd_geo.access.policy import (
    CATEGORIES, GEOGRAPHY, GRID_CELL_M, INCIDENT_TABLE, OPEN_DATA, SENSITIVITY_CATEGORY,
    AccessError, Rule, category_rule, confidential_mask, rule,
)

# -- zones ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Zones:
    """Representative points of the aggregation zones, in the incidents' metric CRS.

    Attributes
    ----------
    epsg
        Metric CRS of the prepared incidents' ``x``/``y``.
    quartiers
        ``{quartier_id: (x, y, lon, lat)}``: a point inside each quartier.
    territoire
        ``(x, y, lon, lat)``: a point inside the territory.
    communes
        ``(insee_code, x, y, lon, lat)``: a point inside each commune, where the incidents
        released at the territory level of their commune are placed.
    """

    epsg: int
    quartiers: tuple[tuple[str, float, float, float, float], ...]
    territoire: tuple[float, float, float, float]
    communes: tuple[tuple[str, float, float, float, float], ...] = ()

    def quartier_points(self) -> dict[str, tuple[float, float, float, float]]:
        """Return ``{quartier_id: (x, y, lon, lat)}``."""
        return {q: (x, y, lon, lat) for q, x, y, lon, lat in self.quartiers}

    def commune_points(self, codes: np.ndarray) -> np.ndarray:
        """Return the ``(n, 4)`` points (x, y, lon, lat) of these communes (territory's
        point for an unknown or empty code)."""
        pts = {c: (x, y, lon, lat) for c, x, y, lon, lat in self.communes}
        return np.array([pts.get(c, self.territoire) for c in codes],
                        dtype=float).reshape(-1, 4)


def zones_for(territoire: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame, *, epsg: int) -> Zones:
    """Return the representative points of the quartiers and of the territory.

    Parameters
    ----------
    territoire, quartiers
        The store's layers (EPSG:4326).
    epsg
        The metric CRS of the prepared incidents (``crs.metric_epsg`` of the territory).
    """
    def point(geoms: gpd.GeoSeries) -> tuple[float, float, float, float]:
        if geoms.empty:
            return (np.nan, np.nan, np.nan, np.nan)
        merged = geoms.to_crs(4326).union_all()
        p = merged.representative_point()
        x, y = crs.project_xy(np.array([p.x]), np.array([p.y]), epsg=epsg)
        return (float(x[0]), float(y[0]), float(p.x), float(p.y))

    def points(layer: gpd.GeoDataFrame, key: str) -> tuple:
        if layer.empty or key not in layer.columns:
            return ()
        reps = layer.to_crs(4326).geometry.representative_point()
        lon, lat = reps.x.to_numpy(), reps.y.to_numpy()
        x, y = crs.project_xy(lon, lat, epsg=epsg)
        return tuple((str(q), float(a), float(b), float(c), float(d)) for q, a, b, c, d
                     in zip(layer[key], x, y, lon, lat, strict=True))

    terr = territoire.geometry if not territoire.empty else quartiers.geometry
    return Zones(epsg, points(quartiers, "quartier_id"), point(terr),
                 points(territoire, "insee_code"))


# -- the one read function -----------------------------------------------------------------------

def restrict(data: pd.DataFrame, *, layer: str, role_code: str, zones: Zones | None = None,
             as_of: dt.date | None = None) -> pd.DataFrame:
    """Return what a role may see of one layer (never modifies ``data``).

    Parameters
    ----------
    data
        A store layer (GeoDataFrame in EPSG:4326), or, with ``layer=INCIDENT_TABLE``,
        the prepared incidents table of :func:`clspd_geo.analysis.indicators.prepare_incidents`.
    layer
        The layer name (``"cameras"``, ``"incidents"``…, ``"camera_views"`` for view
        polygons, :data:`INCIDENT_TABLE`). An unknown layer is released to nobody.
    role_code
        The role of the reader.
    zones
        Representative points of the zones (needed for :data:`INCIDENT_TABLE`).
    as_of
        The day the data is read (for publication lags); today by default.

    Returns
    -------
    DataFrame or GeoDataFrame
        Same columns as ``data``. Point layers keep only the rows the role sees exactly;
        the incidents table is released as atoms (see the module docstring), with two more
        columns: ``time_known`` (real date and time), ``zone_level`` (``"point"``,
        ``"grille"``, ``"quartier"`` or ``"territoire"``: where the row is placed) and
        ``time_step`` (``"exact"``, ``"mois"`` or ``"annee"``: how it is dated).

    Raises
    ------
    AccessError
        Unknown role, or ``zones`` missing for the incidents table.
    """
    m = {c: rule(role_code, c) for c in CATEGORIES}  # the operator's row is all exact
    if layer in GEOGRAPHY:
        return data.copy()
    if layer in OPEN_DATA:
        return data.copy() if role_code != "admin" else data.iloc[0:0].copy()
    if layer in ("cameras", "camera_views"):
        planned = (data["status"] == "projet").to_numpy(dtype=bool) if len(data) else \
            np.zeros(0, dtype=bool)
        keep = np.where(planned, m["cameras_projet"].access == "exact",
                        m["cameras"].access == "exact")
        return data[keep].copy()
    if layer == "secteurs":
        return data.copy() if m["secteurs"].access == "exact" else data.iloc[0:0].copy()
    if layer == "secteurs_proposes":
        return data.copy() if m["plannings"].access == "exact" else data.iloc[0:0].copy()
    if layer == "equipements":
        conf = confidential_mask(data)
        keep = np.where(conf, m["equipements_confidentiels"].access == "exact",
                        m["equipements_publics"].access == "exact")
        return data[keep].copy()
    if layer == "incidents":
        if m["points"].access != "exact" or data.empty:
            return data.iloc[0:0].copy()
        exact = [c for c in vocab.category_codes()
                 if category_rule(role_code, c).access == "exact"]
        return data[data["category"].isin(exact).to_numpy(dtype=bool)].copy()
    if layer == INCIDENT_TABLE:
        if zones is None:
            raise AccessError("Les zones d'agrégation manquent pour restreindre les faits.")
        return _release_table(data, role_code=role_code, zones=zones,
                              as_of=as_of or dt.date.today())
    # Default deny: a layer this module does not know is shown to nobody.
    return data.iloc[0:0].copy()


def _month_start(d: dt.date, *, minus_months: int = 0) -> dt.date:
    total = d.year * 12 + (d.month - 1) - minus_months
    return dt.date(total // 12, total % 12 + 1, 1)


def _release_table(df: pd.DataFrame, *, role_code: str, zones: Zones,
                   as_of: dt.date) -> pd.DataFrame:
    """Release the prepared incidents table to a role (see the module docstring)."""
    out = df.copy()
    keep = np.zeros(len(df), dtype=bool)
    sens = df["sensitivity"].astype(str).to_numpy()
    ts = df["occurred_at"].to_numpy("datetime64[ns]")
    x = df["x"].to_numpy(dtype=float).copy()
    y = df["y"].to_numpy(dtype=float).copy()
    lon = df["lon"].to_numpy(dtype=float).copy()
    lat = df["lat"].to_numpy(dtype=float).copy()
    when = ts.copy()
    time_known = np.zeros(len(df), dtype=bool)
    zone_level = np.full(len(df), "", dtype=object)
    time_step = np.full(len(df), "", dtype=object)
    to_territory = np.zeros(len(df), dtype=bool)
    cols: _AtomColumns | None = None  # the incidents as atoms of one, once one is aggregated
    for sensitivity, cat in SENSITIVITY_CATEGORY.items():
        r = rule(role_code, cat)
        rows = sens == sensitivity
        if r.access == "never" or not rows.any():
            continue
        if r.access == "exact":
            keep |= rows
            time_known |= rows
            zone_level[rows] = "point"
            time_step[rows] = "exact"
            continue
        if r.lag_months:
            cutoff = np.datetime64(_month_start(as_of, minus_months=r.lag_months))
            rows &= ts < cutoff
        idx = np.flatnonzero(rows)
        if not len(idx):
            continue
        if cols is None:
            cols = _AtomColumns.of_points(df)
        level, bucket, _ = _place_atoms(cols, idx, r)
        j, lvl = idx[level >= 0], level[level >= 0]
        keep[j] = True
        zone_level[idx] = np.append(_LEVEL_NAMES, "")[level]  # "" where withheld
        time_step[idx] = r.step or "mois"
        when[j] = bucket[level >= 0]
        x[j], y[j], lon[j], lat[j] = _zone_points(cols, j, lvl, zones).T
        to_territory[j[lvl == 2]] = True
    out["x"], out["y"], out["lon"], out["lat"] = x, y, lon, lat
    out["occurred_at"] = pd.Series(when, index=out.index).astype(df["occurred_at"].dtype)
    # Aggregated rows carry the start of their month or year, not a real date and time:
    # analyses by hour or weekday must leave them out.
    out["time_known"] = time_known
    # Where each row is placed: "point" (exact), "grille", "quartier" or "territoire".
    out["zone_level"] = zone_level
    # How it is dated: "exact", "mois" (start of its month) or "annee" (1 January).
    out["time_step"] = time_step
    if to_territory.any():
        out.loc[to_territory, "quartier_id"] = np.nan
    return out[keep]


def _key_codes(df: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Return a key column as integer codes and the text of each code; unknown values, ""
    and an absent column share the code of ""."""
    if column not in df.columns:
        return np.zeros(len(df), dtype=np.int64), np.array([""], dtype=object)
    codes, uniques = pd.factorize(df[column])  # unknown: -1, the "" appended below
    text = pd.Series(uniques).astype("string").fillna("").to_numpy(dtype=object)
    merged, names = pd.factorize(np.append(text, ""))
    return merged[codes], np.asarray(names, dtype=object)


def _unproject(x: np.ndarray, y: np.ndarray, *, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs(epsg, 4326, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


# -- the release from atoms ----------------------------------------------------------------------

def restrict_atoms(atoms_: pd.DataFrame, *, role_code: str, zones: Zones,
                   points: pd.DataFrame | None = None,
                   as_of: dt.date | None = None, exact: bool = True) -> pd.DataFrame:
    """Release the incidents table to a role from the store's atoms, not its points.

    Weighted rows: one row per released zone, date and category with its count in the
    ``n`` column (one row per incident, ``n`` = 1, for the categories the role sees
    exactly). :func:`expand` turns it into the rows of :func:`restrict` on the prepared
    table (up to their order). The aggregated categories come from the atoms
    (:mod:`clspd_geo.store.atoms`: counts per cell, quartier, category and month), the
    atoms released on the same zone, date and category summed into one row placed on
    the zone's point; the categories the role sees exactly come from ``points``, the
    prepared table (:func:`clspd_geo.analysis.indicators.prepare_incidents`) of the
    incidents of those categories, which only such roles read.

    Parameters
    ----------
    atoms_
        The store's atoms, computed in ``zones.epsg``.
    points
        The prepared incidents of at least the categories the role sees exactly (other
        rows are left out); needed only when the role sees a category exactly.
    exact
        False: leave the categories the role sees exactly out (``points`` not needed);
        with empty atoms, only those are released. :func:`concat` joins both parts.

    Raises
    ------
    AccessError
        The role sees a category exactly and ``points`` is missing.
    """
    as_of = as_of or dt.date.today()
    cols = _AtomColumns.of(atoms_)
    parts: list[dict[str, np.ndarray]] = []
    exact_cats: list[str] = []
    for sensitivity, cat in SENSITIVITY_CATEGORY.items():
        r = rule(role_code, cat)
        if r.access == "never":
            continue
        if r.access == "exact":
            exact_cats.append(sensitivity)
            continue
        rows = cols.sensitivity == sensitivity
        if r.lag_months:
            rows &= cols.month < np.datetime64(_month_start(as_of, minus_months=r.lag_months))
        if rows.any():
            parts.append(_release_atoms(cols, np.flatnonzero(rows), r, zones))
    out = _atoms_table(parts)
    if exact_cats and exact:
        if points is None:
            raise AccessError("Les faits au point près manquent pour restreindre les faits.")
        pts = points[points["sensitivity"].astype(str).isin(exact_cats).to_numpy(dtype=bool)]
        out = concat([_exact_table(pts), out.astype({"occurred_at": pts["occurred_at"].dtype})])
    return out


def _categorical(values: pd.Series, categories: list[str]) -> pd.Categorical:
    """Return ``values`` as a categorical of ``categories`` (codes remapped when it is one)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Categorical(values).set_categories(categories)
    return pd.Categorical(values.astype(str).to_numpy(dtype=object), categories=categories)


def _constant(value: str, n: int, categories: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.full(n, categories.index(value), dtype=np.int8),
                                     categories=list(categories))


def _exact_table(pts: pd.DataFrame) -> pd.DataFrame:
    """Return prepared incidents the role sees exactly as released rows (``n`` = 1)."""
    n = len(pts)
    keys = {c: (pd.Categorical(pts[c]) if c in pts.columns else pd.Categorical([None] * n))
            for c in ("quartier_id", "insee_code")}
    return pd.DataFrame({
        "occurred_at": pts["occurred_at"].to_numpy(),
        "category": _categorical(pts["category"], [c.code for c in vocab.INCIDENT_CATEGORIES]),
        "field": _categorical(pts["field"], [f.code for f in vocab.ACTION_FIELDS]),
        "sensitivity": _categorical(pts["sensitivity"], list(SENSITIVITIES)),
        **keys,
        "lon": pts["lon"].to_numpy(float), "lat": pts["lat"].to_numpy(float),
        "x": pts["x"].to_numpy(float), "y": pts["y"].to_numpy(float),
        "time_known": np.ones(n, dtype=bool),
        "zone_level": _constant("point", n, ZONE_LEVELS),
        "time_step": _constant("exact", n, TIME_STEPS),
        "n": np.ones(n, dtype=np.int64)})


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Join parts of one role's release (:func:`restrict_atoms`), keeping categorical keys."""
    frames = [f for f in frames if len(f)] or frames[:1]
    if len(frames) == 1:
        return frames[0]
    out = pd.concat(frames, ignore_index=True)
    for col in ("quartier_id", "insee_code"):
        parts = [pd.Categorical(f[col]) for f in frames]
        # Categories as text in every part (an empty part's are plain objects).
        parts = [pd.Categorical.from_codes(c.codes, categories=pd.Index(
            c.categories.astype(str), dtype="string")) for c in parts]
        out[col] = pd.api.types.union_categoricals(parts)
    return out


def expand(counts: pd.DataFrame) -> pd.DataFrame:
    """Return a weighted release (:func:`restrict_atoms`) as one row per incident.

    The ``n`` column is dropped; a table without it is returned as it is.
    """
    if "n" not in counts.columns:
        return counts
    n = counts["n"].to_numpy(np.int64)
    if (n == 1).all():
        return counts.drop(columns="n")
    rows = np.repeat(np.arange(len(counts)), n)
    return counts.drop(columns="n").take(rows).reset_index(drop=True)


@dataclass(frozen=True)
class _AtomColumns:
    """The atoms as arrays, their text keys as integer codes into their unique values."""

    cx: np.ndarray
    cy: np.ndarray
    quartier: np.ndarray  # codes into quartiers ("" for unknown)
    quartiers: np.ndarray
    commune: np.ndarray  # codes into communes ("" for unknown)
    communes: np.ndarray
    category: np.ndarray  # codes into categories
    categories: np.ndarray
    sensitivity: np.ndarray  # of each atom's category
    month: np.ndarray  # the atom's month (a point's time: of_points)
    n: np.ndarray

    @classmethod
    def of(cls, atoms_: pd.DataFrame) -> _AtomColumns:
        (q, qu), (m, mu), (c, cu) = (_key_codes(atoms_, col) for col in
                                     ("quartier_id", "insee_code", "category"))
        sens = {k.code: k.sensitivity for k in vocab.INCIDENT_CATEGORIES}
        of_code = np.array([sens.get(v, "") for v in cu] + [""], dtype=object)
        return cls(atoms_["cell_x"].to_numpy(np.int64), atoms_["cell_y"].to_numpy(np.int64),
                   q, qu, m, mu, c, cu, of_code[c],
                   atoms_["month"].to_numpy("datetime64[ns]"), atoms_["n"].to_numpy(np.int64))

    @classmethod
    def of_points(cls, df: pd.DataFrame) -> _AtomColumns:
        """Return prepared incidents as atoms of one incident each (``month``: its time)."""
        keys = [c for c in ("quartier_id", "insee_code", "category") if c in df.columns]
        return cls.of(df[keys].assign(
            cell_x=np.floor(df["x"].to_numpy(float) / GRID_CELL_M).astype(np.int64),
            cell_y=np.floor(df["y"].to_numpy(float) / GRID_CELL_M).astype(np.int64),
            month=df["occurred_at"].to_numpy("datetime64[ns]"), n=1))


_LEVEL_NAMES = np.array(["grille", "quartier", "territoire"], dtype=object)
"""The zone levels of aggregated rows, finest first (a rule's hierarchy: from its zone on)."""
ZONE_LEVELS = ("point", "grille", "quartier", "territoire")
"""Where a released row is placed (``zone_level``): the categories of the weighted release."""
TIME_STEPS = ("exact", "mois", "annee")
"""How a released row is dated (``time_step``)."""
SENSITIVITIES = ("standard", "stupefiants", "sensible")


# -- placement -----------------------------------------------------------------------------------

def place(levels: list[list[np.ndarray]], weights: np.ndarray, *, k: int) -> np.ndarray:
    """Return the level each row is placed at: the finest where its group weighs k or more.

    Each row goes to the first level (finest first) where its group, among the rows not
    placed at a finer level, holds a total weight of at least ``k``. Groups placed are
    disjoint and each weighs k or more, so any sum of them is 0 or at least k.

    Parameters
    ----------
    levels
        The group keys of each level, finest first: a list of integer code arrays (one
        non-negative code per row); rows sharing every code of a level are one group there.
    weights
        What each row counts for: 1 per incident, or an atom's count ``n``.
    k
        Minimum total weight of a placed group.

    Returns
    -------
    ndarray
        Per row, the index in ``levels`` of the level it is placed at, or -1 (withheld).
    """
    level = np.full(len(weights), -1, dtype=np.int64)
    for code, keys in enumerate(levels):
        unplaced = np.flatnonzero(level < 0)  # rows not yet placed at a finer level
        if not len(unplaced):
            break
        ids = _group_ids([c[unplaced] for c in keys])
        ok = np.bincount(ids, weights=weights[unplaced])[ids] >= k
        level[unplaced[ok]] = code
    return level


def _place_atoms(a: _AtomColumns, idx: np.ndarray,
                 r: Rule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place rows ``idx`` of ``a`` under a rule (:func:`place`, each weighing its ``n``).

    An atom gathers one zone (cell, quartier or territory), one quartier (none at the
    territory level), one commune, one category and one time step. Returns each row's
    level (an index into :data:`_LEVEL_NAMES`, -1 where withheld), the start of its time
    step, and an integer code of that start.
    """
    start = a.month[idx].astype("datetime64[Y]" if r.step == "annee" else "datetime64[M]")
    bucket = start.astype("datetime64[ns]")
    bi = pd.factorize(bucket, use_na_sentinel=False)[0]
    cx, cy = pd.factorize(a.cx[idx])[0], pd.factorize(a.cy[idx])[0]
    qi, mi, ci = a.quartier[idx], a.commune[idx], a.category[idx]
    levels = [[cx, cy, qi, mi, ci, bi], [qi, mi, ci, bi], [mi, ci, bi]]
    first = list(_LEVEL_NAMES).index(r.zone or "territoire")
    level = place(levels[first:], a.n[idx], k=r.k)
    level[level >= 0] += first
    return level, bucket, bi


def _zone_points(a: _AtomColumns, rows: np.ndarray, level: np.ndarray,
                 zones: Zones) -> np.ndarray:
    """Return the ``(n, 4)`` points (x, y, lon, lat) where rows ``rows`` of ``a``, placed at
    ``level`` (indices into :data:`_LEVEL_NAMES`), are released: their cell's centre,
    their quartier's point or their commune's."""
    out = np.empty((len(rows), 4))
    g = level == 0
    if g.any():
        out[g, 0] = (a.cx[rows[g]] + 0.5) * GRID_CELL_M
        out[g, 1] = (a.cy[rows[g]] + 0.5) * GRID_CELL_M
        out[g, 2], out[g, 3] = _unproject(out[g, 0], out[g, 1], epsg=zones.epsg)
    pts = zones.quartier_points()
    q_points = np.array([pts.get(v, zones.territoire) for v in a.quartiers],
                        dtype=float).reshape(-1, 4)
    out[level == 1] = q_points[a.quartier[rows[level == 1]]]
    out[level == 2] = zones.commune_points(a.communes)[a.commune[rows[level == 2]]]
    return out


def _release_atoms(a: _AtomColumns, idx: np.ndarray, r: Rule,
                   zones: Zones) -> dict[str, np.ndarray]:
    """Release one rule's atoms (rows ``idx`` of ``a``): place each at its finest level with
    k or more, and sum the atoms placed on the same zone, date and category."""
    step = r.step or "mois"
    level, bucket, bi = _place_atoms(a, idx, r)
    n, qi, mi, ci = a.n[idx], a.quartier[idx], a.commune[idx], a.category[idx]
    placed = np.flatnonzero(level >= 0)
    lvl = level[placed]
    xyll = _zone_points(a, idx[placed], lvl, zones)
    t = lvl == 2
    quartier = np.where(t, -1, qi[placed])  # no quartier at the territory level
    # One released row per zone, date and category (yearly buckets gather twelve monthly
    # atoms; a quartier or commune gathers many cells).
    keys = [lvl, pd.factorize(xyll[:, 0])[0], pd.factorize(xyll[:, 1])[0], quartier + 1,
            mi[placed], ci[placed], bi[placed]]
    ids = _group_ids(keys)
    first = placed[np.unique(ids, return_index=True)[1]]
    count = np.bincount(ids, weights=n[placed]).astype(np.int64)
    at = np.searchsorted(placed, first)
    q_out = a.quartiers[np.maximum(quartier[at], 0)]
    q_out[(quartier[at] < 0) | (q_out == "")] = None
    m_out = a.communes[mi[first]]
    m_out[m_out == ""] = None
    total = len(first)
    return {"occurred_at": bucket[first], "category": a.categories[ci[first]],
            "quartier_id": q_out, "insee_code": m_out,
            "lon": xyll[at, 2], "lat": xyll[at, 3], "x": xyll[at, 0], "y": xyll[at, 1],
            "time_known": np.zeros(total, dtype=bool), "zone_level": _LEVEL_NAMES[lvl[at]],
            "time_step": np.full(total, step, dtype=object), "n": count}


def _group_ids(codes: list[np.ndarray]) -> np.ndarray:
    """Return one group id per row for rows sharing every code (non-negative int arrays)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        size = int(c.max()) + 1 if len(c) else 1
        key = key * size + c
        key = pd.factorize(key)[0].astype(np.int64)  # keeps the product small
    return key


def _atoms_table(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Assemble released parts into the columns of the prepared incidents table."""
    names = ["occurred_at", "category", "quartier_id", "insee_code", "lon", "lat", "x", "y",
             "time_known", "zone_level", "time_step", "n"]
    if parts:
        cols = {c: np.concatenate([p[c] for p in parts]) for c in names}
    else:
        cols = {"occurred_at": np.empty(0, "datetime64[ns]"),
                **{c: np.empty(0, dtype=object) for c in ("category", "quartier_id",
                                                           "insee_code", "zone_level",
                                                           "time_step")},
                **{c: np.empty(0) for c in ("lon", "lat", "x", "y")},
                "time_known": np.empty(0, dtype=bool), "n": np.empty(0, dtype=np.int64)}
    order = [c.code for c in vocab.INCIDENT_CATEGORIES]
    codes = pd.Categorical(cols["category"], categories=order)
    field_order = [f.code for f in vocab.ACTION_FIELDS]
    sens_order = list(SENSITIVITIES)
    field_of = np.array([field_order.index(c.field) for c in vocab.INCIDENT_CATEGORIES] + [-1])
    sens_of = np.array([sens_order.index(c.sensitivity) for c in vocab.INCIDENT_CATEGORIES]
                       + [-1])
    q = pd.Series(cols["quartier_id"], dtype=object)
    m = pd.Series(cols["insee_code"], dtype=object)
    return pd.DataFrame({
        "occurred_at": cols["occurred_at"].astype("datetime64[ns]"),
        "category": codes,
        "field": pd.Categorical.from_codes(field_of[codes.codes], categories=field_order),
        "sensitivity": pd.Categorical.from_codes(sens_of[codes.codes], categories=sens_order),
        "quartier_id": pd.Categorical(q.where(q.notna(), None).astype("string").to_numpy()),
        "insee_code": pd.Categorical(m.where(m.notna(), None).astype("string").to_numpy()),
        "lon": cols["lon"].astype(float), "lat": cols["lat"].astype(float),
        "x": cols["x"].astype(float), "y": cols["y"].astype(float),
        "time_known": cols["time_known"].astype(bool),
        "zone_level": pd.Categorical(cols["zone_level"], categories=list(ZONE_LEVELS)),
        "time_step": pd.Categorical(cols["time_step"], categories=list(TIME_STEPS)),
        "n": cols["n"].astype(np.int64),
    })
