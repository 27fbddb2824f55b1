"""What each page computes, as library functions of a role view.

Every function takes a :class:`clspd_geo.access.view.RoleView` first and memoises its
result through :meth:`RoleView.memo`, so an analysis is computed once for every session
of the same role at the same store version. Nothing here imports Streamlit.

Modules
-------
communes
    The comparison of the communes of an intercommunal territory, and its small maps.
common
    The shared grid, incident and accident cells, camera views, sensitive counts per quartier.
hotspots
    The hotspot map layer, the hour × weekday table, the forecast accuracy report.
video
    Camera network, coverage, siting of new cameras, camera plan, before / after.
fields
    The analyses of the action-field pages (schools, rates, night hours, care, support…).
police
    Patrol workload, coordination, patrol briefs and sector redesigns.
plan
    Saving the edited CLSPD action plan.
charts
    Vega-Lite specs of the page charts: months on a sorted time axis with French labels.
"""

from __future__ import annotations

from clspd_geo.screens import charts, common, communes, fields, hotspots, plan, police, video

__all__ = ["charts", "common", "communes", "fields", "hotspots", "plan", "police", "video"]
