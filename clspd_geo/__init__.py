"""clspd-geo: the map library of a CLSPD dashboard (pure Python, no Streamlit).

Modules, one concept each:

- data: :mod:`vocab` (vocabularies), :mod:`schemas` (data model), :mod:`store` (GeoPackage
  store), :mod:`store_postgis` (PostGIS store), :mod:`crs`, :mod:`areas`, :mod:`inventory`,
  :mod:`demo` (demo territory), :mod:`importing` (import pipeline, one module per kind);
- who sees what: :mod:`privacy` (roles and the visibility matrix), :mod:`auth` (accounts),
  :mod:`audit` (audit trail, retention), :mod:`safe` (escaping of displayed text);
- figures and analyses: :mod:`indicators`, :mod:`cells`, :mod:`hotspots`,
  :mod:`spatial_stats`, :mod:`temporal`, :mod:`forecast`; video-protection: :mod:`cameras`,
  :mod:`coverage`, :mod:`siting` (exact solver: :mod:`siting_exact`), :mod:`before_after`,
  :mod:`camera_plan`; police:
  :mod:`patrols`, :mod:`sectors`, :mod:`patrol_brief`; action fields: :mod:`accessibility`,
  :mod:`field_analyses`, :mod:`road_safety`, :mod:`actions`;
- maps: :mod:`maps`, :mod:`field_maps`, :mod:`patrol_maps`, :mod:`offline` (Leaflet served by
  the app);
- command line: :mod:`cli` with :mod:`video_commands`, :mod:`police_commands`,
  :mod:`users_command`.
"""

from __future__ import annotations

__version__ = "0.1.0"
