"""The camera plan of an authorisation file: every camera and the zones it covers, to print.

Article R252-3 of the Code de la sécurité intérieure asks, in the file sent to the prefect
to authorise video-protection on the public highway, for a detailed plan showing the
number and location of the cameras and the zones they cover. :func:`to_html` builds that
document as one self-contained HTML page made for printing (A4 landscape, no external
resource, the map drawn as inline SVG): a header, the map of the covered zones with each
camera's number, and the list of cameras (number, place, kind, operator, state,
commissioning date, direction, field of view, range, covered area, coordinates).

Every text that comes from data is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo.video import cameras as cams_mod
from clspd_geo import _format, crs, vocab
from clspd_geo.errors import EmptySelectionError

STATUS_COLORS = {"en_service": "#1565c0", "en_panne": "#757575", "projet": "#ef6c00"}


def _e(value: object) -> str:
    """Escape any value for HTML (empty for missing values)."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def _fmt_date(value: object) -> str:
    if value is None or pd.isna(value):
        return "inconnue"
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def _fmt_num(value: object, unit: str, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{_format.number(float(value), decimals=digits, grouped=False)}\u202f{unit}"


class _Canvas:
    """Maps metric coordinates to SVG pixels (y up → y down), keeping the aspect ratio."""

    def __init__(self, bounds: tuple[float, float, float, float], *, width: int,
                 height: int, margin: int = 16) -> None:
        minx, miny, maxx, maxy = bounds
        span_x = max(maxx - minx, 1.0)
        span_y = max(maxy - miny, 1.0)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.ox = minx - (width / self.scale - span_x) / 2
        self.oy = maxy + (height / self.scale - span_y) / 2
        self.width, self.height = width, height

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(x) - self.ox) * self.scale, (self.oy - np.asarray(y)) * self.scale

    def path(self, geom: shapely.Geometry) -> str:
        """Return the SVG path data of a (multi)polygon or (multi)line."""
        parts: list[str] = []
        for part in shapely.get_parts(geom):
            if part.geom_type == "Polygon":
                rings = [part.exterior, *part.interiors]
                closed = True
            elif part.geom_type == "LineString":
                rings = [part]
                closed = False
            else:
                continue
            for ring in rings:
                c = np.asarray(ring.coords)
                if len(c) < 2:
                    continue
                px, py = self.xy(c[:, 0], c[:, 1])
                pts = " L".join(f"{a:.1f} {b:.1f}" for a, b in zip(px, py, strict=True))
                parts.append("M" + pts + (" Z" if closed else ""))
        return " ".join(parts)


ROAD_STROKES = {"principale": ("#cfd8dc", 5.0), "voie_ferree": ("#9e9e9e", 1.2)}
"""SVG stroke and width of the street background by ``kind`` (other kinds: streets)."""


def street_paths(canvas: _Canvas, voies: gpd.GeoDataFrame | None, *, epsg: int) -> list[str]:
    """Return the SVG paths of the street background drawn from ``voies`` (any CRS).

    Only the roads inside the canvas are drawn, clipped to it: a detail map of one quartier
    carries its own streets, not the whole commune's.
    """
    if voies is None or voies.empty:
        return []
    roads = voies if voies.crs is not None and voies.crs.to_epsg() == epsg else voies.to_crs(
        epsg=epsg)
    x0, y1 = canvas.ox, canvas.oy
    x1, y0 = x0 + canvas.width / canvas.scale, y1 - canvas.height / canvas.scale
    roads = roads.cx[x0:x1, y0:y1]
    if roads.empty:
        return []
    roads = roads.set_geometry(shapely.clip_by_rect(roads.geometry.values, x0, y0, x1, y1))
    roads = roads[~roads.geometry.is_empty]
    kinds = roads["kind"].astype(str) if "kind" in roads.columns else pd.Series(
        "", index=roads.index)
    out = []
    for geom, kind in zip(roads.geometry, kinds, strict=True):
        color, w = ROAD_STROKES.get(kind, ("#e0e0e0", 2.5))
        dash = ' stroke-dasharray="6 4"' if kind == "voie_ferree" else ""
        out.append(f'<path d="{canvas.path(geom)}" fill="none" stroke="{color}" '
                   f'stroke-width="{w}" stroke-linecap="round"{dash}/>')
    return out


