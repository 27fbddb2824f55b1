"""Tests of the demo incidents: counts, places, rhythms, clusters."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import demo, vocab
from clspd_geo.analysis import areas


def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


def test_incidents_basics(small, n_small):
    inc = small["incidents"]
    assert len(inc) == n_small
    assert inc["incident_id"].iloc[0] == "INC-0000001"
    assert inc["incident_id"].is_unique
    assert set(inc["category"]) == set(vocab.category_codes())
    assert inc["occurred_at"].is_monotonic_increasing
    assert inc["occurred_at"].min() >= pd.Timestamp(demo.PERIOD_START)
    assert inc["occurred_at"].max() <= pd.Timestamp(demo.PERIOD_END)
    assert areas.inside_territory(inc, small["territoire"]).all()
    assert inc["quartier_id"].notna().all()
    expected = areas.assign_quartier(inc, small["quartiers"])
    assert inc["quartier_id"].tolist() == expected.tolist()


def test_points_strictly_inside_the_commune(small):
    terr = small["territoire"].geometry.iloc[0]
    for name in ("incidents", "cameras", "equipements", "accidents"):
        gdf = small[name]
        assert shapely.contains_xy(terr, gdf.geometry.x, gdf.geometry.y).all(), name


def test_category_shares_at_default_size(full):
    inc = full["incidents"]
    assert len(inc) == 20_000
    counts = inc["category"].value_counts()
    assert set(counts.index) == set(vocab.category_codes())
    assert counts.min() >= 10
    top = set(counts.index[:5])
    assert {"tapage", "vol_vehicule", "degradation"} <= top
    rare = counts["signalement_radicalisation"] / len(inc)
    assert rare < 0.005


def _share(mask: pd.Series) -> float:
    return float(mask.mean())


def test_time_rhythms(full):
    inc = full["incidents"]
    t = inc["occurred_at"]
    hour, dow, month = t.dt.hour, t.dt.day_of_week, t.dt.month
    night = hour.isin([22, 23, 0, 1, 2, 3, 4, 5])
    day = hour.isin(range(8, 16))
    tapage = inc["category"] == "tapage"
    assert _share(night[tapage]) > _share(day[tapage])
    rixe = inc["category"] == "rixe"
    # Per day of the week, weekend days (Fri-Sun) weigh more than Monday-Thursday.
    assert _share(dow[rixe] >= 4) / 3 > _share(dow[rixe] < 4) / 4
    scol = inc["category"] == "violences_scolaires"
    assert not month[scol].isin([7, 8]).any()
    assert (dow[scol] < 5).all()
    assert hour[scol].between(7, 18).all()
    camb = inc["category"] == "cambriolage"
    assert _share(hour[camb].between(14, 18)) > 2 * _share(hour[camb].between(2, 6))
    winter_evening = month.isin([11, 12, 1, 2]) & hour.between(17, 20)
    summer_evening = month.isin([5, 6, 7, 8]) & hour.between(17, 20)
    assert winter_evening[camb].sum() > summer_evening[camb].sum()
    rodeo = inc["category"] == "rodeo_motorise"
    assert month[rodeo].isin([6, 7, 8]).sum() > 2 * month[rodeo].isin([12, 1, 2]).sum()
    vif = inc["category"].isin(["violences_intrafamiliales", "violences_conjugales"])
    assert _share(hour[vif].between(18, 23)) > _share(hour[vif].between(6, 11))


def test_year_on_year_changes(full):
    inc = full["incidents"]
    year2 = inc["occurred_at"] >= pd.Timestamp("2025-11-01")
    by_year = inc.groupby([year2, "category"]).size().unstack(0).fillna(0)
    change = (by_year[True] - by_year[False]) / by_year[False]
    big = by_year[False] >= 200
    assert (change[big].abs() > 0.02).sum() >= 4
    assert (change[big] > 0).any() and (change[big] < 0).any()


def test_market_mornings(full):
    inc = _l93(full["incidents"])
    market = _l93(full["equipements"]).query("name.str.startswith('Marché du centre')",
                                            engine="python").geometry.iloc[0]
    near = inc[(inc.distance(market) < 60) & (inc["category"] == "vol_avec_violence")]
    assert len(near) >= 10
    t = near["occurred_at"]
    morning_market = t.dt.day_of_week.isin([2, 5]) & t.dt.hour.between(7, 13)
    assert morning_market.mean() > 0.5


def test_spatial_clusters(full):
    inc = _l93(full["incidents"])
    terr = _l93(full["territoire"]).geometry.iloc[0]
    eq = _l93(full["equipements"])
    gare = eq.query("kind == 'gare'").geometry.iloc[0]
    mean_density = len(inc) / terr.area
    near_gare = (inc.distance(gare) < 250).sum() / (np.pi * 250**2)
    assert near_gare > 3 * mean_density
    q = full["quartiers"]
    tilleuls = q.loc[q["name"] == "Les Tilleuls", "quartier_id"].iloc[0]
    deal = inc[inc["category"] == "point_de_deal"]
    assert (deal["quartier_id"] == tilleuls).mean() > 0.6
    scol = inc[inc["category"] == "violences_scolaires"]
    schools = shapely.union_all(eq[eq["kind"].isin(["college", "lycee", "ecole_elementaire",
                                                     "ecole_maternelle"])].geometry.to_numpy())
    assert (scol.distance(schools) < 200).mean() > 0.9
    qpv_ids = set(q.loc[q["qpv"], "quartier_id"])
    halls = inc[inc["category"] == "occupation_halls"]
    assert halls["quartier_id"].isin(qpv_ids).mean() > 0.8


def test_million_incidents_scale_is_supported():
    """The id format holds 7 digits; a small build shows the padding."""
    inc = demo.build_demo(seed=2, n_incidents=30)["incidents"]
    assert inc["incident_id"].str.fullmatch(r"INC-\d{7}").all()
    assert set(inc["category"]) == set(vocab.category_codes())
