"""How good are the hotspots? Train on one period, score on the next.

Every method gives each cell of the territory a score from the *training* period; the
cells are ranked, and for an area fraction ``f`` (1, 2, 5, 10, 20 % of the territory) the
top cells are the "patrol area". On the *test* period we measure:

- **hit rate**: share of the test incidents that fell in the patrol area;
- **PAI** (predictive accuracy index, Chainey et al. 2008): hit rate divided by the area
  fraction. A PAI of 1 is chance; 5 means five times more incidents than chance;
- **PEI** (predictive efficiency index, Hunt 2016): hits divided by the most that any
  choice of as many cells could have caught (1 is perfect);
- **RRI** (recapture rate index, Levine 2008): the area's share of test incidents over its
  share of training incidents (about 1: the hotspots are stable).

Ties in the ranking (many cells with the same count) are split evenly, i.e. the figures are
the expectation over a random choice among tied cells, so "uniform" scores exactly chance.

The methods (:data:`METHODS`): two baselines, last period's counts and uniform; kernel
densities with the default and a narrow bandwidth; Gi* z-scores; last period's counts
with ties broken by the narrow density; and a mixture of last period's counts with half
the incidents a 1.5-cell kernel expects in each cell. The app *recommends* a method chosen by
backtesting on earlier periods only: inside the training period, the last part plays the
test and the earlier part the training (up to three such folds); the method with the best
mean PAI at 5 % wins, except that last period's counts are kept unless another method beat
them in every fold and by at least 1 % on average (:data:`MIN_GAIN`). The scored (test)
period is never looked at to choose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, config, crs, vocab
from clspd_geo.analysis import cells, counts, density, spatial_stats
from clspd_geo.analysis.selection import Selection
from clspd_geo.errors import EmptySelectionError

AREA_FRACTIONS = (0.01, 0.02, 0.05, 0.10, 0.20)
MIN_TRAIN = 30
MIN_TEST = 30
MAX_FOLDS = 3
KEY_FRACTION = 0.05
MIN_GAIN = 0.01
"""Relative PAI gain over last period's counts a method needs in backtesting to be chosen."""

METHOD_LABELS = {
    "derniere_periode": "Faits de la période précédente (référence)",
    "uniforme": "Hasard (référence)",
    "densite": "Densité lissée (largeur par défaut)",
    "densite_fine": "Densité lissée fine (largeur d'une cellule)",
    "gi_star": "Points chauds Gi*",
    "comptes_departages": "Faits de la période précédente, ex æquo départagés par la densité",
    "melange": "Mélange : faits de la période précédente + moitié de la densité lissée fine",
}
BASELINES = ("derniere_periode", "uniforme")

Period = tuple[dt.date | dt.datetime, dt.date | dt.datetime]


# -- metrics ---------------------------------------------------------------------------
def _expected_hits(scores: np.ndarray, counts: np.ndarray, k: int) -> float:
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
        raise EmptySelectionError("Aucun fait dans la période évaluée : rien à mesurer.")
    best = np.sort(test)[::-1]
    rows = []
    for f in fractions:
        k = int(min(n, max(1, round(f * n))))
        hits = _expected_hits(scores, test, k)
        area = k / n
        rate = hits / total
        n_max = float(best[:k].sum())
        rri = np.nan
        if train_counts is not None:
            train = np.asarray(train_counts, dtype=float)
            train_hits = _expected_hits(scores, train, k)
            if train_hits > 0 and train.sum() > 0:
                rri = rate / (train_hits / train.sum())
        rows.append({"area_pct": 100 * f, "cells": k, "area_pct_actual": 100 * area,
                     "hits": hits, "hit_rate_pct": 100 * rate, "pai": rate / area,
                     "pei": hits / n_max if n_max > 0 else np.nan, "rri": rri})
    return pd.DataFrame(rows)


# -- methods ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Training:
    grid: cells.Grid
    inside: np.ndarray
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None


def _counts(t: _Training) -> np.ndarray:
    return counts.count_xy(t.grid, t.x, t.y, inside=t.inside, weights=t.weights).values


def _density(t: _Training, bandwidth_m: float | None) -> np.ndarray:
    h = bandwidth_m or density.default_bandwidth_m(t.x, t.y, cell_size_m=t.grid.cell_m,
                                                   weights=t.weights)
    d = density.kde_grid(t.grid, t.x, t.y, bandwidth_m=h, weights=t.weights, inside=t.inside)
    return np.nan_to_num(d.ravel())


