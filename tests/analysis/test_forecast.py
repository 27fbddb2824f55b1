"""Tests of forecast accuracy (hit rate, PAI, PEI, RRI) and of the recommended method."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from clspd_geo.analysis import cells, forecast
from clspd_geo.errors import EmptySelectionError


def test_perfect_forecast_reaches_the_theoretical_maximum():
    rng = np.random.default_rng(0)
    test = rng.poisson(rng.gamma(0.3, 5, 1000)).astype(float)
    tab = forecast.hit_table(test, test)
    for _, r in tab.iterrows():
        k = int(r["cells"])
        top = np.sort(test)[::-1][:k].sum()
        assert r["pei"] == pytest.approx(1.0)
        assert r["pai"] == pytest.approx((top / test.sum()) / (k / 1000))


def test_uniform_forecast_scores_chance_exactly():
    rng = np.random.default_rng(1)
    test = rng.poisson(2.0, 500).astype(float)
    tab = forecast.hit_table(np.ones(500), test)
    np.testing.assert_allclose(tab["pai"], 1.0)
    np.testing.assert_allclose(tab["hit_rate_pct"], tab["area_pct_actual"])


def test_hand_computed_hits_with_ties():
    scores = np.array([5.0, 3, 3, 3, 0, 0, 0, 0, 0, 0])
    test = np.array([1.0, 2, 0, 4, 0, 0, 3, 0, 0, 0])
    tab = forecast.hit_table(scores, test, train_counts=np.array([5.0, 3, 3, 3, 0, 0, 0, 0,
                                                                  0, 0]), fractions=[0.2])
    r = tab.iloc[0]
    # Top 2 cells: cell 0 (1 incident) + one of three tied cells (6 incidents / 3).
    assert r["hits"] == pytest.approx(3.0)
    assert r["hit_rate_pct"] == pytest.approx(30.0)
    assert r["pai"] == pytest.approx(1.5)
    assert r["pei"] == pytest.approx(3 / 7)
    assert r["rri"] == pytest.approx(0.3 / (8 / 14))


def test_periods_must_be_in_order():
    with pytest.raises(EmptySelectionError, match="commence avant la fin"):
        forecast.check_periods(("2024-01-01", "2024-02-01"), ("2024-01-15", "2024-03-01"))
    with pytest.raises(EmptySelectionError, match="vide"):
        forecast.check_periods(("2024-02-01", "2024-01-01"), ("2024-02-01", "2024-03-01"))


def test_backtest_folds_stay_inside_training():
    # Three weeks of training, a week to score: slices shortened to 21 / 4 days so that
    # three folds fit, each with at least as much history as it lasts.
    folds = forecast.backtest_folds(("2016-08-01", "2016-08-22"), test_days=7)
    assert len(folds) == 3
    for (tr0, tr1), (te0, te1) in folds:
        assert tr0 == pd.Timestamp("2016-08-01") and tr1 == te0
        assert te1 <= pd.Timestamp("2016-08-22")
        assert te1 - te0 == pd.Timedelta(hours=126)
        assert tr1 - tr0 >= te1 - te0
    assert folds[0][1][1] == pd.Timestamp("2016-08-22")
    year = forecast.backtest_folds(("2012-01-01", "2013-01-01"), test_days=365)
    assert len(year) == 3
    assert year[-1][1][0] == pd.Timestamp("2012-04-01 12:00")  # 2012: 366 days / 4


def test_backtest_folds_are_calendar_months_for_a_monthly_test():
    folds = forecast.backtest_folds(("2025-10-01", "2026-10-01"),
                                    test=("2026-10-01", "2026-11-01"))
    assert len(folds) == forecast.MAX_FOLDS == 6
    assert [f[1][0].month for f in folds] == [9, 8, 7, 6, 5, 4]
    assert all(f[1][1] == (f[1][0] + pd.offsets.MonthBegin(1)) for f in folds)
    # Three months of history: two folds (each month needs a month before it).
    short = forecast.backtest_folds(("2026-07-01", "2026-10-01"),
                                    test=("2026-10-01", "2026-11-01"))
    assert [f[1][0] for f in short] == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-08-01")]


def _synthetic(seed: int = 0, n: int = 4000):
    """Incidents around a few stable hotspots over 4 months, on a 2 km square."""
    rng = np.random.default_rng(seed)
    centres = np.array([[400, 400], [1500, 600], [900, 1600]])
    k = rng.integers(0, 3, n)
    x = centres[k, 0] + rng.normal(0, 120, n)
    y = centres[k, 1] + rng.normal(0, 120, n)
    noise = rng.random(n) < 0.3
    x[noise], y[noise] = rng.uniform(0, 2000, noise.sum()), rng.uniform(0, 2000, noise.sum())
    x, y = np.clip(x, 1, 1999), np.clip(y, 1, 1999)
    t = np.datetime64("2024-01-01") + rng.integers(0, 121, n).astype("timedelta64[D]")
    grid = cells.Grid(0.0, 0.0, 100.0, 20, 20, 2154)
    return grid, np.ones(grid.n_cells, dtype=bool), x, y, t


def test_evaluation_on_synthetic_hotspots():
    grid, inside, x, y, t = _synthetic()
    rep = forecast.evaluate_xy(grid, inside, x, y, t, train=("2024-01-01", "2024-04-01"),
                               test=("2024-04-01", "2024-05-01"))
    assert set(rep.table["method"]) == set(forecast.METHODS)
    uni = rep.table[rep.table["method"] == "uniforme"]
    np.testing.assert_allclose(uni["pai"], 1.0)
    assert rep.row("derniere_periode")["pai"] > 2
    assert rep.recommended in forecast.METHODS and rep.recommended != "uniforme"
    assert not rep.backtest.empty
    assert "PAI" in rep.sentence() and "%" in rep.sentence()
    json.dumps(rep.to_dict())


def test_recommendation_never_looks_at_the_test_period():
    grid, inside, x, y, t = _synthetic(seed=2)
    train, test = ("2024-01-01", "2024-04-01"), ("2024-04-01", "2024-05-01")
    a = forecast.evaluate_xy(grid, inside, x, y, t, train=train, test=test)
    # Move every test incident elsewhere: the figures change, the choice must not.
    in_test = t >= np.datetime64("2024-04-01")
    x2, y2 = x.copy(), y.copy()
    x2[in_test], y2[in_test] = 1990.0 - x[in_test], 1990.0 - y[in_test]
    b = forecast.evaluate_xy(grid, inside, x2, y2, t, train=train, test=test)
    assert a.recommended == b.recommended
    pd.testing.assert_frame_equal(a.backtest, b.backtest)
    assert not np.allclose(a.table["pai"], b.table["pai"])


def test_too_few_incidents():
    grid, inside, x, y, t = _synthetic(n=60)
    with pytest.raises(EmptySelectionError, match="Pas assez de données"):
        forecast.evaluate_xy(grid, inside, x, y, t, train=("2024-01-01", "2024-04-01"),
                             test=("2024-04-01", "2024-05-01"))


def test_forecast_accuracy_on_a_layer(points_factory):
    grid, inside, x, y, t = _synthetic(n=2000)
    x0, y0 = 650_000.0, 6_860_000.0
    inc = points_factory(list(zip(x0 + x, y0 + y, strict=True)), occurred_at=pd.to_datetime(t))
    terr = gpd.GeoDataFrame(geometry=[box(x0, y0, x0 + 2000, y0 + 2000)], crs=2154).to_crs(4326)
    rep = forecast.forecast_accuracy(inc, terr, train=("2024-01-01", "2024-04-01"),
                                     test=("2024-04-01", "2024-05-01"), cell_size_m=200)
    assert rep.n_train + rep.n_test == 2000
    assert rep.cell_size_m == 200
    with pytest.raises(EmptySelectionError, match="plus grandes que le territoire"):
        forecast.forecast_accuracy(inc, terr, train=("2024-01-01", "2024-04-01"),
                                   test=("2024-04-01", "2024-05-01"), cell_size_m=10_000)


# -- real data ----------------------------------------------------------------------------
def _report_line(name: str, rep: forecast.ForecastReport) -> str:
    rec = rep.row(rep.recommended)
    base = rep.row("derniere_periode")
    return (f"{name}: recommended {rep.recommended} PAI@5% = {rec['pai']:.3f} "
            f"(hit rate {rec['hit_rate_pct']:.1f} %), last-period baseline PAI@5% = "
            f"{base['pai']:.3f} (hit rate {base['hit_rate_pct']:.1f} %)")


def test_paris_accidents_2012_to_2013(shared_data):
    frames = []
    for year in (2012, 2013):
        df = pd.read_csv(shared_data / "accidents" / f"paris_accidents_{year}.csv.gz")
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    df["occurred_at"] = pd.to_datetime(df["date"] + " " + df["heure"].fillna("00:00"),
                                       errors="coerce")
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    paris = gpd.read_file(shared_data / "boundaries" / "communes-75-paris.geojson")
    rep = forecast.forecast_accuracy(inc, paris, train=("2012-01-01", "2013-01-01"),
                                     test=("2013-01-01", "2014-01-01"))
    print(_report_line("Paris accidents 2012 -> 2013, 200 m cells", rep))
    assert rep.n_train > 6000 and rep.n_test > 6000
    assert rep.row(rep.recommended)["pai"] >= rep.row("derniere_periode")["pai"] - 1e-9
    assert rep.row("derniere_periode")["pai"] > 3


def test_portland_weeks_1_3_to_week_4(shared_data):
    df = pd.read_csv(shared_data / "crime" / "portland_cfs_2016-08.csv.gz")
    df = df.dropna(subset=["lon", "lat"])
    df["occurred_at"] = pd.to_datetime(df["occ_date"])
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    districts = gpd.read_file(shared_data / "crime" / "portland_police_districts.geojson")
    rep = forecast.forecast_accuracy(inc, districts, train=("2016-08-01", "2016-08-22"),
                                     test=("2016-08-22", "2016-08-29"))
    print(_report_line("Portland calls weeks 1-3 -> week 4, 200 m cells", rep))
    assert rep.row(rep.recommended)["pai"] >= rep.row("derniere_periode")["pai"] - 1e-9
    assert rep.row("derniere_periode")["pai"] > 3


# -- command line ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from clspd_geo import demo
    from clspd_geo.store import open_store

    path = tmp_path_factory.mktemp("forecast") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=3, n_incidents=8000)
    return path


def test_cli_forecast_prints_table_and_json(demo_store, capsys):
    from clspd_geo.cli import main as cli

    args = ["forecast", "--store", str(demo_store), "--train", "2025-01-01", "2025-09-30",
            "--test", "2025-10-01", "2025-12-31"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "derniere_periode" in out and "PAI" in out and "Méthode recommandée" in out
    assert cli.main(args + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recommended"] in forecast.METHODS
    fractions = {r["area_pct"] for r in data["results"]}
    assert fractions == {1.0, 2.0, 5.0, 10.0, 20.0}
    assert data["test"] == ["2025-10-01", "2026-01-01"]


@pytest.mark.parametrize(("extra", "needle"), [
    (["--test", "2025-09-01", "2025-10-31"], "commence avant"),
    (["--categories", "signalement_radicalisation", "--test", "2025-10-01", "2025-10-02"],
     "Pas assez de données"),
    (["--cell-m", "100000", "--test", "2025-10-01", "2025-12-31"], "plus grandes"),
    (["--categories", "inconnue", "--test", "2025-10-01", "2025-12-31"], "inconnue"),
    (["--cell-m", "0", "--test", "2025-10-01", "2025-12-31"], "strictement positi"),
])
def test_cli_forecast_bad_input(demo_store, capsys, extra, needle):
    from clspd_geo.cli import main as cli

    # The operator's full read (the default, public, sees no radicalisation fact at all).
    args = ["forecast", "--store", str(demo_store), "--role", "exploitant",
            "--train", "2025-01-01", "2025-09-30"]
    assert cli.main(args + extra) == 2
    captured = capsys.readouterr()
    assert needle in captured.err
    assert "Traceback" not in captured.err


def test_monthly_periods():
    import datetime as dt

    train, test = forecast.monthly_periods(dt.date(2026, 11, 1))
    assert test == (dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1))
    assert train == (dt.datetime(2025, 10, 1), dt.datetime(2026, 10, 1))
    # A period ending mid-month scores the last whole month; history starts with the data.
    train, test = forecast.monthly_periods(dt.date(2026, 10, 15), first=dt.date(2026, 3, 3))
    assert test == (dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1))
    assert train[0] == dt.datetime(2026, 3, 1)
    forecast.check_periods(train, test)


def test_summary_table_and_sentence():
    grid, inside, x, y, t = _synthetic(seed=5)
    rep = forecast.evaluate_xy(grid, inside, x, y, t, train=("2024-01-01", "2024-04-01"),
                               test=("2024-04-01", "2024-05-01"))
    tab = forecast.summary_table(rep)
    assert len(tab) == len(forecast.METHODS)
    assert (tab["Recommandée"] == "oui").sum() == 1
    assert "PAI 5 %" in tab.columns and "Réussite 20 % (%)" in tab.columns
    rec = rep.row(rep.recommended)
    assert tab.loc[tab["Recommandée"] == "oui", "PAI 5 %"].iloc[0] == round(rec["pai"], 2)
    text = rep.sentence(next_period="du mois suivant")
    assert "du mois suivant" in text
    assert f"{rec['hit_rate_pct']:.0f} % des faits" in text
    assert "PAI" in forecast.PLAIN_FRENCH
    # The backtest spread of each method, in words, beside its fold mean.
    stats = rep.fold_stats()
    row = tab[tab["Recommandée"] == "oui"].iloc[0]
    lo = f"{stats.loc[rep.recommended, 'pai_min']:.1f}".replace(".", ",")
    hi = f"{stats.loc[rep.recommended, 'pai_max']:.1f}".replace(".", ",")
    assert row["PAI 5 % sur les essais"] == f"entre {lo} et {hi} selon les mois"
    assert row["PAI 5 % moyen des essais"] == round(stats.loc[rep.recommended, "pai_mean"], 2)


def _smooth_blobs(seed: int, n_per_month: int, months: int = 4):
    """Few incidents from wide blobs on small cells: single counts are noisy, smoothing helps."""
    rng = np.random.default_rng(seed)
    n = n_per_month * months
    centres = np.array([[600, 600], [1400, 1300]])
    k = rng.integers(0, 2, n)
    x = np.clip(centres[k, 0] + rng.normal(0, 250, n), 1, 1999)
    y = np.clip(centres[k, 1] + rng.normal(0, 250, n), 1, 1999)
    t = np.datetime64("2024-01-01") + rng.integers(0, 30 * months, n).astype("timedelta64[D]")
    grid = cells.Grid(0.0, 0.0, 50.0, 40, 40, 2154)
    return grid, np.ones(grid.n_cells, dtype=bool), x, y, t


def test_recommendation_is_the_best_fold_mean_that_beats_the_reference():
    grid, inside, x, y, t = _smooth_blobs(seed=11, n_per_month=150, months=6)
    train, test = ("2024-01-01", "2024-06-01"), ("2024-06-01", "2024-07-01")
    res = forecast.run_backtest(grid, inside, x, y, t, train=train, test=test)
    mean = res.table.groupby("method")["pai"].mean()
    pivot = res.table.pivot(index="fold", columns="method", values="pai")
    assert res.recommended != "derniere_periode"
    assert res.fold_unit == "mois" and "mois d'essai" in res.reason
    ref = mean["derniere_periode"]
    passing = [m for m in mean.index if m != "derniere_periode"
               and mean[m] >= (1 + forecast.MIN_GAIN) * ref
               and (pivot[m] >= pivot["derniere_periode"]).mean() >= forecast.WIN_SHARE]
    assert res.recommended == max(passing, key=mean.get)
    assert res.table["fold"].nunique() == 4  # Feb..May, each with a month before it
    assert "trop peu" not in res.reason
    # The combination is scored leave-one-fold-out and its weights sum to 1.
    assert set(res.table["method"]) >= {"combinaison", "melange"}
    assert abs(sum(res.blend) - 1) < 1e-9


def test_reference_is_recommended_when_nothing_beats_it():
    # Tight hotspots on 100 m cells: the wide default kernel gains nothing that counts.
    grid, inside, x, y, t = _synthetic(seed=4)
    train, test = ("2024-01-01", "2024-04-01"), ("2024-04-01", "2024-05-01")
    res = forecast.run_backtest(grid, inside, x, y, t, train=train, test=test,
                                methods=["derniere_periode", "uniforme", "densite"])
    mean = res.table.groupby("method")["pai"].mean()
    assert mean["densite"] < (1 + forecast.MIN_GAIN) * mean["derniere_periode"]
    assert res.recommended == "derniere_periode"
    assert "Aucune méthode n'a battu la référence" in res.reason


def test_too_few_folds_says_so():
    grid, inside, x, y, t = _smooth_blobs(seed=11, n_per_month=150)
    # Three months of history before a monthly test: two folds only.
    chosen, bt, reason = forecast.recommend(grid, inside, x, y, t,
                                            train=("2024-01-01", "2024-04-01"), test_days=30)
    assert bt["fold"].nunique() == 2
    assert "trop peu de données" in reason
    # With no usable history, the reference is kept and the reason says so.
    chosen, bt, reason = forecast.recommend(grid, inside, x[:20], y[:20], t[:20],
                                            train=("2024-01-01", "2024-04-01"), test_days=30)
    assert chosen == "derniere_periode" and bt.empty and "historique" in reason
    assert "trop peu de données" in reason


def test_report_fold_spread_sentence():
    grid, inside, x, y, t = _smooth_blobs(seed=3, n_per_month=150, months=6)
    rep = forecast.evaluate_xy(grid, inside, x, y, t, train=("2024-01-01", "2024-06-01"),
                               test=("2024-06-01", "2024-07-01"))
    stats = rep.fold_stats()
    bt = rep.backtest[rep.backtest["method"] == rep.recommended]
    assert stats.loc[rep.recommended, "pai_min"] == bt["pai"].min()
    assert stats.loc[rep.recommended, "pai_max"] == bt["pai"].max()
    text = rep.spread_sentence()
    lo = f"{bt['pai'].min():.1f}".replace(".", ",")
    hi = f"{bt['pai'].max():.1f}".replace(".", ",")
    assert f"va de {lo} à {hi} selon les mois" in text
    assert rep.n_folds == 4
    json.dumps(rep.to_dict())
