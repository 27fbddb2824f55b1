"""Charts of the reports (clspd_geo.reports.charts): PNG bytes of the size asked."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from PIL import Image

from clspd_geo.reports import charts


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as im:
        return im.size


def test_to_png_closes_the_figure() -> None:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    n = len(plt.get_fignums())
    data = charts.to_png(fig)
    assert len(plt.get_fignums()) == n - 1
    w, h = png_size(data)
    assert abs(w - 2 * charts.DPI) <= 0.25 * 2 * charts.DPI and h < w  # tight bounding box


def test_monthly_chart_draws_both_years() -> None:
    trend = pd.DataFrame({"Période": [3, 5, 4], "Année précédente": [2, 2, 6]},
                         index=["2025-01", "2025-02", "2025-03"])
    before = len(plt.get_fignums())
    w, h = png_size(charts.monthly_chart(trend, size_in=(4.0, 2.0)))
    assert len(plt.get_fignums()) == before
    assert w > h and w <= 4.0 * charts.DPI * 1.1


def test_monthly_chart_lines_in_their_colours(monkeypatch) -> None:
    drawn = {}

    def keep(fig: plt.Figure) -> bytes:
        ax = fig.axes[0]
        for line in ax.get_lines():
            drawn[line.get_label()] = (line.get_color(), list(line.get_ydata()))
        drawn["ylim"] = ax.get_ylim()[0]
        drawn["ticks"] = [t.get_text() for t in ax.get_xticklabels()]
        plt.close(fig)
        return b""

    monkeypatch.setattr(charts, "to_png", keep)
    trend = pd.DataFrame({"Période": [3, 5], "Année précédente": [2, 7]}, index=["jan", "fév"])
    charts.monthly_chart(trend, ylabel="Faits")
    assert drawn["Période"] == (charts.PERIOD_COLOR, [3, 5])
    assert drawn["Année précédente"] == (charts.PREVIOUS_COLOR, [2, 7])
    assert drawn["ylim"] == 0 and drawn["ticks"] == ["jan", "fév"]


def test_bar_chart_largest_on_top_with_french_labels(monkeypatch) -> None:
    seen = {}

    def keep(fig: plt.Figure) -> bytes:
        ax = fig.axes[0]
        seen["bars"] = [(round(p.get_y() + p.get_height() / 2), p.get_width())
                        for p in ax.patches]
        seen["texts"] = [t.get_text() for t in ax.texts]
        seen["ticks"] = {round(y): t.get_text()
                         for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)}
        seen["xlim"] = ax.get_xlim()
        plt.close(fig)
        return b""

    monkeypatch.setattr(charts, "to_png", keep)
    charts.bar_chart(pd.Series([1234.0, 7.0], index=["Vols", "Rixes"]))
    assert seen["bars"] == [(1, 1234.0), (0, 7.0)]  # first value on the top row
    assert seen["texts"] == ["1\u202f234", "7"]
    assert seen["ticks"] == {1: "Vols", 0: "Rixes"}  # labels beside their bars
    assert seen["xlim"] == (0.0, 1234.0 * 1.15)
    charts.bar_chart(pd.Series([2.0, 0.0], index=["a", "b"]),
                     labels=pd.Series(["< 5", "0"], index=["a", "b"]))
    assert seen["texts"] == ["< 5", "0"]
    charts.bar_chart(pd.Series([0.0], index=["rien"]))
    assert seen["xlim"] == (0.0, 1.0)


def test_bar_chart_height_grows_with_the_bars() -> None:
    small = png_size(charts.bar_chart(pd.Series(np.arange(1.0, 3.0), index=list("ab"))))
    large = png_size(charts.bar_chart(pd.Series(np.arange(1.0, 21.0),
                                                index=[f"c{i}" for i in range(20)])))
    assert large[1] > 3 * small[1]
