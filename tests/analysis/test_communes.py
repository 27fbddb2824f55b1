"""Known-answer tests of the commune comparison (three square communes in Lambert-93)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import box

from clspd_geo import crs, demo, vocab
from clspd_geo.access import release
from clspd_geo.analysis import communes, indicators, spatial_stats
from clspd_geo.analysis.selection import Selection
from clspd_geo.store import atoms

EPSG = 2154
X0, Y0 = 700_000.0, 6_600_000.0
SEL = Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), ("cambriolage", "tapage",
                                                            "coups_et_blessures"))
DAYS_2024, DAYS_2025 = 366, 365


def _territoire(populations=(1000, 2000, None)) -> gpd.GeoDataFrame:
    """Three 1 km squares side by side: 63001 (west), 63002, 63003 (east)."""
    return gpd.GeoDataFrame(
        {"insee_code": ["63001", "63002", "63003"], "name": ["Aval", "Bemont", "Cerville"],
         "population": pd.array(populations, dtype="Int64")},
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(3)],
        crs=EPSG).to_crs(4326)


def _quartiers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"quartier_id": ["QA"], "name": ["Aval-centre"],
                             "insee_code": ["63001"], "qpv": [False], "population": [1000]},
                            geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=EPSG).to_crs(4326)


def _facts(commune: int, category: str, year: int, n: int, *, quartier: str | None = None
           ) -> list[dict]:
    """``n`` facts in the middle of commune ``commune`` (0, 1, 2) on 1 March of ``year``."""
    return [{"x": X0 + 1000 * commune + 500, "y": Y0 + 500,
             "occurred_at": dt.datetime(year, 3, 1, 10), "category": category,
             "quartier_id": quartier}] * n


def _incidents(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]),
                           geometry=gpd.points_from_xy(df["x"], df["y"]), crs=EPSG)
    return indicators.prepare_incidents(gdf, epsg=EPSG)


@pytest.fixture
def facts() -> pd.DataFrame:
    rows = (_facts(0, "cambriolage", 2025, 20, quartier="QA")  # via its quartier
            + _facts(0, "cambriolage", 2024, 10, quartier="QA")
            + _facts(0, "coups_et_blessures", 2025, 6, quartier="QA")
            + _facts(1, "cambriolage", 2025, 3) + _facts(1, "cambriolage", 2024, 6)  # by place
            + _facts(2, "tapage", 2025, 7) + _facts(2, "tapage", 2024, 7)
            + _facts(0, "cambriolage", 2023, 50, quartier="QA"))  # outside both periods
    return _incidents(rows)


def _row(result, code: str, indicator: str) -> pd.Series:
    r = result.rows
    return r[(r["insee_code"] == code) & (r["indicator"] == indicator)].iloc[0]


def test_indicators_come_from_the_vocabulary_fields():
    inds = communes.indicators_for(["tapage", "cambriolage", "coups_et_blessures"])
    assert [i.code for i in inds] == ["ensemble", "police", "victimes"]
    assert inds[1].label == "Police" and inds[1].categories == ("cambriolage", "tapage")
    assert inds[0].categories == ("cambriolage", "tapage", "coups_et_blessures")
    # One field only: no « Ensemble » repeating it.
    assert [i.code for i in communes.indicators_for(["tapage"])] == ["police"]


def test_counts_rates_and_suppression(facts):
    res = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    assert res.n_communes == 3 and not res.population_known
    a = _row(res, "63001", "police")
    assert (a["faits"], a["faits_n1"]) == (20, 10)
    assert a["taux"] == pytest.approx(20.0) and a["taux_n1"] == pytest.approx(10.0)
    # Per day: 20 / 365 against 10 / 366.
    assert a["evolution_pct"] == pytest.approx(100 * (20 / 365 - 10 / 366) / (10 / 366))
    b = _row(res, "63002", "police")  # 3 facts < k = 5: nothing derived from them
    assert b["faits_affiches"] == "< 5" and b["faits"] == 0 and np.isnan(b["taux"])
    assert b["faits_n1_affiches"] == "6" and b["taux_n1"] == pytest.approx(3.0)
    assert np.isnan(b["evolution_pct"]) and b["verdict"].startswith("non testé")
    c = _row(res, "63003", "police")  # no population: the count, no rate
    assert c["faits"] == 7 and np.isnan(c["taux"])
    assert c["verdict"] == "variation compatible avec le hasard"
    v = _row(res, "63001", "victimes")
    assert v["faits"] == 6 and v["taux"] == pytest.approx(6.0)
    total = _row(res, "63001", "ensemble")
    assert total["faits"] == 26
    table = res.table().set_index(["Indicateur", "Commune"])
    assert table.loc[("Police", "Aval"), "Pour 1 000 hab."] == "20,0"
    assert table.loc[("Police", "Aval"), "Évolution"] == "+101 %"  # 20 / 365 against 10 / 366
    assert table.loc[("Police", "Bemont"), "Pour 1 000 hab."] == "masqué"
    assert table.loc[("Police", "Cerville"), "Pour 1 000 hab."] == "population inconnue"
    assert table.loc[("Police", "Cerville"), "Population"] == "inconnue"
    assert "Faits N-1" not in res.table(year_before=False).columns
    assert any("Population inconnue pour Cerville" in n for n in res.notes)
    assert any("SSMSI ne sont pas importées" in n for n in res.notes)


def test_significance_is_the_exact_poisson_test_corrected_over_communes(facts):
    res = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    share = DAYS_2025 / (DAYS_2024 + DAYS_2025)

    def central(n_after: int, total: int) -> float:
        """Two-sided exact p-value: twice the smaller tail of Binomial(total, share)."""
        return min(1.0, 2 * min(stats.binom.cdf(n_after, total, share),
                                stats.binom.sf(n_after - 1, total, share)))

    p_a, p_c = central(20, 30), central(7, 14)
    a, c = _row(res, "63001", "police"), _row(res, "63003", "police")
    assert a["p_value"] == pytest.approx(p_a, rel=1e-6)
    assert c["p_value"] == pytest.approx(p_c, rel=1e-6)
    # Benjamini–Hochberg over the three communes of the indicator (B's p is that of 3 vs 6).
    p_b = central(3, 9)
    q = spatial_stats.fdr_bh(np.array([p_a, p_b, p_c]))
    assert a["significant"] == (q[0] <= 0.05)
    many = _incidents(_facts(0, "cambriolage", 2025, 60, quartier="QA")
                      + _facts(0, "cambriolage", 2024, 20, quartier="QA"))
    strong = communes.compare(many, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    assert _row(strong, "63001", "police")["verdict"] == "hausse significative"


def test_commune_of_prefers_the_column_then_the_quartier_then_the_place():
    rows = _facts(0, "tapage", 2025, 1) + _facts(0, "tapage", 2025, 1, quartier="QA") \
        + _facts(2, "tapage", 2025, 1, quartier="QA")
    df = _incidents(rows)
    got = communes.commune_of(df, _territoire(), _quartiers(), epsg=EPSG)
    assert list(got) == ["63001", "63001", "63001"]  # the third by its quartier
    with_column = df.assign(insee_code=["63002", None, None])
    got = communes.commune_of(with_column, _territoire(), _quartiers(), epsg=EPSG)
    assert list(got) == ["63002", "63001", "63001"]
    outside = _incidents([{**_facts(0, "tapage", 2025, 1)[0], "x": X0 - 500}])
    assert list(communes.commune_of(outside, _territoire(), _quartiers(), epsg=EPSG)) == [None]


def test_facts_published_for_the_whole_territory_are_counted_apart(facts):
    released = facts.assign(zone_level="point")
    released.loc[released.index[-4:], "zone_level"] = "territoire"  # four 2023 facts
    released.loc[released.index[:2], ["zone_level", "quartier_id"]] = ["territoire", None]
    res = communes.compare(released, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    assert res.unattributed["police"] == 2
    assert _row(res, "63001", "police")["faits"] == 18
    assert any("Hors communes : 2 faits" in n for n in res.notes)
    # One commune: every fact is in it.
    one = _territoire().iloc[:1]
    assert communes.compare(released, one, _quartiers(), SEL, k=5,
                            epsg=EPSG).unattributed["police"] == 0


def test_aggregated_zero_reads_below_k(facts):
    res = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG,
                           aggregated=True)
    assert _row(res, "63003", "victimes")["faits_affiches"] == "< 5"
    plain = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    assert _row(plain, "63003", "victimes")["faits_affiches"] == "0"
    assert _row(plain, "63003", "victimes")["verdict"] == "aucun fait"


def test_map_frame_colours_rates_and_masks_small_counts(facts):
    res = communes.compare(facts, _territoire((1000, 2000, 500)), _quartiers(), SEL, k=5,
                           epsg=EPSG)
    frame = res.map_frame("police").set_index("insee_code")
    assert res.population_known and res.unit() == "faits pour 1 000 hab."
    assert frame.loc["63001", "valeur"] == pytest.approx(20.0)
    assert frame.loc["63002", "masque"] and frame.loc["63002", "valeur"] == 0
    assert frame.loc["63003", "valeur"] == pytest.approx(14.0)
    assert list(frame["affiche"]) == ["20,0", "masqué", "14,0"]


def test_selected_communes_restrict_the_comparison(facts):
    sel = Selection(SEL.start, SEL.end, SEL.categories, communes=("63001", "63003"))
    res = communes.compare(facts, _territoire(), _quartiers(), sel, k=5, epsg=EPSG)
    assert list(res.communes["insee_code"]) == ["63001", "63003"]
    assert set(res.rows["insee_code"]) == {"63001", "63003"}


def _ssmsi(rows: list[tuple]) -> pd.DataFrame:
    cols = ["level", "territory_code", "year", "indicator", "category", "count", "population",
            "diffused"]
    return pd.DataFrame(rows, columns=cols)


def test_reference_rows_from_the_ssmsi(facts):
    stats_ = _ssmsi([
        ("departement", "63", 2025, "Cambriolages de logement", "cambriolage", 1200.0, 100_000,
         True),
        ("departement", "63", 2024, "Cambriolages de logement", "cambriolage", 1000.0, 100_000,
         True),
        ("france", "FR", 2025, "Cambriolages de logement", "cambriolage", 200_000.0,
         68_000_000, True),
        ("france", "FR", 2024, "Cambriolages de logement", "cambriolage", 200_000.0,
         68_000_000, True),
        ("departement", "63", 2025, "Violences physiques hors cadre familial",
         "coups_et_blessures", None, 100_000, False),
        ("departement", "63", 2024, "Violences physiques hors cadre familial",
         "coups_et_blessures", 50.0, 100_000, True),
        ("departement", "75", 2025, "Cambriolages de logement", "cambriolage", 9.0, 1, True),
        ("france", "FR", 2026, "Cambriolages de logement", "cambriolage", 1.0, 1, True),
    ])
    res = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG,
                           statistiques=stats_)
    assert res.reference_year == 2025  # the latest year up to the period's end
    refs = res.rows[res.rows["level"] != "commune"]
    dep = refs[(refs["level"] == "departement") & (refs["indicator"] == "police")].iloc[0]
    assert dep["insee_code"] == "63" and dep["commune"] == "Département 63 (SSMSI 2025)"
    assert dep["taux"] == pytest.approx(12.0) and dep["taux_n1"] == pytest.approx(10.0)
    assert dep["verdict"] == "hausse significative"  # 1,200 against 1,000
    fr = refs[(refs["level"] == "france") & (refs["indicator"] == "police")].iloc[0]
    assert fr["taux"] == pytest.approx(1000 * 200_000 / 68_000_000)
    assert fr["verdict"] == "variation compatible avec le hasard"
    secret = refs[(refs["level"] == "departement") & (refs["indicator"] == "victimes")].iloc[0]
    assert secret["faits_affiches"] == "non diffusé" and np.isnan(secret["taux"])
    assert "75" not in set(refs["insee_code"])
    # Reference rows follow their indicator's communes.
    police = res.rows[res.rows["indicator"] == "police"]
    assert list(police["level"]) == ["commune"] * 3 + ["departement", "france"]
    assert any("Police : les références du SSMSI ne comptent que : cambriolage." in n
               for n in res.notes)
    assert any("SSMSI de 2025" in n for n in res.notes)
    table = res.table(indicator="victimes").set_index("Commune")
    assert table.loc["Département 63 (SSMSI 2025)", "Faits"] == "non diffusé"
    assert table.loc["Département 63 (SSMSI 2025)", "Pour 1 000 hab."] == "—"
    assert table.loc["Département 63 (SSMSI 2025)", "Pour 1 000 hab. N-1"] == "0,5"
    assert res.table(indicator="police").set_index("Commune").loc[
        "Département 63 (SSMSI 2025)", "Évolution"] == "+20 %"


def test_quartier_filter_is_not_applied_and_said(facts):
    from dataclasses import replace

    res = communes.compare(facts, _territoire(), _quartiers(), replace(SEL, quartiers=("QA",)),
                           k=5, epsg=EPSG)
    assert _row(res, "63003", "police")["faits"] == 7  # not in quartier QA, still counted
    assert "comparées entières" in res.notes[0]


def test_sentence_names_shown_rates_and_significant_changes(facts):
    res = communes.compare(facts, _territoire((1000, 2000, 500)), _quartiers(), SEL, k=5,
                           epsg=EPSG)
    s = res.sentence("police")
    assert "le plus élevé est à Aval, 20,0 faits pour 1 000" in s
    assert "le plus bas à Cerville (14,0)" in s and "Bemont" not in s  # Bemont: < 5
    assert "Aucune évolution" in s
    many = _incidents(_facts(0, "cambriolage", 2025, 60, quartier="QA")
                      + _facts(0, "cambriolage", 2024, 20, quartier="QA"))
    strong = communes.compare(many, _territoire((1000, 2000, 500)), _quartiers(), SEL, k=5,
                              epsg=EPSG)
    assert "hausse significative à Aval" in strong.sentence("police")
    unknown = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    assert "ne se comparent pas" in unknown.sentence("police")
    nothing = communes.compare(facts, _territoire((1000, 2000, 500)), _quartiers(), SEL, k=50,
                               epsg=EPSG)
    assert "aucune commune n'atteint 50 faits" in nothing.sentence("police")


def test_change_in_words():
    assert [communes._change_text(v) for v in (np.nan, -0.4, 0.0, 0.6, -12.5, 1234.0)] == [
        "—", "0 %", "0 %", "+1 %", "-12 %", "+1\u202f234 %"]


def test_table_of_one_indicator(facts):
    res = communes.compare(facts, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    one = res.table(indicator="victimes")
    assert "Indicateur" not in one.columns
    assert list(one["Commune"]) == ["Aval", "Bemont", "Cerville"]
    assert list(one["Faits"]) == ["6", "0", "0"]
    assert len(res.table()) == 3 * len(res.indicators)


def test_reference_rows_on_the_real_ssmsi_base(shared_data):
    """The 2024 edition's départements: our sum gives the SSMSI's own rate per 1,000."""
    from clspd_geo.importing import pipeline

    path = shared_data / "ssmsi/ssmsi_dep_edition2024_2016-2024_dep75-93-13-69.csv"
    if not path.exists():
        pytest.skip("échantillon SSMSI absent")
    stats_ = pipeline.prepare("statistics", [path]).frames["statistiques"]
    terr = _territoire().assign(insee_code=["69123", "69266", "69259"])
    quartiers = _quartiers().assign(insee_code="69123")
    sel = Selection(dt.date(2024, 1, 1), dt.date(2025, 1, 1), ("coups_et_blessures",))
    res = communes.compare(_incidents(_facts(0, "coups_et_blessures", 2024, 8)), terr,
                           quartiers, sel, k=5, epsg=EPSG, statistiques=stats_)
    assert res.reference_year == 2024
    refs = res.rows[res.rows["level"] != "commune"]
    assert list(refs["commune"]) == ["Département 69 (SSMSI 2024)"]  # no national row
    own = stats_[(stats_["territory_code"] == "69") & (stats_["year"] == 2024)
                 & (stats_["category"] == "coups_et_blessures")]
    assert refs["taux"].iloc[0] == pytest.approx(own["rate_per_1000"].sum(), rel=1e-3)
    assert refs["faits"].iloc[0] == own["count"].sum()
    assert refs["verdict"].iloc[0] in ("hausse significative", "baisse significative",
                                       "variation compatible avec le hasard")


def _weighted(rows: pd.DataFrame) -> pd.DataFrame:
    """Return identical rows as one row each with their number in ``n`` (a weighted release)."""
    key = pd.util.hash_pandas_object(rows, index=False)
    first = ~key.duplicated().to_numpy()
    return rows[first].assign(n=key.map(key.value_counts()).to_numpy()[first]).reset_index(
        drop=True)


def test_weighted_rows_give_the_figures_of_one_row_per_incident(facts):
    released = facts.assign(zone_level="point")
    released.loc[released.index[:2], ["zone_level", "quartier_id"]] = ["territoire", None]
    weighted = _weighted(released)
    assert len(weighted) < len(released) and weighted["n"].max() > 1
    a = communes.compare(weighted, _territoire(), _quartiers(), SEL, k=5, epsg=EPSG)
    b = communes.compare(release.expand(weighted), _territoire(), _quartiers(), SEL, k=5,
                         epsg=EPSG)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    assert a.unattributed == b.unattributed and a.unattributed["police"] == 2
    assert a.notes == b.notes
    assert (_row(a, "63001", "police")["faits"], _row(a, "63003", "police")["faits"]) == (18, 7)


def test_the_demo_release_gives_the_same_comparison_weighted_or_expanded():
    frames = demo.build_demo(seed=4, n_incidents=30_000, n_communes=3)
    epsg = crs.metric_epsg(frames["territoire"])
    prepared = indicators.prepare_incidents(frames["incidents"], epsg=epsg)
    zones = release.zones_for(frames["territoire"], frames["quartiers"], epsg=epsg)
    # A working group sees atoms by cell (placed by the point-in-commune fallback), by
    # quartier (by its commune) and for the whole territory (in no commune).
    weighted = release.restrict_atoms(atoms.atoms_of_prepared(prepared),
                                      role_code="groupe_travail", zones=zones,
                                      as_of=dt.date(2026, 3, 15))
    expanded = release.expand(weighted)
    assert len(weighted) < len(expanded)
    assert set(weighted["zone_level"]) >= {"grille", "quartier", "territoire"}
    last = expanded["occurred_at"].max()
    sel = Selection(dt.date(last.year - 1, last.month, 1), dt.date(last.year, last.month, 1),
                    tuple(vocab.category_codes()))
    args = (frames["territoire"], frames["quartiers"], sel)
    a = communes.compare(weighted, *args, k=11, epsg=epsg, aggregated=True)
    b = communes.compare(expanded, *args, k=11, epsg=epsg, aggregated=True)
    pd.testing.assert_frame_equal(a.rows, b.rows)
    assert a.unattributed == b.unattributed and a.notes == b.notes
    assert a.rows["faits"].sum() > 0 and a.unattributed["ensemble"] > 0
