"""Indicators on the tiny territory, whose answers are known by construction."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clspd_geo import vocab
from clspd_geo.analysis import cells, indicators
from clspd_geo.errors import EmptySelectionError

ALL = tuple(vocab.category_codes())
SEL = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), ALL)


@pytest.fixture
def df(tiny):
    return indicators.prepare_incidents(tiny["incidents"], epsg=2154)


def test_prepare_projects_to_metres(df):
    assert df["x"].iloc[0] == pytest.approx(700_050, abs=0.01)
    assert df["y"].iloc[0] == pytest.approx(6_600_050, abs=0.01)
    assert df["field"].iloc[0] == "police"
    assert df["sensitivity"].iloc[4] == "sensible"


def test_total_kpi_against_previous_year(df):
    k = indicators.total_kpi(df, SEL)
    assert (k.value, k.previous) == (6, 1)
    assert k.change_pct == pytest.approx(500.0)
    assert "+500 %" in k.delta_text()


def test_kpi_without_previous_has_no_change():
    k = indicators.Kpi("x", 3, 0)
    assert k.change_pct is None and k.delta_text() is None


def test_period_is_half_open(df):
    sel = indicators.Selection(dt.date(2025, 3, 1), dt.date(2025, 3, 2), ALL)
    assert indicators.mask(df, sel).sum() == 1  # 2025-03-02 01:00 is outside


def test_categories_and_quartiers_filter(df):
    sel = indicators.Selection(SEL.start, SEL.end, ("tapage",), ("Q1",))
    assert indicators.mask(df, sel).sum() == 3
    sel = indicators.Selection(SEL.start, SEL.end, ("tapage",), ("Q2",))
    assert indicators.mask(df, sel).sum() == 0


def test_by_quartier(df, tiny):
    table = indicators.by_quartier(df, tiny["quartiers"], SEL)
    ouest = table[table["Quartier"] == "Ouest"].iloc[0]
    assert (ouest["Faits"], ouest["Faits N-1"]) == (3, 1)
    assert ouest["Évolution (%)"] == pytest.approx(200.0)
    assert ouest["Pour 1 000 hab."] == pytest.approx(3.0)
    assert list(table["Quartier"]) == ["Ouest", "Est"]


def test_monthly_trend(df):
    trend = indicators.monthly_trend(df, SEL)
    assert len(trend) == 12
    assert trend.loc["mars 2025", "Période"] == 3  # 2 tapage + 1 VIF
    assert trend.loc["mars 2025", "Année précédente"] == 1
    assert trend["Période"].sum() == 6


def test_incident_cells_count_known_cell(df, tiny):
    grid = cells.grid_for(tiny["territoire"], cell_size_m=200, epsg=2154)
    sel = indicators.Selection(SEL.start, SEL.end, ("tapage",))
    got = indicators.incident_cells(df, sel, grid)
    assert len(got) == 1 and got["faits"].iloc[0] == 3
    assert got.crs.to_epsg() == 4326


def test_incident_cells_empty_selection_says_so(df, tiny):
    grid = cells.grid_for(tiny["territoire"], cell_size_m=200, epsg=2154)
    sel = indicators.Selection(dt.date(2030, 1, 1), dt.date(2031, 1, 1), ALL)
    with pytest.raises(EmptySelectionError, match="Aucun fait"):
        indicators.incident_cells(df, sel, grid)


def test_sensitive_split_and_suppression(df, tiny):
    open_cats, sensitive = indicators.split_sensitive(ALL)
    assert "violences_intrafamiliales" in sensitive and "tapage" in open_cats
    qc = indicators.quartier_counts(df, tiny["quartiers"],
                                    indicators.Selection(SEL.start, SEL.end, tuple(sensitive)), k=5)
    est = qc[qc["quartier_id"] == "Q2"].iloc[0]
    assert est["faits_affiches"] == "< 5" and est["faits"] == 0
    assert list(indicators.suppress_small(pd.Series([0, 1, 4, 5]), k=5)) == [
        "0", "< 5", "< 5", "5"]


def test_counts_in_polygons_and_share_inside(df, tiny):
    counts = indicators.counts_in_polygons(df, SEL, tiny["secteurs"], epsg=2154)
    assert list(counts) == [1, 5]  # north: cambriolage; south: 3 tapage + 2 VIF
    inside, total = indicators.share_inside(df, SEL, tiny["secteurs"].iloc[[0]], epsg=2154)
    assert (inside, total) == (1, 6)


def test_accident_figures(tiny):
    acc = tiny["accidents"]
    kpis = {k.label: k for k in indicators.accident_kpis(acc, SEL)}
    assert kpis["Tués"].value == 1 and kpis["Blessés hospitalisés"].previous == 1
    users = indicators.accidents_by_user(acc, SEL)
    assert set(users["Usager impliqué"]) == {"Piéton", "Voiture"}
    grid = cells.grid_for(tiny["territoire"], cell_size_m=200, epsg=2154)
    ac = indicators.accident_cells(acc, SEL, grid)
    assert ac["gravite"].sum() == 12  # 10 per killed + 1 per slightly injured × 2


def test_quarterly_counts_suppressed(df):
    q = indicators.quarterly_counts(df, SEL, k=5)
    assert list(q["Trimestre"]) == ["T1 2025", "T2 2025", "T3 2025", "T4 2025"]
    assert list(q["Faits"]) == ["< 5", "< 5", "0", "0"]


def test_default_selection_is_last_twelve_months(df):
    sel = indicators.default_selection(df)
    assert sel.end == dt.date(2025, 6, 2)
    assert sel.start == dt.date(2024, 6, 2)
    assert np.isin(vocab.category_codes(), sel.categories).all()


def test_facilities_table_lists_every_kind_of_field(tiny):
    t = indicators.facilities_table(tiny["equipements"], field="jeunesse")
    expected = {vocab.facility_kind(k).label for k in vocab.facility_kinds_for("jeunesse")}
    assert expected == set(t["Équipement"])
    assert t.loc[t["Équipement"] == "Collège", "Nombre"].item() == 1


def test_is_in_reads_categorical_codes_and_agrees_with_isin():
    values = ["Q1", "Q2", None, "Q3", "Q1", "Q2"]
    cat = pd.Series(pd.Categorical(values, categories=["Q1", "Q2", "Q3", "Q4"]))
    text = pd.Series(values, dtype="string")
    want = [True, False, False, True, True, False]
    assert indicators.is_in(cat, ("Q1", "Q3", "Q9")).tolist() == want  # None: code -1
    assert indicators.is_in(text, ("Q1", "Q3")).tolist() == want
    assert indicators.is_in(cat, ()).tolist() == [False] * 6
    assert indicators.is_in(cat, ["Q4"]).tolist() == [False] * 6


@pytest.mark.parametrize(("value", "previous", "text", "flat"), [
    (112, 100, "+12 % par rapport à N-1", False),
    (88, 100, "-12 % par rapport à N-1", False),
    (1003, 1000, "+0,3 % par rapport à N-1", False),
    (997, 1000, "-0,3 % par rapport à N-1", False),
    (100_001, 100_000, "stable (moins de 0,1 %) par rapport à N-1", True),
    (50, 50, "stable par rapport à N-1", True),
    (5, 0, None, False),
])
def test_a_kpi_change_never_reads_plus_or_minus_zero(value, previous, text, flat):
    kpi = indicators.Kpi("Faits", value, previous)
    assert kpi.delta_text() == text and kpi.flat is flat
