"""The camera plan as PDF (clspd_geo.reports.camera_plan): pages, list, roles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clspd_geo import _format
from clspd_geo.access.gateway import Gateway
from clspd_geo.errors import EmptySelectionError
from clspd_geo.reports import camera_plan as plan_pdf
from clspd_geo.video import camera_plan

from .conftest import page_count, pdf_text, render_png


@pytest.fixture(scope="module")
def video_view(demo_store: Path):
    return Gateway(str(demo_store)).view("videoprotection")


@pytest.fixture(scope="module")
def plan(video_view):
    cams = video_view.layer("cameras")
    data = plan_pdf.build_pdf(cams, territoire=video_view.layer("territoire"),
                              quartiers=video_view.layer("quartiers"),
                              voies=video_view.layer("voies"),
                              prepared_on=dt.date(2026, 3, 3))
    return cams, data


def test_plan_lists_every_camera_with_its_number(plan, tmp_path: Path) -> None:
    cams, data = plan
    text = pdf_text(data)
    assert "Plan des caméras de vidéoprotection" in text and "R252-3" in text
    assert "Document établi le 3 mars 2026" in text
    assert "Liste des caméras" in text
    table, _ = camera_plan.plan_table(cams)
    for camera_id in table["Identifiant"]:
        assert camera_id in text
    assert _format.count(len(cams), "caméra") in text
    assert len(render_png(data, tmp_path)) == page_count(data)


def test_plan_has_detail_pages_per_quartier_above_twelve_cameras(plan, video_view) -> None:
    cams, data = plan
    assert len(cams) > plan_pdf.DETAIL_FROM
    text = pdf_text(data)
    details = text.count("Plan de détail")
    assert details >= 1
    # Cover with the plan, one page per quartier holding cameras, then the list (≥ 1 page).
    assert page_count(data) >= 1 + details + 1
    small = plan_pdf.build_pdf(cams.head(3), quartiers=video_view.layer("quartiers"))
    assert "Plan de détail" not in pdf_text(small)
    assert page_count(small) == 2


def test_plan_statuses_filter(video_view) -> None:
    cams = video_view.layer("cameras")
    data = plan_pdf.build_pdf(cams, statuses=["en_panne"])
    n = int((cams["status"] == "en_panne").sum())
    assert f"{_format.count(n, 'caméra')} : {n} en panne" in pdf_text(data)


def test_plan_of_a_role_without_cameras_is_refused_in_french(demo_store: Path) -> None:
    view = Gateway(str(demo_store)).view("public")
    cams = view.layer("cameras")
    assert cams.empty
    with pytest.raises(EmptySelectionError, match="Aucune caméra à porter au plan"):
        plan_pdf.build_pdf(cams)
