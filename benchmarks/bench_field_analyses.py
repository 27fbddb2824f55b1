"""Time the action-field analyses on the demo territory (prints a table; no assertion).

Usage: python benchmarks/bench_field_analyses.py [N_INCIDENTS]   (default 200,000)

The last rows time the analyses the field pages run for an aggregate role (``elu``) on its
weighted release (:meth:`clspd_geo.access.view.RoleView.counts`, one row per atom with its
count ``n``) against the same release expanded to one row per incident
(:func:`clspd_geo.access.release.expand`, what :meth:`RoleView.incidents` returns).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo import crs, demo
from clspd_geo.access import release
from clspd_geo.analysis import (accessibility, addictions, indicators, rates, road_safety,
                                schools, victims)
from clspd_geo.store import atoms


def timed(label: str, fn, rows: list) -> object:
    t0 = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - t0))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rows: list[tuple[str, float]] = []
    layers = timed(f"demo build ({n:,} incidents)", lambda: demo.build_demo(seed=1,
                                                                           n_incidents=n), rows)
    epsg = crs.metric_epsg(layers["territoire"])
    df = timed("prepare incidents", lambda: indicators.prepare_incidents(layers["incidents"],
                                                                        epsg=epsg), rows)
    eq, q, v = layers["equipements"], layers["quartiers"], layers["voies"]
    drugs = df[df["sensitivity"] == "stupefiants"]
    timed(f"school rings, all {len(df):,} incidents",
          lambda: schools.school_surroundings(df, eq, epsg=epsg), rows)
    timed("school zones", lambda: schools.school_zone_counts(df, eq, epsg=epsg, k=5),
          rows)
    timed("rates per quartier", lambda: rates.rates_by_quartier(df, q, k=5), rows)
    timed("alcohol by night hour", lambda: addictions.alcohol_by_night_hour(
        df[df["category"] == "ivresse_publique"], eq, epsg=epsg), rows)
    spots = timed("densest drug cells", lambda: addictions.dense_cells(
        drugs, layers["territoire"], epsg=epsg), rows)
    timed("hotspots -> care, straight line",
          lambda: addictions.distance_to_care(spots, eq), rows)
    timed("hotspots -> care, street network",
          lambda: addictions.distance_to_care(spots, eq, voies=v), rows)
    vic = df[df["field"] == "victimes"]
    timed(f"victim support access ({len(vic):,} incidents), straight",
          lambda: victims.support_access(vic, q, eq, epsg=epsg, k=5), rows)
    timed("victim support access, street network",
          lambda: victims.support_access(vic, q, eq, epsg=epsg, k=5, voies=v), rows)
    kinds = ["mission_locale", "atelier_insertion", "pjj", "spip", "site_tig", "acces_droit"]
    timed("QPV residents within 15 min, straight",
          lambda: accessibility.qpv_access(q, eq, kinds=kinds), rows)
    timed("QPV residents within 15 min, street network",
          lambda: accessibility.qpv_access(q, eq, kinds=kinds, voies=v), rows)
    acc = layers["accidents"]
    timed(f"road hotspots along roads ({len(acc)} accidents)",
          lambda: road_safety.road_hotspots(acc, territory=layers["territoire"], voies=v), rows)
    timed("road hotspots on a grid",
          lambda: road_safety.road_hotspots(acc, territory=layers["territoire"]), rows)
    timed("yearly killed and seriously injured", lambda: road_safety.yearly_severity(acc),
          rows)
    zones = release.zones_for(layers["territoire"], q, epsg=epsg)
    weighted = timed("elu release, weighted", lambda: release.restrict_atoms(
        atoms.atoms_of_prepared(df), role_code="elu", zones=zones, as_of=dt.date(2026, 11, 25)),
        rows)
    flat = timed("elu release, expanded", lambda: release.expand(weighted), rows)
    for name, table in ((f"weighted, {len(weighted):,} rows", weighted),
                        (f"expanded, {len(flat):,} rows", flat)):
        timed(f"elu {name}: rates, zones, dense cells, support", lambda t=table: (
            rates.rates_by_quartier(t, q, k=11, aggregated=True),
            schools.school_zone_counts(t, eq, epsg=epsg, k=11),
            addictions.dense_cells(t, layers["territoire"], epsg=epsg),
            victims.support_access(t, q, eq, epsg=epsg, k=11)), rows)
    width = max(len(r[0]) for r in rows)
    for label, sec in rows:
        print(f"{label:<{width}}  {sec * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
