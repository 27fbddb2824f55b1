"""Known-answer tests of rates per quartier with small counts suppressed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clspd_geo.analysis import rates
from tests.analysis.field_layers import quartier_strip


def test_rates_per_1000_with_small_counts_suppressed():
    q = quartier_strip([2000, 1000, 500])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 10 + ["Q1"] * 3 + ["Q2"] * 5})
    res = rates.rates_by_quartier(inc, q, k=5)
    got = res.quartiers.set_index("quartier_id")
    assert res.population_known
    assert list(got["faits_affiches"]) == ["10", "< 5", "5"]
    assert list(got["faits"]) == [10, 0, 5]
    assert got.loc["Q0", "taux_pour_1000"] == pytest.approx(5.0)
    assert np.isnan(got.loc["Q1", "taux_pour_1000"])  # a rate would reveal the count
    assert got.loc["Q2", "taux_pour_1000"] == pytest.approx(10.0)
    assert list(res.table()["Pour 1 000 hab."]) == ["5,0", "< 5 faits", "10,0"]
    s = res.sentence(what="violences")
    assert "Quartier 2" in s and "10,0 violences pour 1 000" in s and "masqués" in s


def test_rates_without_population_fall_back_to_counts_and_say_so():
    q = quartier_strip([None, None])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 7 + ["Q1"] * 2})
    res = rates.rates_by_quartier(inc, q, k=5)
    assert not res.population_known
    assert res.unit == "faits"
    assert "Pour 1 000 hab." not in res.table().columns
    assert list(res.quartiers["valeur"]) == [7.0, 0.0]
    s = res.sentence()
    assert "population des quartiers n'est pas connue" in s and "pas des taux" in s


def test_rates_when_every_count_is_small_show_nothing():
    res = rates.rates_by_quartier(pd.DataFrame({"quartier_id": ["Q0"] * 2}),
                                  quartier_strip([100]), k=5)
    assert res.quartiers["valeur"].sum() == 0
    assert "Aucun quartier ne compte au moins 5" in res.sentence()
    unknown = rates.rates_by_quartier(pd.DataFrame({"quartier_id": ["Q0"] * 2}),
                                      quartier_strip([None]), k=5)
    assert "population des quartiers n'est pas connue" in unknown.sentence()


def test_released_atoms_show_an_empty_quartier_as_suppressed():
    # Released atoms: a quartier with no published fact may hold 1 to k−1 withheld ones.
    q = quartier_strip([2000, 1000, 500])
    inc = pd.DataFrame({"quartier_id": ["Q0"] * 12})
    res = rates.rates_by_quartier(inc, q, k=11, aggregated=True)
    assert list(res.table()["Faits"]) == ["12", "< 11", "< 11"]
    assert list(res.table()["Pour 1 000 hab."]) == ["6,0", "< 11 faits", "< 11 faits"]
    assert "(2 quartiers)" in res.sentence()
    exact = rates.rates_by_quartier(inc, q, k=11)
    assert list(exact.table()["Faits"]) == ["12", "0", "0"]


# -- an intercommunal territory: the chosen communes' population -------------------------------

def test_rates_use_the_population_of_the_chosen_communes():
    from conftest import two_commune_layers

    from clspd_geo.analysis import rates

    layers = two_commune_layers()
    terr = layers["territoire"]
    assert rates.population_of(terr) == 3000.0
    assert rates.population_of(terr, communes=("00001",)) == 1000.0
    assert rates.rate_per_1000(4, terr, communes=("00001",)) == pytest.approx(4.0)
    assert rates.rate_per_1000(4, terr) == pytest.approx(4 / 3)
    unknown = terr.assign(population=[2000, None])
    assert rates.population_of(unknown, communes=("00000",)) == 2000.0
    assert rates.population_of(unknown) is None  # one commune without population: no rate
    east = rates.rates_by_quartier(layers["incidents"], layers["quartiers"], k=1,
                                   communes=("00001",))
    assert east.quartiers["quartier_id"].tolist() == ["Q3"]
    assert east.quartiers["taux_pour_1000"].tolist() == [pytest.approx(4.0)]
