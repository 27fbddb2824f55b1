"""The demo video-protection cameras, and what they see (for camera-detected incidents)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo.demo import sampling, townplan

@dataclass(frozen=True)
class _Site:
    name: str
    anchor: tuple[float, float] | None  # None: at the main road junctions
    n: int
    spread_m: float
    mode: str  # "place": look at the anchor; "street": look along the road
    operators: tuple[tuple[str, int], ...]
    qpv: bool = False


_SITES: tuple[_Site, ...] = (
    _Site("Place de l'Hôtel de Ville", (0.0, 0.0), 6, 45, "place", (("csu_municipal", 6),)),
    _Site("Rue de la République", None, 8, 0, "bar_street",
          (("csu_municipal", 7), ("commerce", 1))),
    _Site("Place du Marché", townplan.PLACES["marche"], 5, 40, "place", (("csu_municipal", 5),)),
    _Site("Rue Victor Hugo", (10.0, -150.0), 4, 150, "street", (("csu_municipal", 4),)),
    _Site("Gare", townplan.PLACES["gare"], 8, 50, "place", (("sncf", 6), ("csu_municipal", 2))),
    _Site("Pôle d'échanges", townplan.PLACES["pole_bus"], 4, 30, "place", (("transporteur", 4),)),
    _Site("Les Tilleuls", townplan.PLACES["tilleuls"], 12, 160, "place",
          (("bailleur_social", 6), ("csu_municipal", 6)), qpv=True),
    _Site("La Roseraie", townplan.PLACES["roseraie"], 8, 150, "place",
          (("bailleur_social", 4), ("csu_municipal", 4)), qpv=True),
    _Site("Carrefour", None, 14, 12, "junction", (("csu_municipal", 14),)),
    _Site("Commissariat", townplan.PLACES["commissariat"], 2, 15, "place", (("etat", 2),)),
    _Site("Abords du collège Jean Moulin", (-800.0, 700.0), 2, 40, "place",
          (("csu_municipal", 2),)),
    _Site("Abords du lycée Albert Camus", (-250.0, 1_300.0), 2, 40, "place",
          (("csu_municipal", 2),)),
    _Site("Zone d'activités", townplan.PLACES["za"], 3, 200, "street",
          (("csu_municipal", 2), ("commerce", 1))),
    _Site("Centre hospitalier", townplan.PLACES["hopital"], 2, 40, "place",
          (("csu_municipal", 2),)),
)


@dataclass(frozen=True)
class Views:
    """What the cameras see, in local metres, for placing camera-detected incidents."""

    x: np.ndarray
    y: np.ndarray
    bearing_deg: np.ndarray  # NaN for domes
    fov_deg: np.ndarray
    range_m: np.ndarray
    first_day: np.ndarray  # day of the period from which the camera works (may be < 0)
    usable: np.ndarray  # installed (not a project)


def cameras(town: townplan.Town, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, Views]:
    xs: list[float] = []
    ys: list[float] = []
    names: list[str] = []
    modes: list[str] = []
    anchors: list[tuple[float, float] | None] = []
    operators: list[str] = []
    in_qpv: list[bool] = []
    street = next(g for rid, _, _, g in town.roads if rid == "V08")
    main_junctions = np.flatnonzero(town.junction_weight == 3.0)
    for site in _SITES:
        if site.mode == "bar_street":
            d = np.sort(rng.uniform(30.0, street.length - 30.0, site.n))
            pts = [street.interpolate(v) for v in d]
            x = np.array([p.x for p in pts]) + rng.normal(0, 5, site.n)
            y = np.array([p.y for p in pts]) + rng.normal(0, 5, site.n)
        elif site.mode == "junction":
            pick = main_junctions[rng.permutation(main_junctions.size)[:site.n]]
            pick = np.resize(pick, site.n)
            x, y = sampling.around(town, rng, town.junctions[pick], site.n, sd_m=site.spread_m)
        else:
            x, y = sampling.around(town, rng, np.array([site.anchor]), site.n, sd_m=site.spread_m)
        ops = [code for code, k in site.operators for _ in range(k)]
        ops = [ops[i] for i in rng.permutation(len(ops))]
        for i in range(site.n):
            xs.append(float(x[i]))
            ys.append(float(y[i]))
            names.append(f"{site.name} – {i + 1}")
            modes.append(site.mode)
            anchors.append(site.anchor)
            operators.append(ops[i])
            in_qpv.append(site.qpv)
    n = len(xs)
    # Kinds: ~10 % nomade (preferably in QPV), ~30 % domes (preferably on squares and
    # junctions), the rest fixed.
    n_nomade, n_dome = round(0.10 * n), round(0.30 * n)
    kind = np.full(n, "fixe", dtype=object)
    nomade_score = rng.random(n) + np.array(in_qpv, dtype=float)
    kind[np.argsort(-nomade_score, kind="stable")[:n_nomade]] = "nomade"
    dome_score = rng.random(n) + 0.5 * np.isin(modes, ("place", "junction"))
    dome_score[kind == "nomade"] = -1.0
    kind[np.argsort(-dome_score, kind="stable")[:n_dome]] = "dome"
    # Statuses: ~85 % in service, ~8 % out of order, ~7 % planned.
    n_panne, n_projet = round(0.08 * n), round(0.07 * n)
    order = rng.permutation(n)
    status = np.full(n, "en_service", dtype=object)
    status[order[:n_panne]] = "en_panne"
    status[order[n_panne:n_panne + n_projet]] = "projet"
    bearing = np.full(n, np.nan)
    fov = np.full(n, 360.0)
    range_m = np.zeros(n)
    resolution = np.zeros(n)
    lens = np.full(n, np.nan)
    for i in range(n):
        if kind[i] == "dome":
            range_m[i] = 5.0 * rng.integers(12, 21)  # 60..100 m
            resolution[i] = float(rng.choice([1920.0, 2560.0]))
            lens[i] = float(rng.choice([55.0, 60.0, 63.0]))  # widest zoom of a PTZ lens
            continue
        resolution[i] = float(rng.choice([1920.0, 2560.0, 3840.0]))
        range_m[i] = 5.0 * rng.integers(6, 17)  # 30..80 m
        fov[i] = float(rng.choice([54.0, 60.0, 70.0, 82.0, 90.0]))
        anchor = anchors[i]
        if modes[i] == "place" and anchor is not None and np.hypot(
                anchor[0] - xs[i], anchor[1] - ys[i]) > 12.0:
            b = sampling.bearing_deg(anchor[0] - xs[i], anchor[1] - ys[i]) + rng.normal(0.0, 12.0)
        else:
            along, _ = sampling.road_direction(town, xs[i], ys[i], road_id="V08" if modes[i] == (
                "bar_street") else None)
            b = along + (180.0 if rng.random() < 0.5 else 0.0) + rng.normal(0.0, 5.0)
        bearing[i] = round(b % 360.0, 1)
    # Commissioning: none for planned cameras; some inside the incident period so that
    # before/after comparisons have material.
    start_old = np.datetime64("2012-01-01")
    start_period = np.datetime64("2024-11-01")
    end_period = np.datetime64("2026-10-31")
    commissioned = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    existing = np.flatnonzero(status != "projet")
    recent = existing[rng.permutation(existing.size)[:round(0.2 * existing.size)]]
    span_old = int((start_period - start_old).astype(int))
    span_new = int((end_period - start_period).astype(int)) - 60
    commissioned[existing] = start_old + rng.integers(0, span_old, existing.size)
    commissioned[recent] = start_period + 30 + rng.integers(0, span_new, recent.size)
    data = {
        "camera_id": [f"CAM-{i + 1:03d}" for i in range(n)],
        "name": names, "kind": kind, "status": status, "bearing_deg": bearing, "fov_deg": fov,
        "range_m": range_m, "operator": operators,
        "commissioned_on": pd.to_datetime(commissioned),
        "resolution_px": resolution, "lens_fov_deg": lens,
    }
    usable = status != "projet"
    first_day = np.where(usable, (commissioned - start_period).astype("timedelta64[D]")
                         .astype(np.int64), 0)
    views = Views(np.array(xs), np.array(ys), bearing, fov, range_m, first_day, usable)
    return townplan.points_frame(data, np.array(xs), np.array(ys), "cameras"), views


def in_view(town: townplan.Town, rng: np.random.Generator, views: Views,
            day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw one point per incident in the view of a camera working on that day.

    Cameras commissioned during the period only see incidents after their commissioning
    date, so a before/after comparison around them shows the change.
    """
    n = day.size
    cams = np.flatnonzero(views.usable)
    cams = cams[np.argsort(views.first_day[cams], kind="stable")]
    working = np.maximum(np.searchsorted(views.first_day[cams], day, side="right"), 1)
    cam = cams[np.minimum((rng.random(n) * working).astype(np.int64), working - 1)]
    dist = views.range_m[cam] * np.sqrt(rng.uniform(0.02, 0.64, n))
    dome = np.isnan(views.bearing_deg[cam])
    spread = rng.uniform(-0.5, 0.5, n)
    az = np.where(dome, 360.0 * spread, np.nan_to_num(views.bearing_deg[cam])
                  + views.fov_deg[cam] * spread)
    x = views.x[cam] + dist * np.sin(np.radians(az))
    y = views.y[cam] + dist * np.cos(np.radians(az))
    out = ~sampling.inside_town(town, x, y)
    x[out], y[out] = views.x[cam][out], views.y[cam][out]
    return x, y
