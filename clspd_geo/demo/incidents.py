"""The demo incidents: categories, times by rhythm, places by cluster or background."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import vocab
from clspd_geo.analysis import areas
from clspd_geo.demo import cameras, rhythms, sampling, townplan

def _cluster_sampler(town: townplan.Town, facilities: list[tuple[str, str, float, float]]):
    """Return ``sample(name, rng, n) -> (x, y)`` for each spatial cluster."""
    def xy_of(kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        sel = [(r[2], r[3], r[0]) for r in facilities if r[0] in kinds]
        return np.array([(a, b) for a, b, _ in sel]), np.array([k for _, _, k in sel])

    schools, school_kind = xy_of(("college", "lycee", "ecole_elementaire"))
    school_w = np.where(school_kind == "ecole_elementaire", 0.4, 3.0)
    residences, _ = xy_of(("residence_sociale",))
    qpv_ids = [i for i, q in enumerate(townplan.QUARTIERS) if q.qpv]
    qpv_union = shapely.union_all([town.quartiers[i] for i in qpv_ids])
    shapely.prepare(qpv_union)
    residences = residences[shapely.contains_xy(qpv_union, residences[:, 0], residences[:, 1])]
    street = [g for rid, _, _, g in town.roads if rid == "V08"]
    mains = [g for _, _, kind, g in town.roads if kind == "principale" and not g.is_empty]

    def sample(name: str, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        if name == "gare":
            stops = np.array([townplan.PLACES["gare"], townplan.PLACES["pole_bus"]])
            return sampling.around(town, rng, stops, n, sd_m=90.0, weights=np.array([2.0, 1.0]))
        if name == "bars":
            return sampling.along(town, rng, street, n, sd_m=12.0)
        if name == "qpv":
            return sampling.around(town, rng, residences, n, sd_m=90.0)
        if name == "deal":
            return sampling.around(town, rng, np.array(townplan.DEAL_POINTS), n, sd_m=22.0,
                                   weights=np.array([3.0, 2.0, 1.0]))
        if name == "ecoles":
            return sampling.around(town, rng, schools, n, sd_m=45.0, weights=school_w)
        if name == "marche":
            return sampling.around(town, rng, np.array([townplan.PLACES["marche"]]), n, sd_m=40.0)
        if name == "culte":
            return sampling.around(town, rng, np.array(townplan.WORSHIP), n, sd_m=12.0)
        if name == "axes":
            return sampling.along(town, rng, mains, n, sd_m=8.0)
        if name == "za":
            return sampling.around(town, rng, np.array([townplan.PLACES["za"]]), n, sd_m=260.0)
        raise KeyError(name)

    return sample


def _incidents(town: townplan.Town, facilities: list[tuple[str, str, float, float]],
               views: cameras.Views, rng: np.random.Generator,
               n: int) -> tuple[np.ndarray, ...]:
    """Return (minutes since the period start, category index, x, y), sorted by time."""
    cal = rhythms.calendar()
    codes = [c.code for c in vocab.INCIDENT_CATEGORIES]
    profiles = [rhythms.RHYTHMS[c] for c in codes]
    counts = rhythms.allocate(n, np.array([r.share for r in profiles]))
    cat = np.repeat(np.arange(len(codes)), counts)
    day = np.empty(n, dtype=np.int64)
    hour = np.empty(n, dtype=np.int64)
    where = np.empty(n, dtype=np.int64)  # cluster index, or -1 for the background
    winter = np.isin(cal.month, (11, 12, 1, 2))
    offset = 0
    for c, (code, r) in enumerate(zip(codes, profiles, strict=True)):
        m = int(counts[c])
        sl = slice(offset, offset + m)
        offset += m
        if not m:
            continue
        day[sl] = rhythms.draw(rng, rhythms.day_weights(r.week, r.months, r.trend,
                                                        school_days=r.school_days), m)
        hour[sl] = rhythms.draw(rng, rhythms.HOURS[r.hours], m)
        if code == "cambriolage":
            # Winter burglaries happen at dusk, when homes are dark and empty.
            dusk = np.flatnonzero(winter[day[sl]] & (rng.random(m) < 0.5))
            hour[sl][dusk] = rhythms.draw(rng, rhythms.HOURS["winter_dusk"], dusk.size)
        shares = np.array([s for _, s in r.clusters] + [max(0.0, 1.0 - sum(
            s for _, s in r.clusters))])
        idx = np.array([rhythms.CLUSTERS.index(name) for name, _ in r.clusters] + [-1])
        where[sl] = idx[rhythms.draw(rng, shares, m)] if shares[-1] < 1.0 else -1
        for name, (week, hours, school_only) in rhythms.CLUSTER_TIMING.items():
            if code == "violences_scolaires":
                break
            sel = np.flatnonzero(where[sl] == rhythms.CLUSTERS.index(name))
            if not sel.size:
                continue
            w = rhythms.day_weights(week, "flat", r.trend, school_days=school_only)
            if name == "marche":
                w = w * cal.market_day
            day[sl][sel] = rhythms.draw(rng, w, sel.size)
            hour[sl][sel] = rhythms.draw(rng, rhythms.HOURS[hours], sel.size)
    minute = rng.integers(0, 60, n)
    rounded = rng.random(n) < 0.35  # many reports give a round time
    minute[rounded] = (minute[rounded] // 30) * 30
    minutes = day * 1_440 + hour * 60 + minute

    x = np.empty(n)
    y = np.empty(n)
    sample = _cluster_sampler(town, facilities)
    for k, name in enumerate(rhythms.CLUSTERS):
        sel = np.flatnonzero(where == k)
        if sel.size:
            x[sel], y[sel] = sample(name, rng, sel.size)
    # Background: a quartier drawn by population (QPV weighted per category), then a
    # uniform point in it.
    pop = np.array([q.population for q in townplan.QUARTIERS], dtype=float)
    qpv = np.array([q.qpv for q in townplan.QUARTIERS])
    seen = np.isin(cat, [codes.index(c) for c in rhythms.CAMERA_CATEGORIES])
    where[seen] = len(rhythms.CLUSTERS)
    x[seen], y[seen] = cameras.in_view(town, rng, views, day[seen])
    back = np.flatnonzero(where == -1)
    quartier = np.empty(back.size, dtype=np.int64)
    back_cat = cat[back]
    for c, r in enumerate(profiles):
        sel = np.flatnonzero(back_cat == c)
        if sel.size:
            quartier[sel] = rhythms.draw(rng, pop * np.where(qpv, r.qpv_factor, 1.0), sel.size)
    for q in range(len(townplan.QUARTIERS)):
        sel = back[quartier == q]
        if sel.size:
            x[sel], y[sel] = sampling.uniform_in(town, rng, town.quartiers[q], sel.size)
    order = np.argsort(minutes * 32 + cat, kind="stable")
    return minutes[order], cat[order], x[order], y[order]


def incident_frame(town: townplan.Town, facilities: list[tuple[str, str, float, float]],
                   views: cameras.Views, rng: np.random.Generator, n: int,
                   quartiers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    minutes, cat, x, y = _incidents(town, facilities, views, rng, n)
    codes = np.array([c.code for c in vocab.INCIDENT_CATEGORIES], dtype=object)
    ids = np.strings.add("INC-", np.strings.zfill(np.arange(1, n + 1).astype(np.str_), 7))
    data = {"incident_id": ids.astype(object),
            "occurred_at": (townplan.START
                            + minutes.astype("timedelta64[m]")).astype("datetime64[ms]"),
            "category": codes[cat]}
    gdf = townplan.points_frame(data, x, y, "incidents")
    gdf["quartier_id"] = areas.assign_quartier(gdf, quartiers)
    return gdf
