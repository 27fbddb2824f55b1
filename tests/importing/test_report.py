"""What an import found (clspd_geo.importing.report): the row log and the French report."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from clspd_geo.importing.report import FileInfo, ImportReport, RowLog


def test_row_log_keeps_the_first_reason_of_a_row() -> None:
    log = RowLog()
    log.reject("b.csv", [4], "date illisible")
    log.reject("a.csv", pd.Series([3, 2]), "hors territoire")
    log.reject("a.csv", [2], "autre motif")
    assert log.is_rejected("a.csv", 2) and not log.is_rejected("b.csv", 2)
    frame = log.rejected_frame()
    assert frame.to_dict("list") == {"fichier": ["a.csv", "a.csv", "b.csv"],
                                     "ligne": [2, 3, 4],
                                     "motif": ["hors territoire"] * 2 + ["date illisible"]}
    mask = log.rejected_mask(pd.Series(["a.csv", "a.csv", "b.csv"]), pd.Series([2, 4, 4]))
    assert mask.tolist() == [True, False, True]


def test_row_log_counts_fixes_flags_and_notes_once() -> None:
    log = RowLog()
    log.fix("virgule", 2)
    log.fix("virgule")
    log.fix("rien", 0)
    log.flag("proche", 3)
    log.note("force par défaut")
    log.note("force par défaut")
    assert dict(log.fixes) == {"virgule": 3} and dict(log.flags) == {"proche": 3}
    assert log.notes == ["force par défaut"]
    assert RowLog().rejected_frame().columns.tolist() == ["fichier", "ligne", "motif"]


def _report(**kwargs: object) -> ImportReport:
    frame = gpd.GeoDataFrame({"incident_id": ["old", "n1", "n2"]},
                             geometry=[Point(2.35, 48.85)] * 3, crs=4326)
    rejected = pd.DataFrame({"fichier": ["f.csv"] * 3, "ligne": [5, 6, 9],
                             "motif": ["date illisible", "date illisible", "hors territoire"]})
    base = dict(kind="incidents",
                files=(FileInfo("f.csv", "CSV", encoding="UTF-8", separator=";",
                                crs="EPSG:4326", rows=6),),
                frames={"incidents": frame}, rows_read=6, rejected=rejected,
                fixes={"virgule décimale": 2}, kept={"incidents": 1}, mode="append")
    base.update(kwargs)
    return ImportReport(**base)


def test_report_counts_only_new_rows() -> None:
    report = _report()
    assert report.new_rows("incidents")["incident_id"].tolist() == ["n1", "n2"]
    assert (report.accepted, report.n_rejected, report.n_fixed) == (2, 3, 2)
    assert report.summary() == ("2 lignes acceptées (incidents : 2, ajoutées à 1 "
                                "existante), 2 corrections, 3 lignes rejetées.")
    assert _report(kept={}, filtered_out=4).summary().endswith(
        "4 écartées par le filtre de commune.")


def test_report_summary_agrees_with_one_and_three() -> None:
    one = _report(frames={"incidents": gpd.GeoDataFrame(
                      {"incident_id": ["old", "n1"]}, geometry=[Point(2.35, 48.85)] * 2,
                      crs=4326)},
                  rejected=_report().rejected.head(1), fixes={"virgule décimale": 1},
                  filtered_out=1)
    assert one.summary() == ("1 ligne acceptée (incidents : 1, ajoutée à 1 existante), "
                             "1 correction, 1 ligne rejetée, 1 écartée par le filtre de "
                             "commune.")
    three = _report(frames={"incidents": gpd.GeoDataFrame(
                        {"incident_id": ["a", "b", "c", "n1", "n2", "n3"]},
                        geometry=[Point(2.35, 48.85)] * 6, crs=4326)},
                    fixes={"virgule décimale": 3}, kept={"incidents": 3}, filtered_out=3)
    assert three.summary() == ("3 lignes acceptées (incidents : 3, ajoutées aux 3 "
                               "existantes), 3 corrections, 3 lignes rejetées, 3 écartées "
                               "par le filtre de commune.")
    assert "(s)" not in one.to_text() + three.to_text()


def test_report_text_and_reasons() -> None:
    report = _report(unmapped={"Nuisance": 1}, notes=("hypothèse",))
    text = report.to_text(max_rejected=2)
    assert text.startswith("Import « incidents »\n\nFichiers :\n  - f.csv : ")
    for part in ("Corrections automatiques :\n  - virgule décimale : 2",
                 "  - « Nuisance » : 1 ligne", "Hypothèses :\n  - hypothèse",
                 "  - f.csv, ligne 6 : date illisible", "  … et 1 autre "):
        assert part in text
    assert "ligne 9" not in text
    assert report.reasons().to_dict("list") == {"motif": ["date illisible", "hors territoire"],
                                                "lignes": [2, 1]}


def test_file_info_describes_what_was_detected() -> None:
    info = FileInfo("f.csv", "CSV", encoding="Windows-1252", separator="\t", rows=3,
                    role="fichier principal")
    assert info.describe() == ("f.csv : format CSV, fichier principal, encodage Windows-1252, "
                               "séparateur « tabulation », 3 lignes")
    assert FileInfo("z.geojson", "GeoJSON", crs="EPSG:2154").describe() == (
        "z.geojson : format GeoJSON, coordonnées EPSG:2154, 0 ligne")