def _scale_bar(canvas: _Canvas) -> str:
    target = canvas.width * 0.2 / canvas.scale  # about a fifth of the map, in metres
    nice = 10 ** np.floor(np.log10(target))
    for m in (5, 2, 1):
        if m * nice <= target:
            nice *= m
            break
    px = nice * canvas.scale
    x0, y0 = 20, canvas.height - 20
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    return (f'<g class="scale"><path d="M{x0} {y0 - 5} L{x0} {y0} L{x0 + px:.1f} {y0} '
            f'L{x0 + px:.1f} {y0 - 5}" fill="none" stroke="#000" stroke-width="1.5"/>'
            f'<text x="{x0 + px / 2:.1f}" y="{y0 - 8}" text-anchor="middle">{_e(label)}</text>'
            f'</g><g class="north"><path d="M{canvas.width - 30} {40} L{canvas.width - 24} '
            f'{56} L{canvas.width - 30} {52} L{canvas.width - 36} {56} Z" fill="#000"/>'
            f'<text x="{canvas.width - 30}" y="{34}" text-anchor="middle">N</text></g>')


def svg_map(views: gpd.GeoDataFrame, numbers: Sequence[int], *, epsg: int,
            territoire: gpd.GeoDataFrame | None = None,
            quartiers: gpd.GeoDataFrame | None = None, width: int = 1000,
            height: int = 620, voies: gpd.GeoDataFrame | None = None) -> str:
    """Return an inline SVG map of the covered zones with each camera's number.

    Parameters
    ----------
    views
        View polygons (any CRS) with ``status`` and the camera position in ``cam_x``,
        ``cam_y`` (metres, ``epsg``).
    numbers
        The number printed next to each camera (same order as ``views``).
    epsg
        Metric CRS to draw in.
    voies
        The roads layer, drawn under everything as the street background.
    """
    v = views.to_crs(epsg=epsg)
    layers = [g for g in (territoire, quartiers) if g is not None and len(g)]
    frames = [v.geometry] + [g.to_crs(epsg=epsg).geometry for g in layers]
    bounds = np.array([f.total_bounds for f in frames if len(f)])
    box = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    canvas = _Canvas(box, width=width, height=height)
    out = [f'<svg class="map" viewBox="0 0 {width} {height}" '
           'xmlns="http://www.w3.org/2000/svg" role="img" '
           'aria-label="Carte des zones couvertes par les caméras">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    out += street_paths(canvas, voies, epsg=epsg)
    if quartiers is not None and len(quartiers):
        for geom in quartiers.to_crs(epsg=epsg).geometry:
            out.append(f'<path d="{canvas.path(geom)}" fill="none" stroke="#9e9e9e" '
                       'stroke-width="0.6" stroke-dasharray="3 2"/>')
    if territoire is not None and len(territoire):
        for geom in territoire.to_crs(epsg=epsg).geometry:
            out.append(f'<path d="{canvas.path(geom)}" fill="none" stroke="#212121" '
                       'stroke-width="1.6"/>')
    for geom, status in zip(v.geometry, v["status"], strict=True):
        color = STATUS_COLORS.get(str(status), "#1565c0")
        out.append(f'<path d="{canvas.path(geom)}" fill="{color}" fill-opacity="0.28" '
                   f'stroke="{color}" stroke-width="0.6" fill-rule="evenodd"/>')
    px, py = canvas.xy(v["cam_x"].to_numpy(), v["cam_y"].to_numpy())
    font = 9 if len(v) <= 150 else 6
    for a, b, n, status in zip(px, py, numbers, v["status"], strict=True):
        color = STATUS_COLORS.get(str(status), "#1565c0")
        out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.6" fill="{color}" '
                   'stroke="#fff" stroke-width="0.8"/>')
        out.append(f'<text x="{a + 3:.1f}" y="{b - 3:.1f}" font-size="{font}">{_e(n)}</text>')
    out.append(_scale_bar(canvas))
    out.append("</svg>")
    return "".join(out)


