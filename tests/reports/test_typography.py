"""French typography: known answers."""

from __future__ import annotations

import datetime as dt

from clspd_geo.reports import typography as t

N = "\u202f"


def test_numbers_and_percent() -> None:
    assert t.number(1234567.891, digits=1) == f"1{N}234{N}567,9"
    assert t.percent(-3.46, digits=1, signed=True) == f"−3,5{N}%"
    assert t.percent(12, signed=True) == f"+12{N}%"
    # A change that rounds to zero keeps one more decimal, its sign, or reads 0 %.
    assert t.percent(0.3, signed=True) == f"+0,3{N}%"
    assert t.percent(-0.3, signed=True) == f"−0,3{N}%"
    assert t.percent(0.04, signed=True) == f"0{N}%"
    assert t.percent(-0.004, digits=1, signed=True) == f"0{N}%"
    assert t.percent(0.0, signed=True) == f"0{N}%"


def test_small_counts_are_withheld() -> None:
    assert t.count(3, k=11) == f"<{N}11"
    assert t.count(0, k=11) == "0"
    assert t.count(11, k=11) == "11"


def test_punctuation_and_quotes() -> None:
    assert t.fix('Source : "BAAC" ; vu ! à 12:30') == f"Source{N}: «{N}BAAC{N}»{N}; vu{N}! à 12:30"
    assert t.period(dt.date(2025, 1, 1), dt.date(2026, 1, 1)) == \
        "du 1er janvier au 31 décembre 2025"
