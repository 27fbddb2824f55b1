"""Rolling-origin backtest of hotspot forecasts: folds, fold metrics, blend weights.

A forecast is chosen on the *training* period only. The training period is cut into
folds walking back from its end: each fold predicts one slice (a calendar month when the
scored period is a calendar month, otherwise a slice as long as the scored period, or
shorter so that :data:`MIN_FOLDS` folds fit) from everything before it. The scored
period is never looked at.

The blend (:func:`choose_blend`) combines per-cell surfaces, each normalised to sum 1:
long-term counts (the whole history), recent counts (the last slice) and kernel-smoothed
long-term counts at two bandwidths. Its weights are chosen on the folds by a grid search
on the simplex (step :data:`WEIGHT_STEP`), maximising the mean hit rate at the key area
fraction; its score on each fold is measured leave-one-fold-out (weights chosen on the
other folds), so comparing it with the other methods stays honest.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from clspd_geo.errors import EmptySelectionError

AREA_FRACTIONS = (0.01, 0.02, 0.05, 0.10, 0.20)
MIN_FOLDS = 3
"""Below this many folds, the recommendation is said to rest on too little data."""
MAX_FOLDS = 6
WEIGHT_STEP = 0.1
BLEND_COMPONENTS = ("long_terme", "recents", "lisse_fin", "lisse_large")
BLEND_LABELS = {"long_terme": "faits de toute la période", "recents": "faits récents",
                "lisse_fin": "surface lissée fine", "lisse_large": "surface lissée large"}

Period = tuple[dt.date | dt.datetime, dt.date | dt.datetime]


def check_periods(train: Period, test: Period) -> None:
    """Raise :class:`EmptySelectionError` unless both periods are valid and in order."""
    t0, t1 = pd.Timestamp(train[0]), pd.Timestamp(train[1])
    s0, s1 = pd.Timestamp(test[0]), pd.Timestamp(test[1])
    if t1 <= t0:
        raise EmptySelectionError(
            f"La période d'apprentissage est vide (du {t0:%d/%m/%Y} au {t1:%d/%m/%Y}) : "
            "sa fin doit suivre son début.")
    if s1 <= s0:
        raise EmptySelectionError(
            f"La période évaluée est vide (du {s0:%d/%m/%Y} au {s1:%d/%m/%Y}) : "
            "sa fin doit suivre son début.")
    if s0 < t1:
        raise EmptySelectionError(
            f"La période évaluée (à partir du {s0:%d/%m/%Y}) commence avant la fin de la "
            f"période d'apprentissage ({t1:%d/%m/%Y}) : on ne peut évaluer une prévision que "
            "sur des faits postérieurs. Choisissez une période évaluée plus tardive.")


def is_calendar_month(period: Period) -> bool:
    """Tell whether ``period`` (end excluded) is exactly one calendar month."""
    s0, s1 = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    return (s0 == s0.normalize() and s0.day == 1
            and s1 == (s0.to_period("M") + 1).to_timestamp())


def folds(train: Period, *, test: Period,
          max_folds: int = MAX_FOLDS) -> list[tuple[Period, Period]]:
    """Return the rolling-origin ``(pseudo_train, pseudo_test)`` folds inside ``train``.

    Each pseudo-test slice is preceded by at least as much history as it lasts; the
    pseudo-training period runs from the start of ``train`` to the slice. The latest
    folds come first.

    Parameters
    ----------
    train, test
        ``(start, end)`` periods, end excluded. A calendar-month ``test`` gives calendar
        months; otherwise slices of the test's length, shortened to a quarter of the
        training period when needed, so that at least :data:`MIN_FOLDS` folds fit.
    """
    t0, t1 = pd.Timestamp(train[0]), pd.Timestamp(train[1])
    out: list[tuple[Period, Period]] = []
    if is_calendar_month(test) and t1 == t1.normalize() and t1.day == 1:
        end = t1.to_period("M")
        first = t0.to_period("M") if t0.day == 1 else t0.to_period("M") + 1
        for k in range(max_folds):
            month = end - 1 - k
            # a fold needs at least one whole month of history before it
            if month - 1 < first:
                break
            s0, s1 = month.to_timestamp(), (month + 1).to_timestamp()
            out.append(((t0, s0), (s0, s1)))
        return out
    total = (t1 - t0) / pd.Timedelta(days=1)
    test_days = (pd.Timestamp(test[1]) - pd.Timestamp(test[0])) / pd.Timedelta(days=1)
    length = pd.Timedelta(days=min(test_days, total / (MIN_FOLDS + 1)))
    if length <= pd.Timedelta(0):
        return out
    for k in range(1, max_folds + 1):
        p_end = t1 - (k - 1) * length
        p_start = t1 - k * length
        if p_start - t0 < length - pd.Timedelta(seconds=1):
            break
        out.append(((t0, p_start), (p_start, p_end)))
    return out


def fold_unit(train: Period, *, test: Period) -> str:
    """Return how the folds are named in French: « mois » or « découpages »."""
    return "mois" if is_calendar_month(test) and pd.Timestamp(train[1]).day == 1 else \
        "découpages"


# -- metrics ---------------------------------------------------------------------------
def expected_hits(scores: np.ndarray, counts: np.ndarray, k: int) -> float:
    """Return the expected incidents caught by the top ``k`` cells, ties split evenly."""
    order = np.argsort(-scores, kind="stable")
    s = scores[order]
    c = counts[order]
    thr = s[k - 1]
    above = int(np.searchsorted(-s, -thr, side="left"))  # cells strictly above thr
    tied_end = int(np.searchsorted(-s, -thr, side="right"))
    tied = tied_end - above
    caught = float(c[:above].sum())
    if tied:
        caught += (k - above) / tied * float(c[above:tied_end].sum())
    return caught


def top_k(n_cells: int, fraction: float) -> int:
    """Return the number of cells of an area fraction (at least one)."""
    return int(min(n_cells, max(1, round(fraction * n_cells))))


def pai_pei(scores: np.ndarray, test_counts: np.ndarray, *, fraction: float) -> tuple[float, float]:
    """Return the PAI and PEI of one forecast at one area fraction.

    Returns ``(nan, nan)`` when the test period holds no incident.
    """
    test = np.asarray(test_counts, dtype=float)
    total = test.sum()
    n = test.size
    if n == 0 or total <= 0:
        return (np.nan, np.nan)
    k = top_k(n, fraction)
    hits = expected_hits(np.asarray(scores, dtype=float), test, k)
    best = float(np.sort(test)[::-1][:k].sum())
    return (hits / total) / (k / n), (hits / best if best > 0 else np.nan)


def hit_table(scores: np.ndarray, test_counts: np.ndarray, *,
              train_counts: np.ndarray | None = None,
              fractions: Iterable[float] = AREA_FRACTIONS) -> pd.DataFrame:
    """Return hit rate, PAI, PEI (and RRI) of one forecast at each area fraction.

    Parameters
    ----------
    scores
        Forecast score per cell of the territory (higher = hotter).
    test_counts
        Incidents per cell in the test period.
    train_counts
        Incidents per cell in the training period (for the RRI).
    fractions
        Area fractions (0–1).

    Returns
    -------
    DataFrame
        ``area_pct`` (asked), ``cells``, ``area_pct_actual``, ``hits``, ``hit_rate_pct``,
        ``pai``, ``pei``, ``rri``.
    """
    scores = np.asarray(scores, dtype=float)
    test = np.asarray(test_counts, dtype=float)
    n = scores.size
    total = test.sum()
    if n == 0 or total <= 0:
        raise EmptySelectionError(
            "Aucun fait dans la période évaluée : rien à mesurer.")
    best = np.sort(test)[::-1]
    rows = []
    for f in fractions:
        k = int(min(n, max(1, round(f * n))))
        hits = expected_hits(scores, test, k)
        area = k / n
        rate = hits / total
        n_max = float(best[:k].sum())
        rri = np.nan
        if train_counts is not None:
            train = np.asarray(train_counts, dtype=float)
            train_hits = expected_hits(scores, train, k)
            if train_hits > 0 and train.sum() > 0:
                rri = rate / (train_hits / train.sum())
        rows.append({"area_pct": 100 * f, "cells": k, "area_pct_actual": 100 * area,
                     "hits": hits, "hit_rate_pct": 100 * rate, "pai": rate / area,
                     "pei": hits / n_max if n_max > 0 else np.nan, "rri": rri})
    return pd.DataFrame(rows)


def monthly_periods(end: dt.date | dt.datetime, *, train_months: int = 12,
                    first: dt.date | dt.datetime | None = None) -> tuple[Period, Period]:
    """Return ``(train, test)``: the last whole month before ``end``, and the months before.

    Parameters
    ----------
    end
        First day after the data to use (e.g. the end of the page's period).
    train_months
        Length of the training period, in months.
    first
        First date with data: the training period does not start before its month.
    """
    end_ts = pd.Timestamp(end)
    test_end = end_ts.to_period("M").to_timestamp()
    test_start = (test_end.to_period("M") - 1).to_timestamp()
    train_start = (test_start.to_period("M") - train_months).to_timestamp()
    if first is not None:
        first_month = pd.Timestamp(first).to_period("M").to_timestamp()
        train_start = max(train_start, first_month)
    train = (train_start.to_pydatetime(), test_start.to_pydatetime())
    test = (test_start.to_pydatetime(), test_end.to_pydatetime())
    return train, test


# -- blend -----------------------------------------------------------------------------
def simplex(n: int = len(BLEND_COMPONENTS), *, step: float = WEIGHT_STEP) -> np.ndarray:
    """Return every weight vector of ``n`` non-negative multiples of ``step`` summing to 1.

    The first row puts all the weight on the first component (long-term counts), so a
    tie in the search keeps the plain counts.
    """
    m = int(round(1 / step))
    rows = [c for c in itertools.product(range(m + 1), repeat=n) if sum(c) == m]
    rows.sort(key=lambda c: (-c[0], c))
    return np.array(rows, dtype=float) / m


def normalised(surface: np.ndarray) -> np.ndarray:
    """Return a non-negative surface divided by its sum (zeros stay zeros)."""
    s = np.clip(np.nan_to_num(np.asarray(surface, dtype=float)), 0, None)
    total = s.sum()
    return s / total if total > 0 else s


def choose_blend(components: list[np.ndarray], tests: list[np.ndarray], *, fraction: float,
                 step: float = WEIGHT_STEP) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose blend weights on folds; return them and the blend's leave-one-out scores.

    Parameters
    ----------
    components
        Per fold, an array ``(n_components, n_cells)`` of normalised surfaces.
    tests
        Per fold, the incidents per cell of its pseudo-test slice.
    fraction
        Area fraction of the hit rate maximised.

    Returns
    -------
    tuple
        ``(weights, pai, pei)``: the weights maximising the mean fold hit rate over every
        fold, and per fold the PAI and PEI of the weights chosen on the *other* folds (on
        the fold itself when there is only one).
    """
    grid = simplex(components[0].shape[0], step=step)
    n_f = len(components)
    hits = np.zeros((n_f, len(grid)))
    for f, (comp, test) in enumerate(zip(components, tests, strict=True)):
        total = float(np.sum(test))
        k = top_k(test.size, fraction)
        scores = grid @ comp
        for j in range(len(grid)):
            hits[f, j] = expected_hits(scores[j], test, k) / total
    weights = grid[int(np.argmax(hits.mean(axis=0)))]
    pai = np.zeros(n_f)
    pei = np.zeros(n_f)
    for f in range(n_f):
        others = [g for g in range(n_f) if g != f] or [f]
        w = grid[int(np.argmax(hits[others].mean(axis=0)))]
        pai[f], pei[f] = pai_pei(w @ components[f], tests[f], fraction=fraction)
    return weights, pai, pei


def blend_label(weights: np.ndarray | tuple[float, ...]) -> str:
    """Return the blend weights in French, e.g. « 60 % faits de toute la période, … »."""
    parts = [f"{round(100 * w):.0f} % {BLEND_LABELS[c]}"
             for c, w in zip(BLEND_COMPONENTS, weights, strict=True) if w > 1e-9]
    return ", ".join(parts)
