"""Who sees what: roles, the visibility matrix, and the one function every read goes through.

Seven roles (:data:`ROLES`) and ten data categories (:data:`CATEGORIES`). For each role
and category, :data:`MATRIX` holds a :class:`Rule`: never, aggregated (to which zone, with
which minimum count ``k``, at which time step, after which publication lag) or exact.
The matrix starts from the proposal of the research note on privacy (sections 5 and 6)
and is written out for readers in ``docs/roles.md``.

:func:`restrict` is the only way data leaves the store for a user: it takes the role
and a layer (or the prepared incidents table) and returns what that role may see.

Aggregated incidents are released as *atoms*. An atom gathers the incidents of one zone
(a 200 m grid cell, a quartier or the whole territory), one quartier (none at the
territory level), one category and one time step (a month or a year). Each incident goes
to the finest level of its rule's hierarchy (cell, then quartier, then territory) where
its atom, among the incidents not placed at a finer level, holds at least k incidents;
incidents that reach no such atom are withheld. Released incidents are placed on the
zone's representative point (cell centre, a point inside the quartier or the territory)
and dated at the start of their time step (no day, no time of day). Atoms are disjoint
and every filter the pages offer (period, categories, quartiers, polygons) takes whole
atoms, so every published count is a sum of atoms: 0 or at least k, and so is the
difference of two counts. A hidden count cannot be recovered by subtraction across
filters (the primary suppression is at the finest level, so no secondary suppression
pattern is needed on top). The price is that a period filter works month by month (or
year by year) for aggregated categories, and that thin categories disappear for roles
with a high k; both are stated on the pages through :func:`notice`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import crs, vocab
from clspd_geo.errors import ClspdGeoError

Access = Literal["never", "aggregated", "exact"]
ZoneKind = Literal["territoire", "quartier", "grille"]
TimeStep = Literal["mois", "annee"]

GRID_CELL_M = 200.0
"""Side of the aggregation grid cells, metres (anchored on multiples of the side)."""


class AccessError(ClspdGeoError, PermissionError):
    """A role, or a read, that the visibility matrix does not allow."""


@dataclass(frozen=True)
class Role:
    """A user role: code stored in accounts and claims, French label, short description."""

    code: str
    label: str
    description: str


ROLES: tuple[Role, ...] = (
    Role("public", "Public", "Habitants, publication en données ouvertes."),
    Role("partenaire", "Association partenaire",
         "Associations partenaires n'ayant pas signé la charte déontologique."),
    Role("elu", "Élu", "Élus et membres de la séance plénière du CLSPD."),
    Role("groupe_travail", "Membre d'un groupe de travail",
         "Membres d'un groupe de travail thématique (art. L132-5 CSI) signataires de la charte."),
    Role("police", "Police", "Police municipale et nationale : planification des patrouilles."),
    Role("videoprotection", "Vidéoprotection",
         "Planificateurs de la vidéoprotection (CSU, services techniques)."),
    Role("admin", "Administrateur",
         "Exploite l'outil (comptes, imports, journal) sans lire les données de faits."),
)
ROLE_CODES: tuple[str, ...] = tuple(r.code for r in ROLES)
_ROLES = {r.code: r for r in ROLES}

CATEGORIES: dict[str, str] = {
    "faits_ordinaires": "Faits non sensibles (vols, dégradations, incivilités)",
    "faits_sensibles": "Faits sensibles (violences intrafamiliales et sexuelles, mineurs, "
                       "victimes, radicalisation)",
    "stupefiants": "Infractions liées aux stupéfiants",
    "points": "Couche de faits au point près (toute catégorie)",
    "cameras": "Caméras existantes : positions et champs de vision",
    "cameras_projet": "Caméras en projet",
    "secteurs": "Secteurs de patrouille (limites)",
    "plannings": "Plannings, itinéraires et redécoupages de patrouille",
    "equipements_publics": "Équipements partenaires publics",
    "equipements_confidentiels": "Équipements confidentiels (hébergement de victimes…)",
}
"""Data categories of the matrix, with their French label."""

_SENSITIVITY_CATEGORY = {"standard": "faits_ordinaires", "sensible": "faits_sensibles",
                         "stupefiants": "stupefiants"}


@dataclass(frozen=True)
class Rule:
    """One cell of the visibility matrix.

    Attributes
    ----------
    access
        ``"never"``, ``"aggregated"`` or ``"exact"``.
    zone
        Aggregation zone: ``"grille"`` (cells of :data:`GRID_CELL_M`), ``"quartier"`` or
        ``"territoire"`` (the whole territory).
    k
        Minimum published count: atoms of 1 to k−1 incidents are withheld.
    step
        Time step of aggregated data (``"mois"`` or ``"annee"``); the time of day is
        always removed from aggregated data.
    lag_months
        Months withheld at the end: data of the last ``lag_months`` calendar months
        before the current one (and of the current one) are not released.
    """

    access: Access
    zone: ZoneKind | None = None
    k: int = 1
    step: TimeStep | None = None
    lag_months: int = 0

    def text(self) -> str:
        """Return the French text of the cell (e.g. "Agrégé par quartier, k ≥ 11, mois")."""
        if self.access == "never":
            return "Jamais"
        if self.access == "exact":
            return "Exact"
        zone = {"grille": f"maille de {GRID_CELL_M:.0f} m", "quartier": "quartier",
                "territoire": "territoire entier"}[self.zone or "territoire"]
        step = {"mois": "par mois", "annee": "par année"}[self.step or "mois"]
        lag = f", délai {self.lag_months} mois" if self.lag_months else ""
        return f"Agrégé par {zone}, effectifs ≥ {self.k}, {step}{lag}, sans heure"


NEVER = Rule("never")
EXACT = Rule("exact")


def _agg(zone: ZoneKind, k: int, step: TimeStep = "mois", lag_months: int = 0) -> Rule:
    return Rule("aggregated", zone, k, step, lag_months)


MATRIX: dict[str, dict[str, Rule]] = {
    "public": {
        "faits_ordinaires": _agg("quartier", 11, "mois", 1),
        "faits_sensibles": _agg("territoire", 11, "annee", 1),
        "stupefiants": _agg("quartier", 11, "mois", 1),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "partenaire": {
        "faits_ordinaires": _agg("quartier", 11, "mois", 1),
        "faits_sensibles": _agg("quartier", 11, "annee", 1),
        "stupefiants": _agg("quartier", 11, "mois", 1),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "elu": {
        "faits_ordinaires": _agg("grille", 11),
        "faits_sensibles": _agg("quartier", 11),
        "stupefiants": _agg("quartier", 11),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "groupe_travail": {
        "faits_ordinaires": _agg("grille", 5),
        "faits_sensibles": _agg("quartier", 11),
        "stupefiants": _agg("grille", 5),
        "points": NEVER, "cameras": NEVER, "cameras_projet": NEVER, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "police": {
        "faits_ordinaires": EXACT,
        "faits_sensibles": _agg("grille", 5),
        "stupefiants": EXACT,
        "points": EXACT, "cameras": EXACT, "cameras_projet": EXACT, "secteurs": EXACT,
        "plannings": EXACT, "equipements_publics": EXACT, "equipements_confidentiels": EXACT,
    },
    "videoprotection": {
        "faits_ordinaires": _agg("grille", 5),
        "faits_sensibles": NEVER,
        "stupefiants": _agg("grille", 5),
        "points": NEVER, "cameras": EXACT, "cameras_projet": EXACT, "secteurs": EXACT,
        "plannings": NEVER, "equipements_publics": EXACT, "equipements_confidentiels": NEVER,
    },
    "admin": {c: NEVER for c in CATEGORIES},
}
"""The visibility matrix: ``MATRIX[role][category]`` is a :class:`Rule`."""

# Layers that hold no incident, camera, patrol or facility data: geography every role sees
# (the administrator needs them to check an import), and the public BAAC road accidents.
_GEOGRAPHY = ("territoire", "quartiers", "voies",
              # The CLSPD action plan (issue 8): titles, partners, quartiers and dates of
              # actions, no personal or incident data; every member of the council reads it.
              "actions")
_OPEN_DATA = ("accidents",)
INCIDENT_TABLE = "incidents_table"
"""Layer name of the prepared incidents table (:func:`clspd_geo.analysis.indicators.prepare_incidents`)."""


def role(code: str) -> Role:
    """Return the role with this code.

    Raises
    ------
    AccessError
        The code is not a known role (an account or identity claim with a bad role).
    """
    try:
        return _ROLES[code]
    except (KeyError, TypeError):
        known = ", ".join(ROLE_CODES)
        msg = (f"Le rôle « {code} » n'existe pas (rôles : {known}). Demandez à "
               "l'administrateur de corriger votre compte.")
        raise AccessError(msg) from None


def rule(role_code: str, category: str) -> Rule:
    """Return the matrix cell of a role and a data category."""
    role(role_code)
    return MATRIX[role_code][category]


def may_see(role_code: str, category: str) -> bool:
    """Return True when the role sees the category in any form (aggregated or exact)."""
    return rule(role_code, category).access != "never"


def category_rule(role_code: str, category_code: str) -> Rule:
    """Return the rule that applies to one incident category (by its sensitivity)."""
    sens = vocab.category(category_code).sensitivity
    return rule(role_code, _SENSITIVITY_CATEGORY[sens])


def visible_categories(role_code: str) -> list[str]:
    """Return the incident category codes the role sees in some form."""
    return [c.code for c in vocab.INCIDENT_CATEGORIES
            if category_rule(role_code, c.code).access != "never"]


def matrix_table() -> pd.DataFrame:
    """Return the matrix as a French table: one row per data category, one column per role."""
    rows = []
    for cat, label in CATEGORIES.items():
        row = {"Données": label}
        for r in ROLES:
            row[r.label] = MATRIX[r.code][cat].text()
        rows.append(row)
    return pd.DataFrame(rows)


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
    """

    epsg: int
    quartiers: tuple[tuple[str, float, float, float, float], ...]
    territoire: tuple[float, float, float, float]

    def quartier_points(self) -> dict[str, tuple[float, float, float, float]]:
        """Return ``{quartier_id: (x, y, lon, lat)}``."""
        return {q: (x, y, lon, lat) for q, x, y, lon, lat in self.quartiers}


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

    qs = []
    if not quartiers.empty:
        reps = quartiers.to_crs(4326).geometry.representative_point()
        lon, lat = reps.x.to_numpy(), reps.y.to_numpy()
        x, y = crs.project_xy(lon, lat, epsg=epsg)
        qs = [(str(q), float(a), float(b), float(c), float(d)) for q, a, b, c, d
              in zip(quartiers["quartier_id"], x, y, lon, lat, strict=True)]
    terr = territoire.geometry if not territoire.empty else quartiers.geometry
    return Zones(epsg, tuple(qs), point(terr))


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
        the incidents table is released as atoms (see the module docstring).

    Raises
    ------
    AccessError
        Unknown role, or ``zones`` missing for the incidents table.
    """
    role(role_code)
    m = MATRIX[role_code]
    if layer in _GEOGRAPHY:
        return data.copy()
    if layer in _OPEN_DATA:
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
        conf = _confidential(data)
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


def _confidential(equipements: pd.DataFrame) -> np.ndarray:
    """Return the mask of confidential facilities (flag, or a confidential kind)."""
    flag = (equipements["confidential"].fillna(True).astype(bool).to_numpy()
            if "confidential" in equipements.columns else np.zeros(len(equipements), bool))
    kinds = {k.code for k in vocab.FACILITY_KINDS if k.confidential}
    by_kind = equipements["kind"].isin(kinds).to_numpy(dtype=bool) if len(equipements) else \
        np.zeros(0, dtype=bool)
    return flag | by_kind


def _month_start(d: dt.date, *, minus_months: int = 0) -> dt.date:
    total = d.year * 12 + (d.month - 1) - minus_months
    return dt.date(total // 12, total % 12 + 1, 1)


_LEVELS: dict[str, tuple[str, ...]] = {"grille": ("grille", "quartier", "territoire"),
                                       "quartier": ("quartier", "territoire"),
                                       "territoire": ("territoire",)}


def atoms(df: pd.DataFrame, *, zone: ZoneKind, step: TimeStep) -> tuple[np.ndarray, np.ndarray]:
    """Return the atom id of each row at one zone level, and the start of its time step.

    Rows sharing an id share the zone, the quartier (none at the territory level), the
    category and the time step.
    """
    ts = pd.to_datetime(df["occurred_at"])
    bucket = (ts.dt.to_period("Y") if step == "annee" else ts.dt.to_period("M"))
    bucket = bucket.dt.start_time.to_numpy("datetime64[ns]")
    quartier = df["quartier_id"].astype("string").fillna("").to_numpy(dtype=object)
    if zone == "grille":
        ix = np.floor(df["x"].to_numpy(dtype=float) / GRID_CELL_M).astype(np.int64)
        iy = np.floor(df["y"].to_numpy(dtype=float) / GRID_CELL_M).astype(np.int64)
        zone_key = ix.astype(str).astype(object) + ":" + iy.astype(str).astype(object)
    elif zone == "quartier":
        zone_key = quartier
    else:
        zone_key = np.full(len(df), "T", dtype=object)
        quartier = np.full(len(df), "", dtype=object)
    key = pd.MultiIndex.from_arrays([zone_key, quartier, df["category"].astype(str).to_numpy(),
                                     bucket])
    ids = pd.factorize(key)[0]
    return ids, bucket


def release_levels(df: pd.DataFrame, rule_: Rule) -> np.ndarray:
    """Return, for each row, the zone level it is released at, or "" when withheld.

    Each row goes to the finest level of the rule's hierarchy (grid cell, then quartier,
    then territory) where its atom, counted among the rows not yet placed at a finer
    level, holds at least ``k`` incidents. Released atoms are disjoint and each holds k
    or more incidents, so any sum of them is 0 or at least k.
    """
    level = np.full(len(df), "", dtype=object)
    unplaced = np.ones(len(df), dtype=bool)
    for zone in _LEVELS[rule_.zone or "territoire"]:
        idx = np.flatnonzero(unplaced)
        if not len(idx):
            break
        ids, _ = atoms(df.iloc[idx], zone=zone, step=rule_.step or "mois")  # type: ignore[arg-type]
        ok = np.bincount(ids)[ids] >= rule_.k
        level[idx[ok]] = zone
        unplaced[idx[ok]] = False
    return level


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
    to_territory = np.zeros(len(df), dtype=bool)
    quartier_pts = zones.quartier_points()
    tx, ty, tlon, tlat = zones.territoire
    for sensitivity, cat in _SENSITIVITY_CATEGORY.items():
        r = MATRIX[role_code][cat]
        rows = sens == sensitivity
        if r.access == "never" or not rows.any():
            continue
        if r.access == "exact":
            keep |= rows
            time_known |= rows
            continue
        if r.lag_months:
            cutoff = np.datetime64(_month_start(as_of, minus_months=r.lag_months))
            rows &= ts < cutoff
        idx = np.flatnonzero(rows)
        if not len(idx):
            continue
        sub = df.iloc[idx]
        level = release_levels(sub, r)
        _, bucket = atoms(sub, zone="territoire", step=r.step or "mois")
        keep[idx[level != ""]] = True
        when[idx[level != ""]] = bucket[level != ""]
        g = level == "grille"
        if g.any():
            cx = (np.floor(sub["x"].to_numpy(dtype=float)[g] / GRID_CELL_M) + 0.5) * GRID_CELL_M
            cy = (np.floor(sub["y"].to_numpy(dtype=float)[g] / GRID_CELL_M) + 0.5) * GRID_CELL_M
            x[idx[g]], y[idx[g]] = cx, cy
            lon[idx[g]], lat[idx[g]] = _unproject(cx, cy, epsg=zones.epsg)
        qm = level == "quartier"
        if qm.any():
            q = sub["quartier_id"].astype("string").fillna("").to_numpy(dtype=object)[qm]
            rep = np.array([quartier_pts.get(v, (tx, ty, tlon, tlat)) for v in q],
                           dtype=float).reshape(-1, 4)
            j = idx[qm]
            x[j], y[j], lon[j], lat[j] = rep[:, 0], rep[:, 1], rep[:, 2], rep[:, 3]
        t = level == "territoire"
        if t.any():
            j = idx[t]
            x[j], y[j], lon[j], lat[j] = tx, ty, tlon, tlat
            to_territory[j] = True
    out["x"], out["y"], out["lon"], out["lat"] = x, y, lon, lat
    out["occurred_at"] = pd.Series(when, index=out.index).astype(df["occurred_at"].dtype)
    # Aggregated rows carry the start of their month or year, not a real date and time:
    # analyses by hour or weekday must leave them out.
    out["time_known"] = time_known
    if to_territory.any():
        out.loc[to_territory, "quartier_id"] = np.nan
    return out[keep]


def _unproject(x: np.ndarray, y: np.ndarray, *, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs(epsg, 4326, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def notice(role_code: str) -> str | None:
    """Return the French sentence a page shows about what this role sees, or None (exact)."""
    r = role(role_code)
    rules = [MATRIX[role_code][c] for c in ("faits_ordinaires", "faits_sensibles", "stupefiants")]
    if all(x.access == "exact" for x in rules):
        return None
    if all(x.access == "never" for x in rules):
        return (f"Rôle « {r.label} » : aucun fait n'est visible (l'administrateur exploite "
                "l'outil sans lire les données).")
    ks = sorted({x.k for x in rules if x.access == "aggregated"})
    return (f"Rôle « {r.label} » : les faits sont agrégés (par maille, quartier ou territoire, "
            f"par mois ou par année, sans heure) ; les regroupements de moins de "
            f"{' ou '.join(map(str, ks))} faits sont retirés de tous les chiffres et cartes.")
