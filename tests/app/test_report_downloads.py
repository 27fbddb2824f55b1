"""AppTest of the document downloads: plenary report on the overview, styled GeoPackage on
the Données page, PDF camera plan and patrol brief; each made on click for the role."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_sections import capture_exports, open_page, open_sections


def _downloads(at: AppTest) -> dict[str, object]:
    return {d.proto.label: d for d in at.get("download_button")}


@pytest.mark.parametrize("role", ["elu", "public"])
def test_overview_offers_the_plenary_report_made_on_click(role, demo_store, monkeypatch):
    at = open_page(role, "pages/overview.py", demo_store, monkeypatch)
    button = _downloads(at)["Rapport pour la séance plénière (PDF)"]
    # Made on click (deferred), not at every run of the page.
    assert button.proto.deferred_file_id and not button.proto.url


def test_overview_plenary_click_is_audited(demo_store, monkeypatch):
    from clspd_geo.access import audit

    exports = capture_exports(monkeypatch)
    at = open_page("elu", "pages/overview.py", demo_store, monkeypatch)
    journal = demo_store.with_name(audit.AUDIT_FILE_NAME)
    assert _downloads(at)["Rapport pour la séance plénière (PDF)"].proto.deferred_file_id
    assert audit.events(path=journal, limit=20).query("Action == 'Export'").empty
    (name, make), = [(n, g) for n, g in exports.items() if n.startswith("rapport_pleniere_")]
    assert make()[:5] == b"%PDF-"  # what the server does when the browser asks for the file
    ev = audit.events(path=journal, limit=20)
    mine = ev[(ev["Qui"] == "test-elu") & (ev["Action"] == "Export")]
    assert mine["Objet"].str.startswith("rapport_pleniere_").any()


def test_donnees_offers_the_styled_geopackage(demo_store, monkeypatch):
    at = open_page("admin", "pages/donnees.py", demo_store, monkeypatch)
    button = _downloads(at)["GeoPackage stylé pour QGIS"]
    assert button.proto.deferred_file_id and not button.proto.url


def test_police_brief_and_video_plan_in_pdf(demo_store, monkeypatch):
    at = open_page("police", "pages/police.py", demo_store, monkeypatch)
    at.radio(key="police.section").set_value("fiche").run()
    assert not at.exception, at.exception
    pdf = _downloads(at)["Télécharger la fiche de patrouille (PDF, une page A4)"]
    assert pdf.proto.deferred_file_id
    at.switch_page("pages/videoprotection.py").run()
    open_sections(at, "video.open.siting")  # folded until asked
    assert not at.exception, at.exception
    assert any(lbl == "Plan des caméras (PDF)" for lbl in _downloads(at))