def _score(method: str, t: _Training) -> np.ndarray:
    if method == "derniere_periode":
        return _counts(t)
    if method == "uniforme":
        return np.ones(t.grid.n_cells)
    if method == "densite":
        return _density(t, None)
    if method == "densite_fine":
        return _density(t, t.grid.cell_m)
    if method == "gi_star":
        return np.nan_to_num(spatial_stats.gi_star_z(_counts(t), t.grid, inside=t.inside),
                             nan=-np.inf)
    if method == "comptes_departages":
        counts = _counts(t)
        dens = _density(t, t.grid.cell_m)
        top = dens.max()
        # Counts are integers (or weight sums): a tie-breaker below 1 never reorders them.
        return counts + (0.5 * dens / top if top > 0 else 0.0)
    if method == "melange":
        # Expected incidents per cell from a 1.5-cell kernel, half-weighted: counts still
        # lead, but a quiet cell next to busy ones moves up.
        expected = _density(t, 1.5 * t.grid.cell_m) * t.grid.cell_m**2
        return _counts(t) + 0.5 * expected
    raise KeyError(method)


SCORERS: dict[str, Callable[[_Training], np.ndarray]] = {
    m: (lambda t, m=m: _score(m, t)) for m in METHOD_LABELS}
METHODS = tuple(METHOD_LABELS)


# -- periods and report ----------------------------------------------------------------
def _ts(value: dt.date | dt.datetime) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).to_datetime64(), "ns")


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


def backtest_folds(train: Period, *, test_days: float,
                   max_folds: int = MAX_FOLDS) -> list[tuple[Period, Period]]:
    """Return ``(pseudo_train, pseudo_test)`` periods inside the training period.

    The pseudo-test periods are the last slices of the training period, each as long as
    the real test period (at most half the training period), walking back; each
    pseudo-training period runs from the start of the training period to its pseudo-test.
    """
    t0, t1 = pd.Timestamp(train[0]), pd.Timestamp(train[1])
    total_days = (t1 - t0) / pd.Timedelta(days=1)
    length = pd.Timedelta(days=min(test_days, total_days / 2))
    folds = []
    for k in range(1, max_folds + 1):
        p_end = t1 - (k - 1) * length
        p_start = t1 - k * length
        if p_start - t0 < length:
            break
        folds.append(((t0, p_start), (p_start, p_end)))
    return folds


@dataclass(frozen=True)
class ForecastReport:
    """Forecast accuracy of every method, and the recommended one.

    Attributes
    ----------
    table
        One row per method and area fraction: ``method``, ``label``, ``baseline`` and the
        columns of :func:`hit_table`.
    recommended
        Code of the method chosen by backtesting on the training period only.
    backtest
        ``method``, ``fold``, ``pai`` at 5 % per pseudo-test period (may be empty).
    reason
        French sentence explaining the choice.
    n_train, n_test
        Incidents in each period (inside the territory).
    cell_size_m, n_cells
        Cell side (metres) and number of cells in the territory.
    train, test
        The periods, ``(start, end)`` with the end excluded.
    """

    table: pd.DataFrame
    recommended: str
    backtest: pd.DataFrame
    reason: str
    n_train: int
    n_test: int
    cell_size_m: float
    n_cells: int
    train: tuple[pd.Timestamp, pd.Timestamp]
    test: tuple[pd.Timestamp, pd.Timestamp]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def row(self, method: str, fraction: float = KEY_FRACTION) -> pd.Series:
        """Return the row of one method at one area fraction."""
        t = self.table
        sel = t[(t["method"] == method) & np.isclose(t["area_pct"], 100 * fraction)]
        return sel.iloc[0]

    def sentence(self, fraction: float = KEY_FRACTION, *,
                 next_period: str = "de la période suivante") -> str:
        """Return the plain-French sentence of the recommended method at ``fraction``.

        ``next_period`` names the scored period, e.g. "du mois suivant".
        """
        r = self.row(self.recommended, fraction)
        base = self.row("derniere_periode", fraction)
        pai = _format.number(r["pai"], decimals=1)
        base_pai = _format.number(base["pai"], decimals=1)
        area = _format.number(r["area_pct"], decimals=0)
        return (f"Si les patrouilles couvraient les {area} % du territoire les plus chauds,"
                f" elles auraient rencontré {r['hit_rate_pct']:.0f} % des faits "
                f"{next_period} (PAI = {pai}, soit {pai} fois plus que le hasard ; "
                f"reprendre simplement les faits de la période précédente donne "
                f"{base['hit_rate_pct']:.0f} %, PAI = {base_pai}).")

    def to_dict(self) -> dict:
        """Return a JSON-ready dictionary."""
        return {
            "train": [str(self.train[0].date()), str(self.train[1].date())],
            "test": [str(self.test[0].date()), str(self.test[1].date())],
            "cell_size_m": self.cell_size_m, "n_cells": self.n_cells,
            "n_train": self.n_train, "n_test": self.n_test,
            "recommended": self.recommended,
            "recommended_label": METHOD_LABELS[self.recommended],
            "reason": self.reason,
            "sentence": self.sentence(),
            "results": [
                {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                 for k, v in rec.items()}
                for rec in self.table.to_dict(orient="records")],
            "backtest": self.backtest.to_dict(orient="records"),
            "notes": list(self.notes),
        }


