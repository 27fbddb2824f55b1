"""Known-answer tests of resources and actions per quartier."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from clspd_geo.analysis import resources
from tests.analysis.field_layers import facilities_at, quartier_strip


def test_resources_and_actions_per_quartier_are_counts_only():
    q = quartier_strip([1000, 1000])
    fac = facilities_at([(100, 100), (200, 100), (1500, 500)],
                        ["referent_radicalisation", "maison_quartier", "college"])
    actions = gpd.GeoDataFrame(
        {"action_id": ["a", "b", "c", "d"], "field": ["radicalisation"] * 3 + ["routier"],
         "status": ["realisee", "suspendue", "en_cours", "en_cours"],
         "quartier_id": ["Q0", "Q0", "Q1", "Q1"]},
        geometry=[None] * 4, crs=4326)
    out = resources.resources_by_quartier(q, fac, actions, field="radicalisation",
                                          kinds=["referent_radicalisation", "maison_quartier"])
    assert list(out["ressources"]) == [2, 0]
    assert list(out["actions"]) == [1, 1]  # the suspended one and the road one do not count
    assert list(out["actions_realisees"]) == [1, 0]
    s = resources.resources_sentence(out, counts=pd.Series({"Q0": 2, "Q1": 7}), k=5)
    assert "2 ressources" in s and "0 quartier n'en a aucune" in s
    one = resources.resources_sentence(out.assign(ressources=[1, 0], actions=[0, 0]),
                                       counts=pd.Series({"Q0": 2, "Q1": 7}), k=5)
    assert one.startswith("1 ressource de prévention et d'orientation et 0 action de ")
    assert "Quartier 1 compte au moins 5 signalements" in one and "(nt)" not in one
    both = resources.resources_sentence(out.assign(ressources=[0, 0], actions=[0, 0]),
                                        counts=pd.Series({"Q0": 6, "Q1": 7}), k=5)
    assert "Quartier 0, Quartier 1 comptent au moins 5" in both
