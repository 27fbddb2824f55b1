"""The camera plan of an authorisation file (article R252-3 of the CSI) as an A4 PDF.

The same document as :func:`clspd_geo.video.camera_plan.to_html` (same numbering, same list
from :func:`clspd_geo.video.camera_plan.plan_table`), written with the reports machinery
(:mod:`clspd_geo.reports.pdf`, :mod:`clspd_geo.reports.static_maps`) in A4 landscape:

1. the plan: every camera's covered zone (view cone) coloured by status, its number, the
   quartiers and the street background drawn from the store's ``voies`` layer;
2. one detail map per quartier holding cameras, when there are more than 12 cameras
   (the overview gets crowded);
3. the list of cameras (number, place, kind, operator, state, commissioning date,
   direction, field of view, range, covered area, coordinates) and the notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, vocab
from clspd_geo.maps import cameras as camera_layers
from clspd_geo.reports import pdf, static_maps, typography
from clspd_geo.video import camera_plan

TITLE = "Plan des caméras de vidéoprotection et des zones couvertes"
DETAIL_FROM = 12
"""Detail maps per quartier are added above this number of cameras."""
SOURCE = "liste des caméras du CLSPD ; zones couvertes calculées (orientation, champ, portée)"

_WIDTHS = (0.035, 0.08, 0.15, 0.09, 0.09, 0.07, 0.075, 0.085, 0.05, 0.055, 0.075, 0.145)


def _status_layers(views: gpd.GeoDataFrame, *, numbers: bool) -> list[static_maps.MapLayer]:
    """Return the view cones and the camera points by status (numbered when asked)."""
    out: list[static_maps.MapLayer] = []
    pts = gpd.GeoDataFrame({"status": views["status"].astype(str).to_numpy(),
                            "numero": views["numero"].astype(str).to_numpy()},
                           geometry=gpd.points_from_xy(views["cam_x"], views["cam_y"]),
                           crs=views.crs)
    for status, label in vocab.CAMERA_STATUSES.items():
        color = camera_layers.CAMERA_STATUS_COLORS[status]
        cones = views[views["status"].astype(str) == status]
        if cones.empty:
            continue
        out.append(static_maps.MapLayer(cones, f"Zone couverte ({label.lower()})", face=color,
                                        edge=color, width=0.4, alpha=0.35))
        out.append(static_maps.MapLayer(pts[pts["status"] == status], f"Caméra {label.lower()}",
                                        kind="point", face=color, edge="white", size=10,
                                        label_col="numero" if numbers else None,
                                        text_size=5.5 if len(views) > 150 else 6.5))
    return out


def _list_rows(table: pd.DataFrame) -> list[list[str]]:
    return [[str(v) for v in row] for row in table.itertuples(index=False)]


def build_pdf(cameras: gpd.GeoDataFrame, *, territoire: gpd.GeoDataFrame | None = None,
              quartiers: gpd.GeoDataFrame | None = None,
              voies: gpd.GeoDataFrame | None = None,
              buildings: gpd.GeoDataFrame | None = None, commune: str | None = None,
              prepared_on: dt.date | None = None, statuses: Sequence[str] | None = None,
              arc_points: int = 32) -> bytes:
    """Return the camera plan as an A4 landscape PDF.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS), as the role sees it; add projected sites (status
        ``projet``) to show them too.
    territoire, quartiers
        Drawn under the covered zones when given.
    voies
        The roads layer, drawn as the street background (names at street scale).
    buildings
        Building footprints cutting the views (line of sight), when known.
    commune
        Name printed in the title (default: the territory's names).
    prepared_on
        Date of the document (default: today).
    statuses
        Keep only cameras with these statuses (default: all).

    Raises
    ------
    EmptySelectionError
        No camera to put on the plan.
    SchemaError
        A camera has an impossible field of view or range.
    """
    cams = cameras
    if statuses is not None and "status" in cams.columns:
        cams = cams[cams["status"].isin(list(statuses))]
    table, views = camera_plan.plan_table(cams, arc_points=arc_points, buildings=buildings)
    epsg = int(views.crs.to_epsg())
    if commune is None and territoire is not None and "name" in territoire.columns:
        commune = ", ".join(str(n) for n in territoire["name"])
    day = prepared_on or dt.date.today()
    title = TITLE + (f" — {commune}" if commune else "")
    doc = pdf.ReportPdf(title=title, orientation="L",
                        footer_note=f"{pdf.made_on(day)} — pièce du dossier d'autorisation "
                                    "(article R252-3 du CSI)")
    doc.alias_nb_pages()
    counts = (views["status"].astype(str).map(vocab.CAMERA_STATUSES).value_counts()
              if len(views) else pd.Series(dtype=int))
    count_text = ", ".join(f"{typography.number(int(n))} {str(lbl).lower()}"
                           for lbl, n in counts.items())
    outline = territoire if territoire is not None and len(territoire) else None
    extent = views if outline is None else None
    frame = outline if outline is not None else views
    background = static_maps.roads_background(voies)
    doc.new_page(cover=True)
    doc.heading(title, level=1)
    doc.paragraph("Pièce du dossier de demande d'autorisation (article R252-3 du code de la "
                  "sécurité intérieure : plan détaillé indiquant le nombre et l'implantation "
                  f"des caméras et les zones couvertes). {pdf.made_on(day)} — "
                  f"{_format.count(len(table), 'caméra')} : {count_text}.", size=9)
    layers = static_maps.quartier_outlines(quartiers) if quartiers is not None else []
    layers += _status_layers(views, numbers=True)
    png = static_maps.render(frame, layers, epsg=epsg, source=SOURCE, background=background,
                             extent=extent, legend_title="Caméras", size_in=(9.6, 5.6))
    doc.image_block(png, width_mm=_fit_width(doc, png, reserve_mm=12),
                    caption="Les numéros sur la carte renvoient à la liste des caméras. "
                            f"Projection : EPSG:{epsg}.")
    _detail_pages(doc, views, quartiers, background=background, epsg=epsg)
    doc.new_page()
    doc.heading("Liste des caméras", level=1)
    doc.data_table(list(table.columns), _list_rows(table), widths=_WIDTHS, size=7,
                   align=["RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT",
                          "RIGHT", "RIGHT", "RIGHT", "LEFT"])
    flagged = int(views["bearing_missing"].sum())
    if flagged:
        drawn = _format.plural(flagged, "est dessinée", "sont dessinées")
        doc.paragraph(f"{_format.count(flagged, 'caméra')} sans orientation connue {drawn} "
                      "à 360° : la "
                      "zone réellement couverte est plus petite.", size=8, muted=True)
    doc.paragraph("Zones couvertes : secteur de vision de chaque caméra (orientation, champ et "
                  "portée utile), calculé en Lambert-93"
                  + (", coupé par les bâtiments (ligne de vue en 2D)." if buildings is not None
                     else ", sans tenir compte des masques (bâtiments, arbres)."),
                  size=8, muted=True)
    return doc.to_bytes()


def _detail_pages(doc: pdf.ReportPdf, views: gpd.GeoDataFrame,
                  quartiers: gpd.GeoDataFrame | None, *,
                  background: list[static_maps.MapLayer], epsg: int) -> None:
    """Write one zoomed map per quartier holding cameras (above :data:`DETAIL_FROM`)."""
    if quartiers is None or len(quartiers) == 0 or len(views) <= DETAIL_FROM:
        return
    q = quartiers.to_crs(epsg=epsg).reset_index(drop=True)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(views["cam_x"], views["cam_y"]),
                           crs=epsg)
    inside = gpd.sjoin(pts, q[[q.geometry.name]], how="inner", predicate="within")
    names = (q["name"].astype(str).tolist() if "name" in q.columns
             else [str(i + 1) for i in range(len(q))])
    for qi in sorted(set(inside["index_right"])):
        rows = np.asarray(inside.index[inside["index_right"] == qi])
        sub = views.iloc[rows]
        doc.new_page()
        doc.heading(f"Plan de détail : {names[qi]} — {_format.count(len(sub), 'caméra')}",
                    level=2)
        layers = static_maps.quartier_outlines(q.iloc[[qi]]) + _status_layers(sub, numbers=True)
        png = static_maps.render(q.iloc[[qi]], layers, epsg=epsg, source=SOURCE,
                                 background=background, extent=sub,
                                 legend_title="Caméras", size_in=(9.6, 5.6))
        doc.image_block(png, width_mm=_fit_width(doc, png, reserve_mm=4))


def _fit_width(doc: pdf.ReportPdf, png: bytes, *, reserve_mm: float) -> float:
    """Return the width at which ``png`` fits in the rest of the page (``reserve_mm`` kept)."""
    room = doc.h - 18 - 6 - doc.get_y() - reserve_mm
    full = doc.image_height_mm(png, width_mm=doc.width_mm)
    return doc.width_mm * min(1.0, room / full)
