"""Patrol brief: where a crew should pass in one sector during one shift, on one A4 page.

For a chosen sector and shift, incidents of the recent past (``recent_days`` before the
reference date) that happened in that shift's hours are counted on square cells of the
sector, weighted by severity. The busiest cells are listed with their reasons: main
categories and counts, the trend against the ``recent_days`` before, and the facilities
that matter at that time of day nearby (schools when their exit times fall in the shift,
stations always, bars at night, markets in the morning).

Counting uses :func:`clspd_geo.analysis.counts.count_xy` (the cell counts of the hotspot maps)
on a square grid of the sector.

*Sensitive* categories (domestic and sexual violence, minors, radicalisation) are left out
by default: they happen mostly behind closed doors, a patrol does not prevent them by
passing by, and a printed sheet must not locate them.

:func:`to_html` renders the brief as a print-ready A4 HTML page with an inline SVG map
(no internet needed); every text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format, crs, vocab
from clspd_geo.analysis import cells, counts, indicators
from clspd_geo.errors import EmptySelectionError, SchemaError
from clspd_geo.police.load import incident_weights
from clspd_geo.police.shifts import DEFAULT_SHIFTS, Shift, check_shifts, format_hour, shift_of

SCHOOL_EXIT_HOURS: dict[str, tuple[float, ...]] = {
    "ecole_maternelle": (8.5, 11.5, 13.5, 16.5),
    "ecole_elementaire": (8.5, 11.5, 13.5, 16.5),
    "college": (8.0, 12.0, 17.0),
    "lycee": (8.0, 12.0, 18.0),
}
"""Usual entry and exit times of French schools, in hours (08 h 30 = 8.5)."""

STATION_KINDS = ("gare", "arret_bus")
NIGHT_KINDS = ("debit_boissons",)
MORNING_KINDS = ("marche",)
NIGHT_HOURS = (20.0, 21.0, 22.0, 23.0, 0.0, 1.0, 2.0, 3.0)
MORNING_HOURS = (7.0, 8.0, 9.0, 10.0, 11.0, 12.0)
MAX_CELLS = 8


@dataclass(frozen=True)
class PatrolBrief:
    """What a crew should know before patrolling a sector during a shift.

    Attributes
    ----------
    sector_id, sector_name, force
        The sector.
    shift
        The shift.
    start, end
        The recent window counted, ``[start, end)``.
    cells
        The cells to visit, busiest first, EPSG:4326: ``rank``, ``cell_id``,
        ``n_incidents``, ``load``, ``n_before`` (same-length window before), ``trend``
        (``"hausse"``, ``"baisse"``, ``"stable"``, ``"nouveau"``), ``categories`` (French,
        main categories with counts), ``facilities`` (French, nearby facilities and why),
        ``reasons`` (one French sentence), ``lon``, ``lat`` (cell centre).
    facilities
        The facilities that matter in this shift near the listed cells, EPSG:4326:
        ``facility_id``, ``name``, ``kind``, ``why``, ``cell_rank``.
    sector
        The sector polygon, EPSG:4326 (one row).
    incidents
        The incidents of the window in the sector, EPSG:4326 (for the map; rows of a
        weighted release keep their ``n``).
    n_incidents
        Incidents of the window in the sector (sensitive ones excluded).
    """

    sector_id: str
    sector_name: str
    force: str
    shift: Shift
    start: pd.Timestamp
    end: pd.Timestamp
    cells: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    sector: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    n_incidents: int


def _count(grid: cells.Grid, x: np.ndarray, y: np.ndarray, inside: np.ndarray,
           n: np.ndarray, load: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (incidents, load) per cell of the rows on the cells ``inside``.

    Each row stands for ``n`` incidents and carries their ``load``.
    """
    return tuple(np.asarray(counts.count_xy(grid, x, y, inside=inside, weights=w).weighted)
                 for w in (n, load))


