"""Tests of the demo road accidents."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from clspd_geo import demo, vocab


def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


def _share(mask: pd.Series) -> float:
    return float(mask.mean())


def test_accidents(small):
    acc = small["accidents"]
    assert 500 <= len(acc) <= 700
    victims = acc["killed"] + acc["hospitalised"] + acc["slightly_injured"]
    assert (victims >= 1).all()
    assert (acc[["killed", "hospitalised", "slightly_injured"]] >= 0).all().all()
    fatal = (acc["killed"] > 0).mean()
    assert 0 < fatal < 0.06
    serious = ((acc["hospitalised"] > 0) & (acc["killed"] == 0)).mean()
    assert 0.12 <= serious <= 0.25
    users = acc["user_types"].str.split(";").explode()
    assert set(users) <= set(vocab.ROAD_USERS)
    assert {"pieton", "velo", "deux_roues_motorise", "vl"} <= set(users)
    assert acc["occurred_at"].between(pd.Timestamp(demo.PERIOD_START),
                                      pd.Timestamp(demo.PERIOD_END)).all()
    hour = acc["occurred_at"].dt.hour
    assert _share(hour.between(16, 19)) > _share(hour.between(3, 6)) * 2
    roads = _l93(small["voies"])
    mains = shapely.union_all(roads[roads["kind"] == "principale"].geometry.to_numpy())
    assert (_l93(acc).distance(mains) < 40).mean() > 0.7
