"""The monthly barometer: two pages, the month in the title, no withheld count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clspd_geo.access.gateway import Gateway
from clspd_geo.reports import barometer

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
