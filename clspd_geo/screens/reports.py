"""The documents a page offers to download, made for the view's role when asked.

Each function returns the bytes of one document (the plenary report, the styled
GeoPackage, the camera plan, the patrol brief), built from the role view only, so a
document holds nothing the role cannot see on screen. Pages hand these functions to the
download helper of ``ui.session`` as callables: the document is made on click, not at
every page run.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from clspd_geo.access.view import RoleView
from clspd_geo.police import patrol_brief
from clspd_geo.reports import camera_plan as plan_pdf, patrol_brief as brief_pdf
from clspd_geo.reports import plenary, qgis
from clspd_geo.screens import video as video_screen


def plenary_pdf(view: RoleView, *, start: dt.date, end: dt.date,
                communes: tuple[str, ...] = ()) -> bytes:
    """Return the plenary report of ``[start, end)`` for the view's role (PDF).

    ``communes``: INSEE codes of the communes reported on (the whole territory when empty).
    """
    return view.memo(("reports.plenary_pdf", start, end, communes),
                     lambda: plenary.build_pdf(view, start=start, end=end, communes=communes))


def plenary_file_name(start: dt.date, end: dt.date) -> str:
    """Return « rapport_pleniere_2025-10-01_2026-09-30.pdf » (last day included)."""
    return f"rapport_pleniere_{start:%Y-%m-%d}_{end - dt.timedelta(days=1):%Y-%m-%d}.pdf"


def styled_geopackage(view: RoleView) -> bytes:
    """Return the styled GeoPackage (QGIS ``layer_styles``) of the layers the role sees."""
    return qgis.export_bytes(view)


def camera_plan_pdf(view: RoleView, new_sites: gpd.GeoDataFrame | None = None, *,
                    communes: tuple[str, ...] = ()) -> bytes:
    """Return the camera plan (R252-3) as PDF, with the proposed sites as « en projet ».

    Parameters
    ----------
    new_sites
        Proposed cameras (:func:`clspd_geo.video.siting.as_cameras`), EPSG:4326; the result
        is memoised on their ``camera_id``.
    communes
        The plan of these communes (INSEE codes; the whole territory when none).

    Raises
    ------
    EmptySelectionError
        The role sees no camera.
    """
    key = () if new_sites is None else tuple(map(str, new_sites["camera_id"]))

    def compute() -> bytes:
        territoire, quartiers, voies = video_screen.plan_layers(view, communes)
        return plan_pdf.build_pdf(video_screen.plan_cameras(view, new_sites, communes),
                                  territoire=territoire, quartiers=quartiers, voies=voies)
    return view.memo(("reports.camera_plan_pdf", key, tuple(communes)), compute)


def patrol_brief_pdf(view: RoleView, brief: patrol_brief.PatrolBrief) -> bytes:
    """Return the one-page patrol brief as PDF, on the street background of ``voies``."""
    return brief_pdf.build_pdf(brief, voies=view.layer("voies"))
