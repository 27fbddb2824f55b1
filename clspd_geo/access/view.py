"""The role view: the one object the app reads data through.

A :class:`RoleView` is a store seen by one role on one day. Every layer, the incidents
table, the inventory of the "Données" page, the sources under a map, the pages a role
opens and the layers it edits come from it, through :mod:`clspd_geo.access.release` and
:mod:`clspd_geo.access.policy`. Nothing else in the app reads a store.

A view is immutable in what it answers (the store version, the role and the day are
fixed when it is made), so one view serves every session of the same role at the same
store version: what it reads is computed once, on first use, and kept, and so are the
analyses computed from it (:meth:`RoleView.memo`, bounded).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, crs, schemas, vocab
from clspd_geo.access import policy, release
from clspd_geo.analysis import indicators, shared_masks
from clspd_geo.store import Store, atoms, provenance_of

T = TypeVar("T")

INCIDENT_COLUMNS = ["occurred_at", "category", "quartier_id", "insee_code"]
"""Columns of the incidents layer the prepared table is built from."""

MEMO_ENTRIES = 96
"""Results of analyses a view keeps (least recently used dropped first)."""

BASE_VERSIONS = 2
"""Store versions whose raw reads are kept for every role (the newest ones)."""

_BASE: OrderedDict[tuple[str, str], dict[Hashable, object]] = OrderedDict()
_BASE_LOCK = threading.Lock()
_BASE_KEY_LOCKS: dict[Hashable, threading.Lock] = {}


KEPT_FORMAT = "2"
"""Part of every kept frame's key (:meth:`RoleView._kept`): raise it when the release changes."""


def _base(location: str, version: str, key: Hashable, compute: Callable[[], T]) -> T:
    """Return what is read from one store version before any role's release, read once.

    The views of every role at the same store version share these reads (raw layers, the
    prepared incidents): one copy per version, not one per role. Kept for the
    :data:`BASE_VERSIONS` newest versions. Never modified: the release copies what it keeps.
    """
    slot = (location, version)
    with _BASE_LOCK:
        lock = _BASE_KEY_LOCKS.setdefault((slot, key), threading.Lock())
    with lock:
        with _BASE_LOCK:
            reads = _BASE.get(slot)
            if reads is not None and key in reads:
                _BASE.move_to_end(slot)
                return reads[key]  # type: ignore[return-value]
        value = compute()
        with _BASE_LOCK:
            reads = _BASE.setdefault(slot, {})
            reads[key] = value
            _BASE.move_to_end(slot)
            while len(_BASE) > BASE_VERSIONS:
                old, _ = _BASE.popitem(last=False)
                for k in [k for k in _BASE_KEY_LOCKS if k[0] == old]:
                    del _BASE_KEY_LOCKS[k]
        return value


