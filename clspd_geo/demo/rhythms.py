"""When demo incidents happen: the calendar, and the rhythm of each incident category.

Hour-of-day profiles, weekday weights, seasons, school and market days, a mild trend over
the two years, and the spatial clusters each category favours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from clspd_geo.demo import townplan

_PUBLIC_HOLIDAYS = (
    "2024-11-01", "2024-11-11", "2024-12-25", "2025-01-01", "2025-04-21", "2025-05-01",
    "2025-05-08", "2025-05-29", "2025-06-09", "2025-07-14", "2025-08-15", "2025-11-01",
    "2025-11-11", "2025-12-25", "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08",
    "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15",
)
# School holidays of zone A (académie de Clermont-Ferrand), first and last day off.
_SCHOOL_HOLIDAYS = (
    ("2024-10-19", "2024-11-03"), ("2024-12-21", "2025-01-05"), ("2025-02-22", "2025-03-09"),
    ("2025-04-19", "2025-05-04"), ("2025-07-05", "2025-08-31"), ("2025-10-18", "2025-11-02"),
    ("2025-12-20", "2026-01-04"), ("2026-02-07", "2026-02-22"), ("2026-04-04", "2026-04-19"),
    ("2026-07-04", "2026-08-31"), ("2026-10-17", "2026-11-01"),
)


@dataclass(frozen=True)
class _Calendar:
    weekday: np.ndarray  # 0 = Monday
    month: np.ndarray  # 1..12
    school_day: np.ndarray
    market_day: np.ndarray
    holiday: np.ndarray


@lru_cache(maxsize=1)
def calendar() -> _Calendar:
    days = np.datetime64("2024-11-01", "D") + np.arange(townplan.N_DAYS)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    public = np.isin(days, np.array(_PUBLIC_HOLIDAYS, dtype="datetime64[D]"))
    vacation = np.zeros(townplan.N_DAYS, dtype=bool)
    for first, last in _SCHOOL_HOLIDAYS:
        vacation |= (days >= np.datetime64(first)) & (days <= np.datetime64(last))
    school = (weekday < 5) & ~public & ~vacation & ~np.isin(month, (7, 8))
    market = np.isin(weekday, (2, 5)) & ~public  # Wednesday and Saturday
    return _Calendar(weekday, month, school, market, public)


_H = np.arange(24)


def bump(centre_h: float, width_h: float) -> np.ndarray:
    d = np.abs(_H - centre_h)
    d = np.minimum(d, 24 - d)
    return np.exp(-0.5 * (d / width_h) ** 2)


def _hours_between(first_h: int, last_h: int) -> np.ndarray:
    return ((_H >= first_h) & (_H <= last_h)).astype(float)


HOURS: dict[str, np.ndarray] = {
    "night": 0.15 + 2.5 * bump(0.5, 2.5),
    "late_night": 0.08 + 3.0 * bump(1.5, 2.2),
    "evening": 0.25 + 2.0 * bump(20.5, 2.5) + 0.3 * bump(13, 3),
    "afternoon": 0.12 + 2.0 * bump(15.0, 2.5) + 0.6 * bump(10.5, 1.5),
    "winter_dusk": 0.05 + 2.5 * bump(18.0, 1.5),
    "day": 0.2 + bump(15.0, 4.5),
    "school": _hours_between(8, 17) * (0.4 + bump(10, 1) + bump(12.5, 0.8) + bump(16, 1)),
    "school_exit": _hours_between(7, 18) * (0.5 * bump(8, 0.5) + bump(12, 0.7)
                                            + 1.5 * bump(16.5, 0.8)),
    "market": _hours_between(7, 13) * (0.3 + bump(10.0, 1.5)),
    "rush": 0.25 + bump(8.0, 1.2) + 1.3 * bump(17.5, 1.5) + 0.9 * bump(1.5, 2.0),
    "rodeo": 0.05 + 2.0 * bump(19.5, 2.5),
    "halls": 0.1 + 2.0 * bump(22.0, 3.0),
    "watch": 0.3 + bump(17.0, 4.0) + 0.5 * bump(1.0, 2.0),
    "flat": 0.5 + bump(14.0, 6.0),
}
# Monday .. Sunday.
_WEEK: dict[str, np.ndarray] = {
    "flat": np.ones(7),
    "weekend_nights": np.array([0.6, 0.6, 0.7, 0.9, 1.3, 2.0, 1.5]),
    "weekend": np.array([0.8, 0.8, 0.8, 0.9, 1.2, 1.7, 1.4]),
    "weekdays": np.array([1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.6]),
    "vif": np.array([0.9, 0.85, 0.85, 0.9, 1.0, 1.35, 1.45]),
    "school": np.array([1.0, 1.0, 0.6, 1.0, 1.0, 0.0, 0.0]),
    "market": np.array([0.0, 0.0, 1.0, 0.0, 0.0, 1.3, 0.0]),
    "leisure": np.array([0.8, 0.8, 1.0, 0.9, 1.1, 1.4, 1.6]),
}
# January .. December.
_MONTHS: dict[str, np.ndarray] = {
    "flat": np.ones(12),
    "summer": np.array([0.7, 0.7, 0.9, 1.0, 1.2, 1.5, 1.8, 1.7, 1.1, 0.9, 0.7, 0.8]),
    "summer_strong": np.array([0.3, 0.3, 0.6, 1.0, 1.5, 2.2, 2.8, 2.6, 1.5, 0.8, 0.4, 0.3]),
    "winter": np.array([1.4, 1.2, 1.0, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 1.1, 1.4, 1.5]),
    "festive": np.array([1.2, 0.9, 0.9, 1.0, 1.1, 1.3, 1.3, 1.2, 1.0, 1.0, 1.0, 1.5]),
    "holidays": np.array([1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.2, 1.0, 1.0, 1.0, 1.3]),
}


@dataclass(frozen=True)
class _Rhythm:
    share: float
    hours: str
    week: str
    months: str
    trend: float  # log change over the two years
    qpv_factor: float  # weight of QPV quartiers in the background spread
    clusters: tuple[tuple[str, float], ...] = ()
    school_days: bool = False


RHYTHMS: dict[str, _Rhythm] = {
    "cambriolage": _Rhythm(0.07, "afternoon", "weekdays", "winter", -0.12, 0.7,
                           (("za", 0.06), ("qpv", 0.05))),
    "vol_vehicule": _Rhythm(0.12, "night", "flat", "flat", -0.10, 1.2,
                            (("gare", 0.10), ("axes", 0.08), ("qpv", 0.12), ("marche", 0.03),
                             ("za", 0.05))),
    "degradation": _Rhythm(0.12, "night", "weekend", "summer", 0.06, 1.5,
                           (("qpv", 0.18), ("gare", 0.06), ("ecoles", 0.05), ("bars", 0.05),
                            ("za", 0.04), ("culte", 0.01))),
    "rixe": _Rhythm(0.025, "late_night", "weekend_nights", "summer", 0.10, 1.2,
                    (("bars", 0.35), ("gare", 0.12), ("ecoles", 0.06), ("qpv", 0.10))),
    "tapage": _Rhythm(0.14, "night", "weekend", "summer", 0.05, 1.3,
                      (("bars", 0.15), ("qpv", 0.12))),
    # Placed in the view of a camera working that day (see cameras.in_view), not by clusters.
    "detection_csu": _Rhythm(0.05, "watch", "weekend", "flat", 0.30, 1.0),
    "requisition_images": _Rhythm(0.025, "watch", "weekend", "flat", 0.25, 1.0),
    "ivresse_publique": _Rhythm(0.05, "late_night", "weekend_nights", "festive", -0.05, 1.0,
                                (("bars", 0.45), ("gare", 0.12), ("marche", 0.04))),
    "usage_stupefiants": _Rhythm(0.05, "evening", "leisure", "summer", 0.20, 1.5,
                                 (("deal", 0.20), ("qpv", 0.20), ("gare", 0.10),
                                  ("ecoles", 0.05), ("bars", 0.08))),
    "trafic_stupefiants": _Rhythm(0.015, "evening", "flat", "flat", 0.10, 2.0,
                                  (("deal", 0.50), ("qpv", 0.30), ("gare", 0.05))),
    "point_de_deal": _Rhythm(0.012, "evening", "flat", "summer", -0.15, 2.0,
                             (("deal", 0.80), ("qpv", 0.15))),
    "violences_intrafamiliales": _Rhythm(0.035, "evening", "vif", "holidays", 0.15, 1.4,
                                         (("qpv", 0.10),)),
    "violences_conjugales": _Rhythm(0.04, "evening", "vif", "holidays", 0.18, 1.4,
                                    (("qpv", 0.08),)),
    "violences_scolaires": _Rhythm(0.015, "school", "school", "flat", 0.08, 1.0,
                                   (("ecoles", 1.0),), school_days=True),
    "mineur_en_danger": _Rhythm(0.012, "day", "flat", "flat", 0.10, 1.6,
                                (("ecoles", 0.15), ("qpv", 0.10))),
    "occupation_halls": _Rhythm(0.04, "halls", "leisure", "winter", -0.10, 3.0,
                                (("qpv", 0.85),)),
    "recidive": _Rhythm(0.02, "day", "flat", "flat", 0.0, 1.5,
                        (("qpv", 0.20), ("gare", 0.10), ("bars", 0.10))),
    "vol_avec_violence": _Rhythm(0.025, "evening", "flat", "winter", -0.08, 1.3,
                                 (("gare", 0.15), ("marche", 0.12), ("bars", 0.10),
                                  ("ecoles", 0.08), ("qpv", 0.10))),
    "coups_et_blessures": _Rhythm(0.045, "late_night", "weekend_nights", "summer", 0.05, 1.3,
                                  (("bars", 0.20), ("gare", 0.08), ("qpv", 0.10),
                                   ("ecoles", 0.03))),
    "violences_sexuelles": _Rhythm(0.01, "evening", "weekend", "summer", 0.15, 1.1,
                                   (("bars", 0.10), ("gare", 0.08))),
    "conduite_dangereuse": _Rhythm(0.04, "rush", "weekend", "flat", 0.05, 1.0,
                                   (("axes", 0.55), ("bars", 0.05), ("ecoles", 0.05))),
    "rodeo_motorise": _Rhythm(0.02, "rodeo", "leisure", "summer_strong", 0.20, 2.0,
                              (("qpv", 0.35), ("za", 0.25), ("axes", 0.15))),
    "signalement_radicalisation": _Rhythm(0.0012, "day", "weekdays", "flat", 0.0, 1.5,
                                          (("qpv", 0.30),)),
    "atteinte_lieu_culte": _Rhythm(0.0015, "night", "flat", "flat", 0.10, 1.0,
                                   (("culte", 0.85),)),
}
# Clusters whose incidents keep their own timing rules: (week profile, hour profile,
# school days only).
CLUSTER_TIMING: dict[str, tuple[str, str, bool]] = {
    "marche": ("market", "market", False),
    "ecoles": ("school", "school_exit", True),
    "bars": ("weekend_nights", "late_night", False),
}
CLUSTERS = ("gare", "bars", "qpv", "deal", "ecoles", "marche", "culte", "axes", "za")
CAMERA_CATEGORIES = ("detection_csu", "requisition_images")


def allocate(n: int, shares: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainders).

    When ``n`` allows it, every share gets at least one.
    """
    p = shares / shares.sum()
    raw = p * n
    counts = np.floor(raw).astype(np.int64)
    rest = n - int(counts.sum())
    order = np.lexsort((np.arange(len(p)), -(raw - counts)))
    counts[order[:rest]] += 1
    if n >= len(p):
        while (counts == 0).any():
            counts[np.argmax(counts)] -= 1
            counts[np.flatnonzero(counts == 0)[0]] += 1
    return counts


def _cumulative(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights, dtype=float)
    return c / c[-1]


def draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` indices with the given (unnormalised) weights."""
    return np.searchsorted(_cumulative(weights), rng.random(n), side="right").clip(
        0, len(weights) - 1)


def day_weights(week: str, months: str, trend: float, *, school_days: bool) -> np.ndarray:
    cal = calendar()
    w = _WEEK[week][cal.weekday] * _MONTHS[months][cal.month - 1]
    w = w * np.exp(trend * (np.arange(townplan.N_DAYS) / (townplan.N_DAYS - 1) - 0.5))
    if school_days:
        w = w * cal.school_day
    return w
