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
with ties broken by the narrow density; a mixture of last period's counts with half
the incidents a 1.5-cell kernel expects in each cell; and a *combination* of long-term
counts, recent counts and two smoothed surfaces whose weights are chosen on the backtest
folds (:func:`clspd_geo.analysis.backtest.choose_blend`). The app *recommends* the
method with the best mean PAI at 5 % over a rolling-origin backtest inside the training
period (:func:`clspd_geo.analysis.backtest.folds`); a method "beats" last period's counts
when its fold mean is :data:`MIN_GAIN` higher and it does as well in :data:`WIN_SHARE` of
the folds; when none does, those counts are recommended and the reason says so; with fewer than
:data:`~clspd_geo.analysis.backtest.MIN_FOLDS` folds the reason says the choice rests on
too little data. The scored (test) period is never looked at to choose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, config, vocab
from clspd_geo.analysis import backtest, cells, counts, density, spatial_stats
from clspd_geo.analysis.selection import Selection
from clspd_geo.errors import EmptySelectionError

AREA_FRACTIONS = backtest.AREA_FRACTIONS
MIN_TRAIN = 30
MIN_TEST = 30
MAX_FOLDS = backtest.MAX_FOLDS
KEY_FRACTION = 0.05
MIN_GAIN = 0.02
"""Relative gain of fold-mean PAI over last period's counts a method needs to "beat" them."""
WIN_SHARE = 2 / 3
"""Share of the folds where a method must do at least as well as last period's counts."""

METHOD_LABELS = {
    "derniere_periode": "Faits de la période précédente (référence)",
    "uniforme": "Hasard (référence)",
    "densite": "Densité lissée (largeur par défaut)",
    "densite_fine": "Densité lissée fine (largeur d'une cellule)",
    "gi_star": "Points chauds Gi*",
    "comptes_departages": "Faits de la période précédente, ex æquo départagés par la densité",
    "melange": "Mélange : faits de la période précédente + moitié de la densité lissée fine",
    "combinaison": "Combinaison pondérée : faits anciens, faits récents et surfaces lissées "
                   "(poids choisis sur les essais)",
}
BASELINES = ("derniere_periode", "uniforme")

Period = tuple[dt.date | dt.datetime, dt.date | dt.datetime]


# -- metrics ---------------------------------------------------------------------------
hit_table = backtest.hit_table


# -- methods ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Training:
    grid: cells.Grid
    inside: np.ndarray
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    recent: np.ndarray | None = None
    """Mask of the training incidents of the last slice (recent counts)."""
    blend: tuple[float, ...] | None = None
    """Weights of :data:`backtest.BLEND_COMPONENTS` for the combination."""


def _counts(t: _Training, sel: np.ndarray | None = None) -> np.ndarray:
    x, y, w = t.x, t.y, t.weights
    if sel is not None:
        x, y, w = x[sel], y[sel], (None if w is None else w[sel])
    return counts.count_xy(t.grid, x, y, inside=t.inside, weights=w).values


def _density(t: _Training, bandwidth_m: float | None) -> np.ndarray:
    h = bandwidth_m or density.default_bandwidth_m(t.x, t.y, cell_size_m=t.grid.cell_m,
                                                   weights=t.weights)
    d = density.kde_grid(t.grid, t.x, t.y, bandwidth_m=h, weights=t.weights, inside=t.inside)
    return np.nan_to_num(d.ravel())


def components(t: _Training) -> np.ndarray:
    """Return the normalised surfaces of :data:`backtest.BLEND_COMPONENTS`, one per row."""
    recent = _counts(t, t.recent) if t.recent is not None else _counts(t)
    return np.vstack([backtest.normalised(_counts(t)), backtest.normalised(recent),
                      backtest.normalised(_density(t, 1.5 * t.grid.cell_m)),
                      backtest.normalised(_density(t, 3.0 * t.grid.cell_m))])


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
    if method == "combinaison":
        w = np.asarray(t.blend if t.blend is not None else (1.0, 0.0, 0.0, 0.0))
        return w @ components(t)
    raise KeyError(method)


SCORERS: dict[str, Callable[[_Training], np.ndarray]] = {
    m: (lambda t, m=m: _score(m, t)) for m in METHOD_LABELS}
METHODS = tuple(METHOD_LABELS)


# -- periods and report ----------------------------------------------------------------
def _ts(value: dt.date | dt.datetime) -> np.datetime64:
    return np.datetime64(pd.Timestamp(value).to_datetime64(), "ns")


check_periods = backtest.check_periods