def _main_categories(categories: np.ndarray, n: np.ndarray, labels: dict[str, str]) -> str:
    """Return the three main categories of the rows with their counts (French).

    Each row stands for ``n`` incidents; ties go in the order of the category codes.
    """
    per = pd.Series(n).groupby(categories).sum().sort_values(ascending=False, kind="stable")
    return ", ".join(f"{labels.get(k, k)} ({int(v)})" for k, v in per.head(3).items())


def _hours_in(shift: Shift, hours: Sequence[float]) -> list[float]:
    return [h for h in hours if bool(shift.contains(np.array([h]))[0])]


def _why(kind: str, shift: Shift) -> str | None:
    """Return why a facility kind matters during the shift (French), or None."""
    if kind in SCHOOL_EXIT_HOURS:
        times = _hours_in(shift, SCHOOL_EXIT_HOURS[kind])
        if times:
            return "entrées et sorties d'élèves à " + ", ".join(format_hour(t) for t in times)
        return None
    if kind in STATION_KINDS:
        return "lieu de passage et d'attente"
    if kind in NIGHT_KINDS and _hours_in(shift, NIGHT_HOURS):
        return "ouvert le soir et la nuit"
    if kind in MORNING_KINDS and _hours_in(shift, MORNING_HOURS):
        return "affluence du matin"
    return None


def _trend(now: int, before: int) -> str:
    if before == 0:
        return "nouveau" if now > 0 else "stable"
    ratio = now / before
    if ratio >= 1.25 and now - before >= 2:
        return "hausse"
    if ratio <= 0.8 and before - now >= 2:
        return "baisse"
    return "stable"


TREND_LABELS = {"hausse": "en hausse", "baisse": "en baisse", "stable": "stable",
                "nouveau": "nouveau"}


