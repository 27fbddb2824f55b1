"""Cell values of imported tables: numbers, dates, counts and formula cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from import_helpers import BAD, refused, repaired

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline, values
from clspd_geo.importing.report import RowLog


def test_numbers_with_decimal_comma_counted() -> None:
    log = RowLog()
    out = values.numbers(pd.Series(["5,5", " -2,97344300", "3", None, "x"]), log=log,
                         what="v")
    assert out.iloc[:3].tolist() == [5.5, -2.973443, 3.0]
    assert out.iloc[3:].isna().all()
    assert log.fixes == {"virgule décimale lue comme un point (v)": 2}


def test_datetimes_iso_french_and_two_digit_years() -> None:
    out = values.datetimes(pd.Series(["2024-03-01 22:10", "01/03/2024", "08/07/16",
                                      "Début 2019"]))
    assert out.iloc[0] == pd.Timestamp("2024-03-01 22:10")
    assert out.iloc[1] == pd.Timestamp("2024-03-01")  # day first, as in France
    assert out.iloc[2] == pd.Timestamp("2016-07-08")
    assert pd.isna(out.iloc[3])


def test_future_dates_rejected_relative_to_now() -> None:
    log = RowLog()
    when = pd.Series(pd.to_datetime(["2024-01-01", "2024-06-01"]))
    keep = values.reject_bad_dates(when, pd.Series([2, 3]), file="f", log=log, column="d",
                                   now=dt.datetime(2024, 3, 1))
    assert keep.tolist() == [True, False]
    assert log.rejected_frame()["ligne"].tolist() == [3]


@pytest.mark.parametrize(("cell", "defused"), [
    ("=cmd|' /C calc'!A0", True), ("+33 1 23", False), ("@SUM(A1)", True), ("-x", True),
    ("-12", False), ("+3,5", False), ("Rue de Rivoli", False), ("", False)])
def test_formula_cells(cell: str, defused: bool) -> None:
    log = RowLog()
    out = values.neutralise_formulas(pd.DataFrame({"name": [cell]}), ["name"], log=log)
    assert (out["name"].iloc[0] == "'" + cell) is defused
    assert bool(log.fixes) is defused


def test_decimal_commas_read(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "decimal_commas.csv"],
                      "virgule décimale lue comme un point")
    pts = report.frames["incidents"].geometry
    assert pts.iloc[0].x == pytest.approx(2.3522) and pts.iloc[0].y == pytest.approx(48.8566)


def test_unparseable_dates_refused(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "unparseable_dates.csv"], "date illisible")
    assert report.rejected["ligne"].tolist() == [3, 4]
    assert report.accepted == 1


def test_future_dates_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "future_dates.csv"], SchemaError,
            "date dans le futur")


def test_negative_counts_refused(store: Path) -> None:
    refused(store, "accidents", [BAD / "negative_counts.csv"], SchemaError,
            "nombre négatif dans « tues »")


def test_formula_injection_neutralised(store: Path, tmp_path: Path) -> None:
    report = repaired(store, "facilities", [BAD / "formula_injection.csv"],
                      "neutralisées (apostrophe ajoutée")
    assert report.frames["equipements"]["name"].iloc[0] == "'=cmd|' /C calc'!A0"
    copy = tmp_path / "copie.gpkg"
    copy.write_bytes(store.read_bytes())
    pipeline.commit(report, copy)
    stored = store_mod.open_store(copy).read("equipements")
    assert "'=cmd|' /C calc'!A0" in set(stored["name"])
