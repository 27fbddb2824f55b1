"""Tests of the demo facilities (equipements)."""

from __future__ import annotations

import geopandas as gpd

from clspd_geo import vocab
from clspd_geo.analysis import areas


def _l93(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(2154)


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
