"""Forecast accuracy on held-out real data: PAI and PEI at 5 % per method, with spreads.

Run from the repository root: ``.venv/bin/python benchmarks/bench_forecast.py
[--data ../shared/data]``. Prints tables; asserts nothing.

Cases (the shared real samples, never copied into the repository):

- Paris road accidents, trained on 2012, scored on the whole of 2013 (one split);
- Paris road accidents, each month of 2013 scored from the 12 months before it (12 held-out
  folds, rolling origin, as the app's panel does);
- Portland calls for service, August 2016, each of the weeks starting 8, 15 and 22 August
  scored from the days of August before it (3 held-out folds).

In every held-out fold the recommendation and the blend weights are chosen by the library's
own backtest inside that fold's training period only. "recommandée" is the method the
library recommended in each fold. Cells are 200 m squares over the city.

Each case also prints the PEI *ceiling*: the PEI of a forecaster that knew the true
intensity, when the scored period's counts are Poisson draws from it (the ideal 5 % is
picked after the facts, so chance alone keeps the PEI below 1).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clspd_geo.analysis import backtest, cells, counts, forecast  # noqa: E402

CEILING_DRAWS = 200


def paris(folder: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    frames = [pd.read_csv(folder / "accidents" / f"paris_accidents_{y}.csv.gz")
              for y in (2012, 2013)]
    df = pd.concat(frames, ignore_index=True).dropna(subset=["lon", "lat"])
    df["occurred_at"] = pd.to_datetime(df["date"] + " " + df["heure"].fillna("00:00"),
                                       errors="coerce")
    inc = gpd.GeoDataFrame(df[["occurred_at"]],
                           geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    terr = gpd.read_file(folder / "boundaries" / "communes-75-paris.geojson")
    return inc, terr


def portland(folder: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    df = pd.read_csv(folder / "crime" / "portland_cfs_2016-08.csv.gz").dropna(
        subset=["lon", "lat"])
    df["occurred_at"] = pd.to_datetime(df["occ_date"])
    inc = gpd.GeoDataFrame(df[["occurred_at"]],
                           geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    terr = gpd.read_file(folder / "crime" / "portland_police_districts.geojson")
    return inc, terr


def prepared(inc: gpd.GeoDataFrame, terr: gpd.GeoDataFrame, cell_m: float = 200.0):
    grid = cells.grid_for(terr, cell_size_m=cell_m)
    inside = cells.inside_mask(grid, terr)
    x, y = counts.points_xy(inc, epsg=grid.epsg)
    t = inc["occurred_at"].to_numpy("datetime64[ns]")
    return grid, inside, x, y, t


def cell_counts(data, period) -> np.ndarray:
    """Incidents per cell of the territory in ``[start, end)``."""
    grid, inside, x, y, t = data
    m = (t >= np.datetime64(pd.Timestamp(period[0]))) & (t < np.datetime64(pd.Timestamp(period[1])))
    idx = grid.cell_index(x[m], y[m])
    return np.bincount(idx[idx >= 0], minlength=grid.n_cells).astype(float)[inside]


def pei_ceiling(data, train, test, *, seed: int = 0) -> tuple[float, float, float]:
    """PEI at 5 % of a forecaster that knew the true intensity, under Poisson chance.

    The "true" intensity is taken as the mean of the training and the scored period's
    shares per cell (a favourable oracle: it has seen the scored period); scored periods
    are drawn from it as Poisson counts and ranked by the intensity itself. Returns the
    mean and the 5th and 95th percentiles over the draws: the PEI that no forecast can be
    expected to exceed, because the best possible 5 % is chosen after the facts.
    """
    a, b = cell_counts(data, train), cell_counts(data, test)
    lam = (a / a.sum() + b / b.sum()) / 2 * b.sum()
    rng = np.random.default_rng(seed)
    peis = [backtest.pai_pei(lam, rng.poisson(lam), fraction=0.05)[1]
            for _ in range(CEILING_DRAWS)]
    return float(np.mean(peis)), float(np.percentile(peis, 5)), float(np.percentile(peis, 95))


def run(name: str, data, splits) -> None:
    grid, inside, x, y, t = data
    rows = []
    t0 = time.perf_counter()
    for train, test in splits:
        rep = forecast.evaluate_xy(grid, inside, x, y, t, train=train, test=test)
        for m in forecast.METHODS:
            r = rep.row(m)
            rows.append({"fold": str(pd.Timestamp(test[0]).date()), "method": m,
                         "pai": r["pai"], "pei": r["pei"]})
        r = rep.row(rep.recommended)
        rows.append({"fold": str(pd.Timestamp(test[0]).date()), "method": "recommandée",
                     "pai": r["pai"], "pei": r["pei"], "chosen": rep.recommended,
                     "inner": rep.n_folds, "blend": rep.blend})
    secs = time.perf_counter() - t0
    df = pd.DataFrame(rows)
    print(f"\n{name} — {len(splits)} pli(s) évalué(s), {secs:.1f} s")
    print(f"  {'méthode':<20} {'PAI 5 % moy.':>12} {'min–max':>14} {'PEI 5 % moy.':>12} "
          f"{'min–max':>12}")
    for m in [*forecast.METHODS, "recommandée"]:
        sub = df[df["method"] == m]
        print(f"  {m:<20} {sub['pai'].mean():>12.3f} "
              f"{sub['pai'].min():>6.2f} – {sub['pai'].max():<6.2f} "
              f"{sub['pei'].mean():>12.3f} {sub['pei'].min():>5.2f} – {sub['pei'].max():<5.2f}")
    rec = df[df["method"] == "recommandée"]
    base = df[df["method"] == "derniere_periode"].set_index("fold")["pai"]
    wins = int((rec.set_index("fold")["pai"] >= base - 1e-9).sum())
    print(f"  recommandée ≥ référence dans {wins}/{len(rec)} pli(s) ; choix par pli : "
          + ", ".join(f"{f}: {c} ({int(n)} essais)" for f, c, n
                      in zip(rec["fold"], rec["chosen"], rec["inner"], strict=True)))
    ceil = [pei_ceiling(data, train, test) for train, test in splits]
    print(f"  plafond du PEI 5 % si l'intensité vraie était connue (hasard de Poisson, "
          f"{CEILING_DRAWS} tirages) : moy. {np.mean([c[0] for c in ceil]):.3f}, "
          f"{min(c[1] for c in ceil):.2f} – {max(c[2] for c in ceil):.2f}")
    blends = sorted({"/".join(f"{w:.1f}" for w in b) for b in rec["blend"]})
    print("  poids de la combinaison (long terme/récents/lissé fin/lissé large) : "
          + ", ".join(blends))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    p = prepared(*paris(args.data))
    run("Paris, accidents 2012 → 2013 (année entière)", p,
        [(("2012-01-01", "2013-01-01"), ("2013-01-01", "2014-01-01"))])
    months = pd.date_range("2013-01-01", "2013-12-01", freq="MS")
    run("Paris, accidents, chaque mois de 2013 à partir des 12 mois précédents", p,
        [((m - pd.DateOffset(months=12), m), (m, m + pd.DateOffset(months=1))) for m in months])
    q = prepared(*portland(args.data))
    weeks = pd.to_datetime(["2016-08-08", "2016-08-15", "2016-08-22"])
    run("Portland, appels d'août 2016, par semaine", q,
        [((pd.Timestamp("2016-08-01"), w), (w, w + pd.Timedelta(days=7))) for w in weeks])


if __name__ == "__main__":
    main()
