"""The monthly barometer: two pages, the month in the title, no withheld count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clspd_geo.access.gateway import Gateway
from clspd_geo.analysis import indicators
from clspd_geo.reports import barometer, figures, typography

from .conftest import counts_before_faits, page_count, pdf_text, render_png


def test_month_bounds() -> None:
    assert barometer.month_bounds(dt.date(2025, 12, 17)) == (dt.date(2025, 12, 1),
                                                             dt.date(2026, 1, 1))


def test_two_pages(demo_store: Path, tmp_path: Path) -> None:
    view = Gateway(str(demo_store)).view("groupe_travail")
    month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    data = barometer.build_pdf(view, month=month)
    assert page_count(data) == 2
    text = pdf_text(data)
    assert "Baromètre mensuel du CLSPD" in text and "Évolution par quartier" in text
    k = view.small_count_k
    assert all(n == 0 or n >= k for n in counts_before_faits(text))
    assert len(render_png(data, tmp_path)) == 2


@pytest.mark.parametrize("role", ["public", "groupe_travail"])
def test_the_same_barometer_from_counts_as_from_one_row_per_incident(demo_store: Path,
                                                                    role: str) -> None:
    from .conftest import PERIOD, one_row_per_incident

    month = PERIOD[1] - dt.timedelta(days=1)  # the demo's last month
    made = dt.date(2026, 1, 5)
    weighted = Gateway(str(demo_store)).view(role)
    expanded = one_row_per_incident(Gateway(str(demo_store)).view(role))
    a = pdf_text(barometer.build_pdf(weighted, month=month, made_on=made))
    b = pdf_text(barometer.build_pdf(expanded, month=month, made_on=made))
    assert a == b
    start, end = barometer.month_bounds(month)
    total = indicators.count(weighted.counts(), figures.selection(weighted, start=start,
                                                                  end=end))
    shown = typography.count(total, k=weighted.small_count_k).replace("\u202f", " ")
    assert total >= weighted.small_count_k and f"Faits enregistrés\n{shown}\n" in a
