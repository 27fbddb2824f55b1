"""The PDF writer of the reports: A4 pages, DejaVu Sans, titles, paragraphs, tables, images.

The PDF library is fpdf2 (pure Python, on PyPI alone: no system Pango or Cairo, no browser,
no compiler). ReportLab would also install from PyPI, but fpdf2 is smaller, writes
Unicode text with any TrueType font through ``add_font`` and embeds PNG images as they
are, which is all a council report needs. WeasyPrint or a headless browser would need
system libraries the app's deployments do not have.

No font file is shipped: the text font is the DejaVu Sans that matplotlib ships in
``matplotlib/mpl-data/fonts/ttf`` (full Latin, the narrow no-break space of French
typography, « », −, ≥), found with :func:`matplotlib.get_data_path`, so a report is
written on a fresh machine with no system font installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from clspd_geo.reports import typography

FONT = "DejaVu"
"""Family name of the text font inside the PDF."""
INK = (33, 33, 33)
MUTED = (97, 97, 97)
ACCENT = (21, 101, 192)
"""Title colour (the app's blue, #1565c0)."""
RULE = (189, 189, 189)
MARGIN_MM = 15.0


def font_dir() -> Path:
    """Return the folder of the DejaVu TrueType fonts that matplotlib ships."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class ReportPdf(FPDF):
    """An A4 portrait PDF with the report's running header and page numbers.

    Parameters
    ----------
    title
        Short title printed at the top of every page but the cover.
    footer_note
        Printed at the bottom left of every page (e.g. the role the report was made for).
    orientation
        ``"P"`` (portrait, the reports) or ``"L"`` (landscape, the camera plan's list).
    """

    def __init__(self, *, title: str, footer_note: str = "", orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.running_title = title
        self.footer_note = footer_note
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=18)
        fonts = font_dir()
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.set_title(title)
        self.set_creator("clspd-geo")
        self.set_lang("fr-FR")
        self.cover = False

    @property
    def width_mm(self) -> float:
        """Width of the text block, mm."""
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:  # noqa: D102 (fpdf2 hook)
        if self.cover:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def footer(self) -> None:  # noqa: D102 (fpdf2 hook)
        self.set_y(-12)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(self.width_mm * 0.8, 5, typography.fix(self.footer_note))
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)

    # -- blocks ----------------------------------------------------------------------------------

    def new_page(self, *, cover: bool = False) -> None:
        """Start a page (a cover page has no running header)."""
        self.cover = cover
        self.add_page()
        self.cover = False

    def heading(self, text: str, *, level: int = 1, keep_mm: float = 30.0) -> None:
        """Write a section title (level 1) or a subtitle (level 2).

        A new page starts when less than ``keep_mm`` would remain under the title.
        """
        size = {0: 24, 1: 15, 2: 11.5}[level]
        if level and self.get_y() > self.h - 18 - keep_mm - 10:
            self.add_page()
        self.ln(2 if level else 0)
        self.set_font(FONT, "B", size)
        self.set_text_color(*ACCENT if level < 2 else INK)
        self.multi_cell(0, size * 0.5, typography.fix(text), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT, align="L")
        if level:
            self.start_section(text, level=level - 1)
        self.ln(1.5)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def paragraph(self, text: str, *, size: float = 10, style: str = "",
                  muted: bool = False) -> None:
        """Write a paragraph with French punctuation spacing."""
        self.set_font(FONT, style, size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, size * 0.48, typography.fix(text), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT, align="L")
        self.ln(1.2)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def bullets(self, items: Sequence[str], *, size: float = 9.5) -> None:
        """Write a bulleted list."""
        self.set_font(FONT, size=size)
        for item in items:
            self.set_x(self.l_margin + 3)
            self.multi_cell(self.width_mm - 3, size * 0.47, "• " + typography.fix(item),
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(1.2)
        self.set_font(FONT, size=10)

    def figures(self, items: Sequence[tuple[str, str, str]], *, per_row: int = 3) -> None:
        """Write headline figures as boxes: (label, value, comment) each."""
        gap = 3.0
        w = (self.width_mm - gap * (per_row - 1)) / per_row
        h = 22.0
        for i in range(0, len(items), per_row):
            if self.get_y() + h > self.h - 20:
                self.add_page()
            y = self.get_y()
            for j, (label, value, comment) in enumerate(items[i:i + per_row]):
                x = self.l_margin + j * (w + gap)
                self.set_draw_color(*RULE)
                self.set_fill_color(245, 247, 250)
                self.rect(x, y, w, h, style="DF")
                self.set_xy(x + 2, y + 1.5)
                self.set_font(FONT, size=8)
                self.set_text_color(*MUTED)
                self.multi_cell(w - 4, 3.6, typography.fix(label), max_line_height=3.6)
                self.set_xy(x + 2, y + 8.5)
                self.set_font(FONT, "B", 15)
                self.set_text_color(*INK)
                self.cell(w - 4, 7, value)
                self.set_xy(x + 2, y + 16)
                self.set_font(FONT, size=7.5)
                self.set_text_color(*MUTED)
                self.cell(w - 4, 4, typography.fix(comment))
            self.set_xy(self.l_margin, y + h + gap)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def data_table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *,
              widths: Sequence[float] | None = None, size: float = 8.5,
              align: Sequence[str] | None = None) -> None:
        """Write a table with a bold header row; ``widths`` are fractions of the text width."""
        n = len(header)
        fractions = list(widths) if widths is not None else [1.0 / n] * n
        col_w = [f * self.width_mm for f in fractions]
        aligns = list(align) if align is not None else ["LEFT"] + ["RIGHT"] * (n - 1)
        self.set_font(FONT, size=size)
        self.set_draw_color(*RULE)
        with self.table(col_widths=col_w, width=self.width_mm, text_align=aligns,
                        line_height=size * 0.5, first_row_as_headings=True,
                        headings_style=_headings(), borders_layout="HORIZONTAL_LINES",
                        padding=0.8) as tab:
            for row in [list(header), *[list(r) for r in rows]]:
                line = tab.row()
                for value in row:
                    line.cell(typography.fix(str(value)))
        self.ln(2)
        self.set_font(FONT, size=10)

    def image_height_mm(self, png: bytes, *, width_mm: float | None = None) -> float:
        """Return the height a PNG takes when written ``width_mm`` wide (default: the text width)."""
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(png)) as im:
            return (width_mm or self.width_mm) * im.height / im.width

    def image_block(self, png: bytes, *, width_mm: float | None = None,
                    caption: str | None = None) -> None:
        """Write a PNG image across the text width (or ``width_mm``), with a caption below."""
        from io import BytesIO

        from PIL import Image

        w = width_mm or self.width_mm
        with Image.open(BytesIO(png)) as im:
            h = w * im.height / im.width
        if self.get_y() + h + 6 > self.h - 18:
            self.add_page()
        x = self.l_margin + (self.width_mm - w) / 2
        self.image(BytesIO(png), x=x, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 1)
        if caption:
            self.paragraph(caption, size=7.5, muted=True)

    def to_bytes(self) -> bytes:
        """Return the finished PDF."""
        return bytes(self.output())


def _headings():
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=(232, 240, 254))


def made_on(day: dt.date | None = None) -> str:
    """Return « Document établi le 3 mars 2026 » for the footer and the cover."""
    return f"Document établi le {typography.date_long(day or dt.date.today())}"
