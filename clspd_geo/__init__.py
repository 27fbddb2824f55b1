"""clspd-geo: the map library of a CLSPD dashboard (pure Python, no Streamlit).

Modules, one concept each: :mod:`vocab` (vocabularies), :mod:`schemas` (data model),
:mod:`store` (GeoPackage store), :mod:`crs`, :mod:`demo` (demo territory), :mod:`cells`
(grid aggregation), :mod:`cameras` (view cones), :mod:`indicators` (figures for pages),
:mod:`maps` (folium maps), :mod:`offline` (Leaflet served by the app).
"""

from __future__ import annotations

__version__ = "0.1.0"
