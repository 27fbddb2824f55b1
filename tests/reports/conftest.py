"""Stores the report tests share: the 3,000-incident demo and the real Paris sample."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from clspd_geo import demo
from clspd_geo.store import GeoPackageStore

PERIOD = (dt.date(2025, 10, 1), dt.date(2026, 10, 1))
"""The last twelve whole months of the demo built today (it spans two years)."""


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "demo.gpkg"
    GeoPackageStore(path, create=True).write_many(demo.build_demo(seed=1, n_incidents=3000),
                                                  source=demo.source_label(1))
    return path


def demo_period() -> tuple[dt.date, dt.date]:
    """Return the last twelve whole months of the demo (it ends the month before today)."""
    today = dt.date.today().replace(day=1)
    end = today
    return end.replace(year=end.year - 1), end


def pdf_text(data: bytes) -> str:
    """Return the text of a PDF (pypdf), narrow spaces made plain."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\u202f", " ")


def page_count(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def render_png(data: bytes, tmp_path: Path) -> list[Path]:
    """Render every page with pdftoppm; skip when poppler-utils is absent."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent : installez poppler-utils (apt-get install poppler-utils)")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")],
                   check=True, capture_output=True)
    return sorted(tmp_path.glob("p-*.png"))


def counts_before_faits(text: str) -> list[int]:
    """Return every integer printed right before the word « faits »."""
    return [int(m.replace(" ", "")) for m in re.findall(r"(?<![<\d])(\d[\d ]*) faits", text)]


def one_row_per_incident(view):
    """Return the view made to read one row per incident: its ``counts()`` is ``incidents()``.

    The reports read the weighted release (:meth:`RoleView.counts`); a view patched so
    gives the figures of the expanded table (:func:`clspd_geo.access.release.expand`), to
    check that they are the same. The view must be fresh (nothing computed from it yet).
    """
    weighted = view.counts()
    assert "n" in weighted.columns and weighted["n"].max() > 1  # the check means something
    view.incidents()  # kept by the view: later calls no longer go through counts()
    view.counts = view.incidents
    assert "n" not in view.counts().columns
    return view
