"""Public-transport stops of a GTFS feed as transport facilities of ``equipements``.

A GTFS feed (General Transit Feed Specification, as the French transport authorities
publish it on transport.data.gouv.fr) is a zip of CSV files. Accepted: the zip itself, or
its files given one by one (``stops.txt``, optionally ``routes.txt``, ``trips.txt`` and
``stop_times.txt``; gzip allowed), recognised by their columns, not their names.

One facility per station (``location_type`` 1) and per stop that belongs to no station
(``location_type`` 0 or empty with no ``parent_station`` in the file); the stops of a station
are folded into it. Entrances, generic nodes and boarding areas (``location_type`` 2–4)
are left aside. When ``stop_times.txt``, ``trips.txt`` and ``routes.txt`` are all there,
each facility gets the routes that call at it (``routes``, short names) and its kind from
their ``route_type``: ``gare`` when a tram, metro, train, cable car or funicular calls
(:data:`RAIL_ROUTE_TYPES`), ``arret_bus`` otherwise. Without them the routes are unknown
and every facility is an ``arret_bus``; the report says so.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing import coords, geometry, sniffing, values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

RAIL_ROUTE_TYPES = frozenset({0, 1, 2, 5, 6, 7, 12, 100, 101, 102, 103, 106, 109, 400, 401,
                              402, 900, 1400})
"""GTFS ``route_type`` codes (basic and extended) of rail-like modes: the stop is a ``gare``."""
_ROLES = {"stops": ("stop_id", "stop_lat", "stop_lon"), "routes": ("route_id", "route_type"),
          "trips": ("trip_id", "route_id"), "stop_times": ("trip_id", "stop_id")}
_ROLE_FR = {"stops": "GTFS arrêts (stops.txt)", "routes": "GTFS lignes (routes.txt)",
            "trips": "GTFS courses (trips.txt)", "stop_times": "GTFS horaires (stop_times.txt)"}


def role(frame: pd.DataFrame) -> str | None:
    """Return the GTFS file a table is (``stops``, ``routes``, ``trips``, ``stop_times``)."""
    cols = {str(c).lower() for c in frame.columns}
    if {"trip_id", "stop_id"} <= cols:
        return "stop_times"
    for name, needed in _ROLES.items():
        if set(needed) <= cols:
            return name
    return None


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``equipements`` layer of the stops and stations.

    Raises
    ------
    SchemaError
        No ``stops.txt`` among the files, or a file that is no GTFS table.
    DataFileError
        A GTFS zip without ``stops.txt``.
    """
    tables: dict[str, list[pd.DataFrame]] = {}
    stops: list[Source] = []
    for src in sources:
        if src.format == "gtfs_zip":
            stops.append(src)
            log.roles[src.name] = "GTFS (archive zip)"
            members = sniffing.gtfs_members(src.disk_path)
            for name in ("routes", "trips", "stop_times"):
                if f"{name}.txt" in members:
                    table = sniffing.read_gtfs_member(src.disk_path, f"{name}.txt",
                                                      max_bytes=src.max_bytes)
                    tables.setdefault(name, []).append(table.frame)
            continue
        kind = role(src.frame)
        if kind is None:
            msg = (f"Le fichier « {src.name} » n'est pas un fichier GTFS reconnu : attendu "
                   "stops.txt (stop_id, stop_lat, stop_lon), routes.txt, trips.txt ou "
                   f"stop_times.txt. Colonnes trouvées : {', '.join(map(str, src.frame.columns))}.")
            raise SchemaError(msg)
        log.roles[src.name] = _ROLE_FR[kind]
        if kind == "stops":
            stops.append(src)
        else:
            tables.setdefault(kind, []).append(src.frame)
    if not stops:
        msg = ("Aucun fichier stops.txt parmi les fichiers GTFS donnés : les arrêts et leurs "
               "positions sont dans stops.txt. Donnez l'archive GTFS complète ou stops.txt.")
        raise SchemaError(msg)
    served = _routes_by_stop({k: pd.concat(v, ignore_index=True) for k, v in tables.items()},
                             log)
    parts = [_one(src, served, ctx, log) for src in stops]
    out = pd.concat(parts, ignore_index=True)
    return {"equipements": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _routes_by_stop(tables: dict[str, pd.DataFrame],
                    log: RowLog) -> pd.DataFrame | None:
    """Return ``stop_id, route, route_type`` pairs, or None when the files are missing."""
    if not {"routes", "trips", "stop_times"} <= set(tables):
        given = ", ".join(f"{k}.txt" for k in sorted(tables)) or "aucun"
        log.note("lignes desservies inconnues (il faut stop_times.txt, trips.txt et "
                 f"routes.txt ; donnés : {given}) : tous les arrêts sont classés « arret_bus »")
        return None
    routes = tables["routes"].rename(columns=str.lower)
    trips = tables["trips"].rename(columns=str.lower)[["trip_id", "route_id"]]
    times = tables["stop_times"].rename(columns=str.lower)[["trip_id", "stop_id"]]
    pairs = times.drop_duplicates().merge(trips.drop_duplicates(), on="trip_id")
    pairs = pairs[["stop_id", "route_id"]].drop_duplicates()
    label = routes.get("route_short_name", pd.Series(None, index=routes.index))
    label = label.where(label.notna(), routes.get("route_long_name"))
    routes = routes.assign(route=label.fillna(routes["route_id"]),
                           route_type=pd.to_numeric(routes["route_type"], errors="coerce"))
    return pairs.merge(routes[["route_id", "route", "route_type"]], on="route_id")


def _one(src: Source, served: pd.DataFrame | None, ctx: Context,
         log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame.rename(columns=str.lower)
    lt = pd.to_numeric(df.get("location_type", pd.Series(None, index=df.index)),
                       errors="coerce").fillna(0).astype(int)
    parent = df.get("parent_station", pd.Series(None, index=df.index))
    ids = df["stop_id"].astype(str).str.strip()
    stations = set(ids[lt == 1])
    folded = (lt == 0) & parent.isin(stations)
    kept = (lt == 1) | ((lt == 0) & ~folded)
    if folded.any():
        log.fix("arrêts regroupés dans leur station (parent_station)", int(folded.sum()))
    if (lt >= 2).any():
        n = int((lt >= 2).sum())
        what = _format.count(n, "entrée, nœud ou zone d'embarquement",
                             "entrées, nœuds ou zones d'embarquement")
        log.note(f"{what} (location_type 2 à 4) {_format.plural(n, 'laissé')} de côté")
    frame = pd.DataFrame({"lon": df["stop_lon"], "lat": df["stop_lat"]}, index=df.index)
    placed = Source(src.path, frame, src.lines, "csv", src.encoding, src.separator)
    geoms, outside = coords.source_points(placed, log=log, territoire=ctx.territoire,
                                          tolerance_m=ctx.options.tolerance_m)
    data = pd.DataFrame(index=df.index)
    data["facility_id"] = "GTFS-" + ids
    data["name"] = df["stop_name"].where(df["stop_name"].notna(), "Arrêt " + ids)
    data["stop_type"] = lt.map({1: "station"}).fillna("arrêt")
    data["kind"] = "arret_bus"
    if served is not None:
        owner = ids.where(~folded, parent.astype(str))
        by_stop = served.assign(owner=served["stop_id"].astype(str).map(
            dict(zip(ids, owner))).fillna(served["stop_id"].astype(str)))
        names = by_stop.groupby("owner")["route"].agg(
            lambda s: ", ".join(sorted(set(map(str, s)))))
        rail = by_stop.groupby("owner")["route_type"].agg(
            lambda s: bool(set(s.dropna().astype(int)) & RAIL_ROUTE_TYPES))
        data["routes"] = ids.map(names)
        data.loc[ids.map(rail).fillna(False).astype(bool).to_numpy(), "kind"] = "gare"
    data["confidential"] = False
    data["address"] = None
    data = values.neutralise_formulas(data, ["name"], log=log)
    data["outside_territory"] = outside
    data["_file"], data["_line"] = src.name, src.lines
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return gdf[kept.to_numpy() & geometry.present(geoms).to_numpy()]
