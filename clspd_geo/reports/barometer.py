"""The monthly barometer of the working group: two A4 pages from the same machinery.

Page 1: the month's figures against the same month a year earlier, by action field, and
the trend of the last twelve months. Page 2: the map of the change by quartier against
the same month a year earlier, and the table by quartier. Small counts are withheld as in
the plenary report (:mod:`clspd_geo.reports.figures`). Incidents are read as the weighted
release (:meth:`RoleView.counts`), every count weighing rows as one row per incident would.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.reports import charts, figures, pdf, static_maps, typography

TITLE = "Baromètre mensuel du CLSPD"
CHANGE_COLORS = ("#2e7d32", "#a5d6a7", "#f5f5f5", "#ef9a9a", "#c62828")
"""Fall to rise: strong fall, fall, stable (±10 %), rise, strong rise (≥ 30 %)."""


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """Return ``[first day, first day of the next month)`` of the month holding ``month``."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def _change_layers(counts, *, k: int) -> list[static_maps.MapLayer]:
    ok = counts["faits"].map(lambda v: figures.printable(v, k=k)) & \
        counts["faits_n1"].map(lambda v: figures.printable(v, k=k)) & (counts["faits_n1"] > 0)
    pct = np.where(ok, 100.0 * (counts["faits"] - counts["faits_n1"])
                   / counts["faits_n1"].replace(0, np.nan), np.nan)
    bins = ((-np.inf, -30, "baisse de 30 % ou plus"), (-30, -10, "baisse de 10 à 30 %"),
            (-10, 10, "stable (± 10 %)"), (10, 30, "hausse de 10 à 30 %"),
            (30, np.inf, "hausse de 30 % ou plus"))
    out = []
    for (lo, hi, label), color in zip(bins, CHANGE_COLORS, strict=True):
        inside = (pct >= lo) & (pct < hi)
        if inside.any():
            out.append(static_maps.MapLayer(counts[inside], typography.fix(label), face=color,
                                            edge="#ffffff", width=0.3, alpha=0.85))
    rest = ~np.isfinite(pct)
    if rest.any():
        out.append(static_maps.MapLayer(counts[rest], "évolution non publiée (petit effectif)",
                                        face=static_maps.SUPPRESSED_COLOR, edge="#ffffff",
                                        width=0.3, alpha=0.85))
    return out


def build_pdf(view: RoleView, *, month: dt.date, made_on: dt.date | None = None) -> bytes:
    """Return the barometer of the month holding ``month`` for the view's role (2 pages).

    Parameters
    ----------
    view
        The store as the role sees it.
    month
        Any day of the month reported.
    made_on
        Date printed in the footer (default: today).
    """
    k = view.small_count_k
    start, end = month_bounds(month)
    sel = figures.selection(view, start=start, end=end)
    df = view.counts()
    label = typography.month_label(start)
    made = made_on or dt.date.today()
    commune = figures.commune_name(view)
    doc = pdf.ReportPdf(title=f"{TITLE} — {commune} — {label}",
                        footer_note=f"{pdf.made_on(made)} pour le rôle « {view.role_label} »")
    doc.new_page()
    doc.heading(f"{TITLE} : {label}")
    doc.paragraph(f"{commune}. Faits du mois comparés au même mois de l'année précédente.")
    total = indicators.total_kpi(df, sel)
    boxes = [figures.kpi_box(total, k=k)]
    boxes += [figures.kpi_box(x, k=k) for x in (indicators.field_kpis(df, sel)
                                                 if sel.categories else [])]
    doc.figures(boxes, per_row=3)
    year = indicators.Selection((end - dt.timedelta(days=365)).replace(day=1), end,
                                sel.categories)
    trend, hidden = figures.trend(view, year, k=k)
    if sel.categories:
        png = charts.monthly_chart(trend, size_in=(7.0, 2.4))
        doc.heading("Douze derniers mois", level=2, keep_mm=doc.image_height_mm(png))
        caption = "Faits par mois et même mois de l'année précédente."
        if hidden:
            caption += f" Mois de 1 à {k - 1} faits non tracés (petits effectifs)."
        doc.image_block(png, caption=caption)
    doc.new_page()
    doc.heading("Évolution par quartier")
    counts = figures.quartier_counts(view, sel)
    terr = view.layer("territoire")
    if not terr.empty and not counts.empty:
        layers = _change_layers(counts, k=k) + static_maps.quartier_outlines(
            view.layer("quartiers"))
        doc.image_block(static_maps.render(
            terr, layers, epsg=view.metric_epsg, legend_title=f"{label} / N-1",
            background=static_maps.roads_background(view.layer("voies")),
            source=figures.sources(view, "territoire", "quartiers", "incidents"),
            size_in=(7.0, 3.9)), width_mm=doc.width_mm * 0.95)
        doc.data_table(["Quartier", "Faits", "Faits N-1", "Évolution", "Pour 1 000 hab."],
                       figures.quartier_rows(counts, k=k), widths=(0.4, 0.15, 0.15, 0.15, 0.15),
                       size=8)
    notice = view.notice()
    doc.paragraph(((notice + " ") if notice else "") + f"Effectifs de 1 à {k - 1} masqués.",
                  size=7.5, muted=True)
    return doc.to_bytes()
