"""Folium maps: a base map and one builder per layer family.

Builders return :class:`folium.FeatureGroup` objects so they compose, and only ever get
EPSG:4326 data (they reproject if needed). Every text that reaches a tooltip or legend
goes through :func:`clspd_geo.safe.text`. The maps use only Leaflet itself (no plugin, no
colormap that would pull d3 from a CDN), so they draw offline once :mod:`offline` serves
Leaflet; basemap tiles are optional.

Incidents are never drawn one marker per incident: they are aggregated into graduated
cells (see :mod:`clspd_geo.analysis.cells`), which keeps the map small at a million incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import branca
import folium
import geopandas as gpd
import numpy as np

from clspd_geo import config, crs, safe, vocab
from clspd_geo.maps import offline

# Sequential palette (ColorBrewer YlOrRd, 6 classes) for graduated cells.
CELL_COLORS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
CAMERA_STATUS_COLORS = {"en_service": "#1565c0", "en_panne": "#9e9e9e", "projet": "#ff8f00"}
_PRECISION = 1e-6  # degrees, about 0.1 m: enough for display, and it halves the GeoJSON


@dataclass(frozen=True)
class LegendItem:
    """One line of a legend: a colour swatch (or a Font Awesome icon) and a label."""

    color: str
    label: str
    icon: str | None = None
    shape: str = "square"


def _geojson_ready(gdf: gpd.GeoDataFrame, keep: Sequence[str]) -> gpd.GeoDataFrame:
    """Return only ``keep`` columns, escaped as strings, in EPSG:4326 with rounded geometry."""
    work = crs.to_storage(gdf)
    out = gpd.GeoDataFrame(
        {c: [safe.text(v) for v in work[c]] for c in keep},
        geometry=work.geometry.set_precision(_PRECISION).to_numpy(), crs=config.STORAGE_CRS)
    return out[~out.geometry.is_empty & out.geometry.notna()]


def _tooltip(fields: Sequence[str], aliases: Sequence[str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=list(fields), aliases=[safe.text(a) for a in aliases],
                                 sticky=True)


def base_map(territoire: gpd.GeoDataFrame, *, basemap: str = "aucun",
             height: str = "100%") -> folium.Map:
    """Return a folium map fitted to the territory, with local Leaflet and the chosen tiles.

    Parameters
    ----------
    territoire
        The territory layer (any CRS).
    basemap
        A key of :data:`clspd_geo.config.BASEMAPS`; ``"aucun"`` draws no tiles.
    """
    terr = crs.to_storage(territoire)
    minx, miny, maxx, maxy = terr.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None,
                   control_scale=False, height=height)
    m.add_child(_MetricScale())
    offline.localise(m)
    spec = config.BASEMAPS.get(basemap, config.BASEMAPS["aucun"])
    if spec["url"]:
        folium.TileLayer(tiles=spec["url"], attr=spec["attribution"], name=spec["label"],
                         max_zoom=19, overlay=False, control=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        _geojson_ready(terr, ["name"]).__geo_interface__, name="Limites du territoire",
        style_function=lambda _f: {"color": "#263238", "weight": 2.5, "fill": False},
        control=False,
    ).add_to(m)
    return m


def quartiers_layer(quartiers: gpd.GeoDataFrame, *, show: bool = False) -> folium.FeatureGroup:
    """Return the quartiers outlines (QPV hatched in red) with their names as tooltip."""
    fg = folium.FeatureGroup(name="Quartiers (QPV en rouge)", show=show)
    data = _geojson_ready(quartiers.assign(qpv_label=np.where(quartiers["qpv"], "oui", "non")),
                          ["name", "qpv_label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": "#c62828" if f["properties"]["qpv_label"] == "oui" else "#546e7a",
            "weight": 1.5, "dashArray": "4 4", "fillOpacity": 0.04},
        tooltip=_tooltip(["name", "qpv_label"], ["Quartier", "QPV"]),
    ).add_to(fg)
    return fg


def cameras_layer(cameras: gpd.GeoDataFrame, views: gpd.GeoDataFrame, *,
                  name: str = "Caméras et champs de vision") -> folium.FeatureGroup:
    """Return cameras as points with their view cones, coloured by status."""
    fg = folium.FeatureGroup(name=name, show=True)
    cams = cameras.assign(
        kind_label=cameras["kind"].map(vocab.CAMERA_KINDS),
        status_label=cameras["status"].map(vocab.CAMERA_STATUSES),
        operator_label=cameras["operator"].map(vocab.CAMERA_OPERATORS))
    v = _geojson_ready(views.assign(status=views["status"]), ["status"])
    folium.GeoJson(
        v.__geo_interface__,
        style_function=lambda f: {
            "color": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0"),
            "weight": 0.5, "fillOpacity": 0.18},
    ).add_to(fg)
    pts = _geojson_ready(cams, ["camera_id", "name", "kind_label", "status_label",
                                "operator_label", "status"])
    folium.GeoJson(
        pts.__geo_interface__,
        marker=folium.CircleMarker(radius=4, fill=True, fill_opacity=1.0),
        style_function=lambda f: {
            "color": "#ffffff", "weight": 1,
            "fillColor": CAMERA_STATUS_COLORS.get(f["properties"]["status"], "#1565c0")},
        tooltip=_tooltip(["camera_id", "name", "kind_label", "status_label", "operator_label"],
                         ["Caméra", "Lieu", "Type", "État", "Exploitant"]),
    ).add_to(fg)
    return fg


def sectors_layer(secteurs: gpd.GeoDataFrame, *, name: str = "Secteurs de patrouille",
                  show: bool = True) -> folium.FeatureGroup:
    """Return patrol sectors outlined in their force's colour."""
    fg = folium.FeatureGroup(name=name, show=show)
    data = _geojson_ready(secteurs.assign(force_label=secteurs["force"].map(vocab.FORCES)),
                          ["sector_id", "name", "force", "force_label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": vocab.FORCE_COLORS.get(f["properties"]["force"], "#455a64"),
            "weight": 3 if f["properties"]["force"] == "police_nationale" else 2,
            "dashArray": None if f["properties"]["force"] == "police_nationale" else "8 6",
            "fillOpacity": 0.05},
        tooltip=_tooltip(["name", "force_label"], ["Secteur", "Force"]),
    ).add_to(fg)
    return fg


