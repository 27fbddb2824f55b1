"""Tests of clspd_geo.demo: the fictitious commune of Valbourg."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from clspd_geo import demo, schemas, vocab
from clspd_geo.analysis import areas
from clspd_geo.errors import DataFileError
from clspd_geo.store import GeoPackageStore, open_store

N_SMALL = 2_000


@pytest.fixture(scope="module")
def small() -> dict[str, gpd.GeoDataFrame]:
    return demo.build_demo(seed=0, n_incidents=N_SMALL)


@pytest.fixture(scope="module")
def full() -> dict[str, gpd.GeoDataFrame]:
    """Build at the default size (20,000 incidents), for rhythms and rare categories."""
    return demo.build_demo(seed=0)


def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


# -- layers and determinism --------------------------------------------------------------
def test_layers_and_schemas(small):
    assert tuple(small) == demo.LAYER_NAMES
    assert set(small) <= set(schemas.LAYERS)
    for name, gdf in small.items():
        assert gdf.crs.to_epsg() == 4326, name
        schemas.validate(schemas.conform(gdf, name), name)
        assert len(gdf) > 0, name


def test_same_seed_same_frames(small):
    again = demo.build_demo(seed=0, n_incidents=N_SMALL)
    for name in demo.LAYER_NAMES:
        assert_geodataframe_equal(small[name], again[name])


def test_other_seed_other_frames(small):
    other = demo.build_demo(seed=1, n_incidents=N_SMALL)
    for name in ("incidents", "cameras", "accidents", "equipements"):
        with pytest.raises(AssertionError):
            assert_geodataframe_equal(small[name], other[name])
    # The town plan itself does not depend on the seed.
    for name in ("territoire", "quartiers", "secteurs", "voies"):
        assert_geodataframe_equal(small[name], other[name])


def test_bad_arguments():
    with pytest.raises(ValueError, match="graine"):
        demo.build_demo(seed=-1)
    with pytest.raises(ValueError, match="incidents"):
        demo.build_demo(n_incidents=0)
    with pytest.raises(ValueError, match="incidents"):
        demo.build_demo(n_incidents=2.5)


# -- territory, quartiers, sectors, roads -------------------------------------------------
def test_territory_is_fictitious_and_placed(small):
    t = small["territoire"]
    assert len(t) == 1
    row = t.iloc[0]
    assert row["insee_code"] == "00000"
    assert "fictive" in row["name"] and row["name"].startswith("Valbourg")
    assert bool(row["fictitious"]) is True
    assert 45_000 <= row["population"] <= 55_000
    c = t.geometry.iloc[0].centroid
    assert abs(c.x - 2.95) < 0.03 and abs(c.y - 46.60) < 0.03
    minx, miny, maxx, maxy = _l93(t).total_bounds
    assert 4_500 <= maxx - minx <= 6_500 and 4_500 <= maxy - miny <= 6_500
    assert t.geometry.iloc[0].is_valid


def test_quartiers_partition_the_commune(small):
    q = _l93(small["quartiers"])
    terr = _l93(small["territoire"]).geometry.iloc[0]
    assert 8 <= len(q) <= 12
    assert q.geometry.is_valid.all()
    assert int(q["qpv"].sum()) == 2
    union = shapely.union_all(q.geometry.to_numpy())
    assert union.symmetric_difference(terr).area < 1e-6 * terr.area
    assert abs(q.area.sum() - terr.area) < 1e-6 * terr.area  # no overlaps
    assert q["population"].sum() == small["territoire"]["population"].iloc[0]
    names = q["name"].tolist()
    assert "Centre-ville" in names and "Gare" in names
    za = q[q["name"].str.startswith("Zone d'activités")]
    assert len(za) == 1 and za["population"].iloc[0] == q["population"].min()
    density = q["population"] / q.area
    assert density[q["qpv"]].min() > density[~q["qpv"]].median()


def test_sectors(small):
    s = _l93(small["secteurs"])
    terr = _l93(small["territoire"]).geometry.iloc[0]
    q = _l93(small["quartiers"])
    assert s.geometry.is_valid.all()
    pn = s[s["force"] == "police_nationale"]
    pm = s[s["force"] == "police_municipale"]
    assert len(pn) == 3 and 3 <= len(pm) <= 4
    pn_union = shapely.union_all(pn.geometry.to_numpy())
    assert pn_union.symmetric_difference(terr).area < 1e-6 * terr.area
    assert abs(pn.area.sum() - terr.area) < 1e-6 * terr.area
    assert abs(pm.area.sum() - shapely.union_all(pm.geometry.to_numpy()).area) < 1.0
    za = q[q["name"].str.startswith("Zone d'activités")].geometry.iloc[0]
    pm_union = shapely.union_all(pm.geometry.to_numpy())
    assert pm_union.intersection(za).area < 1.0  # the activity zone has no PM patrol
    assert pm_union.area < terr.area
    # Different boundaries: no PM sector equals a PN sector.
    for g in pm.geometry:
        assert all(g.symmetric_difference(h).area > 1e4 for h in pn.geometry)


def test_roads(small):
    v = small["voies"]
    assert set(v["kind"]) == {"principale", "secondaire", "voie_ferree"}
    assert (v["kind"] == "voie_ferree").sum() == 1
    assert (v["kind"] == "principale").sum() >= 5
    rail = _l93(v[v["kind"] == "voie_ferree"]).geometry.iloc[0]
    gare = _l93(small["equipements"].query("kind == 'gare'")).geometry.iloc[0]
    assert rail.distance(gare) < 60
    terr = _l93(small["territoire"]).geometry.iloc[0]
    assert _l93(v).geometry.apply(terr.buffer(1.0).covers).all()


# -- cameras ---------------------------------------------------------------------------
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


# -- incidents -------------------------------------------------------------------------
def test_incidents_basics(small):
    inc = small["incidents"]
    assert len(inc) == N_SMALL
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


# -- facilities ------------------------------------------------------------------------
def test_equipements(small):
    eq = small["equipements"]
    kinds = eq["kind"].value_counts()
    assert set(kinds.index) == {k.code for k in vocab.FACILITY_KINDS}
    assert kinds["mairie"] == 1 and kinds["gare"] == 1
    assert 20 <= kinds["debit_boissons"] <= 30
    assert 15 <= kinds["arret_bus"] <= 25
    for level in ("ecole_maternelle", "ecole_elementaire", "college", "lycee"):
        assert kinds[level] >= 2, level
    confidential = {k.code: k.confidential for k in vocab.FACILITY_KINDS}
    assert (eq["confidential"] == eq["kind"].map(confidential)).all()
    assert eq.loc[eq["confidential"], "address"].isna().all()
    assert eq.loc[~eq["confidential"], "address"].str.endswith("00000 Valbourg").all()
    assert eq["facility_id"].is_unique
    q = small["quartiers"]
    qpv_ids = set(q.loc[q["qpv"], "quartier_id"])
    res = eq[eq["kind"] == "residence_sociale"]
    assert areas.assign_quartier(res, q).isin(qpv_ids).mean() >= 0.75
    bars = _l93(eq[eq["kind"] == "debit_boissons"])
    centre = _l93(q[q["name"] == "Centre-ville"]).geometry.iloc[0]
    assert bars.within(centre.buffer(50)).sum() >= 18


# -- accidents -------------------------------------------------------------------------
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


# -- writing ---------------------------------------------------------------------------
def test_install_round_trip(tmp_path):
    path = tmp_path / "demo.gpkg"
    counts = demo.install(open_store(path, create=True), seed=5, n_incidents=300)
    assert tuple(counts) == demo.LAYER_NAMES
    assert counts["incidents"] == 300
    store = GeoPackageStore(path)
    assert sorted(store.layers()) == sorted(demo.LAYER_NAMES)
    for name, n in counts.items():
        assert store.count(name) == n
    assert store.source_of("incidents").source == demo.source_label(5)
    back = store.read("incidents")
    assert back["quartier_id"].notna().all()


def test_seeded_counts(small):
    counts = {name: len(gdf) for name, gdf in small.items()}
    assert counts == {"territoire": 1, "quartiers": 10, "cameras": 80, "secteurs": 7,
                      "incidents": N_SMALL, "equipements": 117,
                      "accidents": counts["accidents"], "voies": 19, "actions": 12}
    # The accident count is drawn from the seed: pinned for seed 0 (update on purpose only).
    assert counts["accidents"] == 647


def test_incident_count_leaves_other_layers_alone(small, full):
    for name in ("cameras", "equipements", "accidents"):
        assert_geodataframe_equal(small[name], full[name])


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


_FINGERPRINT = """
import hashlib, sys
import pandas as pd
from clspd_geo import demo
frames = demo.build_demo(seed=3, n_incidents=500)
h = hashlib.sha256()
for name, gdf in frames.items():
    h.update(name.encode())
    h.update(pd.util.hash_pandas_object(gdf.drop(columns=gdf.geometry.name),
                                        index=True).to_numpy().tobytes())
    h.update(b"".join(gdf.geometry.to_wkb()))
