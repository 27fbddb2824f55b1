"""The CLSPD plenary report: the PDF an elected official takes to the council.

:func:`build` computes everything the report prints from one role view, one period and
the territory (never from page state); :func:`build_pdf` writes it as an A4 PDF:

1. cover: commune, period, date, the role it was made for;
2. headline figures against the year before (rate per 1,000 inhabitants of the commune;
   the département and France when SSMSI statistics are imported, a note otherwise),
   with the table by quartier and the monthly trend;
3. one section per action field: its question, its map, two or three figures, a chart
   and the actions of the plan with their status;
4. the hotspot forecast accuracy in words;
5. the method notes (what the role sees, small-count suppression, sources).

Small-count suppression and the role's matrix apply exactly as on screen: every count
goes through the view and :mod:`clspd_geo.reports.figures`. Incidents are read as the
weighted release (:meth:`RoleView.counts`, one row per released atom with its count ``n``);
every figure weighs rows (:func:`clspd_geo.analysis.indicators.weights`), so the report is
the same as from one row per incident.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from clspd_geo import config, vocab
from clspd_geo.maps import cameras as camera_layers
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, communes as communes_mod, forecast, indicators
from clspd_geo.analysis import selection as selection_mod
from clspd_geo.errors import ClspdGeoError
from clspd_geo.plan import actions as plan_actions
from clspd_geo.reports import charts, figures, pdf, static_maps, typography

TITLE = "Rapport à la séance plénière du CLSPD"


@dataclass(frozen=True)
class FieldSection:
    """What the report prints for one action field.

    Attributes
    ----------
    field
        The action field.
    kpi
        Its incidents in the period against the year before (all its visible categories).
    categories
        Printed rows per category (label, count, count N-1, change).
    qpv_share_pct
        Share of its incidents in priority quartiers, percent (None: no incident).
    trend
        Monthly trend, withheld months as NaN.
    trend_hidden
        Whether some months were withheld.
    quartiers
        Quartiers with ``faits``, ``faits_n1``, ``pour_1000``.
    actions
        Its actions of the plan (display table).
    actions_sentence
        One sentence on its actions.
    """

    field: vocab.ActionField
    kpi: indicators.Kpi | None
    categories: list[list[str]]
    qpv_share_pct: float | None
    trend: pd.DataFrame | None
    trend_hidden: bool
    quartiers: gpd.GeoDataFrame
    actions: pd.DataFrame
    actions_sentence: str


@dataclass(frozen=True)
class Plenary:
    """Everything the plenary report prints.

    Attributes
    ----------
    commune, role_label, k
        The territory's name, the role the report is made for and its small-count k.
    selection
        The period ``[start, end)`` and the categories the role sees.
    total
        All incidents of the period against the year before.
    fields_kpis
        One KPI per action field.
    rate_per_1000
        Incidents per 1,000 inhabitants of the commune (None: population unknown, or
        the count is withheld).
    quartiers
        The table by quartier (all categories).
    trend, trend_hidden
        The monthly trend of all categories.
    sections
        One :class:`FieldSection` per action field.
    forecast_text
        The hotspot forecast accuracy in words.
    references
        The département and France, all facts, from the SSMSI statistics when imported
        (:func:`clspd_geo.analysis.communes.references`; empty otherwise).
    notes
        The method notes, one paragraph each.
    """

    commune: str
    role_label: str
    k: int
    selection: indicators.Selection
    total: indicators.Kpi
    fields_kpis: list[indicators.Kpi]
    rate_per_1000: float | None
    quartiers: gpd.GeoDataFrame
    trend: pd.DataFrame
    trend_hidden: bool
    sections: list[FieldSection]
    forecast_text: str
    notes: list[str]
    references: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def build(view: RoleView, *, start: dt.date, end: dt.date,
          communes: Sequence[str] = ()) -> Plenary:
    """Compute the plenary report of a period for one role.

    Parameters
    ----------
    view
        The store as the role sees it.
    start, end
        The period, ``end`` excluded (as :class:`clspd_geo.analysis.indicators.Selection`).
    communes
        INSEE codes of the communes reported on (the whole territory when empty); the rate
        per 1,000 inhabitants is on their legal population.
    """
    k = view.small_count_k
    sel = figures.selection(view, start=start, end=end, communes=communes)
    df = view.counts()
    total = indicators.total_kpi(df, sel)
    pop = figures.population(view, communes=communes)
    rate = (1000.0 * total.value / pop if pop and figures.printable(total.value, k=k)
            else None)
    trend, hidden = figures.trend(view, sel, k=k)
    plan = view.layer("actions")
    sections = [_section(view, f, sel=sel, plan=plan) for f in vocab.ACTION_FIELDS]
    return Plenary(
        commune=figures.commune_name(view, communes=communes), role_label=view.role_label,
        k=k, selection=sel,
        total=total, fields_kpis=indicators.field_kpis(df, sel) if sel.categories else [],
        rate_per_1000=rate, quartiers=figures.quartier_counts(view, sel), trend=trend,
        trend_hidden=hidden, sections=sections, forecast_text=_forecast_text(view, sel),
        notes=_notes(view, k=k), references=_references(view, sel))


def _references(view: RoleView, sel: indicators.Selection) -> pd.DataFrame:
    """Return the SSMSI département and France rows for all the selection's facts."""
    stats = view.layer("statistiques")
    codes = view.layer("territoire")["insee_code"].astype(str)
    if stats.empty or codes.empty or not sel.categories:
        return pd.DataFrame()
    whole = communes_mod.indicators_for(sel.categories)[:1]
    rows, _, _ = communes_mod.references(stats, codes, whole, sel)
    return rows


