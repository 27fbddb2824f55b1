"""Tests of the demo town plan: territory, quartiers, sectors, roads."""

from __future__ import annotations

import geopandas as gpd
import shapely



def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


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
