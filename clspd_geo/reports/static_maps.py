"""Maps of the reports as PNG images, drawn from the layers themselves (no tiles, offline).

A map is the territory outline plus a list of :class:`MapLayer` (polygons, lines or
points, each with its colours and its legend line), drawn with geopandas and matplotlib
(Agg backend) in the territory's metric CRS, so that the scale bar is true in metres.
Every map has a legend, a scale bar, a north arrow and a « Source : … » line.
:func:`class_layers` turns a value per zone (quartiers, cells) into graduated classes
coloured as on screen (:data:`clspd_geo.maps.legend.CELL_COLORS`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from clspd_geo.maps import legend, streets  # noqa: E402
from clspd_geo.reports import charts, typography  # noqa: E402

NO_DATA_COLOR = "#eeeeee"
SUPPRESSED_COLOR = "#d7dde3"
"""Fill of zones whose count is withheld (from 1 to k−1)."""


@dataclass(frozen=True)
class MapLayer:
    """One layer of a static map.

    Attributes
    ----------
    frame
        The features (any CRS; reprojected to the map's metric CRS).
    label
        Legend line (None: not in the legend).
    kind
        ``"polygon"``, ``"line"`` or ``"point"``.
    face, edge
        Fill and outline colours (``"none"`` for no fill).
    width
        Line width, points.
    dashed
        Dashed outline or line.
    size
        Marker size of points, points squared.
    alpha
        Opacity of the fill.
    label_col
        Column whose text is written on the map: next to points, along lines (once per
        name, on its longest piece) or inside polygons; ``None``: no text.
    text_size
        Size of that text, points.
    """

    frame: gpd.GeoDataFrame
    label: str | None
    kind: str = "polygon"
    face: str = "none"
    edge: str = "#455a64"
    width: float = 0.8
    dashed: bool = False
    size: float = 14.0
    alpha: float = 1.0
    label_col: str | None = None
    text_size: float = 6.0


STREET_ZOOM_M = 4000.0
"""Street names are written on maps narrower than this (metres): a sector, a quartier."""

ROAD_STYLES = {"principale": ("#b0bec5", 2.2), "voie_ferree": ("#616161", 0.9)}
"""Colour and width of the roads background by ``kind``; other kinds are thin streets."""
STREET_STYLE = ("#cfd8dc", 1.1)


def roads_background(voies: gpd.GeoDataFrame | None) -> list[MapLayer]:
    """Return the store's ``voies`` layer as a street background (no legend line).

    Main roads are wide light grey, other streets thinner, railway lines dark dashes;
    the names are written along the roads when the map is at street scale (see
    :data:`STREET_ZOOM_M`). Pass the result as ``background=`` to :func:`render`, which
    draws it under everything. An absent or empty layer gives an empty list.
    """
    if voies is None or voies.empty:
        return []
    kinds = voies["kind"].astype(str) if "kind" in voies.columns else None
    label = "name" if "name" in voies.columns else None
    out: list[MapLayer] = []
    for kind, (color, width) in ROAD_STYLES.items():
        part = voies[kinds == kind] if kinds is not None else voies.iloc[:0]
        if not part.empty:
            out.append(MapLayer(part, None, kind="line", edge=color, width=width,
                                dashed=kind == "voie_ferree",
                                label_col=None if kind == "voie_ferree" else label,
                                text_size=5.5))
    rest = voies[~kinds.isin(list(ROAD_STYLES))] if kinds is not None else voies
    if not rest.empty:
        out.insert(0, MapLayer(rest, None, kind="line", edge=STREET_STYLE[0],
                               width=STREET_STYLE[1], label_col=label, text_size=5.0))
    return out


def _write_labels(ax: plt.Axes, layer: MapLayer, data: gpd.GeoDataFrame, *, z: int) -> None:
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    col = layer.label_col
    if layer.kind == "line":
        for text, x, y, angle in streets.line_label_points(data, label_col=col):
            ax.text(x, y, text, fontsize=layer.text_size, color="#455a64", rotation=angle,
                    rotation_mode="anchor", ha="center", va="center", zorder=z,
                    path_effects=halo, clip_on=True)
        return
    pts = data.geometry if layer.kind == "point" else data.geometry.representative_point()
    for text, p in zip(data[col].astype(str), pts, strict=True):
        if layer.kind == "point":
            ax.annotate(text, (p.x, p.y), xytext=(2.5, 2.5), textcoords="offset points",
                        fontsize=layer.text_size, zorder=z, path_effects=halo,
                        annotation_clip=True)
        else:
            ax.text(p.x, p.y, text, fontsize=layer.text_size, fontweight="bold",
                    ha="center", va="center", zorder=z, path_effects=halo, clip_on=True)


def nice_length(span_m: float) -> float:
    """Return a round scale-bar length (1, 2 or 5 × 10ⁿ m) of about a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def _length_text(m: float) -> str:
    return (f"{typography.number(m / 1000, digits=0 if m >= 1000 else 1)}{typography.NBSP}km"
            if m >= 1000 else f"{typography.number(m)}{typography.NBSP}m")


def _scale_bar(ax: plt.Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.012
    ax.add_patch(plt.Rectangle((x, y), length / 2, h, facecolor="#212121", edgecolor="#212121",
                               zorder=20))
    ax.add_patch(plt.Rectangle((x + length / 2, y), length / 2, h, facecolor="white",
                               edgecolor="#212121", zorder=20))
    ax.text(x + length / 2, y + h * 1.8, _length_text(length), ha="center", va="bottom",
            fontsize=7, zorder=20)


def _north_arrow(ax: plt.Axes) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "#212121", "lw": 1.5}, zorder=20)