def build_brief(sectors: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, *, sector_id: str,
                shift: str, facilities: gpd.GeoDataFrame | None = None,
                shifts: Sequence[Shift] = DEFAULT_SHIFTS,
                as_of: dt.datetime | pd.Timestamp | None = None, recent_days: int = 28,
                cell_size_m: float = 150.0, top_n: int = 5, radius_m: float = 150.0,
                weights: Mapping[str, float] | None = None,
                exclude_sensitivity: Sequence[str] = ("sensible",)) -> PatrolBrief:
    """Return the patrol brief of one sector for one shift.

    Parameters
    ----------
    sectors
        The sectors layer (``sector_id``, ``name``, ``force``), any CRS.
    incidents
        The incidents (``occurred_at``, ``category``), any CRS; a row with an ``n`` column
        stands for ``n`` incidents.
    sector_id, shift
        The sector and the shift code (``"nuit"``...).
    facilities
        The facilities layer (``facility_id``, ``name``, ``kind``); confidential ones are
        never listed.
    as_of
        End of the recent window (default: the last incident's time, so a brief on an
        old extract still has data).
    recent_days
        Length of the recent window; the trend compares it with the same length before.
    cell_size_m
        Side of the square cells, metres.
    top_n
        Number of cells listed (at most :data:`MAX_CELLS`, to fit on one page).
    radius_m
        Facilities within this distance of a cell are listed with it, metres.
    exclude_sensitivity
        Category sensitivities left out (see the module docstring).

    Raises
    ------
    SchemaError
        Unknown sector or shift (the known ones are listed).
    EmptySelectionError
        No incident of that shift in the sector over the two windows.
    """
    check = {s.code: s for s in shifts}
    check_shifts(shifts)
    if shift not in check:
        raise SchemaError(f"La vacation « {shift} » n'existe pas (vacations : "
                          f"{', '.join(check)}).")
    the_shift = check[shift]
    ids = sectors["sector_id"].astype(str)
    if sector_id not in set(ids):
        raise SchemaError(f"Le secteur « {sector_id} » n'existe pas dans la couche « secteurs » "
                          f"(secteurs : {', '.join(ids)}).")
    if recent_days < 1:
        raise SchemaError("La période récente doit compter au moins un jour.")
    top_n = int(min(max(top_n, 1), MAX_CELLS))
    row = sectors[ids == sector_id].iloc[[0]]
    work_sector = crs.to_compute(row)
    epsg = int(work_sector.crs.to_epsg())
    poly = shapely.make_valid(work_sector.geometry.iloc[0])

    inc = incidents
    if exclude_sensitivity and "category" in inc.columns:
        keep = {c.code for c in vocab.INCIDENT_CATEGORIES
                if c.sensitivity not in exclude_sensitivity}
        known = {c.code for c in vocab.INCIDENT_CATEGORIES}
        cat = inc["category"].astype(str)
        inc = inc[cat.isin(keep) | ~cat.isin(known)]
    times = pd.to_datetime(inc["occurred_at"])
    end = pd.Timestamp(as_of) if as_of is not None else (
        times.max() + pd.Timedelta(seconds=1) if len(times) else pd.Timestamp.now())
    start = end - pd.Timedelta(days=recent_days)
    before = start - pd.Timedelta(days=recent_days)
    when = shift_of(inc["occurred_at"], shifts=shifts)
    in_shift = (when["shift"] == shift).to_numpy()
    t = times.to_numpy()
    recent = in_shift & (t >= start.to_datetime64()) & (t < end.to_datetime64())
    prior = in_shift & (t >= before.to_datetime64()) & (t < start.to_datetime64())

    xy = crs.metric_xy(inc, epsg=epsg)
    ok = ~np.isnan(xy[:, 0])
    in_sector = ok & shapely.contains_xy(poly, np.nan_to_num(xy[:, 0]), np.nan_to_num(xy[:, 1]))
    recent &= in_sector
    prior &= in_sector
    if not (recent.any() or prior.any()):
        msg = (f"Aucun fait en « {the_shift.label} » dans le secteur « {sector_id} » du "
               f"{(before).strftime('%d/%m/%Y')} au {end.strftime('%d/%m/%Y')} : rien à "
               "signaler pour cette fiche. Allongez la période récente ou choisissez une autre "
               "vacation.")
        raise EmptySelectionError(msg)

    grid = cells.grid_for(work_sector, cell_size_m=min(cell_size_m, _extent(poly)), epsg=epsg)
    inside = _touching(grid, poly)
    cat_all = (inc["category"].astype(str).to_numpy() if "category" in inc.columns
               else np.full(len(inc), "?"))
    n_all = indicators.weights(inc)
    w_all = n_all * incident_weights(pd.Series(cat_all), weights=weights)
    n_now, load_now = _count(grid, xy[recent, 0], xy[recent, 1], inside, n_all[recent],
                             w_all[recent])
    n_prev, _ = _count(grid, xy[prior, 0], xy[prior, 1], inside, n_all[prior], w_all[prior])
    order = np.lexsort((-n_now, -load_now))
    order = [c for c in order if load_now[c] > 0][:top_n]
    cell_idx = grid.cell_index(np.nan_to_num(xy[:, 0], nan=-1e18),
                               np.nan_to_num(xy[:, 1], nan=-1e18))
    labels = vocab.category_labels()

    fac = None
    if facilities is not None and not facilities.empty:
        fac = crs.to_compute(facilities, epsg=epsg)
        if "confidential" in fac.columns:
            fac = fac[~fac["confidential"].fillna(False).astype(bool)]
        kind_of_fac = fac["kind"].astype(str) if "kind" in fac.columns else pd.Series(
            "", index=fac.index)
        whys = kind_of_fac.map(lambda k: _why(k, the_shift))
        fac = fac.assign(why=whys)[whys.notna().to_numpy()]
    rows, fac_rows, fac_geoms = [], [], []
    polys = grid.polygons(np.asarray(order, dtype=np.int64))
    for rank, (c, cell_poly) in enumerate(zip(order, polys), start=1):
        mask = recent & (cell_idx == c)
        cats = _main_categories(cat_all[mask], n_all[mask], labels)
        trend = _trend(int(n_now[c]), int(n_prev[c]))
        near: list[str] = []
        kinds_near: dict[tuple[str, str], list[str]] = {}
        if fac is not None and len(fac):
            d = shapely.distance(cell_poly, fac.geometry.to_numpy())
            for j in np.argsort(d, kind="stable"):
                if d[j] > radius_m or len(near) >= 4:
                    break
                f = fac.iloc[j]
                near.append(str(f["name"]))
                kinds_near.setdefault((str(f["kind"]), str(f["why"])), []).append(
                    str(f["name"]))
                fac_rows.append({"facility_id": str(f.get("facility_id", "")),
                                 "name": str(f["name"]), "kind": str(f["kind"]),
                                 "why": str(f["why"]), "cell_rank": rank})
                fac_geoms.append(f.geometry)
        fac_labels = vocab.facility_labels()
        near = [f"{fac_labels.get(kind, kind)} ({why}) : {', '.join(names)}"
                for (kind, why), names in kinds_near.items()]
        reason = (f"{_format.count(int(n_now[c]), 'fait')} en {recent_days} jours sur cette vacation "
                  f"({cats}) ; tendance {TREND_LABELS[trend]} "
                  f"({int(n_prev[c])} sur les {recent_days} jours précédents)")
        if near:
            reason += " ; à proximité : " + " ; ".join(near)
        centre = shapely.centroid(cell_poly)
        rows.append({"rank": rank, "cell_id": int(c), "n_incidents": int(n_now[c]),
                     "load": float(load_now[c]), "n_before": int(n_prev[c]), "trend": trend,
                     "categories": cats, "facilities": " ; ".join(near), "reasons": reason,
                     "x": centre.x, "y": centre.y})
    frame = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=["rank", "cell_id", "n_incidents", "load", "n_before",
                                    "trend", "categories", "facilities", "reasons", "x", "y"]),
        geometry=gpd.GeoSeries(list(polys), crs=epsg))
    centres = crs.to_storage(gpd.GeoDataFrame(
        geometry=gpd.GeoSeries([shapely.Point(r["x"], r["y"]) for r in rows], crs=epsg)))
    frame = crs.to_storage(frame).drop(columns=["x", "y"]).assign(
        lon=centres.geometry.x.to_numpy(), lat=centres.geometry.y.to_numpy())
    fac_frame = gpd.GeoDataFrame(
        pd.DataFrame(fac_rows, columns=["facility_id", "name", "kind", "why", "cell_rank"]),
        geometry=gpd.GeoSeries(fac_geoms, crs=epsg)).drop_duplicates("facility_id")
    return PatrolBrief(
        sector_id=sector_id,
        sector_name=str(row["name"].iloc[0]) if "name" in row.columns else sector_id,
        force=str(row["force"].iloc[0]) if "force" in row.columns else "",
        shift=the_shift, start=start, end=end, cells=frame,
        facilities=crs.to_storage(fac_frame), sector=crs.to_storage(row),
        incidents=crs.to_storage(inc[recent]), n_incidents=int(n_all[recent].sum()))


