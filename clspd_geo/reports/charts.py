"""Charts of the reports as PNG images, drawn with matplotlib's Agg backend (no browser).

Every chart takes a small table the library computed (a monthly trend, counts by
category) and returns PNG bytes. Labels are French, numbers use the decimal comma, and
the colours are the app's: the period in blue, the year before in grey.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no browser

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from clspd_geo.reports import typography  # noqa: E402

PERIOD_COLOR = "#1565c0"
PREVIOUS_COLOR = "#9e9e9e"
DPI = 130
"""Resolution of the images, dots per inch (sharp on paper, a few tens of kB each)."""


def _style(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: typography.number(v)))
    ax.tick_params(labelsize=7)


def to_png(fig: plt.Figure) -> bytes:
    """Return a figure as PNG bytes, cropped to what it draws (as ``bbox_inches="tight"``).

    ``savefig(bbox_inches="tight")`` rasterises the figure twice (once to measure it);
    here the measure is taken from a draw that renders nothing, so the figure is
    rasterised once (a map of the reports draws in about half the time).
    """
    buf = io.BytesIO()
    fig.set_dpi(DPI)
    fig.draw_without_rendering()
    bbox = fig.get_tightbbox().padded(0.1)
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches=bbox)
    plt.close(fig)
    return buf.getvalue()


def monthly_chart(trend: pd.DataFrame, *, ylabel: str = "Faits", size_in: tuple[float, float]
                  = (7.0, 2.6)) -> bytes:
    """Return a line chart of a monthly trend beside the year before.

    Parameters
    ----------
    trend
        The table of :func:`clspd_geo.analysis.indicators.monthly_trend` (index: month
        labels; columns ``Période`` and ``Année précédente``).
    ylabel
        Label of the vertical axis.
    """
    fig, ax = plt.subplots(figsize=size_in)
    x = range(len(trend))
    ax.plot(x, trend["Année précédente"], color=PREVIOUS_COLOR, linewidth=1.4,
            linestyle="--", label="Année précédente", marker="o", markersize=2.5)
    ax.plot(x, trend["Période"], color=PERIOD_COLOR, linewidth=2, label="Période",
            marker="o", markersize=3)
    ax.set_xticks(list(x), [str(i) for i in trend.index], rotation=45, ha="right")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_ylim(bottom=0)
    _style(ax)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=2)
    return to_png(fig)


def bar_chart(values: pd.Series, *, xlabel: str = "Faits", color: str = PERIOD_COLOR,
              labels: pd.Series | None = None, size_in: tuple[float, float] | None = None
              ) -> bytes:
    """Return a horizontal bar chart, largest value on top.

    Parameters
    ----------
    values
        One value per bar (index: the bar labels).
    labels
        Text written at the end of each bar (default: the values, French formatting);
        use it to print suppressed counts as « < k ».
    """
    values = values.astype(float)
    text = labels if labels is not None else values.map(typography.number)
    height = size_in or (7.0, 0.5 + 0.28 * max(len(values), 1))
    fig, ax = plt.subplots(figsize=height)
    y = list(range(len(values)))[::-1]
    ax.barh(y, values.to_numpy(), color=color, height=0.65)
    ax.set_yticks(y, [str(i) for i in values.index])
    top = float(values.max()) if len(values) else 1.0
    for yi, v, t in zip(y, values.to_numpy(), text.to_numpy(), strict=True):
        ax.text(v + top * 0.01, yi, str(t), va="center", fontsize=7)
    ax.set_xlim(0, top * 1.15 if top > 0 else 1)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: typography.number(v)))
    return to_png(fig)
