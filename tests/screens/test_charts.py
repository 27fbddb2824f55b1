"""Tests of the time charts: months as dates, sorted, French labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clspd_geo.analysis import indicators
from clspd_geo.screens import charts


def test_month_start_reads_french_labels():
    assert charts.month_start("févr. 2026") == pd.Timestamp("2026-02-01")
    assert charts.month_start("août 2025") == pd.Timestamp("2025-08-01")
    with pytest.raises(ValueError):
        charts.month_start("February 2026")


def test_monthly_frame_is_in_date_order_not_alphabetical():
    # Alphabetical order of these labels is « août, avr., déc., févr., janv. »: the bug.
    ts = pd.Series(pd.to_datetime(["2025-12-03", "2026-01-10", "2026-01-11", "2026-04-02",
                                   "2026-08-30"]))
    table = indicators.monthly_counts(ts, dt.date(2025, 12, 1), dt.date(2026, 9, 1))
    frame = charts.monthly_frame(table)
    period = frame[frame["serie"] == "Période"]
    assert period["mois"].tolist() == list(pd.date_range("2025-12-01", "2026-08-01", freq="MS"))
    assert period["mois_texte"].tolist()[:3] == ["déc. 2025", "janv. 2026", "févr. 2026"]
    assert period["valeur"].tolist() == [1, 2, 0, 0, 1, 0, 0, 0, 1]
    assert charts.is_time_sorted(frame)


def test_the_spec_has_a_temporal_axis_with_french_month_labels():
    table = pd.DataFrame({"Période": [1234, 5], "Année précédente": [3, 4]},
                         index=["nov. 2025", "déc. 2025"])
    frame = charts.monthly_frame(table)
    assert frame["valeur_texte"].tolist()[0] == "1\u202f234"
    spec = charts.time_chart_spec(frame, y_label="Faits")
    x = spec["encoding"]["x"]
    assert x["type"] == "temporal" and x["field"] == "mois" and x["sort"] == "ascending"
    assert "'févr.'" in x["axis"]["labelExpr"] and "utcmonth(datum.value)" in x["axis"]["labelExpr"]
    assert spec["encoding"]["color"]["sort"] == ["Période", "Année précédente"]
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_an_unsorted_axis_is_refused():
    frame = charts.monthly_frame(pd.DataFrame({"Période": [1, 2]},
                                              index=["janv. 2026", "déc. 2025"]))
    assert charts.is_time_sorted(frame)  # monthly_frame sorts
    shuffled = frame.iloc[::-1].reset_index(drop=True)
    assert not charts.is_time_sorted(shuffled)
    with pytest.raises(ValueError, match="not sorted"):
        charts.time_chart_spec(shuffled, y_label="Faits")


def test_ordered_bars_keep_the_night_order():
    table = pd.DataFrame({"Près": [3, 0, 2], "Ailleurs": [1, 1, 1]}, index=["23 h", "0 h", "1 h"])
    frame = charts.ordered_frame(table)
    spec = charts.ordered_bar_spec(frame, x_label="Heure", y_label="Faits")
    assert spec["encoding"]["x"]["sort"] == ["23 h", "0 h", "1 h"]
    assert frame.loc[frame["serie"] == "Près", "valeur"].tolist() == [3.0, 0.0, 2.0]