def _in_period(times: np.ndarray, period: Period) -> np.ndarray:
    return (times >= _ts(period[0])) & (times < _ts(period[1]))


def _training(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
              weights: np.ndarray | None, sel: np.ndarray) -> _Training:
    return _Training(grid, inside, x[sel], y[sel], None if weights is None else weights[sel])


def recommend(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
              times: np.ndarray, *, train: Period, test_days: float,
              weights: np.ndarray | None = None,
              methods: Iterable[str] = METHODS) -> tuple[str, pd.DataFrame, str]:
    """Choose a method by backtesting inside the training period only.

    Only incidents inside ``train`` are looked at (the caller may pass more; they are
    dropped here), so the period being scored never influences the choice.

    Returns
    -------
    tuple
        The method code, the backtest table (``method``, ``fold``, ``pai``) and a French
        sentence explaining the choice.
    """
    candidates = [m for m in methods if m != "uniforme"]
    times = np.asarray(times, dtype="datetime64[ns]")
    in_train = _in_period(times, train)
    rows = []
    for i, (p_train, p_test) in enumerate(backtest_folds(train, test_days=test_days), start=1):
        sel_tr = in_train & _in_period(times, p_train)
        sel_te = in_train & _in_period(times, p_test)
        tr = _training(grid, inside, x, y, weights, sel_tr)
        te = counts.count_xy(grid, x[sel_te], y[sel_te], inside=inside,
                             weights=None if weights is None else weights[sel_te])
        if tr.x.size < MIN_TRAIN or te.n_incidents < MIN_TEST:
            continue
        test_values = te.values[inside]
        for m in candidates:
            score = SCORERS[m](tr)[inside]
            pai = hit_table(score, test_values, fractions=[KEY_FRACTION])["pai"].iloc[0]
            rows.append({"method": m, "fold": i, "pai": float(pai)})
    bt = pd.DataFrame(rows, columns=["method", "fold", "pai"])
    if bt.empty:
        reason = ("Pas assez d'historique dans la période d'apprentissage pour comparer les "
                  "méthodes : la méthode de référence (faits de la période précédente) est "
                  "retenue.")
        return "derniere_periode", bt, reason
    mean = bt.groupby("method", sort=False)["pai"].mean()
    best = max(candidates, key=lambda m: (round(mean.get(m, -np.inf), 9),
                                          -candidates.index(m)))
    n_folds = bt["fold"].nunique()
    reference = "derniere_periode"
    if best != reference and reference in candidates:
        # Last period's counts are a strong, simple baseline: another method is preferred
        # only when it beat it in every backtest fold and by at least MIN_GAIN on average,
        # so a noise-level win in the past does not become a loss on the scored period.
        pivot = bt.pivot(index="fold", columns="method", values="pai")
        beats_every_fold = bool((pivot[best] >= pivot[reference]).all())
        clear_gain = mean[best] >= (1 + MIN_GAIN) * mean[reference]
        if not (beats_every_fold and clear_gain):
            ref_pai = _format.number(mean[reference], decimals=2)
            best_pai = _format.number(mean[best], decimals=2)
            reason = (f"Aucune méthode n'a battu nettement la référence (faits de la période "
                      f"précédente) sur les {n_folds} découpage(s) de la période "
                      f"d'apprentissage (PAI moyen à 5 % : {ref_pai} contre "
                      f"{best_pai} pour la meilleure autre) : la référence est "
                      "retenue. La période évaluée n'a pas servi au choix.")
            return reference, bt, reason
    best_pai = _format.number(mean[best], decimals=2)
    reason = (f"Méthode retenue par essai sur {n_folds} découpage(s) de la période "
              f"d'apprentissage seulement (PAI moyen à 5 % : {best_pai}), sans "
              "regarder la période évaluée.")
    return best, bt, reason