def backtest_folds(train: Period, *, test_days: float | None = None,
                   test: Period | None = None,
                   max_folds: int = MAX_FOLDS) -> list[tuple[Period, Period]]:
    """Return the rolling-origin ``(pseudo_train, pseudo_test)`` folds inside ``train``.

    See :func:`clspd_geo.analysis.backtest.folds`; ``test_days`` stands for a test period
    of that many days right after ``train`` when ``test`` is not given.
    """
    if test is None:
        t1 = pd.Timestamp(train[1])
        test = (t1, t1 + pd.Timedelta(days=float(test_days or 0)))
    return backtest.folds(train, test=test, max_folds=max_folds)


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
        ``method``, ``fold``, ``fold_start``, ``pai``, ``pei`` at 5 % per pseudo-test
        slice (may be empty); the combination's figures are leave-one-fold-out.
    reason
        French sentence explaining the choice.
    n_train, n_test
        Incidents in each period (inside the territory).
    cell_size_m, n_cells
        Cell side (metres) and number of cells in the territory.
    train, test
        The periods, ``(start, end)`` with the end excluded.
    blend
        Weights of the combination (:data:`backtest.BLEND_COMPONENTS`), chosen on the folds.
    fold_unit
        What a fold is called in French (« mois », « découpages »).
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
    blend: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0)
    fold_unit: str = "découpages"

    @property
    def n_folds(self) -> int:
        """Number of backtest folds the recommendation rests on."""
        return int(self.backtest["fold"].nunique()) if len(self.backtest) else 0

    def row(self, method: str, fraction: float = KEY_FRACTION) -> pd.Series:
        """Return the row of one method at one area fraction."""
        t = self.table
        sel = t[(t["method"] == method) & np.isclose(t["area_pct"], 100 * fraction)]
        return sel.iloc[0]

    def fold_stats(self) -> pd.DataFrame:
        """Return per method the backtest mean, min and max of PAI and PEI at 5 %."""
        bt = self.backtest
        if bt.empty:
            return pd.DataFrame(columns=["pai_mean", "pai_min", "pai_max", "pei_mean",
                                         "pei_min", "pei_max", "folds"])
        g = bt.groupby("method", sort=False)
        return pd.DataFrame({"pai_mean": g["pai"].mean(), "pai_min": g["pai"].min(),
                             "pai_max": g["pai"].max(), "pei_mean": g["pei"].mean(),
                             "pei_min": g["pei"].min(), "pei_max": g["pei"].max(),
                             "folds": g["fold"].nunique()})

    def spread_sentence(self, method: str | None = None) -> str:
        """Return « PAI à 5 % entre 7,8 et 8,6 selon les mois (moyenne 8,2 sur 6) »."""
        m = method or self.recommended
        stats = self.fold_stats()
        if m not in stats.index:
            return "Aucun essai sur les périodes passées : pas d'écart à montrer."
        r = stats.loc[m]
        lo, hi, mean = (_format.number(r[c], decimals=1)
                        for c in ("pai_min", "pai_max", "pai_mean"))
        return (f"Sur les essais passés, le PAI à 5 % de « {METHOD_LABELS[m]} » va de {lo} "
                f"à {hi} selon les {self.fold_unit} (moyenne {mean} sur {int(r['folds'])} "
                f"{self.fold_unit}).")

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
        def clean(rec: dict) -> dict:
            return {k: (None if isinstance(v, float) and not np.isfinite(v) else
                        (str(v.date()) if isinstance(v, pd.Timestamp) else v))
                    for k, v in rec.items()}
        return {
            "train": [str(self.train[0].date()), str(self.train[1].date())],
            "test": [str(self.test[0].date()), str(self.test[1].date())],
            "cell_size_m": self.cell_size_m, "n_cells": self.n_cells,
            "n_train": self.n_train, "n_test": self.n_test,
            "recommended": self.recommended,
            "recommended_label": METHOD_LABELS[self.recommended],
            "reason": self.reason,
            "sentence": self.sentence(),
            "blend": dict(zip(backtest.BLEND_COMPONENTS, self.blend, strict=True)),
            "results": [clean(rec) for rec in self.table.to_dict(orient="records")],
            "backtest": [clean(rec) for rec in self.backtest.to_dict(orient="records")],
            "notes": list(self.notes),
        }


def _in_period(times: np.ndarray, period: Period) -> np.ndarray:
    return (times >= _ts(period[0])) & (times < _ts(period[1]))


def _training(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
              weights: np.ndarray | None, sel: np.ndarray, *, times: np.ndarray,
              period: Period, recent_days: float,
              blend: tuple[float, ...] | None = None) -> _Training:
    """Return the training incidents of ``sel``, with the last ``recent_days`` as recent."""
    end = pd.Timestamp(period[1])
    days = min(recent_days, (end - pd.Timestamp(period[0])) / pd.Timedelta(days=1) / 2)
    recent = times[sel] >= _ts(end - pd.Timedelta(days=days))
    return _Training(grid, inside, x[sel], y[sel], None if weights is None else weights[sel],
                     recent, blend)