def reference_sentence(refs: pd.DataFrame) -> str:
    """Return the SSMSI comparison line of the headline page, in French."""
    if refs.empty:
        return ("Département et France : statistiques SSMSI non importées, comparaison non "
                "disponible.")
    parts = []
    for r in refs.itertuples():
        rate = (f"{typography.number(r.taux, digits=1)} faits pour 1 000 habitants"
                if pd.notna(r.taux) else "taux non diffusé")
        parts.append(f"{r.commune} : {rate} (par rapport à l'année précédente : {r.verdict})")
    return ("Pour comparaison, faits des catégories que le SSMSI compte : " + " ; ".join(parts)
            + ".")


def _section(view: RoleView, field: vocab.ActionField, *, sel: indicators.Selection,
             plan: gpd.GeoDataFrame) -> FieldSection:
    k = view.small_count_k
    sel = figures.selection(view, start=sel.start, end=sel.end, communes=sel.communes,
                            categories=vocab.category_codes(field=field.code))
    mine = plan_actions.for_field(plan, field.code) if not plan.empty else plan
    table = (plan_actions.display_table(mine, view.layer("quartiers"))
             if not mine.empty else pd.DataFrame())
    sentence = (plan_actions.status_sentence(mine) if not mine.empty
                else "Aucune action de ce champ n'est inscrite au plan.")
    if not sel.categories:
        return FieldSection(field, None, [], None, None, False, gpd.GeoDataFrame(), table,
                            sentence)
    counts = figures.quartier_counts(view, sel)
    trend, hidden = figures.trend(view, sel, k=k)
    return FieldSection(field, indicators.total_kpi(view.counts(), sel, label=field.short),
                        figures.category_rows(view, sel, k=k, top=4), figures.qpv_share(counts),
                        trend, hidden, counts, table, sentence)