def _legend_handle(layer: MapLayer):
    style = "--" if layer.dashed else "-"
    if layer.kind == "point":
        return Line2D([], [], linestyle="none", marker="o", markersize=5,
                      markerfacecolor=layer.face, markeredgecolor=layer.edge,
                      label=layer.label)
    if layer.kind == "line" or layer.face == "none":
        return Line2D([], [], color=layer.edge, linewidth=max(layer.width, 1.2),
                      linestyle=style, label=layer.label)
    return Patch(facecolor=layer.face, edgecolor=layer.edge, label=layer.label,
                 alpha=layer.alpha)


def render(territory: gpd.GeoDataFrame, layers: Sequence[MapLayer], *, epsg: int,
           source: str, legend_title: str | None = None,
           size_in: tuple[float, float] = (7.0, 5.2),
           background: Sequence[MapLayer] = (),
           extent: gpd.GeoDataFrame | None = None,
           legend_loc: str = "right") -> bytes:
    """Return a map as PNG bytes.

    Parameters
    ----------
    territory
        The territory outline (any CRS); the map's extent.
    layers
        Drawn in order (the first one at the bottom).
    epsg
        The metric CRS the map is drawn in (Lambert-93 in metropolitan France).
    source
        The sources, printed as « Source : … » under the map.
    legend_title
        Title of the legend box.
    background
        Layers drawn under everything, with no legend line (the street background of
        :func:`roads_background`); their names are written when the map is narrower than
        :data:`STREET_ZOOM_M`.
    extent
        Features (any CRS) the map is fitted to (default: the territory), e.g. a sector.
    legend_loc
        ``"right"`` (beside the map) or ``"below"``.
    """
    fig, ax = plt.subplots(figsize=size_in)
    # geopandas redraws the whole figure after each layer (draw_idle is immediate on Agg):
    # one draw at the end is enough.
    fig.canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
    ax.set_axis_off()
    terr = territory.to_crs(epsg)
    terr.plot(ax=ax, facecolor="white", edgecolor="none", zorder=0)
    box = (extent.to_crs(epsg) if extent is not None and not extent.empty else terr).total_bounds
    minx, miny, maxx, maxy = box
    span = max(maxx - minx, maxy - miny)
    for layer in background:
        if layer.frame is None or layer.frame.empty:
            continue
        data = layer.frame.to_crs(epsg)
        data.plot(ax=ax, color=layer.edge, linewidth=layer.width,
                  linestyle=(0, (4, 3)) if layer.dashed else "-", zorder=0.5)
        if layer.label_col and span <= STREET_ZOOM_M:
            _write_labels(ax, layer, data, z=0.6)
    terr.plot(ax=ax, facecolor="none", edgecolor="#212121", linewidth=1.2, zorder=1)
    handles = []
    for z, layer in enumerate(layers, start=2):
        if layer.frame is None or layer.frame.empty:
            continue
        data = layer.frame.to_crs(epsg)
        style = (0, (4, 3)) if layer.dashed else "-"
        if layer.kind == "point":
            data.plot(ax=ax, color=layer.face, edgecolor=layer.edge, markersize=layer.size,
                      linewidth=0.4, zorder=z + 10)
        elif layer.kind == "line":
            data.plot(ax=ax, color=layer.edge, linewidth=layer.width, linestyle=style, zorder=z)
        else:
            data.plot(ax=ax, facecolor=layer.face, edgecolor=layer.edge, linewidth=layer.width,
                      linestyle=style, alpha=layer.alpha, zorder=z)
        if layer.label_col:
            _write_labels(ax, layer, data, z=z + 30)
        if layer.label:
            handles.append(_legend_handle(layer))
    pad = 0.03 * span
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad * 3, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _scale_bar(ax)
    _north_arrow(ax)
    if handles:
        where = ({"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)} if legend_loc == "right"
                 else {"loc": "upper center", "bbox_to_anchor": (0.5, 0.0),
                       "ncol": min(len(handles), 4)})
        leg = ax.legend(handles=handles, title=legend_title, fontsize=6.5, title_fontsize=7,
                        frameon=False, **where)
        leg._legend_box.align = "left"
    # Wrapped by hand: matplotlib's wrap=True measures every word, seconds per map.
    text = "\n".join(textwrap.wrap(typography.fix(f"Source : {source}"), width=150))
    fig.text(0.01, 0.005, text, fontsize=6, color="#616161", ha="left", va="top")
    return charts.to_png(fig)


def class_layers(zones: gpd.GeoDataFrame, *, value_col: str, k: int, unit: str,
                 edge: str = "#ffffff", alpha: float = 0.85) -> list[MapLayer]:
    """Return one :class:`MapLayer` per class of a value per zone, coloured as on screen.

    Zones whose value lies from 1 to k−1 are drawn in :data:`SUPPRESSED_COLOR` with the
    legend « < k » (their class would tell the withheld count); zones at 0 are left white.

    Parameters
    ----------
    zones
        Polygons with ``value_col`` (counts or rates).
    k
        The role's small-count threshold; 1 when the values are not counts.
    unit
        Unit written after the class bounds in the legend (« faits »).
    alpha
        Opacity of the fills (below 1, the street background shows through).
    """
    vals = zones[value_col].astype(float).to_numpy()
    out: list[MapLayer] = []
    # k = 1 means the values are not counts (rates): nothing is withheld, however small.
    hidden = (vals > 0) & (vals < k) if k > 1 else np.zeros(len(vals), dtype=bool)
    shown = (vals > 0) & ~hidden
    if shown.any():
        breaks = legend.class_breaks(vals[shown])
        lower = float(np.min(vals[shown]))
        digits = 0 if np.allclose(vals[shown], np.round(vals[shown])) else 1
        for i, upper in enumerate(breaks):
            inside = shown & (vals >= lower) & (vals <= upper)
            if i == len(breaks) - 1:
                inside = shown & (vals >= lower)
            if not inside.any():
                lower = upper
                continue
            color = legend.CELL_COLORS[min(i, len(legend.CELL_COLORS) - 1)]
            label = (f"{typography.number(lower, digits=digits)} à "
                     f"{typography.number(upper, digits=digits)} {unit}")
            out.append(MapLayer(zones[inside], label, face=color, edge=edge, width=0.3,
                                alpha=alpha))
            lower = float(np.min(vals[shown & (vals > upper)])) if (vals[shown] > upper).any() \
                else upper
    if hidden.any():
        out.append(MapLayer(zones[hidden], f"<{typography.NNBSP}{k} {unit} (masqué)",
                            face=SUPPRESSED_COLOR, edge=edge, width=0.3, alpha=alpha))
    return out


def quartier_outlines(quartiers: gpd.GeoDataFrame) -> list[MapLayer]:
    """Return the quartiers as on screen: grey dashed outlines, QPV in red."""
    if quartiers.empty:
        return []
    qpv = quartiers["qpv"].fillna(False).astype(bool)
    out = [MapLayer(quartiers[~qpv], "Quartier", edge="#546e7a", width=0.6, dashed=True)]
    if qpv.any():
        out.append(MapLayer(quartiers[qpv], "Quartier prioritaire (QPV)", edge="#c62828",
                            width=0.8, dashed=True))
    return out
