"""The one selection type (clspd_geo.analysis.selection)."""

from __future__ import annotations

import datetime as dt

from clspd_geo.analysis import indicators, selection


def test_previous_year_and_categories():
    sel = selection.Selection(dt.date(2024, 2, 29), dt.date(2025, 3, 1), quartiers=("Q1",))
    assert sel.categories == ()
    prev = sel.previous_year()
    assert (prev.start, prev.end) == (dt.date(2023, 2, 28), dt.date(2024, 3, 1))
    assert prev.quartiers == ("Q1",)
    cats = sel.with_categories(["tapage", "vol_vehicule"])
    assert cats.categories == ("tapage", "vol_vehicule") and cats.quartiers == ("Q1",)
    assert cats.days == 366


def test_indicators_use_the_same_type():
    assert indicators.Selection is selection.Selection


# -- communes ------------------------------------------------------------------------------------

def test_communes_are_kept_by_every_derived_selection():
    sel = selection.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), communes=("00001",))
    assert sel.previous_year().communes == ("00001",)
    assert sel.with_categories(["tapage"]).communes == ("00001",)
    assert selection.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1)).communes == ()


def test_commune_names_quartiers_and_rows_of_the_chosen_communes():
    from conftest import two_commune_layers

    layers = two_commune_layers()
    assert selection.commune_names(layers["territoire"]) == {"00000": "Testville",
                                                             "00001": "Autreville"}
    unnamed = layers["territoire"].assign(name=[None, "Autreville"])
    assert selection.commune_names(unnamed)["00000"] == "00000"
    q = layers["quartiers"]
    assert selection.quartiers_in(q, ("00001",))["quartier_id"].tolist() == ["Q3"]
    assert len(selection.quartiers_in(q, ())) == 3
    assert selection.communes_in(layers["territoire"], ("00000",))["name"].tolist() == [
        "Testville"]
    acc = layers["accidents"].assign(insee_code=["00000", "00001"])
    assert selection.of_communes(acc, ("00001",))["accident_id"].tolist() == ["A2"]
    assert len(selection.of_communes(layers["accidents"], ("00001",))) == 2  # no column yet


def test_tables_by_quartier_and_month_follow_the_chosen_communes():
    from conftest import two_commune_layers

    from clspd_geo.store import communes

    layers = two_commune_layers()
    inc = layers["incidents"].assign(insee_code=communes.assign_communes(
        layers["incidents"], layers["territoire"]).to_numpy())
    df = indicators.prepare_incidents(inc, epsg=2154)
    sel = selection.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), ("tapage",),
                              communes=("00001",))
    table = indicators.by_quartier(df, layers["quartiers"], sel)
    assert table["quartier_id"].tolist() == ["Q3"] and table["Faits"].tolist() == [3]
    trend = indicators.monthly_trend(df, sel)
    assert int(trend["Période"].sum()) == 3
    assert indicators.total_kpi(df, sel).value == 3
    everywhere = selection.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), ("tapage",))
    assert indicators.total_kpi(df, everywhere).value == 6
