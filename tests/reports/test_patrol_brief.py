"""The patrol brief as PDF (clspd_geo.reports.patrol_brief): one A4 page, no sensitive fact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clspd_geo import _format, vocab
from clspd_geo.access.gateway import Gateway
from clspd_geo.police import patrol_brief
from clspd_geo.reports import patrol_brief as brief_pdf

from .conftest import page_count, pdf_text, render_png


@pytest.fixture(scope="module")
def brief(demo_store: Path):
    view = Gateway(str(demo_store)).view("police")
    b = patrol_brief.build_brief(view.layer("secteurs"), view.incident_points(timed=True),
                                 sector_id="PM-1", shift="nuit",
                                 facilities=view.layer("equipements"), top_n=8,
                                 recent_days=90)
    return view, b


def test_brief_is_one_a4_page_with_every_place(brief, tmp_path: Path) -> None:
    view, b = brief
    data = brief_pdf.build_pdf(b, voies=view.layer("voies"),
                               generated_at=dt.datetime(2026, 3, 3, 21, 5))
    assert page_count(data) == 1
    text = " ".join(pdf_text(data).split())
    assert f"Fiche de patrouille — {b.sector_name} (PM-1)" in text
    assert "Édité le 3 mars 2026 à 21:05" in text
    assert f"({_format.count(b.n_incidents, 'fait')}, hors faits sensibles)" in text
    assert len(b.cells) >= 5
    for r in b.cells.itertuples():
        assert f"{r.n_incidents} (poids" in text
    assert "Diffusion restreinte" in text
    (png,) = render_png(data, tmp_path)
    assert png.stat().st_size > 0


def test_brief_prints_no_sensitive_category_and_no_confidential_facility(brief) -> None:
    view, b = brief
    text = pdf_text(brief_pdf.build_pdf(b))
    for cat in vocab.INCIDENT_CATEGORIES:
        if cat.sensitivity == "sensible":
            assert cat.label not in text
    fac = view.layer("equipements")
    if "confidential" in fac.columns:
        for name in fac.loc[fac["confidential"].fillna(False).astype(bool), "name"]:
            assert str(name) not in text


def test_brief_with_no_place_says_general_presence(brief) -> None:
    _, b = brief
    empty = patrol_brief.PatrolBrief(**{**b.__dict__, "cells": b.cells.iloc[:0],
                                        "facilities": b.facilities.iloc[:0]})
    data = brief_pdf.build_pdf(empty)
    assert page_count(data) == 1
    assert "patrouille de présence générale" in " ".join(pdf_text(data).split())
