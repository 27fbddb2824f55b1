"""The patrol brief of one sector and one shift as a one-page A4 PDF.

The same content as :func:`clspd_geo.police.patrol_brief.to_html` (the brief itself comes
from :func:`clspd_geo.police.patrol_brief.build_brief`), written with the reports machinery:
a title, the period and the shift, the map of the sector (street background from the
store's ``voies`` layer with the street names, recent incidents in grey, the numbered cells
to visit in red, the facilities that matter at these hours), the table of the places to
visit and the distribution note. Everything fits on one A4 portrait page (at most
:data:`clspd_geo.police.patrol_brief.MAX_CELLS` places).
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from clspd_geo import _format, crs, vocab
from clspd_geo.police import patrol_brief
from clspd_geo.reports import pdf, static_maps, typography

TREND_SIGNS = {"hausse": "↑", "baisse": "↓", "stable": "→", "nouveau": "★"}
FOOT = ("Document de travail à diffusion restreinte (forces de sécurité intérieure, article "
        "L132-5 du code de la sécurité intérieure). Priorités calculées sur les faits "
        "enregistrés, pondérés par gravité ; tendance : comparaison avec la période de même "
        "durée qui précède. Ne se substitue pas aux consignes du chef de poste.")


def _map(brief: patrol_brief.PatrolBrief, *, voies: gpd.GeoDataFrame | None) -> bytes:
    sector = brief.sector
    epsg = int(crs.to_compute(sector).crs.to_epsg())
    layers = [static_maps.MapLayer(sector, "Secteur", edge="#1565c0", width=1.8)]
    if len(brief.incidents):
        layers.append(static_maps.MapLayer(brief.incidents[[brief.incidents.geometry.name]],
                                           "Fait récent de la vacation", kind="point",
                                           face="#9e9e9e", edge="none", size=3))
    if len(brief.cells):
        cells = brief.cells.assign(numero=brief.cells["rank"].astype(int).astype(str))
        layers.append(static_maps.MapLayer(cells, "Lieu où passer (n° de priorité)",
                                           face="#d32f2f", edge="#b71c1c", width=1.0,
                                           alpha=0.4, label_col="numero", text_size=9))
    if len(brief.facilities):
        for kind, part in brief.facilities.groupby("kind", sort=True):
            known = kind in vocab.facility_labels()
            label = vocab.facility_labels().get(kind, str(kind))
            color = vocab.facility_kind(kind).color if known else "#333333"
            layers.append(static_maps.MapLayer(part, label, kind="point", face=color,
                                               edge="white", size=22))
    return static_maps.render(sector, layers, epsg=epsg, extent=sector,
                              background=static_maps.roads_background(voies),
                              source="faits enregistrés de la vacation ; équipements ; voies",
                              legend_title="Légende", size_in=(7.4, 4.3))


def _rows(brief: patrol_brief.PatrolBrief) -> list[list[str]]:
    rows = []
    for r in brief.cells.itertuples():
        rows.append([
            str(int(r.rank)),
            f"{typography.number(int(r.n_incidents))} (poids {typography.number(r.load, digits=1)})",
            str(r.categories),
            f"{TREND_SIGNS[r.trend]} {patrol_brief.TREND_LABELS[r.trend]} "
            f"(avant : {typography.number(int(r.n_before))})",
            str(r.facilities) or "—",
            f"{typography.number(r.lat, digits=5)} N, {typography.number(r.lon, digits=5)} E",
        ])
    return rows


def build_pdf(brief: patrol_brief.PatrolBrief, *, voies: gpd.GeoDataFrame | None = None,
              title: str | None = None, generated_at: dt.datetime | None = None) -> bytes:
    """Return the brief as a one-page A4 PDF.

    Parameters
    ----------
    brief
        The brief (:func:`clspd_geo.police.patrol_brief.build_brief`).
    voies
        The roads layer, drawn as the street background with the street names.
    title
        Title of the page (default: « Fiche de patrouille — sector (id) »).
    generated_at
        Time printed on the page (default: now).
    """
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    heading = title or f"Fiche de patrouille — {brief.sector_name} ({brief.sector_id})"
    doc = pdf.ReportPdf(title=heading, footer_note="Diffusion restreinte — forces de sécurité "
                                                   "intérieure")
    doc.alias_nb_pages()
    doc.set_auto_page_break(auto=True, margin=14)
    doc.new_page(cover=True)
    doc.heading(heading, level=1)
    force = vocab.FORCES.get(brief.force, brief.force)
    last_day = (brief.end - pd.Timedelta(seconds=1)).date()
    doc.paragraph(f"{force} — vacation {brief.shift.label} — faits de cette vacation du "
                  f"{typography.date_long(brief.start.date())} au "
                  f"{typography.date_long(last_day)} "
                  f"({_format.count(brief.n_incidents, 'fait')}, hors faits sensibles). "
                  f"Édité le {typography.date_long(when.date())} à {when:%H:%M}.", size=8.5)
    doc.image_block(_map(brief, voies=voies), width_mm=doc.width_mm)
    doc.paragraph("Carrés rouges numérotés : lieux où passer, par ordre de priorité ; points "
                  "gris : faits récents de la vacation ; points de couleur : équipements à "
                  f"surveiller à ces heures. Cellules de {_cell_side(brief)}.", size=7.5,
                  muted=True)
    rows = _rows(brief) or [["—", "—", "Aucun fait récent sur cette vacation : patrouille de "
                             "présence générale.", "—", "—", "—"]]
    doc.data_table(["N°", "Faits", "Principales catégories", "Tendance",
                    "À proximité (pourquoi à ces heures)", "Position"], rows,
                   widths=(0.05, 0.12, 0.25, 0.14, 0.29, 0.15), size=7,
                   align=["RIGHT", "RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT"])
    doc.paragraph(FOOT, size=6.5, muted=True)
    return doc.to_bytes()


def _cell_side(brief: patrol_brief.PatrolBrief) -> str:
    if not len(brief.cells):
        return "—"
    minx, _, maxx, _ = crs.to_compute(brief.cells).geometry.iloc[0].bounds
    return f"{typography.number(maxx - minx)} m de côté"
