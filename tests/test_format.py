"""Tests of the French number formatter."""

from __future__ import annotations

from clspd_geo import _format


def test_number_uses_a_decimal_comma_and_narrow_spaces_between_thousands():
    assert _format.number(1234567.891, decimals=2) == "1\u202f234\u202f567,89"
    assert _format.number(12.5, decimals=1) == "12,5"
    assert _format.number(999) == "999"
    assert _format.number(-4321.0) == "-4\u202f321"
    assert _format.number(12345.6, decimals=1, grouped=False) == "12345,6"


def test_percent_puts_a_no_break_space_before_the_sign():
    assert _format.percent(37.5, decimals=1) == "37,5\u202f%"
    assert _format.percent(37.4) == "37\u202f%"
    assert _format.percent(0) == "0\u202f%"


def test_dates_read_the_french_way_and_missing_values_never_read_none():
    import datetime as dt
    assert _format.date(dt.date(2026, 3, 12)) == "12 mars 2026"
    assert _format.date("2026-08-01T10:00:00") == "1er août 2026"
    assert _format.datetime_text("2026-12-05T08:30:00") == "5 décembre 2026 à 08:30"
    assert _format.date(None) == "–" and _format.datetime_text("") == "–"


def test_nouns_agree_with_their_count():
    assert _format.count(1, "fait sensible") == "1 fait sensible"
    assert _format.count(0, "fait") == "0 fait"
    assert _format.count(1040, "fait") == "1\u202f040 faits"
    assert _format.plural(2, "cheval", "chevaux") == "chevaux"
    assert _format.singular("faits sensibles") == "fait sensible"


def test_a_table_for_display_has_no_none_and_no_decimal_point():
    import numpy as np
    import pandas as pd
    df = pd.DataFrame({"Quartier": ["Centre", None], "Faits": [1234, 7],
                       "Évolution (%)": [13.94, np.nan],
                       "Depuis": pd.to_datetime(["2026-03-12", None])})
    out = _format.table(df)
    assert out.to_dict("list") == {"Quartier": ["Centre", "–"], "Faits": ["1\u202f234", "7"],
                                   "Évolution (%)": ["13,9", "–"],
                                   "Depuis": ["12 mars 2026", "–"]}
    assert df["Faits"].tolist() == [1234, 7]  # input untouched
