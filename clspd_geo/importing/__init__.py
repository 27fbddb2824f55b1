"""Import of real data files into the store: one pipeline for the command line and the app.

Modules, one concept each: :mod:`sniffing` (size, format, encoding, separator),
:mod:`values` (numbers, dates, counts, formula-safe text), :mod:`coords` (coordinate
columns, CRS, territory), :mod:`geometry` (point and polygon checks and repairs),
:mod:`geocoding` (street crossings), :mod:`mapping` (label correspondences),
:mod:`report` (what was accepted, fixed, rejected), one module per kind
(:mod:`accidents` with :mod:`baac`, :mod:`cameras`, :mod:`facilities` with :mod:`bpe`
and :mod:`finess`, :mod:`boundaries`, :mod:`sectors`, :mod:`incidents`, :mod:`roads`,
:mod:`qpv`, :mod:`gtfs`, :mod:`ssmsi`, :mod:`filosofi`, :mod:`iris_tables`),
:mod:`pipeline` (prepare, commit, run) and
:mod:`preview` (frames and map for the "Données" page).
"""

from __future__ import annotations

from clspd_geo.importing import pipeline, preview, report

__all__ = ["pipeline", "preview", "report"]
