"""Legends: legend lines, graduated classes and the legend box drawn on a map.

Graduated layers (cells, values by quartier, patrol load) share one sequential palette
(:data:`CELL_COLORS`) and one way of cutting values into classes (:func:`class_breaks`),
so that a legend reads the same on every page. Every label goes through
:func:`clspd_geo.safe.text` when the box is drawn.
"""

from __future__ import annotations

import re
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

    Whole-number data read "1", "2 – 3", "4 – 49"; other data read "0.5 – 1.2". No
    value to show (every count 0 or suppressed): no class line, rather than a « 1 fait »
    class that suppressed data cannot hold.
    """
    vals = np.asarray(values, dtype=float)
    if vals.size == 0:
        return []
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


@dataclass(frozen=True)
class LegendSection:
    """One titled section of the legend box, tied to the layer it describes.

    Attributes
    ----------
    title, items
        The section's title and lines (a section with no item draws nothing).
    layer
        The JavaScript name of its folium layer (``FeatureGroup.get_name()``): the section
        is shown only while that layer is on the map. ``None``: always shown.
    shown
        Whether the layer starts on the map (``FeatureGroup.show``).
    """

    title: str
    items: Sequence[LegendItem]
    layer: str | None = None
    shown: bool = True


def _section(entry: LegendSection | tuple[str, Sequence[LegendItem]]) -> LegendSection:
    return entry if isinstance(entry, LegendSection) else LegendSection(entry[0], entry[1])


def _swatch(it: LegendItem) -> str:
    if it.icon:
        return (f'<i class="fa-solid fa-{safe.text(it.icon)}" style="color:{it.color};'
                f'width:14px;text-align:center"></i>')
    if it.shape == "line":
        return (f'<span style="display:inline-block;width:16px;border-top:3px solid '
                f'{it.color};vertical-align:middle"></span>')
    return (f'<span style="display:inline-block;width:12px;height:12px;background:'
            f'{it.color};border:1px solid #666;vertical-align:middle"></span>')


def _js_name(name: str | None) -> bool:
    return bool(name) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None


def legend_html(sections: Sequence[LegendSection | tuple[str, Sequence[LegendItem]]]) -> str:
    """Return the inner HTML of the legend box: one foldable ``<details>`` per section.

    A section whose layer starts off the map is written ``hidden`` (the map's script
    shows it when the layer is switched on); a section with no item is left out. A
    section tied to a layer carries ``data-layer-index``: the position of its layer among
    the tied sections' layers (streamlit-folium renames the JavaScript variables, so the
    script finds the layers by position). Among the sections shown, the first three with
    at most 8 lines start unfolded.
    """
    parts: list[str] = []
    n_shown = 0
    n_tied = 0
    for entry in map(_section, sections):
        if not entry.items:
            continue
        opened = " open" if entry.shown and len(entry.items) <= 8 and n_shown < 3 else ""
        n_shown += int(entry.shown)
        attrs = ""
        if _js_name(entry.layer):
            attrs = f' data-layer-index="{n_tied}"'
            n_tied += 1
        attrs += "" if entry.shown else " hidden"
        parts.append(f"<details{opened}{attrs}><summary><b>{safe.text(entry.title)}</b>"
                     "</summary>")
        parts += [f"{_swatch(it)} {safe.text(it.label)}<br>" for it in entry.items]
        parts.append("</details>")
    return "".join(parts)


def visible_titles(html: str) -> list[str]:
    """Return the titles of the sections of :func:`legend_html` that start visible."""
    return [re.sub(r"<[^>]+>", "", t) for t in
            re.findall(r"<details(?:(?! hidden)[^>])*><summary><b>(.*?)</b></summary>", html)]


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div class="clspd-legend" style="position:absolute; bottom:24px;
 left:10px; z-index:9999; background:rgba(255,255,255,.92); padding:4px 8px; border:1px solid
 #999; border-radius:4px; font:12px/1.35 sans-serif; max-height:40%; overflow-y:auto;
 max-width:250px;">
<details open class="clspd-legend-box"><summary style="cursor:pointer"><b>Légende</b></summary>
{{ this.body }}
</details>
</div>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var layers = [{% for name in this.layer_names %}{{ name }}, {% endfor %}];
  function sync() {
    document.querySelectorAll(".clspd-legend details[data-layer-index]").forEach(function(s) {
      var layer = layers[Number(s.getAttribute("data-layer-index"))];
      if (layer) { s.hidden = !map.hasLayer(layer); }
    });
  }
  map.on("overlayadd overlayremove", sync);
  map.whenReady(sync);
})();
{% endmacro %}
"""


def add_legend(m: folium.Map,
               sections: Sequence[LegendSection | tuple[str, Sequence[LegendItem]]]
               ) -> folium.Map:
    """Add a foldable legend box (bottom left) with one section per layer; return the map.

    Sections tied to a layer (:class:`LegendSection`) follow it: shown while the layer is
    on the map, hidden when it is switched off in the layer control.
    """
    entries = [_section(e) for e in sections]
    el = branca.element.MacroElement()
    el._name = "Legend"
    el._template = branca.element.Template(_LEGEND_TEMPLATE)
    el.body = legend_html(entries)
    # Only names of JavaScript variables reach the script, in the order of data-layer-index.
    el.layer_names = [e.layer for e in entries if e.items and _js_name(e.layer)]
    m.add_child(el)
    return m
