"""The documents the pages offer (clspd_geo.screens.reports), made for the view's role."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

from pypdf import PdfReader

from clspd_geo.access.view import RoleView
from clspd_geo.police import patrol_brief
from clspd_geo.reports import qgis
from clspd_geo.screens import reports

from .conftest import last_year


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_plenary_pdf_is_the_roles_and_memoised(elu: RoleView) -> None:
    sel = last_year(elu)
    data = reports.plenary_pdf(elu, start=sel.start, end=sel.end)
    assert data.startswith(b"%PDF")
    assert elu.role_label in _text(data)
    assert reports.plenary_pdf(elu, start=sel.start, end=sel.end) is data


def test_plenary_file_name_has_the_last_day() -> None:
    assert reports.plenary_file_name(dt.date(2025, 10, 1), dt.date(2026, 10, 1)) == \
        "rapport_pleniere_2025-10-01_2026-09-30.pdf"


def test_styled_geopackage_holds_the_roles_layers(police: RoleView, tmp_path: Path) -> None:
    path = tmp_path / "x.gpkg"
    path.write_bytes(reports.styled_geopackage(police))
    with sqlite3.connect(path) as con:
        styled = {r[0] for r in con.execute("SELECT f_table_name FROM layer_styles")}
    assert styled == set(qgis.layers(police))


def test_camera_plan_and_brief_pdfs(police: RoleView) -> None:
    plan = reports.camera_plan_pdf(police)
    assert "Liste des caméras" in _text(plan)
    assert reports.camera_plan_pdf(police) is plan
    brief = patrol_brief.build_brief(police.layer("secteurs"), police.incident_points(timed=True),
                                     sector_id="PM-1", shift="nuit",
                                     facilities=police.layer("equipements"), recent_days=90)
    data = reports.patrol_brief_pdf(police, brief)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