@dataclass(frozen=True)
class Backtest:
    """The recommendation of a rolling-origin backtest (see :func:`run_backtest`)."""

    recommended: str
    table: pd.DataFrame
    reason: str
    blend: tuple[float, ...]
    fold_unit: str


def _days(period: Period) -> float:
    return (pd.Timestamp(period[1]) - pd.Timestamp(period[0])) / pd.Timedelta(days=1)


def run_backtest(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
                 times: np.ndarray, *, train: Period, test: Period,
                 weights: np.ndarray | None = None,
                 methods: Iterable[str] = METHODS) -> Backtest:
    """Choose a method and the blend weights by rolling-origin backtest inside ``train``.

    Only incidents inside ``train`` are looked at (the caller may pass more; they are
    dropped here), so the period being scored never influences the choice. The method
    with the best mean PAI at 5 % over the folds is recommended; last period's counts
    win ties and stay recommended when nothing beats them by :data:`MIN_GAIN` or more.
    """
    candidates = [m for m in methods if m != "uniforme"]
    if "derniere_periode" in candidates:  # the reference wins ties
        candidates.remove("derniere_periode")
        candidates.insert(0, "derniere_periode")
    times = np.asarray(times, dtype="datetime64[ns]")
    in_train = _in_period(times, train)
    fold_list = backtest_folds(train, test=test)
    unit = backtest.fold_unit(train, test=test)
    rows, comps, tests, used = [], [], [], []
    for i, (p_train, p_test) in enumerate(fold_list, start=1):
        sel_tr = in_train & _in_period(times, p_train)
        sel_te = in_train & _in_period(times, p_test)
        tr = _training(grid, inside, x, y, weights, sel_tr, times=times, period=p_train,
                       recent_days=_days(p_test))
        te = counts.count_xy(grid, x[sel_te], y[sel_te], inside=inside,
                             weights=None if weights is None else weights[sel_te])
        if tr.x.size < MIN_TRAIN or te.n_incidents < MIN_TEST:
            continue
        test_values = te.values[inside]
        for m in candidates:
            if m == "combinaison":
                continue
            pai, pei = backtest.pai_pei(SCORERS[m](tr)[inside], test_values,
                                        fraction=KEY_FRACTION)
            rows.append({"method": m, "fold": i, "fold_start": pd.Timestamp(p_test[0]),
                         "pai": float(pai), "pei": float(pei)})
        comps.append(components(tr)[:, inside])
        tests.append(test_values)
        used.append((i, pd.Timestamp(p_test[0])))
    blend = (1.0, 0.0, 0.0, 0.0)
    if comps and "combinaison" in candidates:
        w, pai, pei = backtest.choose_blend(comps, tests, fraction=KEY_FRACTION)
        blend = tuple(float(v) for v in w)
        rows += [{"method": "combinaison", "fold": i, "fold_start": s, "pai": float(a),
                  "pei": float(b)} for (i, s), a, b in zip(used, pai, pei, strict=True)]
    bt = pd.DataFrame(rows, columns=["method", "fold", "fold_start", "pai", "pei"])
    if bt.empty:
        reason = ("Pas assez d'historique dans la période d'apprentissage pour comparer les "
                  "méthodes : la méthode de référence (faits de la période précédente) est "
                  "retenue ; la recommandation repose sur trop peu de données.")
        return Backtest("derniere_periode", bt, reason, blend, unit)
    mean = bt.groupby("method", sort=False)["pai"].mean()
    n_folds = bt["fold"].nunique()
    reference = "derniere_periode"
    ref_pai = _format.number(mean.get(reference, np.nan), decimals=2)
    pivot = bt.pivot(index="fold", columns="method", values="pai")

    def beats(m: str) -> bool:
        # "Beating" the reference: a fold-mean gain of MIN_GAIN or more, and at least as
        # good in WIN_SHARE of the folds (a noise-level or one-fold win is no better method).
        if m == reference or reference not in mean.index:
            return True
        wins = float((pivot[m] >= pivot[reference]).mean())
        return bool(mean[m] >= (1 + MIN_GAIN) * mean[reference] and wins >= WIN_SHARE)
    ok = [m for m in candidates if m in mean.index and beats(m)] or [reference]
    best = max(ok, key=lambda m: (round(mean.get(m, -np.inf), 9), -candidates.index(m)))
    if best == reference:
        reason = (f"Aucune méthode n'a battu la référence (faits de la période précédente) "
                  f"sur les {n_folds} {unit} d'essai de la période d'apprentissage (il faut "
                  f"{100 * MIN_GAIN:.0f} % de mieux en moyenne et faire aussi bien dans deux "
                  f"tiers des essais ; PAI moyen à 5 % de la référence : {ref_pai}) : la "
                  "référence est recommandée. La période évaluée n'a pas servi au choix.")
    else:
        best_pai = _format.number(mean[best], decimals=2)
        reason = (f"Méthode retenue : la meilleure moyenne sur {n_folds} {unit} d'essai de la "
                  f"période d'apprentissage (PAI moyen à 5 % : {best_pai}, contre {ref_pai} "
                  "pour la référence), sans regarder la période évaluée.")
        if best == "combinaison":
            reason += f" Poids : {backtest.blend_label(blend)}."
    if n_folds < backtest.MIN_FOLDS:
        reason += (f" Attention : la recommandation repose sur trop peu de données "
                   f"({_format.count(n_folds, 'essai')}, il en faut au moins {backtest.MIN_FOLDS}).")
    return Backtest(best, bt, reason, blend, unit)