def class_breaks(values: np.ndarray, *, n_classes: int = len(CELL_COLORS)) -> np.ndarray:
    """Return increasing upper bounds of graduated classes (quantiles of non-zero values)."""
    vals = np.asarray(values, dtype=float)
    vals = vals[vals > 0]
    if vals.size == 0:
        return np.array([1.0])
    # Whole-number data (counts) get breaks that are observed values, so labels stay whole.
    method = "higher" if np.all(np.mod(vals, 1) == 0) else "linear"
    return np.unique(np.quantile(vals, np.linspace(0, 1, n_classes + 1)[1:], method=method))


def cells_layer(cells: gpd.GeoDataFrame, *, value_col: str, name: str, unit: str,
                show: bool = True) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return graduated cells (a choropleth of counts) and the legend of its classes.

    Parameters
    ----------
    cells
        Cells with a numeric ``value_col`` (e.g. from :func:`clspd_geo.analysis.cells.cells_frame`).
    unit
        The unit in tooltips and legend ("faits", "victimes"…).
    """
    fg = folium.FeatureGroup(name=name, show=show)
    values = cells[value_col].to_numpy(dtype=float)
    breaks = class_breaks(values)
    cls = np.minimum(np.searchsorted(breaks, values, side="left"), len(breaks) - 1)
    offset = len(CELL_COLORS) - len(breaks)
    colors = [CELL_COLORS[offset + c] for c in cls]
    label = [f"{v:.0f} {unit}" if float(v).is_integer() else f"{v:.1f} {unit}" for v in values]
    data = _geojson_ready(cells.assign(fill=colors, label=label), ["fill", "label"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#7f0000",
                                  "weight": 0.2, "fillOpacity": 0.65},
        tooltip=_tooltip(["label"], ["Nombre"]),
    ).add_to(fg)
    return fg, class_legend(breaks, values, unit=unit)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() or v >= 10 else f"{v:.1f}"


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
        items.append(LegendItem(CELL_COLORS[offset + i], f"{text} {unit}"))
        lower = upper
    return items


class _MetricScale(branca.element.MacroElement):
    """A metric-only scale bar (folium's shows feet and miles too)."""

    _template = branca.element.Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class _IconPoints(branca.element.MacroElement):
    """Points drawn with one Font Awesome icon per ``kind``, in a single Leaflet layer.

    One element for all facilities: folium's per-marker elements each cost a template
    compilation at render time (a few hundred markers took about a second). Tooltip texts
    are escaped beforehand by :func:`clspd_geo.safe.text`.
    """

    _template = branca.element.Template("""
{% macro script(this, kwargs) %}
(function() {
  var icons = {{ this.icons|tojson }};
  L.geoJson({{ this.data|tojson }}, {
    pointToLayer: function(feature, latlng) {
      return L.marker(latlng, {icon: L.divIcon({html: icons[feature.properties.kind],
        className: "clspd-icon", iconSize: [22, 22], iconAnchor: [11, 11]})});
    },
    onEachFeature: function(feature, layer) {
      layer.bindTooltip(feature.properties.label, {sticky: true});
    }
  }).addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, data: dict, icons: dict[str, str]) -> None:
        super().__init__()
        self._name = "IconPoints"
        self.data = data
        self.icons = icons


def facilities_layer(equipements: gpd.GeoDataFrame, *, kinds: Iterable[str] | None = None,
                     name: str = "Équipements partenaires",
                     show: bool = True) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return facility markers with a Font Awesome icon per kind, and the legend of kinds."""
    fg = folium.FeatureGroup(name=name, show=show)
    data = equipements
    if kinds is not None:
        data = data[data["kind"].isin(list(kinds))]
    present = [k for k in vocab.FACILITY_KINDS if k.code in set(data["kind"])]
    labels = {k.code: k.label for k in present}
    ready = _geojson_ready(
        data.assign(label=[f"{labels[k]} : {n}" for k, n in zip(data["kind"], data["name"],
                                                                strict=True)]),
        ["label", "kind"]).__geo_interface__
    icons = {k.code: (f'<div style="background:#fff;border:2px solid {k.color};'
                      f'border-radius:50%;width:22px;height:22px;line-height:18px;'
                      f'text-align:center;"><i class="fa-solid fa-{k.icon}" '
                      f'style="color:{k.color};font-size:11px;"></i></div>') for k in present}
    fg.add_child(_IconPoints(ready, icons))
    legend = [LegendItem(k.color, k.label, icon=k.icon) for k in present]
    return fg, legend


def values_by_quartier_layer(quartiers: gpd.GeoDataFrame, *, value_col: str, label_col: str,
                             name: str, unit: str) -> tuple[folium.FeatureGroup, list[LegendItem]]:
    """Return quartiers coloured by a value (e.g. a suppressed count), with a text label.

    ``label_col`` holds what the tooltip shows (so a suppressed count reads "< 5").
    """
    fg = folium.FeatureGroup(name=name, show=True)
    values = quartiers[value_col].fillna(0).to_numpy(dtype=float)
    breaks = class_breaks(values)
    cls = np.minimum(np.searchsorted(breaks, values, side="left"), len(breaks) - 1)
    offset = len(CELL_COLORS) - len(breaks)
    fill = [CELL_COLORS[offset + c] if v > 0 else "#f5f5f5" for c, v in zip(cls, values,
                                                                           strict=True)]
    data = _geojson_ready(quartiers.assign(fill=fill), ["name", label_col, "fill"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#424242",
                                  "weight": 1, "fillOpacity": 0.6},
        tooltip=_tooltip(["name", label_col], ["Quartier", unit]),
    ).add_to(fg)
    legend = class_legend(breaks, values[values > 0], unit=unit)
    return fg, [LegendItem("#f5f5f5", f"aucun ou effectif masqué ({unit})"), *legend]


_LEGEND_TEMPLATE = """
{% macro html(this, kwargs) %}
<div style="position:absolute; bottom:24px; left:10px; z-index:9999; background:rgba(255,255,255,.92);
 padding:6px 9px; border:1px solid #999; border-radius:4px; font:12px/1.35 sans-serif;
 max-height:45%; overflow-y:auto; max-width:280px;" class="clspd-legend">
{{ this.body }}
</div>
{% endmacro %}
"""


def legend(m: folium.Map, sections: Sequence[tuple[str, Sequence[LegendItem]]]) -> folium.Map:
    """Add a legend box (bottom left) with titled sections of items; return the map."""
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


def sector_legend(secteurs: gpd.GeoDataFrame) -> list[LegendItem]:
    """Return the legend lines of the forces present in a sectors layer."""
    forces = [f for f in vocab.FORCES if f in set(secteurs["force"])]
    return [LegendItem(vocab.FORCE_COLORS[f], vocab.FORCES[f], shape="line") for f in forces]


def camera_legend() -> list[LegendItem]:
    """Return the legend lines of camera statuses."""
    return [LegendItem(CAMERA_STATUS_COLORS[s], lbl) for s, lbl in vocab.CAMERA_STATUSES.items()]


def finish(m: folium.Map, *, legend_sections: Sequence[tuple[str, Sequence[LegendItem]]]
           ) -> folium.Map:
    """Add the layer control (expanded) and the legend; return the map."""
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    legend(m, legend_sections)
    return m


def html_size(m: folium.Map) -> int:
    """Return the size in bytes of the map's standalone HTML."""
    return len(m.get_root().render().encode("utf-8"))


def layer_names(m: folium.Map) -> list[str]:
    """Return the names of the overlay layers shown in the map's layer control."""
    return [child.layer_name for child in m._children.values()
            if isinstance(child, folium.FeatureGroup)]



def roads_layer(voies: gpd.GeoDataFrame, *, name: str = "Voies principales",
                show: bool = True) -> folium.FeatureGroup:
    """Return main roads (grey) and railway lines (black dashes)."""
    fg = folium.FeatureGroup(name=name, show=show)
    data = _geojson_ready(voies, ["name", "kind"])
    folium.GeoJson(
        data.__geo_interface__,
        style_function=lambda f: {
            "color": "#212121" if f["properties"]["kind"] == "voie_ferree" else "#78909c",
            "weight": 4 if f["properties"]["kind"] == "principale" else 2,
            "dashArray": "6 4" if f["properties"]["kind"] == "voie_ferree" else None},
        tooltip=_tooltip(["name"], ["Voie"]),
    ).add_to(fg)
    return fg