def evaluate_xy(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
                times: np.ndarray, *, train: Period, test: Period,
                weights: np.ndarray | None = None,
                fractions: Iterable[float] = AREA_FRACTIONS,
                methods: Iterable[str] = METHODS, min_train: int = MIN_TRAIN,
                min_test: int = MIN_TEST) -> ForecastReport:
    """Score every method trained on ``train`` against ``test`` (projected points).

    Parameters
    ----------
    grid, inside
        Square grid (metric CRS) and the flat mask of the territory's cells.
    x, y
        Incident positions, metres in the grid's CRS.
    times
        Incident dates (datetime64).
    train, test
        ``(start, end)`` periods, end excluded; the test must start after training ends.

    Raises
    ------
    EmptySelectionError
        Periods out of order or empty, too few incidents in either period.
    """
    check_periods(train, test)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    times = np.asarray(times, dtype="datetime64[ns]")
    sel_tr = _in_period(times, train)
    sel_te = _in_period(times, test)
    w = None if weights is None else np.asarray(weights, dtype=float)
    tr = _training(grid, inside, x, y, w, sel_tr)
    train_counts = counts.count_xy(grid, tr.x, tr.y, inside=inside, weights=tr.weights)
    te = counts.count_xy(grid, x[sel_te], y[sel_te], inside=inside,
                         weights=None if w is None else w[sel_te])
    if train_counts.n_incidents < min_train:
        raise counts.not_enough(train_counts.n_incidents, minimum=min_train,
                                what="faits dans la période d'apprentissage")
    if te.n_incidents < min_test:
        raise counts.not_enough(te.n_incidents, minimum=min_test,
                                what="faits dans la période évaluée")
    methods = list(methods)
    test_days = (pd.Timestamp(test[1]) - pd.Timestamp(test[0])) / pd.Timedelta(days=1)
    # The recommendation sees the training incidents only.
    recommended, bt, reason = recommend(grid, inside, x[sel_tr], y[sel_tr], times[sel_tr],
                                        train=train, test_days=test_days,
                                        weights=None if w is None else w[sel_tr],
                                        methods=methods)
    test_values = te.values[inside]
    train_values = train_counts.values[inside]
    frames = []
    for m in methods:
        score = SCORERS[m](tr)[inside]
        tab = hit_table(score, test_values, train_counts=train_values, fractions=fractions)
        tab.insert(0, "method", m)
        tab.insert(1, "label", METHOD_LABELS[m])
        tab.insert(2, "baseline", m in BASELINES)
        frames.append(tab)
    notes = []
    if train_counts.n_outside or te.n_outside:
        notes.append(f"{train_counts.n_outside + te.n_outside} fait(s) sans position, hors du "
                     "territoire ou dans une cellule de bord dont le centre est hors du "
                     "territoire ont été ignorés.")
    return ForecastReport(
        pd.concat(frames, ignore_index=True), recommended, bt, reason,
        train_counts.n_incidents, te.n_incidents, float(grid.cell_m), int(inside.sum()),
        (pd.Timestamp(train[0]), pd.Timestamp(train[1])),
        (pd.Timestamp(test[0]), pd.Timestamp(test[1])), tuple(notes))


def forecast_accuracy(incidents: gpd.GeoDataFrame, territory: gpd.GeoDataFrame, *,
                      train: Period, test: Period,
                      cell_size_m: float = config.HOTSPOT_CELL_M,
                      weights: str | np.ndarray | None = None, column: str = "occurred_at",
                      fractions: Iterable[float] = AREA_FRACTIONS,
                      min_train: int = MIN_TRAIN, min_test: int = MIN_TEST) -> ForecastReport:
    """Score every method on a layer of incidents (any CRS) over a territory.

    Cells are squares of ``cell_size_m`` metres in the territory's metric CRS.

    Raises
    ------
    EmptySelectionError
        Empty selection, too few incidents, periods out of order, cells larger than the
        territory or finer than the data's precision.
    """
    check_periods(train, test)
    if incidents.empty:
        raise counts.not_enough(0, minimum=min_train)
    grid = cells.grid_for(territory, cell_size_m=cell_size_m)
    counts.check_precision(incidents, cell_size_m)
    inside = cells.inside_mask(grid, territory)
    x, y = counts.points_xy(incidents, epsg=grid.epsg)
    times = pd.to_datetime(incidents[column], errors="coerce").to_numpy("datetime64[ns]")
    w = counts.incident_weights(incidents, weights)
    return evaluate_xy(grid, inside, x, y, times, train=train, test=test, weights=w,
                       fractions=fractions, min_train=min_train, min_test=min_test)


