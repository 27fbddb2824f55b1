"""Legends: legend lines, graduated classes and the legend box drawn on a map.

Graduated layers (cells, values by quartier, patrol load) share one sequential palette
(:data:`CELL_COLORS`) and one way of cutting values into classes (:func:`class_breaks`),
so that a legend reads the same on every page. Every label goes through
:func:`clspd_geo.safe.text` when the box is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import branca
import folium
import numpy as np

from clspd_geo import _format, safe

# Sequential palette (ColorBrewer YlOrRd, 6 classes) for graduated cells.
CELL_COLORS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
EMPTY_COLOR = "#f5f5f5"
"""Fill of a place with no value (or a suppressed count) on a graduated layer."""


@dataclass(frozen=True)
class LegendItem:
    """One line of a legend: a colour swatch (or a Font Awesome icon) and a label."""

    color: str
    label: str
    icon: str | None = None
    shape: str = "square"


def class_breaks(values: np.ndarray, *, n_classes: int = len(CELL_COLORS)) -> np.ndarray:
    """Return increasing upper bounds of graduated classes (quantiles of non-zero values)."""
    vals = np.asarray(values, dtype=float)
    vals = vals[vals > 0]
    if vals.size == 0:
        return np.array([1.0])
    # Whole-number data (counts) get breaks that are observed values, so labels stay whole.
    method = "higher" if np.all(np.mod(vals, 1) == 0) else "linear"
    return np.unique(np.quantile(vals, np.linspace(0, 1, n_classes + 1)[1:], method=method))


def class_colors(values: np.ndarray, breaks: np.ndarray) -> list[str]:
    """Return the colour of each value's class, the darkest for the last of ``breaks``.

    Fewer classes than colours take the darkest end of :data:`CELL_COLORS`; a value above
    the last break gets the last class.
    """
    vals = np.asarray(values, dtype=float)
    cls = np.minimum(np.searchsorted(breaks, vals, side="left"), len(breaks) - 1)
    offset = len(CELL_COLORS) - len(breaks)
    return [CELL_COLORS[offset + c] for c in cls]


def _fmt(v: float) -> str:
    return _format.number(v, decimals=0 if float(v).is_integer() or v >= 10 else 1)


def class_legend(breaks: np.ndarray, values: np.ndarray, *, unit: str) -> list[LegendItem]:
    """Return the legend lines of graduated classes with upper bounds ``breaks``.

    Whole-number data read "1", "2 – 3", "4 – 49"; other data read "0.5 – 1.2".
    """
    vals = np.asarray(values, dtype=float)
    integers = bool(np.all(np.mod(vals, 1) == 0))
    offset = len(CELL_COLORS) - len(breaks)
    items: list[LegendItem] = []
    # Classes start at the smallest value shown (e.g. 5 when smaller counts are hidden).
    lower = float(vals.min()) - 1 if integers and vals.size else 0.0
    for i, upper in enumerate(breaks):
        if integers:
            lo = int(lower) + 1
            text = f"{int(upper)}" if lo >= int(upper) else f"{lo} – {int(upper)}"
        else:
            text = f"{_fmt(lower)} – {_fmt(upper)}"
        # « 1 fait », never « 1 faits » (a class holding the single value 1).
        noun = _format.singular(unit) if integers and int(upper) <= 1 else unit
        items.append(LegendItem(CELL_COLORS[offset + i], f"{text} {noun}"))
        lower = upper
    return items


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div style="position:absolute; bottom:24px; left:10px; z-index:9999; background:rgba(255,255,255,.92);
 padding:6px 9px; border:1px solid #999; border-radius:4px; font:12px/1.35 sans-serif;
 max-height:45%; overflow-y:auto; max-width:280px;" class="clspd-legend">
{{ this.body }}
</div>
{% endmacro %}
"""


def add_legend(m: folium.Map, sections: Sequence[tuple[str, Sequence[LegendItem]]]
               ) -> folium.Map:
    """Add a legend box (bottom left) with titled sections of items; return the map.

    A section with no item draws nothing but still counts as a section (only the first
    three sections start unfolded).
    """
    parts: list[str] = []
    for n, (title, items) in enumerate(sections):
        if not items:
            continue
        # Long sections (facility kinds) start folded so the legend does not hide the map.
        opened = " open" if len(items) <= 8 and n < 3 else ""
        parts.append(f"<details{opened}><summary><b>{safe.text(title)}</b></summary>")
        for it in items:
            if it.icon:
                sw = (f'<i class="fa-solid fa-{safe.text(it.icon)}" style="color:{it.color};'
                      f'width:14px;text-align:center"></i>')
            elif it.shape == "line":
                sw = (f'<span style="display:inline-block;width:16px;border-top:3px solid '
                      f'{it.color};vertical-align:middle"></span>')
            else:
                sw = (f'<span style="display:inline-block;width:12px;height:12px;background:'
                      f'{it.color};border:1px solid #666;vertical-align:middle"></span>')
            parts.append(f"{sw} {safe.text(it.label)}<br>")
        parts.append("</details>")
    el = branca.element.MacroElement()
    el._template = branca.element.Template(_LEGEND_TEMPLATE)
    el.body = "".join(parts)
    m.add_child(el)
    return m