print(h.hexdigest())
"""


def test_same_output_in_other_processes():
    """No dependence on hash randomisation (set/dict order) or on the process."""
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(root)}
        out = subprocess.run([sys.executable, "-c", _FINGERPRINT], env=env, cwd=root,
                             capture_output=True, text=True, timeout=300, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_install_never_overwrites_a_foreign_file(tmp_path):
    path = tmp_path / "faits.gpkg"
    path.write_bytes(b"incident_id,category\nA1,tapage\n")
    before = path.read_bytes()
    with pytest.raises(DataFileError, match="pas un GeoPackage"):
        demo.install(open_store(path, create=True), n_incidents=50)
    assert path.read_bytes() == before


def test_install_writes_the_frames_to_any_store_in_one_step():
    class Recorder:
        """A store stand-in: records the one write_many call."""

        def __init__(self):
            self.calls = []

        def write_many(self, frames, *, source):
            self.calls.append((dict(frames), source))

    rec = Recorder()
    counts = demo.install(rec, seed=4, n_incidents=60)
    assert len(rec.calls) == 1
    frames, source = rec.calls[0]
    assert source == demo.source_label(4) == "Territoire de démonstration fictif (graine 4)"
    assert tuple(frames) == demo.LAYER_NAMES
    assert counts == {name: len(gdf) for name, gdf in frames.items()}
    assert counts["incidents"] == 60