_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4pt 0; }
.meta { margin: 0 0 8pt 0; }
.map { width: 100%; height: auto; border: 1px solid #999; }
.legend span { display: inline-block; margin-right: 14pt; }
.legend i { display: inline-block; width: 10pt; height: 10pt; margin-right: 3pt;
            vertical-align: middle; opacity: 0.6; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
thead { display: table-header-group; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
.list, .details { page-break-before: always; }
.detail { page-break-inside: avoid; margin-bottom: 8pt; }
h2 { font-size: 12pt; margin: 6pt 0 3pt 0; }
.note { font-size: 8pt; color: #444; margin-top: 6pt; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10px; }
@media screen { body { max-width: 1100px; margin: 1em auto; } }
"""


def plan_table(cameras: gpd.GeoDataFrame, *, arc_points: int = 32,
               buildings: gpd.GeoDataFrame | None = None) -> tuple[pd.DataFrame,
                                                                    gpd.GeoDataFrame]:
    """Return the camera list of the plan and the view polygons, numbered 1…n.

    Cameras are numbered in the order of their ``camera_id``.

    Returns
    -------
    (DataFrame, GeoDataFrame)
        The list (French column names, plain text values) and the views in the metric
        CRS with ``status``, ``cam_x``, ``cam_y`` and ``numero``.
    """
    if len(cameras) == 0:
        raise EmptySelectionError("Aucune caméra à porter au plan : importez d'abord la liste "
                                  "des caméras.")
    ordered = cameras.sort_values("camera_id", kind="stable")
    views = cams_mod.view_polygons(ordered, arc_points=arc_points, buildings=buildings)
    epsg = crs.metric_epsg(ordered)
    metric = views.to_crs(epsg=epsg)
    pos = ordered.to_crs(epsg=epsg)
    lonlat = ordered.to_crs(4326)
    metric = metric.assign(cam_x=pos.geometry.x.to_numpy(), cam_y=pos.geometry.y.to_numpy(),
                           numero=np.arange(1, len(ordered) + 1))
    if "status" not in metric.columns:
        metric["status"] = "en_service"

    def col(name: str) -> pd.Series:
        return ordered[name] if name in ordered.columns else pd.Series([None] * len(ordered),
                                                                       index=ordered.index)

    table = pd.DataFrame({
        "N°": np.arange(1, len(ordered) + 1),
        "Identifiant": col("camera_id").astype(str).to_numpy(),
        "Lieu d'implantation": col("name").fillna("").astype(str).to_numpy(),
        "Type": col("kind").map(vocab.CAMERA_KINDS).fillna(col("kind")).fillna("").to_numpy(),
        "Exploitant": col("operator").map(vocab.CAMERA_OPERATORS).fillna(col("operator"))
        .fillna("").to_numpy(),
        "État": col("status").map(vocab.CAMERA_STATUSES).fillna(col("status")).fillna("")
        .to_numpy(),
        "Mise en service": [_fmt_date(v) for v in col("commissioned_on")],
        "Orientation": ["360° (sans orientation)" if full else _fmt_num(b, "°")
                        for b, full in zip(pd.to_numeric(col("bearing_deg"), errors="coerce"),
                                           views["full_circle"], strict=True)],
        "Champ": [_fmt_num(v, "°") for v in pd.to_numeric(col("fov_deg"), errors="coerce")],
        "Portée": [_fmt_num(v, "m") for v in pd.to_numeric(col("range_m"), errors="coerce")],
        "Zone couverte": [_fmt_num(a, "m²") for a in metric.geometry.area],
        "Latitude, longitude": [f"{p.y:.6f}, {p.x:.6f}" for p in lonlat.geometry],
    })
    return table, metric


def to_html(cameras: gpd.GeoDataFrame, *, territoire: gpd.GeoDataFrame | None = None,
            quartiers: gpd.GeoDataFrame | None = None,
            buildings: gpd.GeoDataFrame | None = None, commune: str | None = None,
            prepared_on: dt.date | None = None, statuses: Sequence[str] | None = None,
            arc_points: int = 32, voies: gpd.GeoDataFrame | None = None) -> str:
    """Return the printable camera plan as one self-contained HTML page.

    Parameters
    ----------
    cameras
        Cameras layer (any CRS); add projected sites (status ``projet``) to show them too.
    territoire, quartiers
        Drawn under the covered zones when given.
    buildings
        Building footprints cutting the views (line of sight), when known.
    commune
        Name printed in the title (default: the territory's names).
    prepared_on
        Date of the document (default: today).
    statuses
        Keep only cameras with these statuses (default: all).
    voies
        The roads layer, drawn as the street background of the maps.

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
    table, views = plan_table(cams, arc_points=arc_points, buildings=buildings)
    epsg = int(views.crs.to_epsg())
    if commune is None and territoire is not None and "name" in territoire.columns:
        commune = ", ".join(str(n) for n in territoire["name"])
    date = prepared_on or dt.date.today()
    counts = cams["status"].map(vocab.CAMERA_STATUSES).value_counts() if "status" in \
        cams.columns else pd.Series({"Caméras": len(cams)})
    count_text = ", ".join(f"{int(n)} {_e(lbl).lower()}" for lbl, n in counts.items())
    legend = "".join(f'<span><i style="background:{c}"></i>{_e(vocab.CAMERA_STATUSES[s])}</span>'
                     for s, c in STATUS_COLORS.items())
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    numeric = {"N°", "Champ", "Portée", "Zone couverte"}
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(v)}</td>' if c in numeric else f"<td>{_e(v)}</td>"
                         for c, v in row.items()) + "</tr>"
        for _, row in table.iterrows())
    flagged = int(views["bearing_missing"].sum())
    notes = []
    if flagged:
        notes.append(f"{_format.count(flagged, 'caméra')} sans orientation connue "
                     f"{'est dessinée' if flagged < 2 else 'sont dessinées'} à 360° : "
                     "la zone réellement couverte est plus petite.")
    notes.append("Zones couvertes : secteur de vision de chaque caméra (orientation, champ et "
                 "portée utile), calculé en Lambert-93"
                 + (", coupé par les bâtiments (ligne de vue en 2D)." if buildings is not None
                    else ", sans tenir compte des masques (bâtiments, arbres)."))
    title = "Plan des caméras de vidéoprotection et des zones couvertes"
    where = f" — {_e(commune)}" if commune else ""
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>{_e(title)}{where}</title>
<style>{_CSS}</style></head>
<body>
<h1>{_e(title)}{where}</h1>
<p class="meta">Pièce du dossier de demande d'autorisation (article R252-3 du code de la
sécurité intérieure : plan détaillé indiquant le nombre et l'implantation des caméras et les
zones couvertes). Document établi le {_e(date.strftime("%d/%m/%Y"))} —
{_format.count(len(table), 'caméra')} : {count_text}.</p>
<p class="legend">{legend}</p>
{svg_map(views, views["numero"].tolist(), epsg=epsg, territoire=territoire, quartiers=quartiers,
         voies=voies)}
<p class="note">Les numéros sur la carte renvoient à la liste des caméras.
Échelle et nord indiqués sur la carte. Projection : EPSG:{epsg}.</p>
{_detail_maps(views, quartiers, epsg=epsg, voies=voies)}
<section class="list">
<h1>Liste des caméras</h1>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
{"".join(f'<p class="note">{_e(n)}</p>' for n in notes)}
</section>
</body></html>
"""


def _detail_maps(views: gpd.GeoDataFrame, quartiers: gpd.GeoDataFrame | None, *,
                 epsg: int, voies: gpd.GeoDataFrame | None = None) -> str:
    """Return one zoomed map per quartier holding cameras (the overview gets crowded)."""
    if quartiers is None or len(quartiers) == 0 or len(views) <= 12:
        return ""
    q = quartiers.to_crs(epsg=epsg)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(views["cam_x"], views["cam_y"]),
                           crs=epsg)
    inside = gpd.sjoin(pts, q[[q.geometry.name]], how="inner", predicate="within")
    if voies is not None and len(voies):
        voies = voies.to_crs(epsg=epsg)  # once, not once per detail map
    parts = ['<section class="details"><h1>Plans de détail par quartier</h1>']
    names = q["name"].astype(str).tolist() if "name" in q.columns else [
        str(i + 1) for i in range(len(q))]
    for qi in sorted(set(inside["index_right"])):
        rows = inside.index[inside["index_right"] == qi]
        sub = views.iloc[np.asarray(rows)]
        parts.append(f'<div class="detail"><h2>{_e(names[q.index.get_loc(qi)])} — '
                     f"{_format.count(len(sub), 'caméra')}</h2>")
        parts.append(svg_map(sub, sub["numero"].tolist(), epsg=epsg, width=1000, height=560,
                             voies=voies))
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def write(path: str | os.PathLike[str], cameras: gpd.GeoDataFrame, **options: object) -> Path:
    """Write the printable plan (see :func:`to_html`) to ``path`` and return the path."""
    target = Path(path)
    target.write_text(to_html(cameras, **options), encoding="utf-8")  # type: ignore[arg-type]
    return target