def _forecast_text(view: RoleView, sel: indicators.Selection) -> str:
    open_cats, _ = indicators.split_sensitive(sel.categories)
    if not open_cats:
        return ("Votre rôle ne voit aucun fait non sensible : la précision des prévisions de "
                "points chauds n'est pas évaluée.")
    df = view.counts()
    span = indicators.data_period(df)
    if span is None:
        return "Aucun fait : la précision des prévisions de points chauds n'est pas évaluée."
    try:
        train, test = forecast.monthly_periods(sel.end, first=span[0])
        every = indicators.select(df, indicators.Selection(span[0], sel.end, tuple(open_cats),
                                                           communes=sel.communes))
        territory = selection_mod.communes_in(view.layer("territoire"), sel.communes)
        grid = cells.grid_for(territory, cell_size_m=config.HOTSPOT_CELL_M)
        inside = cells.inside_mask(grid, territory)
        # One position per incident: the default bandwidth and the minimum numbers of
        # incidents of the forecast count points, so weights would change the figures.
        x, y, when = indicators.per_incident(every, "x", "y", "occurred_at")
        rep = forecast.evaluate_xy(grid, inside, x, y, when, train=train, test=test)
    except ClspdGeoError as err:
        return f"La précision des prévisions n'a pas pu être évaluée : {err}"
    month = typography.month_label(rep.test[0].date())
    return (f"Mois évalué : {month}. " + rep.sentence(next_period="du mois suivant")
            + f" Méthode recommandée : {forecast.METHOD_LABELS[rep.recommended]}. {rep.reason}")


def _notes(view: RoleView, *, k: int) -> list[str]:
    notes = []
    notice = view.notice()
    notes.append(notice or f"Rôle « {view.role_label} » : les faits sont vus au point près.")
    notes.append(f"Petits effectifs : les nombres de faits de 1 à {k - 1} ne sont jamais "
                 f"imprimés (« < {k} ») ; une évolution ou un taux calculé à partir d'un "
                 "effectif masqué n'est pas imprimé non plus.")
    notes.append("Les périodes se comparent à la même période de l'année précédente (N-1). "
                 "Les taux sont exprimés pour 1 000 habitants (population légale).")
    notes.append("Comparaison au département et à la France : les statistiques du SSMSI "
                 "(ministère de l'Intérieur) ne sont pas importées dans ce magasin de données ; "
                 "les taux départementaux et nationaux ne sont donc pas présentés.")
    if view.is_demo():
        notes.append("Territoire de démonstration fictif : les chiffres ne décrivent aucune "
                     "commune réelle.")
    src = view.sources("territoire", "quartiers", "incidents", "cameras", "secteurs",
                       "equipements", "accidents", "actions")
    if src:
        notes.append("Sources : " + " ; ".join(src) + ".")
    return notes


# -- writing ---------------------------------------------------------------------------------------

def _field_map(view: RoleView, section: FieldSection, *, k: int, start: dt.date,
               end: dt.date) -> bytes | None:
    terr = view.layer("territoire")
    if terr.empty:
        return None
    layers: list[static_maps.MapLayer] = []
    if not section.quartiers.empty:
        layers += static_maps.class_layers(section.quartiers, value_col="faits", k=k,
                                           unit="faits")
    layers += static_maps.quartier_outlines(view.layer("quartiers"))
    names = ["territoire", "quartiers", "incidents"]
    code = section.field.code
    if code == "police":
        sect = view.layer("secteurs")
        for force, label in vocab.FORCES.items():
            part = sect[sect["force"] == force] if not sect.empty else sect
            if not part.empty:
                layers.append(static_maps.MapLayer(part, f"Secteur : {label}",
                                                   edge=vocab.FORCE_COLORS[force], width=1.6,
                                                   dashed=force != "police_nationale"))
        names.append("secteurs")
    if code == "video":
        cams = view.layer("cameras")
        for status, label in vocab.CAMERA_STATUSES.items():
            part = cams[cams["status"] == status] if not cams.empty else cams
            if not part.empty:
                layers.append(static_maps.MapLayer(part, f"Caméra {label.lower()}",
                                                   kind="point", size=8, edge="white",
                                                   face=camera_layers.CAMERA_STATUS_COLORS[status]))
        names.append("cameras")
    if code == "routier":
        acc = view.layer("accidents")
        if not acc.empty:
            acc = indicators.accidents_in(acc, start, end)
            grave = acc[(acc["killed"] > 0) | (acc["hospitalised"] > 0)]
            layers.append(static_maps.MapLayer(grave, "Accident grave (tué ou hospitalisé)",
                                               kind="point", size=5, face="#b71c1c",
                                               edge="white"))
            names.append("accidents")
    equip = view.facilities()
    kinds = vocab.facility_kinds_for(code)
    if not equip.empty and kinds:
        for kind in kinds[:6]:
            part = equip[equip["kind"] == kind]
            if not part.empty:
                fk = vocab.facility_kind(kind)
                layers.append(static_maps.MapLayer(part, fk.label, kind="point", size=16,
                                                   face="white", edge=fk.color))
        names.append("equipements")
    voies = view.layer("voies")
    if not voies.empty:
        names.append("voies")
    return static_maps.render(terr, layers, epsg=view.metric_epsg,
                              background=static_maps.roads_background(voies),
                              source=figures.sources(view, *names),
                              legend_title=f"Faits « {section.field.short} » par quartier",
                              size_in=(7.0, 3.9))


