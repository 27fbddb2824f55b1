"""The facilities layer: partner facilities, one Font Awesome icon per kind.

Returns a :class:`clspd_geo.maps.base.MapLayer` with the legend of the kinds drawn (added to
``m`` when given). Tooltip texts go through :func:`clspd_geo.safe.text`. At low zoom the
icons are grouped into numbered bubbles (Leaflet.markercluster, served by the app, see
:mod:`clspd_geo.maps.offline`), so that they do not pile up in the town centre.
"""

from __future__ import annotations

from collections.abc import Iterable

import branca
import folium
import geopandas as gpd

from clspd_geo import vocab
from clspd_geo.maps import _geojson, legend
from clspd_geo.maps.base import MapLayer


CLUSTER_RADIUS_PX = 45
"""Icons closer than this on screen are grouped into one numbered bubble."""
UNCLUSTER_ZOOM = 16
"""From this zoom on (street zoom), every facility has its own icon."""


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
  // Grouped at low zoom (Leaflet.markercluster, served by the app); one icon each from
  // street zoom on. Without the plugin, the icons are drawn one by one.
  var target = (typeof L.markerClusterGroup === "function")
    ? L.markerClusterGroup({maxClusterRadius: {{ this.radius_px }}, showCoverageOnHover: false,
        disableClusteringAtZoom: {{ this.uncluster_zoom }}, spiderfyOnMaxZoom: false})
        .addTo({{ this._parent.get_name() }})
    : {{ this._parent.get_name() }};
  L.geoJson({{ this.data|tojson }}, {
    pointToLayer: function(feature, latlng) {
      return L.marker(latlng, {icon: L.divIcon({html: icons[feature.properties.kind],
        className: "clspd-icon", iconSize: [22, 22], iconAnchor: [11, 11]})});
    },
    onEachFeature: function(feature, layer) {
      layer.bindTooltip(feature.properties.label, {sticky: true});
    }
  }).addTo(target);
})();
{% endmacro %}
""")

    def __init__(self, data: dict, icons: dict[str, str]) -> None:
        super().__init__()
        self._name = "IconPoints"
        self.data = data
        self.icons = icons
        self.radius_px = CLUSTER_RADIUS_PX
        self.uncluster_zoom = UNCLUSTER_ZOOM


def facilities_layer(equipements: gpd.GeoDataFrame, *, kinds: Iterable[str] | None = None,
                     name: str = "Équipements partenaires", legend_title: str = "Équipements",
                     show: bool = True, m: folium.Map | None = None) -> MapLayer:
    """Return facility markers with a Font Awesome icon per kind, and the legend of kinds.

    Parameters
    ----------
    equipements
        Facilities (``kind``, ``name``), any CRS. Leave confidential ones out beforehand.
    kinds
        Only these kinds (codes of :data:`clspd_geo.vocab.FACILITY_KINDS`); all when ``None``.
    """
    fg = folium.FeatureGroup(name=name, show=show)
    data = equipements
    if kinds is not None:
        data = data[data["kind"].isin(list(kinds))]
    present = [k for k in vocab.FACILITY_KINDS if k.code in set(data["kind"])]
    labels = {k.code: k.label for k in present}
    ready = _geojson.geojson_ready(
        data.assign(label=[f"{labels[k]} : {n}" for k, n in zip(data["kind"], data["name"],
                                                                strict=True)]),
        ["label", "kind"]).__geo_interface__
    icons = {k.code: (f'<div style="background:#fff;border:2px solid {k.color};'
                      f'border-radius:50%;width:22px;height:22px;line-height:18px;'
                      f'text-align:center;"><i class="fa-solid fa-{k.icon}" '
                      f'style="color:{k.color};font-size:11px;"></i></div>') for k in present}
    fg.add_child(_IconPoints(ready, icons))
    items = tuple(legend.LegendItem(k.color, k.label, icon=k.icon) for k in present)
    return MapLayer(fg, legend_title, items).add_to(m)
