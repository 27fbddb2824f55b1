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
