"""The demo road accidents: junctions and main roads, severity higher at night."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from clspd_geo import vocab
from clspd_geo.demo import rhythms, sampling, townplan

_USERS_FIRST = (("vl", 0.56), ("deux_roues_motorise", 0.15), ("vu", 0.08), ("velo", 0.07),
                ("edp", 0.05), ("pl", 0.04), ("tc", 0.02), ("autre", 0.03))
_USERS_OTHER = (("", 0.14), ("pieton", 0.22), ("vl", 0.36), ("deux_roues_motorise", 0.10),
                ("velo", 0.08), ("edp", 0.04), ("vu", 0.04), ("pl", 0.02))


def accidents(town: townplan.Town, rng: np.random.Generator) -> gpd.GeoDataFrame:
    cal = rhythms.calendar()
    n = int(rng.integers(540, 661))
    w_day = np.array([1.05, 1.05, 1.05, 1.05, 1.15, 0.9, 0.75])[cal.weekday] * np.array(
        [1.0, 0.9, 0.9, 0.95, 1.0, 1.05, 0.95, 0.85, 1.0, 1.1, 1.2, 1.2])[cal.month - 1]
    day = rhythms.draw(rng, w_day, n)
    weekend_night = np.isin(cal.weekday[day], (5, 6))
    bump = rhythms.bump
    profile_week = (0.15 + 1.4 * bump(8.0, 1.0) + 0.7 * bump(12.5, 1.0) + 2.0 * bump(17.5, 1.4)
                    + 0.5 * bump(1.0, 2.0))
    profile_weekend = (0.3 + 0.8 * bump(12.0, 3.0) + 0.8 * bump(18.0, 2.0)
                       + 1.6 * bump(2.0, 2.0))
    hour = np.where(weekend_night, rhythms.draw(rng, profile_weekend, n),
                    rhythms.draw(rng, profile_week, n))
    minute = rng.integers(0, 60, n)
    minutes = day * 1_440 + hour * 60 + minute
    # Places: junctions first, then along main roads, a few on streets.
    where = rhythms.draw(rng, np.array([0.40, 0.45, 0.15]), n)
    x = np.empty(n)
    y = np.empty(n)
    sel = np.flatnonzero(where == 0)
    x[sel], y[sel] = sampling.around(town, rng, town.junctions, sel.size, sd_m=12.0,
                                     weights=town.junction_weight)
    for k, kind in ((1, "principale"), (2, "secondaire")):
        sel = np.flatnonzero(where == k)
        lines = [g for _, _, kd, g in town.roads if kd == kind and not g.is_empty]
        x[sel], y[sel] = sampling.along(town, rng, lines, sel.size, sd_m=4.0)
    # Severity: night accidents are more often serious.
    night = (hour >= 22) | (hour < 6)
    victims = 1 + rng.poisson(0.35, n)
    u = rng.random(n)
    p_killed = np.where(night, 0.05, 0.02)
    p_hosp = np.where(night, 0.25, 0.16)
    fatal = u < p_killed
    serious = ~fatal & (u < p_killed + p_hosp)
    killed = fatal.astype(np.int64) + (fatal & (rng.random(n) < 0.1))
    killed = np.minimum(killed, victims)
    rest = victims - killed
    hosp_extra = rng.binomial(rest, 0.25)
    hospitalised = np.where(serious, 1 + rng.binomial(np.maximum(rest - 1, 0), 0.2),
                            np.where(fatal, hosp_extra, 0))
    slightly = victims - killed - hospitalised
    first_codes = [c for c, _ in _USERS_FIRST]
    other_codes = [c for c, _ in _USERS_OTHER]
    first = rhythms.draw(rng, np.array([p for _, p in _USERS_FIRST]), n)
    other = rhythms.draw(rng, np.array([p for _, p in _USERS_OTHER]), n)
    order_of = {code: i for i, code in enumerate(vocab.ROAD_USERS)}
    users = []
    for a, b in zip(first, other, strict=True):
        involved = sorted({first_codes[a], other_codes[b]} - {""}, key=order_of.__getitem__)
        users.append(";".join(involved))
    order = np.lexsort((y, x, minutes))
    when = (townplan.START + minutes.astype("timedelta64[m]")).astype("datetime64[ms]")
    data = {"accident_id": [f"ACC-{i + 1:05d}" for i in range(n)],
            "occurred_at": when[order], "killed": killed[order],
            "hospitalised": hospitalised[order], "slightly_injured": slightly[order],
            "user_types": [users[i] for i in order]}
    return townplan.points_frame(data, x[order], y[order], "accidents")
