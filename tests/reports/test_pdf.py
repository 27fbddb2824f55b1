"""The report's PDF canvas (clspd_geo.reports.pdf): fonts, blocks, header and footer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from clspd_geo.reports import pdf


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (21, 101, 192)).save(buf, format="PNG")
    return buf.getvalue()


def test_fonts_and_date_line() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        assert (pdf.font_dir() / name).is_file()
    assert pdf.made_on(dt.date(2026, 3, 3)) == "Document établi le 3 mars 2026"
    assert pdf.made_on().startswith("Document établi le ")


def test_a4_text_block_and_image_height() -> None:
    doc = pdf.ReportPdf(title="Essai")
    assert (doc.w, doc.h) == pytest.approx((210.0, 297.0), abs=0.01)
    assert doc.width_mm == pytest.approx(210.0 - 2 * pdf.MARGIN_MM, abs=0.01)
    assert doc.image_height_mm(png(200, 100), width_mm=100) == pytest.approx(50.0)
    assert doc.image_height_mm(png(360, 360)) == pytest.approx(doc.width_mm)


def test_every_block_written_with_running_header_and_footer() -> None:
    doc = pdf.ReportPdf(title="Rapport d'essai", footer_note="Établi pour le rôle Élu")
    doc.new_page(cover=True)
    doc.heading("Couverture")
    doc.new_page()
    doc.heading("Faits constatés")
    doc.heading("Sous-titre", level=2)
    doc.paragraph("Un paragraphe : avec ponctuation ; à la française !")
    doc.bullets(["premier point", "second point"])
    doc.figures([("Faits", "125", "+25 %"), ("Victimes", "12", "N-1 : 10")])
    doc.data_table(["Quartier", "Faits"], [["Centre", "30"], ["Gare", "10"]],
                   widths=(0.7, 0.3))
    doc.image_block(png(300, 150), caption="Carte des faits")
    data = doc.to_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Rapport d'essai"
    cover, page = (p.extract_text().replace("\u202f", " ") for p in reader.pages)
    assert "Couverture" in cover and "Rapport d'essai" not in cover  # no header on the cover
    for text in ("Rapport d'essai", "Faits constatés", "Sous-titre", "premier point",
                 "Victimes", "Centre", "Carte des faits", "Établi pour le rôle Élu"):
        assert text in page, text
    assert "Un paragraphe : avec ponctuation ; à la française !" in page
