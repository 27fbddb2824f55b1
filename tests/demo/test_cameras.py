"""Tests of the demo cameras and of what they see."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import demo
from clspd_geo.analysis import areas


def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


def test_cameras_plausible(small):
    c = small["cameras"]
    n = len(c)
    assert 70 <= n <= 90
    assert c["camera_id"].is_unique
    dome = c["kind"] == "dome"
    assert c.loc[dome, "bearing_deg"].isna().all()
    assert (c.loc[dome, "fov_deg"] == 360).all()
    assert c.loc[dome, "range_m"].between(60, 100).all()
    assert c.loc[~dome, "bearing_deg"].between(0, 360, inclusive="left").all()
    assert c.loc[~dome, "fov_deg"].between(30, 120).all()
    assert c.loc[~dome, "range_m"].between(30, 80).all()
    shares = c["kind"].value_counts(normalize=True)
    assert 0.5 <= shares["fixe"] <= 0.7 and 0.2 <= shares["dome"] <= 0.4
    assert 0.05 <= shares["nomade"] <= 0.15
    status = c["status"].value_counts(normalize=True)
    assert 0.8 <= status["en_service"] <= 0.9
    assert 0.04 <= status["en_panne"] <= 0.12 and 0.04 <= status["projet"] <= 0.12
    projet = c["status"] == "projet"
    assert c.loc[projet, "commissioned_on"].isna().all()
    assert c.loc[~projet, "commissioned_on"].notna().all()
    dates = c.loc[~projet, "commissioned_on"]
    assert dates.min() >= pd.Timestamp("2012-01-01")
    assert dates.max() <= pd.Timestamp("2026-10-31")
    in_period = dates.between(pd.Timestamp(demo.PERIOD_START), pd.Timestamp(demo.PERIOD_END))
    assert in_period.sum() >= 5
    assert areas.inside_territory(c, small["territoire"]).all()


def test_camera_operators_where_they_belong(small):
    c = small["cameras"]
    q = small["quartiers"]
    assert c["operator"].value_counts().idxmax() == "csu_municipal"
    quartier = areas.assign_quartier(c, q)
    qpv_ids = set(q.loc[q["qpv"], "quartier_id"])
    bailleur = c["operator"] == "bailleur_social"
    assert bailleur.sum() >= 5
    assert quartier[bailleur].isin(qpv_ids).mean() >= 0.8
    gare = _l93(small["equipements"].query("kind == 'gare'")).geometry.iloc[0]
    sncf = _l93(c[c["operator"] == "sncf"])
    assert len(sncf) >= 3 and (sncf.distance(gare) < 300).all()
    assert (c["operator"] == "transporteur").sum() >= 2


def test_street_cameras_look_along_the_street(small):
    c = _l93(small["cameras"])
    street = _l93(small["voies"]).query("name == 'Rue de la République'").geometry.iloc[0]
    sel = c[c["name"].str.startswith("Rue de la République") & (c["kind"] != "dome")]
    assert len(sel) >= 3
    for _, cam in sel.iterrows():
        s = street.project(cam.geometry)
        a, b = street.interpolate(max(s - 10, 0)), street.interpolate(min(s + 10, street.length))
        road_az = np.degrees(np.arctan2(b.x - a.x, b.y - a.y)) % 180
        diff = abs((cam["bearing_deg"] % 180) - road_az)
        assert min(diff, 180 - diff) < 25, cam["name"]


def test_cameras_concentrated_in_centre_station_and_qpv(small):
    c = small["cameras"]
    q = small["quartiers"]
    quartier = areas.assign_quartier(c, q)
    names = dict(zip(q["quartier_id"], q["name"], strict=True))
    counts = quartier.map(names).value_counts()
    top = set(counts.index[:4])
    assert {"Centre-ville", "Les Tilleuls"} <= top


def test_camera_detections_are_in_view_of_a_working_camera(full):
    """CSU detections lie within range of a camera already commissioned on that day."""
    inc = _l93(full["incidents"])
    cams = _l93(full["cameras"])
    cams = cams[cams["status"] != "projet"]
    seen = inc[inc["category"].isin(["detection_csu", "requisition_images"])]
    assert len(seen) > 100
    near = seen.sjoin_nearest(cams[["commissioned_on", "range_m", "geometry"]],
                              max_distance=100.0, distance_col="d")
    near = near[(near["d"] <= near["range_m"] + 0.5)
                & (near["commissioned_on"] <= near["occurred_at"])]
    assert seen.index.isin(near.index).mean() > 0.97
    # Before/after: a camera commissioned during the period has no detection before.
    new = cams[cams["commissioned_on"] > pd.Timestamp(demo.PERIOD_START) + pd.Timedelta(days=90)]
    assert len(new) >= 3
    start, end = pd.Timestamp(demo.PERIOD_START), pd.Timestamp(demo.PERIOD_END)
    before_days = after_days = before = after = 0.0
    for _, cam in new.iterrows():
        around = seen[seen.distance(cam.geometry) < cam["range_m"]]
        t0 = cam["commissioned_on"]
        before += (around["occurred_at"] < t0).sum()
        after += (around["occurred_at"] >= t0).sum()
        before_days += (t0 - start).days
        after_days += (end - t0).days
    assert after / after_days > 2 * before / before_days