def _cover(doc: pdf.ReportPdf, rep: Plenary, made: dt.date) -> None:
    doc.new_page(cover=True)
    doc.set_y(70)
    doc.heading(TITLE, level=0)
    doc.ln(4)
    doc.paragraph(rep.commune, size=18, style="B")
    doc.paragraph(typography.period(rep.selection.start, rep.selection.end).capitalize(),
                  size=13)
    doc.ln(20)
    doc.paragraph(pdf.made_on(made), size=10)
    doc.paragraph(f"Établi pour le rôle « {rep.role_label} » : les chiffres sont ceux que ce "
                  "rôle voit dans l'application.", size=10, muted=True)


def _headline(doc: pdf.ReportPdf, rep: Plenary, view: RoleView) -> None:
    k = rep.k
    doc.new_page()
    doc.heading("Chiffres clés")
    doc.paragraph(f"Faits enregistrés {typography.period(rep.selection.start, rep.selection.end)}"
                  ", comparés à la même période de l'année précédente.")
    boxes = [figures.kpi_box(rep.total, k=k)]
    boxes.append(("Pour 1 000 habitants", typography.number(rep.rate_per_1000, digits=1)
                  if rep.rate_per_1000 is not None else "—", "population légale de la commune"))
    boxes += [figures.kpi_box(x, k=k) for x in rep.fields_kpis]
    doc.figures(boxes, per_row=3)
    doc.paragraph(reference_sentence(rep.references), size=8.5, muted=True)
    if not rep.quartiers.empty:
        doc.heading("Par quartier", level=2)
        doc.data_table(["Quartier", "Faits", "Faits N-1", "Évolution", "Pour 1 000 hab."],
                       figures.quartier_rows(rep.quartiers, k=k),
                       widths=(0.4, 0.15, 0.15, 0.15, 0.15))
        placed = int(rep.quartiers["faits"].sum())
        if rep.total.value > placed:
            doc.paragraph(f"{typography.count(rep.total.value - placed, k=k)} faits ne sont "
                          "publiés pour ce rôle qu'à l'échelle du territoire entier (effectifs "
                          "trop faibles par quartier) : ils ne figurent dans aucun quartier.",
                          size=8.5, muted=True)
    if rep.selection.categories:
        png = charts.monthly_chart(rep.trend)
        doc.heading("Évolution mensuelle", level=2, keep_mm=doc.image_height_mm(png))
        caption = "Faits par mois, période et année précédente."
        if rep.trend_hidden:
            caption += f" Mois de 1 à {k - 1} faits non tracés (petits effectifs)."
        doc.image_block(png, caption=caption)