def recommend(grid: cells.Grid, inside: np.ndarray, x: np.ndarray, y: np.ndarray,
              times: np.ndarray, *, train: Period, test_days: float,
              weights: np.ndarray | None = None,
              methods: Iterable[str] = METHODS) -> tuple[str, pd.DataFrame, str]:
    """Return ``(method, backtest table, reason)`` of :func:`run_backtest`.

    The scored period is taken as ``test_days`` days right after ``train``.
    """
    t1 = pd.Timestamp(train[1])
    res = run_backtest(grid, inside, x, y, times, train=train,
                       test=(t1, t1 + pd.Timedelta(days=test_days)), weights=weights,
                       methods=methods)
    return res.recommended, res.table, res.reason


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
    train_counts = counts.count_xy(grid, x[sel_tr], y[sel_tr], inside=inside,
                                   weights=None if w is None else w[sel_tr])
    te = counts.count_xy(grid, x[sel_te], y[sel_te], inside=inside,
                         weights=None if w is None else w[sel_te])
    if train_counts.n_incidents < min_train:
        raise counts.not_enough(train_counts.n_incidents, minimum=min_train,
                                what="faits dans la période d'apprentissage")
    if te.n_incidents < min_test:
        raise counts.not_enough(te.n_incidents, minimum=min_test,
                                what="faits dans la période évaluée")
    methods = list(methods)
    # The recommendation sees the training incidents only.
    res = run_backtest(grid, inside, x[sel_tr], y[sel_tr], times[sel_tr], train=train,
                       test=test, weights=None if w is None else w[sel_tr], methods=methods)
    tr = _training(grid, inside, x, y, w, sel_tr, times=times, period=train,
                   recent_days=_days(test), blend=res.blend)
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
        notes.append(f"{_format.count(train_counts.n_outside + te.n_outside, 'fait')} sans position, hors du "
                     "territoire ou dans une cellule de bord dont le centre est hors du "
                     "territoire ont été ignorés.")
    return ForecastReport(
        pd.concat(frames, ignore_index=True), res.recommended, res.table, res.reason,
        train_counts.n_incidents, te.n_incidents, float(grid.cell_m), int(inside.sum()),
        (pd.Timestamp(train[0]), pd.Timestamp(train[1])),
        (pd.Timestamp(test[0]), pd.Timestamp(test[1])), tuple(notes), res.blend,
        res.fold_unit)


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


monthly_periods = backtest.monthly_periods


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
    """Return a French display table: one row per method, hit rate and PAI per area share.

    The last columns give the backtest spread of each method's PAI at 5 %
    (« entre 7,8 et 8,6 ») and its mean over the folds.
    """
    t = report.table
    methods = [m for m in METHODS if m in set(t["method"])]
    out = pd.DataFrame({"Méthode": [METHOD_LABELS[m] for m in methods]})
    for pct in sorted(set(t["area_pct"])):
        sub = t[np.isclose(t["area_pct"], pct)].set_index("method")
        out[f"Réussite {pct:g} % (%)"] = [round(sub.loc[m, "hit_rate_pct"], 1) for m in methods]
        out[f"PAI {pct:g} %"] = [round(sub.loc[m, "pai"], 2) for m in methods]
    stats = report.fold_stats()

    def spread(m: str) -> str:
        if m not in stats.index:
            return ""
        lo = _format.number(stats.loc[m, "pai_min"], decimals=1)
        hi = _format.number(stats.loc[m, "pai_max"], decimals=1)
        return f"entre {lo} et {hi} selon les {report.fold_unit}"
    out["PAI 5 % sur les essais"] = [spread(m) for m in methods]
    out["PAI 5 % moyen des essais"] = [round(float(stats.loc[m, "pai_mean"]), 2)
                                       if m in stats.index else np.nan for m in methods]
    out["Recommandée"] = ["oui" if m == report.recommended else "" for m in methods]
    return out
