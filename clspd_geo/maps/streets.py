"""The offline street background: the store's own ``voies`` layer drawn under every layer.

When no tile basemap is set, a map is blank grey around the data; this background draws
the roads of the ``voies`` layer in a Leaflet pane under the overlays (main roads wider,
railway lines dashed), not in the layer control and not clickable, with the street names
written along the roads from :data:`LABEL_MIN_ZOOM` on (street zoom). Everything is drawn
by Leaflet itself: no tile, no request.

:func:`line_label_points` places one name per street (the middle of its longest piece,
upright); the static maps of the reports use it too.
"""

from __future__ import annotations

import math

import branca
import folium
import geopandas as gpd
import numpy as np
import shapely

from clspd_geo import crs, safe
from clspd_geo.maps import _geojson

LABEL_MIN_ZOOM = 16
"""Street names are shown from this zoom on."""
PANE_Z = 250
"""z-index of the roads pane: above tiles (200), under the overlays (400)."""
LABEL_PANE_Z = 450
STYLES = {"principale": ("#b0bec5", 5), "voie_ferree": ("#757575", 2)}
"""Colour and weight (px) by ``kind``; other kinds are streets."""
STREET = ("#cfd8dc", 3)


def line_label_points(lines: gpd.GeoDataFrame, *, label_col: str
                      ) -> list[tuple[str, float, float, float]]:
    """Return ``(text, x, y, angle_deg)`` per distinct name: the middle of its longest piece.

    The angle is counter-clockwise from the x axis, kept within ±90° so the text reads
    upright. Coordinates are those of ``lines`` (use a metric CRS for true angles).
    """
    out: list[tuple[str, float, float, float]] = []
    names = lines[label_col]
    named = lines[names.notna() & (names.astype(str).str.strip() != "")]
    for text, group in named.groupby(named[label_col].astype(str), sort=True):
        parts = [g for g in shapely.get_parts(group.geometry.to_numpy())
                 if g.geom_type == "LineString" and g.length > 0]
        if not parts:
            continue
        longest = max(parts, key=lambda g: g.length)
        mid = longest.interpolate(0.5, normalized=True)
        a = longest.interpolate(0.45, normalized=True)
        b = longest.interpolate(0.55, normalized=True)
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        out.append((text, mid.x, mid.y, angle))
    return out


def label_features(voies: gpd.GeoDataFrame) -> list[dict]:
    """Return the street names to write: ``{"text", "lat", "lon", "angle"}`` each.

    ``text`` is escaped (:func:`clspd_geo.safe.text`); ``angle`` is the CSS rotation in
    degrees (clockwise, screen y pointing down). Railway lines get no name.
    """
    if voies.empty or "name" not in voies.columns:
        return []
    keep = voies["kind"].astype(str) != "voie_ferree" if "kind" in voies.columns else \
        np.ones(len(voies), dtype=bool)
    metric = crs.to_compute(voies[keep])
    epsg = int(metric.crs.to_epsg())
    points = line_label_points(metric, label_col="name")
    if not points:
        return []
    xy = gpd.GeoSeries(gpd.points_from_xy([p[1] for p in points], [p[2] for p in points]),
                       crs=epsg).to_crs(4326)
    return [{"text": safe.text(p[0]), "lat": round(g.y, 6), "lon": round(g.x, 6),
             "angle": round(-p[3], 1)} for p, g in zip(points, xy, strict=True)]


class StreetBackground(branca.element.MacroElement):
    """The roads in their own pane under the overlays, and their names at street zoom."""

    _template = branca.element.Template("""
{% macro header(this, kwargs) %}
<style>
.clspd-street-label { white-space: nowrap; font: italic 11px/1 sans-serif; color: #546e7a;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
.clspd-street-label span { display: inline-block; transform: translate(-50%, -50%)
  rotate(var(--a)); transform-origin: center; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  map.createPane("clspdStreets");
  map.getPane("clspdStreets").style.zIndex = {{ this.pane_z }};
  map.getPane("clspdStreets").style.pointerEvents = "none";
  map.createPane("clspdStreetLabels");
  map.getPane("clspdStreetLabels").style.zIndex = {{ this.label_pane_z }};
  map.getPane("clspdStreetLabels").style.pointerEvents = "none";
  var styles = {{ this.styles|tojson }}, street = {{ this.street|tojson }};
  L.geoJson({{ this.data|tojson }}, {pane: "clspdStreets", interactive: false,
    style: function(f) {
      var s = styles[f.properties.kind] || street;
      return {color: s[0], weight: s[1], opacity: 1,
              dashArray: f.properties.kind === "voie_ferree" ? "6 4" : null};
    }}).addTo(map);
  var labels = L.layerGroup();
  {{ this.labels|tojson }}.forEach(function(l) {
    L.marker([l.lat, l.lon], {pane: "clspdStreetLabels", interactive: false, keyboard: false,
      icon: L.divIcon({className: "clspd-street-label", iconSize: null,
        html: '<span style="--a:' + l.angle + 'deg">' + l.text + '</span>'})}).addTo(labels);
  });
  function sync() {
    if (map.getZoom() >= {{ this.min_zoom }}) { labels.addTo(map); }
    else { labels.remove(); }
  }
  map.on("zoomend", sync);
  sync();
})();
{% endmacro %}
""")

    def __init__(self, voies: gpd.GeoDataFrame) -> None:
        super().__init__()
        self._name = "StreetBackground"
        self.data = _geojson.geojson_ready(voies, ["kind"]).__geo_interface__
        self.labels = label_features(voies)
        self.styles = STYLES
        self.street = STREET
        self.pane_z = PANE_Z
        self.label_pane_z = LABEL_PANE_Z
        self.min_zoom = LABEL_MIN_ZOOM


def add_street_background(m: folium.Map, voies: gpd.GeoDataFrame | None) -> folium.Map:
    """Draw ``voies`` (``name``, ``kind``; any CRS) under every layer of ``m``; return ``m``.

    An absent or empty layer adds nothing.
    """
    if voies is None or voies.empty:
        return m
    if "kind" not in voies.columns:
        voies = voies.assign(kind="secondaire")
    m.add_child(StreetBackground(voies))
    return m
