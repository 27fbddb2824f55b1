"""clspd-geo: the map library of a CLSPD dashboard (pure Python, no Streamlit).

Laid out by concept, one subpackage per concern and one module per concept:

- ground floor: :mod:`errors`, :mod:`config`, :mod:`crs`, :mod:`vocab`, :mod:`schemas`,
  :mod:`safe` (escaping of displayed text), :mod:`_format` (French numbers);
- :mod:`store` (the store protocol, GeoPackage and PostGIS back-ends), :mod:`importing`
  (one import pipeline, one module per source format);
- :mod:`access`: who sees what (policy, release, the role view the app reads through,
  accounts, audit trail);
- :mod:`analysis` (selection, cells, counts, density, hotspots, statistics, forecast,
  indicators, the action-field analyses), :mod:`video` (cameras, coverage, before/after,
  camera plan, siting), :mod:`police` (shifts, load, coordination, sectors, patrol brief),
  :mod:`plan` (the CLSPD action plan);
- :mod:`maps` (folium layers), :mod:`screens` (what each page computes from a role view),
  :mod:`reports` (PDF reports, styled GeoPackage);
- :mod:`demo` (the fictitious territory), :mod:`cli` (``python -m clspd_geo``).
"""

from __future__ import annotations

__version__ = "0.1.0"
