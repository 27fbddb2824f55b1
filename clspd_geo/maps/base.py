"""The base map, the layer a builder returns, and the finishing touches (control, legend).

Every layer builder of :mod:`clspd_geo.maps` returns a :class:`MapLayer`: the folium
group and the legend section it brings. Builders take ``m=None`` so they compose like
geopandas' ``explore()``: given a map, the group is added to it. :func:`finish` then adds
the layer control and draws the legend from the layers it is given, in their order.

The maps use Leaflet and one plugin (Leaflet.markercluster), no colormap that would pull
d3 from a CDN, so they draw offline once :mod:`clspd_geo.maps.offline` serves them;
basemap tiles are optional, and without them the store's roads are the background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import branca
import folium
import geopandas as gpd

from clspd_geo import config, crs
from clspd_geo.analysis import selection
from clspd_geo.maps import _geojson, legend, offline, streets


@dataclass(frozen=True)
class MapLayer:
    """A folium layer and its section of the legend.

    Attributes
    ----------
    group
        The folium layer (shown in the layer control under its name).
    title
        The title of its legend section; ``None`` when the layer has no legend.
    items
        The lines of its legend section (may be empty: the section then draws nothing).
    """

    group: folium.FeatureGroup
    title: str | None = None
    items: tuple[legend.LegendItem, ...] = ()

    def add_to(self, m: folium.Map | None) -> MapLayer:
        """Add the group to ``m`` when a map is given; return the layer itself."""
        if m is not None:
            m.add_child(self.group)
        return self


MAX_ZOOM = 19
"""Deepest zoom of every map (street level; the tiles of the basemaps go as deep)."""


class _MetricScale(branca.element.MacroElement):
    """A metric-only scale bar (folium's shows feet and miles too)."""

    _template = branca.element.Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, position: "bottomright"}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


def add_tiles(m: folium.Map, *, basemap: str) -> folium.Map:
    """Add the tiles of ``basemap`` under ``m`` (not in the layer control); return the map.

    ``basemap`` is a key of :data:`clspd_geo.config.BASEMAPS`; ``"aucun"`` (or an unknown
    key) adds nothing, so the map needs no network.
    """
    spec = config.BASEMAPS.get(basemap, config.BASEMAPS["aucun"])
    if spec["url"]:
        folium.TileLayer(tiles=spec["url"], attr=spec["attribution"], name=spec["label"],
                         max_zoom=19, overlay=False, control=False).add_to(m)
    return m


def base_map(territoire: gpd.GeoDataFrame, *, basemap: str = "aucun",
             height: str = "100%", voies: gpd.GeoDataFrame | None = None,
             communes: Sequence[str] = ()) -> folium.Map:
    """Return a folium map fitted to the territory, with local Leaflet and the chosen tiles.

    Parameters
    ----------
    territoire
        The territory layer (any CRS).
    basemap
        A key of :data:`clspd_geo.config.BASEMAPS`; ``"aucun"`` draws no tiles.
    voies
        The store's roads layer: with no tile basemap, drawn as the street background
        under every layer, names at street zoom (:mod:`clspd_geo.maps.streets`).
    communes
        INSEE codes of the communes chosen in the sidebar: the map is fitted to them and
        only their outline is drawn (every commune when empty).
    """
    terr = crs.to_storage(selection.communes_in(territoire, communes))
    if terr.empty:
        terr = crs.to_storage(territoire)
    minx, miny, maxx, maxy = terr.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None,
                   control_scale=False, height=height)
    # Leaflet.markercluster refuses a map without a maxZoom option ("Map has no maxZoom
    # specified"); folium's max_zoom only reaches its own tiles.
    m.options["max_zoom"] = MAX_ZOOM
    m.add_child(_MetricScale())
    offline.localise(m)
    add_tiles(m, basemap=basemap)
    if not config.BASEMAPS.get(basemap, config.BASEMAPS["aucun"])["url"]:
        streets.add_street_background(m, voies)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        _geojson.geojson_ready(terr, ["name"]).__geo_interface__, name="Limites du territoire",
        style_function=lambda _f: {"color": "#263238", "weight": 2.5, "fill": False},
        control=False,
    ).add_to(m)
    return m


def finish(m: folium.Map, layers: Sequence[MapLayer]) -> folium.Map:
    """Add the layer control (expanded) and the legend of ``layers``; return the map.

    The legend has one section per layer that has a legend title, in the order given,
    shown only while its layer is on the map (a layer switched off in the layer control
    takes its section away); the legend box folds. ``layers`` are expected to be on ``m``
    already (builders called with ``m=``).
    """
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    legend.add_legend(m, [legend.LegendSection(lyr.title, lyr.items, layer=lyr.group.get_name(),
                                               shown=bool(getattr(lyr.group, "show", True)))
                          for lyr in layers if lyr.title is not None])
    return m


def html_size(m: folium.Map) -> int:
    """Return the size in bytes of the map's standalone HTML."""
    return len(m.get_root().render().encode("utf-8"))


def layer_names(m: folium.Map) -> list[str]:
    """Return the names of the overlay layers shown in the map's layer control."""
    return [child.layer_name for child in m._children.values()
            if isinstance(child, folium.FeatureGroup)]