class RoleView:
    """A store as one role sees it on one day.

    Parameters
    ----------
    store
        The opened store (GeoPackage or PostGIS).
    role
        The role code of the reader (:data:`clspd_geo.access.policy.ROLE_CODES`).
    as_of
        The day of the read (publication lags count from it); today by default.
    version
        The store version the view was made for (:meth:`Store.version` when omitted): a
        cache key for what is computed from the view.
    operator
        Accept :data:`clspd_geo.access.policy.OPERATOR` (the operator's full read) as
        ``role``: for the command line only; the app never sets it.

    Raises
    ------
    AccessError
        The role is unknown.
    """

    def __init__(self, store: Store, role: str, *, as_of: dt.date | None = None,
                 version: str | None = None, operator: bool = False) -> None:
        self._role = policy.role(role) if not operator else policy.reader(role)
        self._store = store
        self.as_of = as_of or dt.date.today()
        self.version = version if version is not None else store.version()
        self._reads: dict[Hashable, object] = {}
        self._results: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    # -- who -------------------------------------------------------------------------------------

    @property
    def role(self) -> str:
        """The role code of the reader."""
        return self._role.code

    @property
    def role_label(self) -> str:
        """The French label of the role."""
        return self._role.label

    @property
    def key(self) -> str:
        """A cache key of everything this view answers: ``"<version>|<role>|<day>"``."""
        return f"{self.version}|{self.role}|{self.as_of.isoformat()}"

    def notice(self) -> str | None:
        """Return the sentence that tells the role what it sees of incidents (None: exact)."""
        return policy.notice(self.role)

    @property
    def small_count_k(self) -> int:
        """Counts of sensitive facts from 1 to k−1 are shown as « < k » to this role."""
        return policy.small_count_k(self.role)

    def may_open(self, page: str) -> bool:
        """Tell whether the role may open the page of this URL path."""
        return policy.may_open(self.role, page)

    def may_edit(self, layer: str) -> bool:
        """Tell whether the role may edit this layer from a page."""
        return policy.may_edit(self.role, layer)

    def may_import(self) -> bool:
        """Tell whether the role may import files into the store."""
        return policy.may_import(self.role)

    def may_see(self, category: str) -> bool:
        """Tell whether the role sees a matrix data category in some form."""
        return policy.may_see(self.role, category)

    def category_rule(self, category_code: str) -> policy.Rule:
        """Return the matrix rule that applies to an incident category for this role."""
        return policy.category_rule(self.role, category_code)

    def finest_zone(self, category_code: str) -> str | None:
        """Return how finely the role sees a category (see :func:`policy.finest_zone`)."""
        return policy.finest_zone(self.role, category_code)

    @property
    def grid_cell_m(self) -> float:
        """Side of the aggregation grid cells of the release, metres."""
        return policy.GRID_CELL_M

    @staticmethod
    def roles() -> dict[str, str]:
        """Return every role code with its French label (for the administration page)."""
        return {r.code: r.label for r in policy.ROLES}

    @staticmethod
    def matrix_table() -> pd.DataFrame:
        """Return the visibility matrix as a French table (one column per role)."""
        return policy.matrix_table()

    @property
    def location(self) -> str:
        """Where the store is (a file path or a database URL without password)."""
        return self._store.location

    # -- what ------------------------------------------------------------------------------------

    def _key_lock(self, key: Hashable) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _once(self, key: Hashable, compute: Callable[[], T]) -> T:
        # What the view reads (layers, incidents): computed once, kept for its lifetime.
        with self._key_lock(("read", key)):
            if key not in self._reads:
                self._reads[key] = compute()
            return self._reads[key]  # type: ignore[return-value]

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return ``compute()``, computed once per key for every user of this view.

        The key must say everything the result depends on besides the view (function
        name and arguments). Two sessions asking for the same key at once compute it once.
        At most :data:`MEMO_ENTRIES` results are kept. A result is shared: never modify it.
        """
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]  # type: ignore[return-value]
        with self._key_lock(("memo", key)):
            with self._lock:
                if key in self._results:
                    return self._results[key]  # type: ignore[return-value]
            value = compute()
            with self._lock:
                self._results[key] = value
                while len(self._results) > MEMO_ENTRIES:
                    self._results.popitem(last=False)
            return value

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return what the role may see of a layer (an empty frame when it is absent).

        The frame is shared by every caller of this view: copy it before changing it.
        """
        def read() -> gpd.GeoDataFrame:
            data = _base(self.location, self.version, ("layer", name), lambda: (
                self._store.read(name) if self._store.has(name) else schemas.empty(name)))
            return release.restrict(data, layer=name, role_code=self.role, as_of=self.as_of)
        return self._once(("layer", name), read)

    def facilities(self, *, confidential: bool = False) -> gpd.GeoDataFrame:
        """Return the partner facilities the role sees; confidential ones only if asked.

        Maps and public tables leave confidential places (victims' shelters…) out even for
        the roles allowed to see them (:func:`clspd_geo.access.policy.confidential_mask`).
        """
        equip = self.layer("equipements")
        if confidential or equip.empty:
            return equip
        return equip[~policy.confidential_mask(equip)]

    @property
    def metric_epsg(self) -> int:
        """The metric CRS of the territory (Lambert-93, or the legal UTM overseas)."""
        return self._once("epsg", lambda: crs.metric_epsg(self.layer("territoire")))

    def zones(self) -> release.Zones:
        """Return the representative points of the aggregation zones."""
        return self._once("zones", lambda: release.zones_for(
            self.layer("territoire"), self.layer("quartiers"), epsg=self.metric_epsg))

    def _prepared(self) -> pd.DataFrame:
        # The same for every role: read and prepared once per store version.
        return _base(self.location, self.version, ("prepared", self.metric_epsg),
                     lambda: shared_masks.share(self._prepare()))

    def _prepare(self) -> pd.DataFrame:
        if not self._store.has("incidents"):
            return indicators.prepare_incidents(schemas.empty("incidents"),
                                                epsg=self.metric_epsg)
        table = self._store.read_points("incidents", columns=INCIDENT_COLUMNS)
        return indicators.prepare_incidents(table, epsg=self.metric_epsg)

    def _has_atoms(self) -> bool:
        return hasattr(self._store, "incident_atoms")

    def _atoms(self) -> pd.DataFrame:
        # The same for every role: counts, not points, read once per store version. A
        # store that computes them from its points (a GeoPackage) would read the points
        # again: they come from the shared prepared table instead, read once.
        epsg = self.metric_epsg
        if not getattr(self._store, "ATOMS_IN_STORE", False):
            return _base(self.location, self.version, ("atoms", epsg), lambda: (
                atoms.atoms_of_prepared(self._once("prepared", self._prepared))))
        return _base(self.location, self.version, ("atoms", epsg), lambda: (
            self._store.incident_atoms(epsg=epsg) if self._store.has("incidents")
            else atoms.empty_atoms()))

    def _sees_points(self) -> bool:
        """Tell whether the role sees some incident category exactly (place and time)."""
        return any(self.category_rule(c).access == "exact" for c in vocab.category_codes())

    def _release(self) -> pd.DataFrame:
        """Release the incidents to the role: from the store's atoms when it offers them.

        A role that sees every category aggregated reads atoms only (no point is read for
        it); a role that sees a category exactly reads the points as well.
        """
        if not self._has_atoms():
            return release.restrict(self._once("prepared", self._prepared),
                                    layer=policy.INCIDENT_TABLE, role_code=self.role,
                                    zones=self.zones(), as_of=self.as_of)
        aggregated = self._aggregated()
        if not self._sees_points():
            return aggregated
        exact = release.restrict_atoms(atoms.empty_atoms(), role_code=self.role,
                                       zones=self.zones(), as_of=self.as_of,
                                       points=self._once("prepared", self._prepared))
        return release.concat([exact, aggregated])

    def _aggregated(self) -> pd.DataFrame:
        """Return the release of the categories the role sees aggregated (weighted rows)."""
        return self._kept(("release", self.role, self.as_of.replace(day=1)),
                          lambda: release.restrict_atoms(
                              self._atoms(), role_code=self.role, zones=self.zones(),
                              as_of=self.as_of, exact=False))

    def _kept(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Return a frame derived from this version, kept in the store when it can keep it.

        A store that keeps derived frames for every process (PostGIS,
        :mod:`clspd_geo.store.postgis_derived`) computes each once per version; the key
        holds the role's rules, so a change of the matrix never reads an old release. Kept
        by the view as well: read or computed once per view, not at every page run.
        """
        return self._once(("kept", *key), lambda: self._kept_in_store(key, compute))

    def _kept_in_store(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        keeper = getattr(self._store, "keep_derived", None)
        if keeper is None:
            return compute()
        rules = tuple(policy.rule(self.role, c) for c in policy.SENSITIVITY_CATEGORY.values())
        text = "|".join(map(str, (*key, self.metric_epsg, rules, KEPT_FORMAT)))
        frame = self._store.derived(text, version=self.version)
        if frame is not None:
            return frame
        frame = compute()
        keeper(text, frame, version=self.version)
        return frame

    def incident_points_in(self, *, bbox: tuple[float, float, float, float],
                           period: tuple[dt.date, dt.date]) -> pd.DataFrame:
        """Return the exact incidents of a bounding box and period, for roles that see points.

        Read from the store for that box and period only (:meth:`Store.point_read`), of the
        categories the role sees exactly; a role that sees no point gets an empty table and
        the store is not read.

        Parameters
        ----------
        bbox
            ``(min_lon, min_lat, max_lon, max_lat)``, EPSG:4326 (the visible map).
        period
            ``[start, end)``.

        Returns
        -------
        DataFrame
            The columns of :func:`clspd_geo.analysis.indicators.prepare_incidents`.
        """
        exact = [c for c in vocab.category_codes() if self.category_rule(c).access == "exact"]
        if policy.rule(self.role, "points").access != "exact" or not exact or \
                not self._store.has("incidents"):
            return indicators.prepare_incidents(schemas.empty("incidents"),
                                                epsg=self.metric_epsg)
        reader = getattr(self._store, "point_read", None)
        if reader is None:
            pts = self._store.read_points("incidents", columns=INCIDENT_COLUMNS)
            lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
            ts = pts["occurred_at"].to_numpy("datetime64[ns]")
            keep = ((lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1]) & (lat <= bbox[3])
                    & (ts >= np.datetime64(period[0])) & (ts < np.datetime64(period[1]))
                    & pts["category"].astype(str).isin(exact).to_numpy())
            pts = pts[keep]
        else:
            pts = reader("incidents", columns=INCIDENT_COLUMNS, bbox=bbox, period=period,
                         categories=exact)
        return indicators.prepare_incidents(pts, epsg=self.metric_epsg)

    def incidents(self, selection: indicators.Selection | None = None, *,
                  timed: bool = False, by_month: bool = False) -> pd.DataFrame:
        """Return the prepared incidents the role may see, released as atoms.

        Parameters
        ----------
        selection
            Keep only the rows of this selection (all rows when None).
        timed
            Keep only the rows whose date and time of day are real (exact data); rows
            released by month or year carry the start of their time step and are left out.
        by_month
            Leave out the rows released by year (dated 1 January): for tables by month or
            by quarter, where a yearly total would read as one month's.

        Returns
        -------
        DataFrame
            The columns of :func:`clspd_geo.analysis.indicators.prepare_incidents` plus
            ``time_known``, ``zone_level`` and ``time_step`` (see
            :func:`clspd_geo.access.release.restrict`). Shared by every caller: never
            modify it.
        """
        table = self._once("incidents", lambda: shared_masks.share(
            release.expand(self.counts())))
        return _subset(table, selection, timed=timed, by_month=by_month)

    def counts(self, selection: indicators.Selection | None = None, *,
               timed: bool = False, by_month: bool = False) -> pd.DataFrame:
        """Return the same release as :meth:`incidents`, one row per released atom.

        Each row carries its number of incidents in ``n`` when the store releases atoms
        (rows of exact categories have ``n`` = 1); a table without ``n`` has one row per
        incident. Counting functions weigh rows by :func:`indicators.weights`, so they
        give the same figures on both tables; at the scale of a département this one holds
        hundreds of times fewer rows. Same parameters as :meth:`incidents`.
        """
        table = self._once("counts", lambda: shared_masks.share(self._release()))
        return _subset(table, selection, timed=timed, by_month=by_month)

    def withheld(self, selection: indicators.Selection) -> int:
        """Return how many facts of a selection exist but are not published to this role.

        Counted over the categories the role sees in some form: facts in atoms of fewer
        than k, not yet published (publication lag), published only for the whole
        territory (or commune) when quartiers are chosen, or dated to a year or month outside the
        period. Categories the role never sees are not counted.
        """
        cats = tuple(c for c in selection.categories
                     if self.category_rule(c).access != "never")
        if not cats:
            return 0
        sel = replace(selection, categories=cats)
        if self._has_atoms() and not self._sees_points() and sel.start.day == 1 \
                and sel.end.day == 1:
            # Whole months: the atoms count exactly what the points would, none is read
            # (their totals over the cells, kept for every process).
            a = self._kept(("totals",), lambda: atoms.totals(self._atoms()))
            month = a["month"].to_numpy("datetime64[ns]")
            m = ((month >= np.datetime64(sel.start)) & (month < np.datetime64(sel.end))
                 & a["category"].isin(cats).to_numpy())
            for col, chosen in (("quartier_id", sel.quartiers), ("insee_code", sel.communes)):
                if chosen:
                    m &= a[col].isin(chosen).to_numpy()
            n_all = int(a["n"].to_numpy()[m].sum())
        else:
            prepared = self._once("prepared", self._prepared)
            n_all = int(indicators.mask(prepared, sel).sum())
        return max(0, n_all - indicators.count(self.counts(), sel))

    @property
    def time_atom(self) -> str | None:
        """Return the time step periods snap to: "mois", "annee", or None (exact data).

        A role that sees no incident category exactly reads counts made of monthly (or
        yearly) atoms: a period is only meaningful in whole months (or years).
        """
        rules = [self.category_rule(c) for c in vocab.category_codes()]
        seen = [r for r in rules if r.access != "never"]
        if not seen or any(r.access == "exact" for r in seen):
            return None
        return "mois" if any((r.step or "mois") == "mois" for r in seen) else "annee"

    def period_note(self) -> str | None:
        """Return the sentence the sidebar shows when periods snap (None otherwise)."""
        step = self.time_atom
        if step is None:
            return None
        unit = "mois entiers" if step == "mois" else "années civiles entières"
        return (f"Période arrondie aux {unit} : pour votre rôle, les faits sont publiés "
                f"{'par mois' if step == 'mois' else 'par année'}, sans date précise ; "
                "la comparaison avec l'année précédente porte sur les mêmes "
                f"{'mois' if step == 'mois' else 'années'}.")

    def incident_points(self, selection: indicators.Selection | None = None, *,
                        timed: bool = False) -> gpd.GeoDataFrame:
        """Return the released incidents as points (EPSG:4326), for point-layer analyses.

        Columns ``occurred_at``, ``category`` (code), ``quartier_id``, ``insee_code``,
        ``time_known``;
        aggregated incidents sit on their zone's representative point (see
        :meth:`incidents`).
        """
        part = release.expand(self.counts(selection, timed=timed))  # one point per incident
        return gpd.GeoDataFrame(
            {"occurred_at": part["occurred_at"].to_numpy(),
             "category": part["category"].astype(str).to_numpy(),
             "quartier_id": part["quartier_id"].to_numpy(),
             "insee_code": part["insee_code"].to_numpy(),
             "time_known": part["time_known"].to_numpy(dtype=bool)},
            geometry=gpd.points_from_xy(part["lon"], part["lat"]), crs=4326)

    def is_demo(self) -> bool:
        """Tell whether the store holds the fictitious demo territory."""
        terr = self.layer("territoire")
        return "fictitious" in terr.columns and bool(terr["fictitious"].fillna(False).any())

    def sources(self, *layer_names: str) -> list[str]:
        """Return "title : source (chargé le …)" for the given layers the role sees."""
        prov = self._once("provenance", self._store.provenance)
        parts = []
        for name in layer_names:
            if not self._sees(name):
                continue
            found = provenance_of(prov, name)
            if found is not None:
                parts.append(f"{schemas.schema(name).title} : {found.source} "
                             f"(chargé le {_format.date(found.imported_at[:10])})")
        return parts

    def _sees(self, name: str) -> bool:
        if name == "incidents":
            return len(self.counts()) > 0
        return not self.layer(name).empty

    def summary(self) -> pd.DataFrame:
        """Return what the store holds, as this role may know it (the "Données" page).

        Returns
        -------
        DataFrame
            One row per layer of the data model: ``Couche``, ``Nom``, ``Lignes`` (the rows
            the role sees), ``Du``, ``Au`` (dated layers), ``Source``, ``Chargée le``.
            A layer the role sees nothing of has no count and no dates, and its source
            reads « non visible pour votre rôle »: an administrator learns neither how
            many incidents there are nor when they happened.
        """
        prov = self._once("provenance", self._store.provenance)
        rows = []
        for name, sch in schemas.LAYERS.items():
            present = self._store.has(name)
            data = self.counts() if name == "incidents" else self.layer(name)
            n = int(indicators.weights(data).sum()) if name == "incidents" else len(data)
            first = last = None
            if n and "occurred_at" in data.columns:
                dates = pd.to_datetime(data["occurred_at"])
                first, last = dates.min().date(), dates.max().date()
            found = provenance_of(prov, name)
            if not present:
                source, count = "absente", 0
            elif n == 0 and self._store.count(name) > 0:
                source, count = "non visible pour votre rôle", None
            else:
                source, count = (found.source if found else None), n
            rows.append({"Couche": name, "Nom": sch.title, "Lignes": count, "Du": first,
                         "Au": last, "Source": source,
                         "Chargée le": (found.imported_at[:16].replace("T", " ")
                                        if found and count is not None else None)})
        out = pd.DataFrame(rows)
        out["Lignes"] = out["Lignes"].astype("Int64")
        return out

    # -- writes ----------------------------------------------------------------------------------

    def write(self, layer: str, frame: gpd.GeoDataFrame, *, source: str) -> None:
        """Write a layer the role may edit (the action plan) through the store.

        Raises
        ------
        AccessError
            The role may not edit this layer.
        """
        self.edit_target(layer).write(layer, frame, source=source, expected_version=self.version)

    def edit_target(self, layer: str) -> Store:
        """Return the store to edit a layer row by row in, for the roles that may edit it.

        For library functions that save edits (:mod:`clspd_geo.screens.plan`), never for
        the app layer.

        Raises
        ------
        AccessError
            The role may not edit this layer.
        """
        if not self.may_edit(layer):
            msg = (f"Le rôle « {self.role_label} » ne peut pas modifier la couche "
                   f"« {schemas.schema(layer).title} ».")
            raise policy.AccessError(msg)
        return self._store

    def import_target(self) -> Store:
        """Return the store to import files into, for the roles that may import.

        Raises
        ------
        AccessError
            The role may not import.
        """
        if not self.may_import():
            msg = (f"Le rôle « {self.role_label} » ne peut pas importer de fichiers : "
                   "demandez à l'administrateur.")
            raise policy.AccessError(msg)
        return self._store


def _subset(table: pd.DataFrame, selection: indicators.Selection | None, *, timed: bool,
            by_month: bool) -> pd.DataFrame:
    """Return the rows of a released table kept by :meth:`RoleView.incidents`' options."""
    if timed:
        table = table[table["time_known"].to_numpy(dtype=bool)]
    if by_month:
        table = table[(table["time_step"] != "annee").to_numpy(dtype=bool)]
    if selection is not None:
        table = indicators.select(table, selection)
    return table