def _extent(poly: shapely.Geometry) -> float:
    minx, miny, maxx, maxy = poly.bounds
    return max(maxx - minx, maxy - miny, 1.0)


def _touching(grid: cells.Grid, poly: shapely.Geometry) -> np.ndarray:
    """Flat mask of the grid cells that intersect the polygon."""
    boxes = grid.polygons()
    return shapely.intersects(boxes, poly)


# -- rendering -----------------------------------------------------------------------------

_CSS = """
@page { size: A4 portrait; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9.5pt; color: #111;
       margin: 0; }
.page { width: 190mm; max-height: 277mm; overflow: hidden; margin: 0 auto; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; }
.sub { color: #444; margin: 0 0 2mm 0; }
.map { width: 100%; height: 105mm; border: 1px solid #999; }
table { width: 100%; border-collapse: collapse; margin-top: 2mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
.legend { font-size: 8pt; color: #333; margin-top: 1mm; }
.foot { font-size: 7.5pt; color: #555; margin-top: 2mm; border-top: 1px solid #ccc;
        padding-top: 1mm; }
@media print { .noprint { display: none; } }
"""

_TREND_SIGN = {"hausse": "↑", "baisse": "↓", "stable": "→", "nouveau": "★"}


def _svg_map(brief: PatrolBrief, *, width: int = 720, height: int = 400,
             voies: gpd.GeoDataFrame | None = None) -> str:
    """Return an inline SVG map of the sector, its cells to visit and the facilities."""
    sector = crs.to_compute(brief.sector)
    epsg = int(sector.crs.to_epsg())
    geom = shapely.make_valid(sector.geometry.iloc[0])
    minx, miny, maxx, maxy = geom.bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = min(width / (maxx - minx), height / (maxy - miny))
    ox = (width - (maxx - minx) * scale) / 2
    oy = (height - (maxy - miny) * scale) / 2

    def pt(x: float, y: float) -> str:
        return f"{ox + (x - minx) * scale:.1f},{oy + (maxy - y) * scale:.1f}"

    def path(g: shapely.Geometry) -> str:
        parts = []
        for poly in shapely.get_parts(g):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                coords = list(ring.coords)
                parts.append("M" + " L".join(pt(x, y) for x, y in coords) + " Z")
        return " ".join(parts)

    out = [f'<svg class="map" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"'
           ' role="img" aria-label="' + html.escape(f"Carte du secteur {brief.sector_id}")
           + '">',
           f'<path d="{path(geom)}" fill="#f4f7fb" stroke="none" fill-rule="evenodd"/>']
    if voies is not None and not voies.empty:
        # The street background: the store's roads under everything (the PDF brief of
        # clspd_geo.reports.patrol_brief also writes their names).
        roads = crs.to_compute(voies, epsg=epsg)
        roads = roads[roads.intersects(shapely.box(minx, miny, maxx, maxy))]
        for kind, g in zip(roads.get("kind", pd.Series("", index=roads.index)), roads.geometry):
            color, w = {"principale": ("#cfd8dc", 6), "voie_ferree": ("#9e9e9e", 1.5)}.get(
                str(kind), ("#e0e0e0", 3))
            for part in shapely.get_parts(g):
                if part.geom_type == "LineString":
                    d = "M" + " L".join(pt(x, y) for x, y in part.coords)
                    out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{w}" '
                               'stroke-linecap="round"/>')
    out.append(f'<path d="{path(geom)}" fill="none" stroke="#1565c0" stroke-width="2" '
               'fill-rule="evenodd"/>')
    if len(brief.incidents):
        xy = crs.metric_xy(brief.incidents, epsg=epsg)
        for x, y in xy[~np.isnan(xy[:, 0])][:2000]:
            cx, cy = pt(x, y).split(",")
            out.append(f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="#888" fill-opacity="0.55"/>')
    if len(brief.cells):
        cel = crs.to_compute(brief.cells, epsg=epsg)
        for rank, g in zip(cel["rank"], cel.geometry):
            out.append(f'<path d="{path(g)}" fill="#d32f2f" fill-opacity="0.35" '
                       'stroke="#b71c1c" stroke-width="1.5"/>')
            c = shapely.centroid(g)
            cx, cy = pt(c.x, c.y).split(",")
            out.append(f'<text x="{cx}" y="{cy}" font-size="14" font-weight="bold" '
                       f'text-anchor="middle" dominant-baseline="central" fill="#000">'
                       f'{int(rank)}</text>')
    if len(brief.facilities):
        fac = crs.to_compute(brief.facilities, epsg=epsg)
        for name, kind, g in zip(fac["name"], fac["kind"], fac.geometry):
            cx, cy = pt(g.x, g.y).split(",")
            color = vocab.facility_kind(kind).color if kind in vocab.facility_labels() else "#333"
            out.append(f'<rect x="{float(cx) - 4:.1f}" y="{float(cy) - 4:.1f}" width="8" '
                       f'height="8" fill="{html.escape(color)}" stroke="#fff">'
                       f'<title>{html.escape(str(name))}</title></rect>')
    # Scale bar: a round length near a fifth of the map width.
    span_m = (maxx - minx) / 5
    bar_m = float(10 ** np.floor(np.log10(span_m)))
    for m in (5, 2):
        if m * bar_m <= span_m:
            bar_m *= m
            break
    bar_px = bar_m * scale
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    out.append(f'<line x1="10" y1="{height - 12}" x2="{10 + bar_px:.1f}" y2="{height - 12}" '
               'stroke="#000" stroke-width="3"/>')
    out.append(f'<text x="10" y="{height - 18}" font-size="11">{html.escape(label)}</text>')
    out.append(f'<text x="{width - 14}" y="22" font-size="14" text-anchor="end">N ↑</text>')
    out.append("</svg>")
    return "\n".join(out)


def to_html(brief: PatrolBrief, *, title: str | None = None,
            generated_at: dt.datetime | None = None,
            voies: gpd.GeoDataFrame | None = None) -> str:
    """Render the brief as a one-page, print-ready A4 HTML document (no external resource).

    ``voies`` (the roads layer) is drawn under the map as the street background.
    """
    esc = html.escape
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    force = vocab.FORCES.get(brief.force, brief.force)
    heading = title or f"Fiche de patrouille — {brief.sector_name} ({brief.sector_id})"
    last_day = brief.end - pd.Timedelta(seconds=1)
    period = (f"du {brief.start.strftime('%d/%m/%Y')} au {last_day.strftime('%d/%m/%Y')}")
    rows = []
    for r in brief.cells.itertuples():
        rows.append(
            "<tr>"
            f'<td class="n"><b>{int(r.rank)}</b></td>'
            f'<td class="n">{int(r.n_incidents)}<br><small>poids {_format.cell(float(r.load))}</small></td>'
            f"<td>{esc(r.categories)}</td>"
            f'<td class="n">{esc(_TREND_SIGN[r.trend])} {esc(TREND_LABELS[r.trend])}'
            f"<br><small>avant : {int(r.n_before)}</small></td>"
            f"<td>{esc(r.facilities) or '—'}</td>"
            f'<td class="n"><small>{r.lat:.5f} N<br>{r.lon:.5f} E</small></td>'
            "</tr>")
    if not rows:
        rows.append('<tr><td colspan="6">Aucun fait récent sur cette vacation : patrouille de '
                    "présence générale.</td></tr>")
    body = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{esc(heading)}</title>
<style>{_CSS}</style>
</head>
<body>
<div class="page">
<h1>{esc(heading)}</h1>
<p class="sub">{esc(force)} — vacation <b>{esc(brief.shift.label)}</b> — faits de cette
vacation {esc(period)} ({esc(_format.count(brief.n_incidents, 'fait'))}, hors faits sensibles). Édité le
{esc(when.strftime('%d/%m/%Y à %H:%M'))}.</p>
{_svg_map(brief, voies=voies)}
<p class="legend">Carrés rouges numérotés : lieux où passer, par ordre de priorité ; points gris :
faits récents de la vacation ; petits carrés de couleur : équipements à surveiller à ces
heures. Cellules de {esc(_cell_side(brief))}.</p>
<table>
<thead><tr><th>N°</th><th>Faits</th><th>Principales catégories</th><th>Tendance</th>
<th>À proximité (pourquoi à ces heures)</th><th>Position</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="foot">Document de travail à diffusion restreinte (forces de sécurité intérieure,
article L132-5 du code de la sécurité intérieure). Priorités calculées sur les faits
enregistrés, pondérés par gravité ; tendance : comparaison avec la période de même durée qui
précède. Ne se substitue pas aux consignes du chef de poste.</p>
</div>
</body>
</html>
"""
    return body


def _cell_side(brief: PatrolBrief) -> str:
    if not len(brief.cells):
        return "—"
    g = crs.to_compute(brief.cells).geometry.iloc[0]
    minx, _, maxx, _ = g.bounds
    return f"{maxx - minx:.0f} m de côté"
