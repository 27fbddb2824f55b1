"""Walking access to partner facilities: nearest site, walking time, residents within reach.

Two ways to measure a walk, and every result says which one was used:

- ``"droite"`` (straight line): the distance as the crow flies, in the territory's metric
  CRS (Lambert-93 in mainland France). It underestimates real walks, typically by 20 to
  40 % in a town (the "detour index" of street grids).
- ``"reseau"`` (street network): when a ``voies`` layer is loaded, the shortest path along
  its streets (railway lines excluded), plus the straight walk from the start point to
  the nearest street vertex and from the street to the facility. Lines are cut at every
  crossing (:func:`shapely.node`) and densified every ``max_edge_m`` metres, so a point
  joins the street close to where it stands; a line end within ``join_m`` of another line
  is joined to it, and only the largest connected part is kept. A network that lists only
  main roads gives longer walks than the real one: the pages measure in a straight line
  by default and say which measure was used.

Walking time is distance divided by :data:`WALK_SPEED_M_PER_MIN`, 75 m per minute
(4.5 km/h), the usual pedestrian speed of French accessibility studies (the 15-minute
walk of urban planning is then about 1,125 m).

Residents within reach are placed where they live (:mod:`clspd_geo.analysis.residents`):
by the Filosofi 200 m grid when the ``carreaux`` layer is loaded (each piece of a cell
inside a quartier is one point carrying its inhabitants), otherwise by the quartiers'
(or IRIS') populations spread evenly over a regular grid of points ``sample_m`` apart. A
resident is within reach when their point is. When the population is unknown, the same
figures are given as a share of the quartiers' area. The result says which source it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from clspd_geo import _format, config, crs, safe, vocab
from clspd_geo.analysis import residents
from clspd_geo.errors import EmptySelectionError, SchemaError

WALK_SPEED_M_PER_MIN = 75.0
"""Walking speed, metres per minute (4.5 km/h)."""
WALK_MINUTES = 15.0
"""The walking time of "within reach" (the 15-minute town)."""

Method = Literal["droite", "reseau"]
METHOD_TEXT = {
    "droite": "distance à vol d'oiseau",
    "reseau": "distance par les voies de la couche « voies », voies ferrées exclues",
}
IMPORT_FACILITIES = ("importez les équipements depuis la page « Données » "
                     "(python -m clspd_geo import facilities FICHIER --store …)")


def walk_minutes(distance_m: np.ndarray | float, *,
                 speed_m_per_min: float = WALK_SPEED_M_PER_MIN) -> np.ndarray:
    """Return the walking time in minutes of distances in metres."""
    return np.asarray(distance_m, dtype=float) / speed_m_per_min


# -- the street network ----------------------------------------------------------------------

@dataclass(frozen=True)
class Network:
    """A walking graph in a metric CRS.

    Attributes
    ----------
    xy
        ``(n, 2)`` coordinates of the nodes, metres in ``epsg``.
    graph
        Symmetric sparse matrix of edge lengths, metres.
    epsg
        The metric CRS.
    """

    xy: np.ndarray
    graph: sparse.csr_matrix
    epsg: int

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.xy)


def street_network(voies: gpd.GeoDataFrame, *, epsg: int, max_edge_m: float = 50.0,
                   join_m: float = 30.0) -> Network:
    """Build the walking graph of a roads layer (railway lines left out).

    Parameters
    ----------
    voies
        Lines (any CRS) with an optional ``kind`` column; ``"voie_ferree"`` rows are ignored.
    epsg
        The metric CRS to build the graph in.
    max_edge_m
        Longest edge after densification, metres.
    join_m
        A line end this close to another line is joined to it by a short connector:
        digitised streets often stop a few metres short of the street they meet.

    Raises
    ------
    EmptySelectionError
        No walkable line.
    """
    work = crs.to_compute(voies, epsg=epsg)
    if "kind" in work.columns:
        work = work[work["kind"].astype("string").fillna("") != "voie_ferree"]
    geoms = work.geometry[~work.geometry.isna() & ~work.geometry.is_empty].to_numpy()
    if len(geoms) == 0:
        raise EmptySelectionError("La couche « voies » ne contient aucune voie praticable "
                                  "à pied.")
    geoms = np.concatenate([geoms, _connectors(geoms, join_m=join_m)])
    noded = shapely.node(shapely.union_all(geoms))
    parts = shapely.get_parts(noded)
    parts = shapely.segmentize(parts, max_edge_m)
    coords, line_of = shapely.get_coordinates(parts, return_index=True)
    # Nodes: vertices shared by several lines after noding are merged (1 cm rounding).
    keys = np.round(coords, 2)
    uniq, node_of = np.unique(keys, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    same_line = line_of[1:] == line_of[:-1]
    a, b = node_of[:-1][same_line], node_of[1:][same_line]
    length = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
    keep = a != b
    a, b, length = a[keep], b[keep], length[keep]
    n = len(uniq)
    graph = sparse.coo_matrix((np.r_[length, length], (np.r_[a, b], np.r_[b, a])),
                              shape=(n, n)).tocsr()
    graph.sum_duplicates()
    # Keep the largest connected part (as osmnx does): a street that touches no other would
    # otherwise catch nearby points and leave them with no path to any facility.
    _, label = connected_components(graph, directed=False)
    main = label == np.bincount(label).argmax()
    return Network(uniq[main].astype(float), graph[main][:, main].tocsr(), int(epsg))


def _connectors(lines: np.ndarray, *, join_m: float) -> np.ndarray:
    """Return short segments joining each line end to the nearest other line within reach."""
    parts = shapely.get_parts(lines)
    if join_m <= 0 or len(parts) < 2:
        return np.empty(0, dtype=object)
    ends = np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
    owner = np.concatenate([np.arange(len(parts)), np.arange(len(parts))])
    tree = shapely.STRtree(parts)
    out = []
    for end, own in zip(ends, owner, strict=True):
        near = tree.query(end, predicate="dwithin", distance=join_m)
        near = near[near != own]
        if near.size == 0:
            continue
        dist = shapely.distance(parts[near], end)
        if dist.min() == 0:
            continue  # already on another line: noding joins them
        target = parts[near[np.argmin(dist)]]
        out.append(shapely.shortest_line(end, target))
    return np.array(out, dtype=object)


def nearest_to(from_xy: np.ndarray, to_xy: np.ndarray, *,
               network: Network | None) -> tuple[np.ndarray, np.ndarray]:
    """Return (distance in metres, index into ``to_xy``) of the nearest target of each point.

    Unreachable points (another part of the network) get ``inf`` and index -1.
    """
    if len(to_xy) == 0:
        return np.full(len(from_xy), np.inf), np.full(len(from_xy), -1, dtype=np.int64)
    if network is None:
        dist, idx = cKDTree(to_xy).query(from_xy)
        return np.asarray(dist, dtype=float), np.asarray(idx, dtype=np.int64)
    tree = cKDTree(network.xy)
    access_to, node_to = tree.query(to_xy)
    access_from, node_from = tree.query(from_xy)
    # One virtual node per target, tied to its street node by its access walk: a multi-source
    # Dijkstra from the virtual nodes then says both how far and which target is nearest.
    n, m = network.n_nodes, len(to_xy)
    virt = n + np.arange(m)
    weight = np.maximum(access_to, 1e-6)  # an explicit zero would be read as "no edge"
    extra = sparse.coo_matrix((np.r_[weight, weight], (np.r_[virt, node_to], np.r_[node_to, virt])),
                              shape=(n + m, n + m))
    base = sparse.bmat([[network.graph, None], [None, sparse.csr_matrix((m, m))]])
    graph = (base + extra).tocsr()
    dist, _, sources = dijkstra(graph, directed=False, indices=virt, min_only=True,
                                return_predecessors=True)
    total = access_from + dist[node_from]
    src = sources[node_from]
    idx = np.where(src >= 0, src - n, -1).astype(np.int64)
    total = np.where(idx >= 0, total, np.inf)
    # The path never beats the straight line (it may equal it): guard rounding only.
    return total, idx


def facility_frame(facilities: gpd.GeoDataFrame, kinds: Iterable[str] | None
                    ) -> tuple[gpd.GeoDataFrame, int]:
    """Return the facilities of ``kinds`` with a point, and the number without a kind."""
    if "kind" not in facilities.columns:
        msg = ("La couche des équipements n'a pas de colonne « kind » (type d'équipement) : "
               "impossible de savoir quels sites comptent. " + IMPORT_FACILITIES[0].upper()
               + IMPORT_FACILITIES[1:] + " avec une colonne de type.")
        raise SchemaError(msg)
    kind = facilities["kind"].astype("string")
    no_kind = int(kind.isna().sum() + (kind.str.strip() == "").sum())
    ok = kind.notna() & (kind.str.strip() != "")
    if kinds is not None:
        ok &= kind.isin(list(kinds))
    geom = facilities.geometry
    ok &= ~geom.isna() & ~geom.is_empty
    return facilities[ok.to_numpy(dtype=bool)], no_kind


@dataclass(frozen=True)
class Nearest:
    """The nearest facility of each point.

    Attributes
    ----------
    points
        The input points (EPSG:4326) with ``nearest_facility_id``, ``nearest_name``,
        ``nearest_kind``, ``distance_m`` (metres, ``inf`` when unreachable) and
        ``walk_min`` (minutes at :data:`WALK_SPEED_M_PER_MIN`).
    method
        ``"droite"`` or ``"reseau"``.
    n_without_kind
        Facilities left out because their kind is empty.
    """

    points: gpd.GeoDataFrame
    method: Method
    n_without_kind: int = 0

    @property
    def method_text(self) -> str:
        """French description of how distances were measured."""
        return METHOD_TEXT[self.method]


def nearest_facility(points: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, *,
                     kinds: Iterable[str] | None = None, voies: gpd.GeoDataFrame | None = None,
                     epsg: int | None = None,
                     speed_m_per_min: float = WALK_SPEED_M_PER_MIN) -> Nearest:
    """Find the nearest facility (of some kinds) of each point, and the walk to it.

    Parameters
    ----------
    points
        Points (any geometry: its centroid is used), any CRS.
    facilities
        The ``equipements`` layer (``facility_id``, ``name``, ``kind``), any CRS.
    kinds
        Facility kind codes to consider (all when None).
    voies
        A roads layer: distances along it ("reseau"); straight line when None or empty.
    epsg
        Metric CRS to measure in (default: the one of ``points``).

    Raises
    ------
    SchemaError
        ``facilities`` has no ``kind`` column.
    EmptySelectionError
        No facility of these kinds (the message says which, and how to import them).
    """
    target = epsg if epsg is not None else crs.metric_epsg(points)
    fac, no_kind = facility_frame(facilities, kinds)
    if fac.empty:
        wanted = (", ".join(vocab.facility_kind(k).label for k in kinds if k in
                            {x.code for x in vocab.FACILITY_KINDS})
                  if kinds is not None else "de tout type")
        msg = f"Aucun équipement ({wanted}) n'est chargé : {IMPORT_FACILITIES}."
        if no_kind:
            msg += (f" {_format.count(no_kind, 'équipement')} n'{'a' if no_kind < 2 else 'ont'} pas de type : complétez la colonne "
                    "« kind ».")
        raise EmptySelectionError(msg)
    network = network_or_none(voies, epsg=target)
    dist, idx = nearest_to(crs.metric_xy(points, epsg=target), crs.metric_xy(fac, epsg=target),
                           network=network)
    out = crs.to_storage(points)
    hit = idx >= 0
    take = np.where(hit, idx, 0)

    def pick(col: str) -> np.ndarray:
        values = fac[col].to_numpy(dtype=object)[take] if col in fac.columns else np.full(
            len(take), None, dtype=object)
        return np.where(hit, values, None)

    out["nearest_facility_id"] = pick("facility_id")
    out["nearest_name"] = pick("name")
    out["nearest_kind"] = pick("kind")
    out["distance_m"] = dist
    out["walk_min"] = walk_minutes(dist, speed_m_per_min=speed_m_per_min)
    return Nearest(out, "reseau" if network is not None else "droite", no_kind)


def network_or_none(voies: gpd.GeoDataFrame | None, *, epsg: int) -> Network | None:
    if voies is None or voies.empty:
        return None
    try:
        return street_network(voies, epsg=epsg)
    except EmptySelectionError:
        return None  # only railway lines: fall back to the straight line


# -- residents within reach --------------------------------------------------------------------

sample_points = residents.sample_points
"""The even grid of points of each polygon (:func:`~clspd_geo.analysis.residents.sample_points`)."""


@dataclass(frozen=True)
class QpvAccess:
    """Residents of the QPV within a walk of each kind of facility.

    Attributes
    ----------
    table
        One row per kind: ``kind``, ``Équipement`` (label), ``Sites``, ``Dans le rayon``
        (residents, or % of the area when the population is unknown), ``Part (%)``,
        ``Médiane (min)`` (median walk of the QPV residents to the nearest site).
    by_quartier
        One row per QPV quartier and kind: ``quartier_id``, ``Quartier``, ``kind``,
        ``Équipement``, ``Part (%)``.
    gaps
        The rows of ``by_quartier`` where nobody is within reach (``Part (%)`` = 0).
    method
        ``"droite"`` or ``"reseau"``.
    minutes
        The walking time of "within reach".
    population_known
        False when some QPV quartier has no population: shares are then of the area.
    qpv_population
        Total population of the QPV quartiers (0 when unknown).
    n_without_kind
        Facilities left out because their kind is empty.
    population_source
        Where the residents were placed: ``"carreaux"`` (Filosofi grid), ``"iris"`` or
        ``"uniforme"`` (see :mod:`clspd_geo.analysis.residents`).
    """

    table: pd.DataFrame
    by_quartier: pd.DataFrame
    gaps: pd.DataFrame
    method: Method
    minutes: float
    population_known: bool
    qpv_population: int
    n_without_kind: int = 0
    population_source: residents.PopulationSource = "uniforme"

    @property
    def method_text(self) -> str:
        """French description of how distances were measured."""
        return METHOD_TEXT[self.method]

    @property
    def population_text(self) -> str:
        """French sentence naming where the residents were placed."""
        if not self.population_known:
            return ("Population des quartiers inconnue : les parts sont des parts de surface, "
                    "réparties uniformément dans chaque quartier.")
        return residents.SOURCE_TEXT[self.population_source]

    def sentence(self) -> str:
        """Return one French sentence of interpretation, built from the figures."""
        if self.table.empty:
            return "Aucun équipement de ces types n'est chargé."
        best = self.table.sort_values("Part (%)", ascending=False).iloc[0]
        worst = self.table.sort_values("Part (%)").iloc[0]
        unit = "des habitants des QPV" if self.population_known else "de la surface des QPV"
        best_pct, worst_pct = _format.number(best["Part (%)"]), _format.number(worst["Part (%)"])
        text = (f"{best_pct} % {unit} sont à moins de {self.minutes:g} minutes à "
                f"pied d'un site « {safe.md(best['Équipement'])} », contre {worst_pct} % "
                f"pour « {safe.md(worst['Équipement'])} » ({self.method_text}).")
        if len(self.gaps):
            names = sorted(set(self.gaps["Quartier"]))
            text += (f" {len(names)} QPV n'ont aucun accès à au moins un type de structure "
                     f"({', '.join(safe.md(n) for n in names)}).")
        if not self.population_known:
            text += (" La population des quartiers n'est pas connue : les parts sont des parts "
                     "de surface, pas d'habitants.")
        return text


def qpv_access(quartiers: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, *,
               kinds: Sequence[str], minutes: float = WALK_MINUTES,
               voies: gpd.GeoDataFrame | None = None, sample_m: float = 50.0,
               speed_m_per_min: float = WALK_SPEED_M_PER_MIN,
               carreaux: gpd.GeoDataFrame | None = None) -> QpvAccess:
    """Count the QPV residents within a walk of each kind of facility.

    Parameters
    ----------
    quartiers
        The ``quartiers`` layer (``quartier_id``, ``name``, ``qpv``, ``population``), any CRS.
    facilities
        The ``equipements`` layer, same CRS family (reprojected to the quartiers' metric CRS).
    kinds
        Facility kinds, one row of the table each (kinds with no site show 0 %).
    minutes
        Walking time of "within reach".
    voies
        A roads layer for network distances (straight line when None or empty).
    sample_m
        Spacing of the residents' sample points, metres (even spread only).
    carreaux
        The Filosofi grid (``carreaux`` layer): residents are then placed in its cells
        rather than spread evenly over each quartier.

    Raises
    ------
    EmptySelectionError
        No QPV among the quartiers, or no facility of any of ``kinds``.
    SchemaError
        ``facilities`` has no ``kind`` column.
    """
    qpv = quartiers[quartiers["qpv"].fillna(False).astype(bool)].reset_index(drop=True)
    if qpv.empty:
        raise EmptySelectionError(
            "Aucun quartier n'est marqué QPV (quartier prioritaire de la politique de la ville) "
            "dans la couche « quartiers » : renseignez la colonne « qpv » puis réimportez les "
            "quartiers (python -m clspd_geo import boundaries FICHIER --store …).")
    epsg = crs.metric_epsg(quartiers)
    where = residents.resident_points(qpv, carreaux=carreaux, sample_m=sample_m, epsg=epsg)
    population_known = where.known
    pts = where.points
    w = pts["weight"].to_numpy(dtype=float)
    if not population_known:  # shares of each quartier -> shares of the QPV surface
        area = crs.to_compute(qpv, epsg=epsg).geometry.area.to_numpy()
        w = w * area[pts["area"].to_numpy(dtype=int)]
    q_total = np.bincount(pts["area"].to_numpy(dtype=int), weights=w, minlength=len(qpv))
    xy = pts[["x", "y"]].to_numpy()
    network = network_or_none(voies, epsg=epsg)
    fac_all, no_kind = facility_frame(facilities, kinds)
    if fac_all.empty:
        labels = ", ".join(vocab.facility_kind(k).label for k in kinds)
        msg = f"Aucun équipement ({labels}) n'est chargé : {IMPORT_FACILITIES}."
        raise EmptySelectionError(msg)
    limit_m = minutes * speed_m_per_min
    rows, qrows = [], []
    for kind in kinds:
        fac = fac_all[fac_all["kind"] == kind]
        dist, _ = nearest_to(xy, crs.metric_xy(fac, epsg=epsg) if len(fac) else np.empty((0, 2)),
                             network=network)
        within = dist <= limit_m
        share = 100.0 * w[within].sum() / w.sum() if w.sum() > 0 else 0.0
        label = vocab.facility_kind(kind).label
        median = weighted_median(walk_minutes(dist, speed_m_per_min=speed_m_per_min), w)
        rows.append({"kind": kind, "Équipement": label, "Sites": len(fac),
                     "Dans le rayon": float(w[within].sum()), "Part (%)": round(share, 1),
                     "Médiane (min)": round(median, 1) if np.isfinite(median) else None})
        per_q = np.bincount(pts["area"].to_numpy(dtype=int)[within], weights=w[within],
                            minlength=len(qpv)) / np.maximum(q_total, 1e-12)
        for i, q in qpv.iterrows():
            qrows.append({"quartier_id": q["quartier_id"], "Quartier": q["name"], "kind": kind,
                          "Équipement": label, "Part (%)": round(100.0 * per_q[i], 1)})
    table = pd.DataFrame(rows)
    if population_known:
        table["Dans le rayon"] = table["Dans le rayon"].round().astype(int)
        table = table.rename(columns={"Dans le rayon": "Habitants à moins de "
                                      f"{minutes:g} min"})
    else:
        table = table.drop(columns=["Dans le rayon"])
    by_q = pd.DataFrame(qrows)
    gaps = by_q[by_q["Part (%)"] == 0].reset_index(drop=True)
    return QpvAccess(table, by_q, gaps, "reseau" if network is not None else "droite",
                     float(minutes), population_known,
                     int(round(where.population.sum())) if population_known else 0, no_kind,
                     where.source)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    if values.size == 0 or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


def reach_zones(facilities: gpd.GeoDataFrame, *, kinds: Iterable[str],
                minutes: float = WALK_MINUTES,
                speed_m_per_min: float = WALK_SPEED_M_PER_MIN) -> gpd.GeoDataFrame:
    """Return, per kind, the area within a straight-line walk of its sites (EPSG:4326).

    Drawn on maps as a reading aid (the network reach is not a disc). Columns ``kind``,
    ``label`` (French), ``radius_m``.
    """
    fac, _ = facility_frame(facilities, kinds)
    if fac.empty:
        return gpd.GeoDataFrame({"kind": [], "label": [], "radius_m": []},
                                geometry=gpd.GeoSeries([], crs=config.STORAGE_CRS))
    epsg = crs.metric_epsg(fac)
    work = crs.to_compute(fac, epsg=epsg)
    radius = minutes * speed_m_per_min
    rows = []
    for kind, grp in work.groupby("kind", sort=False):
        rows.append({"kind": kind, "label": f"{vocab.facility_kind(kind).label} : "
                     f"{minutes:g} min à pied ({radius:.0f} m à vol d'oiseau)",
                     "radius_m": radius,
                     "geometry": shapely.union_all(grp.geometry.buffer(radius).to_numpy())})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=epsg).to_crs(config.STORAGE_CRS)
