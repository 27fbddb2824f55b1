"""Folium maps: a base map, a legend, and one module of builders per layer family.

- :mod:`~clspd_geo.maps.base`: the base map, :class:`~clspd_geo.maps.base.MapLayer` (a
  layer and its legend section), :func:`~clspd_geo.maps.base.finish` (control and legend);
- :mod:`~clspd_geo.maps.legend`: legend lines, graduated classes, the legend box;
- layer families: :mod:`~clspd_geo.maps.areas` (quartiers, sectors, zones),
  :mod:`~clspd_geo.maps.cameras`, :mod:`~clspd_geo.maps.cells`,
  :mod:`~clspd_geo.maps.facilities`, :mod:`~clspd_geo.maps.roads`,
  :mod:`~clspd_geo.maps.field_layers` (ranked places, plan actions),
  :mod:`~clspd_geo.maps.patrol_layers` (patrol load, coordination, proposals);
- :mod:`~clspd_geo.maps.streets`: the offline street background drawn from ``voies``;
- :mod:`~clspd_geo.maps.offline`: Leaflet & co. served by the app itself.

Builders take ``m=None`` and return a ``MapLayer``, so they compose::

    from clspd_geo.maps import areas, base, cells as cell_layers

    m = base.base_map(territoire)
    layers = [areas.quartiers_layer(quartiers, m=m),
              cell_layers.cells_layer(grid, value_col="faits", name="Faits", unit="faits", m=m)]
    base.finish(m, layers)

Builders only ever hand EPSG:4326 to folium (they reproject), and every text that reaches
a tooltip or legend goes through :func:`clspd_geo.safe.text`.
"""

from __future__ import annotations

from clspd_geo.maps import (
    _render,
    areas,
    base,
    cameras,
    cells,
    facilities,
    field_layers,
    legend,
    offline,
    patrol_layers,
    roads,
    streets,
)

__all__ = ["areas", "base", "cameras", "cells", "facilities", "field_layers", "legend",
           "offline", "patrol_layers", "roads", "streets"]

_render.install()  # rendered pieces without Jinja syntax are not compiled again
