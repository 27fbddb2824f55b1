"""Road safety: yearly killed and seriously injured, hotspots along roads or on a grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import make_points
from shapely.geometry import LineString, box

from clspd_geo.analysis import road_safety as rs
from clspd_geo.errors import EmptySelectionError

X0, Y0 = 700_000.0, 6_600_000.0
TERRITORY = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                             crs=2154).to_crs(4326)


def _accidents(xy, when, killed, hosp, light, users=None):
    n = len(xy)
    return make_points([(X0 + x, Y0 + y) for x, y in xy],
                       accident_id=[f"A{i}" for i in range(n)], occurred_at=pd.to_datetime(when),
                       killed=killed, hospitalised=hosp, slightly_injured=light,
                       user_types=users or ["vl"] * n)


def _roads():
    return gpd.GeoDataFrame(
        {"road_id": ["R1", "R2", "R3"], "name": ["Avenue A", "Rue B", "Voie ferrée"],
         "kind": ["principale", "secondaire", "voie_ferree"]},
        geometry=[LineString([(X0, Y0 + 100), (X0 + 1000, Y0 + 100)]),
                  LineString([(X0 + 500, Y0), (X0 + 500, Y0 + 1000)]),
                  LineString([(X0, Y0 + 900), (X0 + 1000, Y0 + 900)])],
        crs=2154).to_crs(4326)


def test_yearly_killed_and_seriously_injured():
    acc = _accidents([(0, 0)] * 4, ["2024-05-01 08:00", "2024-12-31 23:00", "2025-01-01 00:00",
                      "2025-06-01 12:00"],
                     killed=[1, 0, 0, 2], hosp=[0, 2, 1, 0], light=[1, 1, 0, 3])
    t = rs.yearly_severity(acc)
    assert list(t["Année"]) == [2024, 2025]
    assert list(t["Accidents"]) == [2, 2]
    assert list(t["Tués"]) == [1, 2]
    assert list(t["Blessés hospitalisés"]) == [2, 1]
    assert list(t["Tués et blessés graves"]) == [3, 3]
    assert list(t["Blessés légers"]) == [2, 3]
    assert list(t["Période couverte"]) == ["du 01/05 au 31/12", "du 01/01 au 01/06"]
    s = rs.yearly_sentence(t)
    assert "En 2025, 2 personnes tuées et 1 blessé hospitalisé" in s and "+0 %" in s
    assert "données du 01/01 au 01/06 seulement" in s
    with pytest.raises(EmptySelectionError, match="import accidents"):
        rs.yearly_severity(acc.iloc[:0])


def test_hotspots_along_roads_rank_sections_by_severity():
    # Avenue A (y = 100) is cut in 5 sections of 200 m. Two accidents in its 2nd section
    # (x 200-400), one fatal in its 5th; one on Rue B; one by the railway only (not counted).
    acc = _accidents([(250, 110), (390, 95), (900, 100), (505, 600), (300, 900)],
                     ["2025-01-01"] * 5, killed=[0, 0, 1, 0, 1], hosp=[1, 1, 0, 0, 0],
                     light=[0, 1, 0, 1, 0])
    res = rs.road_hotspots(acc, territory=TERRITORY, voies=_roads(), section_m=200, snap_m=30)
    p = res.places
    assert res.method == "voies" and res.n_off_road == 1
    assert list(p["label"]) == ["Avenue A (tronçon 5/5)", "Avenue A (tronçon 2/5)",
                                "Rue B (tronçon 3/5)"]
    assert list(p["gravite"]) == [10.0, 7.0, 1.0]
    assert list(p["accidents"]) == [1, 2, 1]
    assert p.geom_type.eq("LineString").all()
    lengths = p.to_crs(2154).length.to_numpy()
    np.testing.assert_allclose(lengths, 200.0, atol=0.5)
    s = res.sentence()
    assert "Avenue A (tronçon 5/5)" in s and "tronçons de 200 m" in s
    assert "1 accident à l'écart de toute voie n'est pas compté" in res.method_text
    # Numbers and agreement through clspd_geo._format: no « (s) ».
    assert s.endswith("compte 1 accident, 1 tué et 0 blessé hospitalisé."), s
    assert "(s)" not in s and "%" in s and " %" not in s


def test_hotspots_on_a_grid_without_roads():
    acc = _accidents([(50, 50), (60, 60), (950, 950)], ["2025-01-01"] * 3,
                     killed=[0, 0, 1], hosp=[1, 0, 0], light=[0, 1, 0])
    res = rs.road_hotspots(acc, territory=TERRITORY, cell_m=200)
    assert res.method == "grille" and "aucune couche de voies" in res.method_text
    assert list(res.places["gravite"]) == [10.0, 4.0]
    assert list(res.places["accidents"]) == [1, 2]
    assert res.places.geom_type.eq("Polygon").all()


def test_vulnerable_users_share():
    acc = _accidents([(0, 0)] * 4, ["2025-01-01"] * 4, killed=[1, 0, 0, 0], hosp=[0, 1, 0, 0],
                     light=[0, 0, 1, 1], users=["vl;pieton", "velo", "vl", "pieton;velo"])
    t = rs.vulnerable_users(acc).set_index("Usager")
    assert t.loc["Piéton", "Accidents"] == 2 and t.loc["Piéton", "Tués"] == 1
    assert t.loc["Cycliste", "Part des accidents (%)"] == 50.0


# -- real data: Paris 2012 and 2013 ----------------------------------------------------------

def _paris_accidents(shared_data) -> gpd.GeoDataFrame:
    frames = []
    for year in (2012, 2013):
        frames.append(pd.read_csv(shared_data / "accidents" / f"paris_accidents_{year}.csv.gz"))
    d = pd.concat(frames, ignore_index=True)
    grav = d[[f"usager_{i}_grav" for i in range(1, 5)]]
    cat = d[[f"usager_{i}_cat" for i in range(1, 5)]]
    veh = d[[f"vehicule_{i}_cat" for i in range(1, 4)]].astype(str)
    users = np.where((cat == "Piéton").any(axis=1), "pieton;", "")
    users = users + np.where((veh == "Bicy").any(axis=1), "velo;", "")
    two_wheel = veh.apply(lambda s: s.str.match(r"^(Scoo|Moto|Cyclo)")).any(axis=1)
    users = users + np.where(two_wheel, "deux_roues_motorise;", "") + "vl"
    return gpd.GeoDataFrame(
        {"accident_id": d["accident_id"].astype(str) + "-" + d["date"].str[:4],
         "occurred_at": pd.to_datetime(d["date"] + " " + d["heure"].fillna("00:00")),
         "killed": (grav == "Tué").sum(axis=1), "hospitalised": (grav == "BH").sum(axis=1),
         "slightly_injured": (grav == "BL").sum(axis=1), "user_types": users},
        geometry=gpd.points_from_xy(d["lon"], d["lat"]), crs=4326)


def test_paris_yearly_severity(shared_data):
    acc = _paris_accidents(shared_data)
    t = rs.yearly_severity(acc).set_index("Année")
    assert list(t.index) == [2012, 2013]
    assert t.loc[2012, "Accidents"] == 6977 and t.loc[2013, "Accidents"] == 6653
    # Usager 1 alone counts 15 killed and 301 BH in 2012 (SOURCES.md): all users count more.
    assert t.loc[2012, "Tués"] >= 15 and t.loc[2012, "Blessés hospitalisés"] >= 301
    assert (t["Tués et blessés graves"] == t["Tués"] + t["Blessés hospitalisés"]).all()
    assert t["Tués"].sum() == int(acc["killed"].sum())
    assert (t["Période couverte"] == "année entière").all()
    assert "En 2013" in rs.yearly_sentence(t.reset_index())


def test_paris_grid_hotspots_hold_the_most_severe_cells(shared_data):
    acc = _paris_accidents(shared_data)
    acc = acc[acc["occurred_at"].dt.year == 2012]
    paris = gpd.read_file(shared_data / "boundaries" / "communes-75-paris.geojson")
    res = rs.road_hotspots(acc, territory=paris, cell_m=250, top=10)
    g = res.places["gravite"].to_numpy()
    assert len(res.places) == 10 and (np.diff(g) <= 0).all()
    total = float(rs.severity_score(acc).sum())
    assert 0 < g.sum() < total
    # Every place's figures are those of the accidents inside it.
    cell = res.places.to_crs(2154).geometry.iloc[0]
    pts = acc.to_crs(2154)
    inside = pts.within(cell) | pts.touches(cell)
    assert int(inside.sum()) >= res.places["accidents"].iloc[0] - 2  # edge points aside
    assert res.n_accidents == len(acc)