def from_view(view: object, *, train: Period, test: Period,
              categories: Iterable[str] | None = None,
              cell_size_m: float = config.HOTSPOT_CELL_M) -> ForecastReport:
    """Score the incidents a role sees over both periods (see :func:`forecast_accuracy`).

    ``view`` is a :class:`clspd_geo.access.view.RoleView`: the role's released incidents
    (aggregated ones on their zone's point, as on its maps) are what is scored.
    """
    check_periods(train, test)
    start = min(pd.Timestamp(train[0]), pd.Timestamp(test[0])).date()
    end = max(pd.Timestamp(train[1]), pd.Timestamp(test[1])).date()
    cats = tuple(categories) if categories is not None else tuple(vocab.category_codes())
    incidents = view.incident_points(Selection(start, end, cats))
    return forecast_accuracy(incidents, view.layer("territoire"), train=train, test=test,
                             cell_size_m=cell_size_m)


def format_report(report: ForecastReport) -> str:
    """Return the report as a French text table (one line per method and area fraction)."""
    t0, t1 = report.train
    s0, s1 = report.test
    day = pd.Timedelta(days=1)
    lines = [
        f"Apprentissage : du {t0:%d/%m/%Y} au {t1 - day:%d/%m/%Y} ({report.n_train} faits) ; "
        f"évaluation : du {s0:%d/%m/%Y} au {s1 - day:%d/%m/%Y} ({report.n_test} faits).",
        f"Cellules de {report.cell_size_m:g} m, {report.n_cells} cellules dans le territoire.",
        "",
        f"{'méthode':<22} {'surface':>8} {'réussite':>9} {'PAI':>6} {'PEI':>5}",
    ]
    for _, r in report.table.iterrows():
        mark = " *" if r["method"] == report.recommended else ""
        lines.append(f"{r['method']:<22} {r['area_pct']:>7g} % {r['hit_rate_pct']:>7.1f} % "
                     f"{r['pai']:>6.2f} {r['pei']:>5.2f}{mark}")
    lines += ["", f"Méthode recommandée (*) : {report.recommended} — "
              f"{METHOD_LABELS[report.recommended]}.", report.reason, report.sentence()]
    lines += list(report.notes)
    return "\n".join(lines)


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


PLAIN_FRENCH = (
    "Comment lire ce tableau : on calcule les points chauds sur une période passée "
    "(apprentissage), puis on regarde où se sont produits les faits du mois suivant. Le taux "
    "de réussite est la part de ces faits tombée dans les zones les plus chaudes ; le PAI "
    "divise ce taux par la part du territoire couverte (1 = pas mieux que le hasard, 5 = "
    "cinq fois mieux) ; le PEI compare au meilleur choix possible de zones de même surface "
    "(1 = parfait). Deux références servent de témoins : reprendre simplement les faits de "
    "la période précédente, et le hasard. La méthode recommandée est choisie en rejouant "
    "l'exercice sur des mois plus anciens, jamais sur le mois évalué."
)


def summary_table(report: ForecastReport) -> pd.DataFrame:
    """Return a French display table: one row per method, hit rate and PAI per area share."""
    t = report.table
    out = pd.DataFrame({"Méthode": [METHOD_LABELS[m] for m in METHODS
                                     if m in set(t["method"])]})
    methods = [m for m in METHODS if m in set(t["method"])]
    for pct in sorted(set(t["area_pct"])):
        sub = t[np.isclose(t["area_pct"], pct)].set_index("method")
        out[f"Réussite {pct:g} % (%)"] = [round(sub.loc[m, "hit_rate_pct"], 1) for m in methods]
        out[f"PAI {pct:g} %"] = [round(sub.loc[m, "pai"], 2) for m in methods]
    out["Recommandée"] = ["oui" if m == report.recommended else "" for m in methods]
    return out