def _field_page(doc: pdf.ReportPdf, sec: FieldSection, view: RoleView, *, k: int,
                sel: indicators.Selection) -> None:
    doc.new_page()
    doc.heading(f"{sec.field.number}. {sec.field.label}")
    doc.paragraph(sec.field.question, style="I")
    if sec.kpi is None:
        doc.paragraph("Votre rôle ne voit aucun fait de ce champ d'action.", muted=True)
    else:
        share = (typography.percent(sec.qpv_share_pct) if sec.qpv_share_pct is not None
                 and figures.printable(sec.kpi.value, k=k) else "—")
        top = sec.categories[0] if sec.categories else None
        third = ("Première catégorie", top[1] if top else "—",
                 top[0][:40] if top else "aucun fait")
        acc = view.layer("accidents")
        if sec.field.code == "routier" and not acc.empty:
            third = figures.kpi_box(indicators.accident_kpis(acc, sel)[0], k=1)
        doc.figures([figures.kpi_box(sec.kpi, k=k),
                     ("Part dans les quartiers prioritaires", share, "quartiers QPV"),
                     third], per_row=3)
    png = _field_map(view, sec, k=k, start=sel.start, end=sel.end)
    if png is not None:
        doc.image_block(png, width_mm=doc.width_mm * 0.95)
    if sec.trend is not None and sec.kpi is not None and sec.kpi.value + sec.kpi.previous > 0:
        caption = f"Faits « {sec.field.short} » par mois."
        if sec.trend_hidden:
            caption += f" Mois de 1 à {k - 1} faits non tracés (petits effectifs)."
        doc.image_block(charts.monthly_chart(sec.trend, size_in=(7.0, 1.7)), caption=caption)
    if sec.categories:
        doc.data_table(["Catégorie", "Faits", "Faits N-1", "Évolution"], sec.categories,
                       widths=(0.55, 0.15, 0.15, 0.15))
    doc.heading("Actions du plan", level=2, keep_mm=15)
    doc.paragraph(sec.actions_sentence, size=9)
    if not sec.actions.empty:
        cols = [c for c in ("Action", "Pilote", "Statut", "Fin") if c in sec.actions.columns]
        doc.data_table(cols, sec.actions[cols].astype(str).to_numpy().tolist(),
                       widths=[0.5, 0.2, 0.15, 0.15][:len(cols)],
                       align=["LEFT"] * len(cols), size=8)


def render_pdf(rep: Plenary, view: RoleView, *, made_on: dt.date | None = None) -> bytes:
    """Write a computed plenary report as PDF bytes (see :func:`build_pdf`)."""
    made = made_on or dt.date.today()
    doc = pdf.ReportPdf(title=f"{TITLE} — {rep.commune}",
                        footer_note=f"{pdf.made_on(made)} pour le rôle « {rep.role_label} »")
    _cover(doc, rep, made)
    _headline(doc, rep, view)
    for sec in rep.sections:
        _field_page(doc, sec, view, k=rep.k, sel=rep.selection)
    doc.new_page()
    doc.heading("Les points chauds prévoient-ils le mois suivant ?")
    doc.paragraph(rep.forecast_text)
    doc.paragraph(forecast.PLAIN_FRENCH, size=8.5, muted=True)
    doc.heading("Notes de méthode")
    doc.bullets(rep.notes, size=9)
    return doc.to_bytes()


def build_pdf(view: RoleView, *, start: dt.date, end: dt.date,
              made_on: dt.date | None = None, communes: Sequence[str] = ()) -> bytes:
    """Return the plenary report of ``[start, end)`` for the view's role, as PDF bytes.

    This is the function behind the overview's download button and
    ``python -m clspd_geo report``.

    Parameters
    ----------
    view
        The store as the role sees it.
    start, end
        The period, ``end`` excluded.
    made_on
        Date printed on the cover (default: today).
    communes
        INSEE codes of the communes reported on (the whole territory when empty).
    """
    return render_pdf(build(view, start=start, end=end, communes=communes), view,
                      made_on=made_on)


def write(view: RoleView, path: str | Path, *, start: dt.date, end: dt.date) -> Path:
    """Write the plenary report to ``path`` and return it."""
    out = Path(path)
    out.write_bytes(build_pdf(view, start=start, end=end))
    return out
