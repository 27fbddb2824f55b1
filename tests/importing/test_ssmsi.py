"""SSMSI statistics: the real départemental and régional bases of both editions, the
documented communal layout (hand-made fixture), and the files refused whole."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from clspd_geo import store as store_mod, vocab
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline, ssmsi

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "import"
DEP_2024 = "ssmsi/ssmsi_dep_edition2024_2016-2024_dep75-93-13-69.csv"
DEP_2023 = "ssmsi/donnee-dep-data.gouv-2023-geographie2024_dep75-93-13-69.csv"
DEP_2023_ALL = "ssmsi/donnee-dep-data.gouv-2023-geographie2024-produit-le2024-07-05.csv.gz"
REG_2023 = "ssmsi/donnee-reg-data.gouv-2023-geographie2024-produit-le2024-07-05.csv.gz"
NAT_2024 = "ssmsi/ssmsi_dep_edition2024_2016-2024_phl43.csv.gz"


def _stats(path: Path) -> pd.DataFrame:
    return pipeline.prepare("statistics", [path]).frames["statistiques"].set_index("stat_id")


def test_2024_edition_departements(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    report = pipeline.run("statistics", [shared_data / DEP_2024], store_path=store)
    stats = store_mod.open_store(store).read("statistiques").set_index("stat_id")
    # 4 départements × 18 indicators × 9 years (2016–2024).
    assert len(stats) == 648 == 4 * 18 * 9 and report.n_rejected == 0
    assert set(stats["territory_code"]) == {"13", "69", "75", "93"}
    row = stats.loc["departement:13:2016:Homicides"]
    assert (row["count"], row["population"], row["unit"]) == (44, 2019717, "Victime")
    assert row["rate_per_1000"] == pytest.approx(0.0217852)
    assert pd.isna(row["category"]) and bool(row["diffused"])
    burglary = stats.loc["departement:75:2024:Cambriolages de logement"]
    assert burglary["category"] == "cambriolage"
    assert stats.geometry.isna().all()


def test_2023_edition_two_digit_years_and_scientific_rates(shared_data: Path) -> None:
    stats = _stats(shared_data / DEP_2023)
    assert len(stats) == 512 == 4 * 16 * 8
    assert sorted(stats["year"].unique()) == list(range(2016, 2024))
    row = stats.loc["departement:13:2016:Homicides"]
    assert row["count"] == 46 and row["population"] == 2019717
    assert row["rate_per_1000"] == pytest.approx(2.27754680482464e-02)
    full = _stats(shared_data / DEP_2023_ALL)
    assert len(full) == 12928
    # Written "7,83177350511023e-03": decimal comma and exponent.
    assert full.loc["departement:01:2016:Homicides", "rate_per_1000"] == pytest.approx(
        7.83177350511023e-03)


def test_regional_base_and_national_2024_edition(shared_data: Path) -> None:
    reg = _stats(shared_data / REG_2023)
    assert len(reg) == 2304 and set(reg["level"]) == {"region"}
    assert reg["indicator"].nunique() == 16
    nat = _stats(shared_data / NAT_2024)
    assert len(nat) == 16362 and nat["territory_code"].nunique() == 101


def test_every_published_indicator_is_in_the_mapping(shared_data: Path) -> None:
    for rel in (DEP_2024, DEP_2023):
        stats = _stats(shared_data / rel)
        assert set(stats["indicator"]) <= set(ssmsi.INDICATOR_CATEGORIES), rel
    codes = {c.code for c in vocab.INCIDENT_CATEGORIES}
    assert {v for v in ssmsi.INDICATOR_CATEGORIES.values() if v} <= codes


def test_communal_base_not_diffused_is_unknown_never_zero() -> None:
    stats = _stats(FIXTURES / "ssmsi_communal_fictif.csv")
    assert set(stats["level"]) == {"commune"}
    secret = stats.loc["commune:01001:2023:Homicides"]
    assert pd.isna(secret["count"]) and pd.isna(secret["rate_per_1000"])
    assert not secret["diffused"]
    zero = stats.loc["commune:01001:2023:Vols de véhicule"]
    assert zero["count"] == 0 and zero["diffused"] and zero["category"] == "vol_vehicule"
    # Burglaries are per 1,000 housings: 8,000 / 1,400,000 × 1,000.
    assert stats.loc["commune:75056:2023:Cambriolages de logement",
                     "rate_per_1000"] == pytest.approx(5.7142857)


def _text(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8-sig") if path.suffix == ".gz" else \
            open(path, encoding="utf-8-sig") as fh:
        return fh.read()


def test_missing_year_column_refused(shared_data: Path, tmp_path: Path) -> None:
    df = pd.read_csv(shared_data / DEP_2024, sep=";", dtype=str, encoding="utf-8-sig")
    bad = tmp_path / "sans_annee.csv"
    df.drop(columns=["annee"]).to_csv(bad, sep=";", index=False)
    with pytest.raises(SchemaError, match=r"« sans_annee.csv » n'a pas de colonne d'année "
                                          r"\(« annee »\) \(ligne 1, en-tête"):
        pipeline.prepare("statistics", [bad])


def test_duplicated_rows_refused_store_unchanged(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    pipeline.run("statistics", [FIXTURES / "ssmsi_communal_fictif.csv"], store_path=store)
    lines = _text(shared_data / DEP_2024).splitlines()
    bad = tmp_path / "doublon.csv"
    bad.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"2 lignes donnent deux fois .* 13 2016 "
                                          r"« Homicides » : « doublon.csv » ligne 2, "
                                          r"« doublon.csv » ligne 650"):
        pipeline.run("statistics", [bad], store_path=store)
    assert len(store_mod.open_store(store).read("statistiques")) == 4


def test_rate_disagreeing_with_count_refused(shared_data: Path, tmp_path: Path) -> None:
    lines = _text(shared_data / DEP_2024).splitlines()
    # Line 3: dép. 69, 2016, Homicides, 23 victims for 1,835,903 inhabitants: 0.0125279.
    assert '"0,0125279"' in lines[2]
    lines[2] = lines[2].replace('"0,0125279"', '"0,0128"')  # +2.2 %
    bad = tmp_path / "taux.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"« taux.csv » a 1 taux .* ligne 3 : taux 0,0128 "
                                          r"pour 23 faits et 1835903 habitants"):
        pipeline.prepare("statistics", [bad])
    lines[2] = lines[2].replace('"0,0128"', '"0,01255"')  # +0.2 %: within 1 %
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(pipeline.prepare("statistics", [bad]).frames["statistiques"]) == 648


def test_numbers_read_comma_exponent_and_na() -> None:
    out = ssmsi.numbers(pd.Series(["7,5e-03", "12", "0,5", "NA", None, "x"]))
    assert out.tolist()[:3] == [0.0075, 12.0, 0.5] and out.iloc[3:].isna().all()
