"""The analyses of the action-field pages: schools, rates, night hours, care, support, roads.

Every function passes what the role sees (:meth:`RoleView.counts`, one row per released
atom weighed by its ``n``; :meth:`RoleView.layer`) to one function of
:mod:`clspd_geo.analysis`, and the sensitive counts it shows are hidden from 1 to k−1 with
the role's k (:attr:`RoleView.small_count_k`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from clspd_geo import _format, vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import (accessibility, addictions, indicators, rates, release_zones,
                                resources, road_safety, schools, selection, victims)
from clspd_geo.screens import common
from clspd_geo.screens import hotspots as hotspot_screen


def school_rings(view: RoleView, sel: indicators.Selection, *,
                 k: int = 0) -> schools.SchoolRings:
    """Return the selected incidents around schools, at school hours and other hours.

    Parameters
    ----------
    k
        Counts from 1 to k−1 are hidden (0: none hidden).
    """
    return view.memo(("fields.school_rings", sel, k),
                     lambda: schools.school_surroundings(
                         view.counts(sel), view.layer("equipements"),
                         epsg=view.metric_epsg, k=k))


def school_zones(view: RoleView, sel: indicators.Selection, *, k: int) -> pd.DataFrame:
    """Return the selected incidents per school zone, counts from 1 to k−1 hidden.

    The zones are drawn between every school (an incident goes to its nearest one, of
    whichever commune); the rows kept are the schools of the selection's communes.
    """
    def compute() -> pd.DataFrame:
        table = schools.school_zone_counts(view.counts(sel), view.layer("equipements"),
                                           epsg=view.metric_epsg, k=k)
        if not sel.communes:
            return table
        mine = common.commune_facilities(view, sel.communes, confidential=True)
        keep = table["facility_id"].astype(str).isin(set(mine["facility_id"].astype(str)))
        return table[keep.to_numpy()].reset_index(drop=True)
    return view.memo(("fields.school_zones", sel, k), compute)


def quartier_rates(view: RoleView, sel: indicators.Selection) -> rates.QuartierRates:
    """Return the selection per quartier, per 1,000 inhabitants where known (role's k)."""
    return view.memo(("fields.quartier_rates", sel),
                     lambda: rates.rates_by_quartier(
                         view.counts(sel), view.layer("quartiers"), k=view.small_count_k,
                         carreaux=view.layer("carreaux"), aggregated=aggregated(view, sel),
                         communes=sel.communes))


def _quartiers(view: RoleView, sel: indicators.Selection) -> gpd.GeoDataFrame:
    """Return the quartiers of the selection's communes (all when none is chosen)."""
    return selection.quartiers_in(view.layer("quartiers"), sel.communes)


def aggregated(view: RoleView, sel: indicators.Selection) -> bool:
    """Return True when some selected category reaches the role as atoms, not as points."""
    return any(view.category_rule(c).access == "aggregated" for c in sel.categories)


def alcohol_night(view: RoleView, sel: indicators.Selection, *,
                  radius_m: float) -> addictions.NightHours:
    """Return alcohol incidents by hour of night within ``radius_m`` metres of licensed bars."""
    return view.memo(("fields.alcohol_night", sel, float(radius_m)),
                     lambda: addictions.alcohol_by_night_hour(
                         view.counts(sel), view.layer("equipements"),
                         epsg=view.metric_epsg, radius_m=radius_m))


def hotspot_cells(view: RoleView, sel: indicators.Selection) -> gpd.GeoDataFrame:
    """Return the densest 200 m cells of the selection, as the role may see them.

    A role that sees every selected category at its place gets the densest cells of the
    territory's grid (:func:`clspd_geo.analysis.addictions.dense_cells`); any other role the
    densest cells of its own release (:func:`~clspd_geo.analysis.addictions.released_cells`):
    facts released by quartier or commune are never put in a cell at their zone's point.
    """
    def compute() -> gpd.GeoDataFrame:
        rows = view.counts(sel)
        if hotspot_screen.sees_points(view, sel.categories):
            return addictions.dense_cells(rows, view.layer("territoire"), epsg=view.metric_epsg)
        return addictions.released_cells(rows, epsg=view.metric_epsg,
                                         cell_size_m=view.grid_cell_m)[0]
    return view.memo(("fields.hotspot_cells", sel), compute)


def outside_cells_note(view: RoleView, sel: indicators.Selection) -> str | None:
    """Return the French sentence on the selected facts that are in no hotspot cell for this
    role (released by quartier or commune), or None when there are none."""
    if hotspot_screen.sees_points(view, sel.categories):
        return None
    rows = view.counts(sel)
    level = release_zones.levels(rows)
    w = indicators.weights(rows)
    outside = int(w[(level != "point") & (level != "grille")].sum())
    if not outside:
        return None
    return (f"{_format.number(outside)} des {_format.number(int(w.sum()))} faits de la "
            "sélection vous sont publiés seulement par quartier ou pour la commune : ils "
            f"n'entrent dans aucune cellule de {view.grid_cell_m:.0f} m des points chauds.")


def care_distance(view: RoleView, sel: indicators.Selection, *, network: bool
                  ) -> tuple[gpd.GeoDataFrame, addictions.CareDistance]:
    """Return the densest cells of the selection and their walk to care.

    Parameters
    ----------
    network
        Walk along the ``voies`` layer (True) or in a straight line (False).

    Returns
    -------
    tuple
        ``(dense cells, CareDistance)`` (:func:`clspd_geo.analysis.addictions.dense_cells`
        and :func:`~clspd_geo.analysis.addictions.distance_to_care`), EPSG:4326.
    """
    def compute() -> tuple[gpd.GeoDataFrame, addictions.CareDistance]:
        spots = hotspot_cells(view, sel)
        roads = view.layer("voies") if network else None
        return spots, addictions.distance_to_care(spots, view.layer("equipements"),
                                                      voies=roads)
    return view.memo(("fields.care_distance", sel, bool(network)), compute)


def support_access(view: RoleView, sel: indicators.Selection, *, network: bool,
                   minutes: float) -> victims.SupportAccess:
    """Return the walk from incidents and residents to victim support (role's k).

    Parameters
    ----------
    network
        Walk along the ``voies`` layer (True) or in a straight line (False).
    minutes
        Walking time counted as "near", minutes.
    """
    def compute() -> victims.SupportAccess:
        roads = view.layer("voies") if network else None
        return victims.support_access(
            view.counts(sel), _quartiers(view, sel), view.layer("equipements"),
            epsg=view.metric_epsg, k=view.small_count_k, voies=roads, minutes=minutes,
            carreaux=view.layer("carreaux"), territoire=view.layer("territoire"),
            cell_size_m=view.grid_cell_m)
    return view.memo(("fields.support_access", sel, bool(network), float(minutes)), compute)


def qpv_access(view: RoleView, kinds: tuple[str, ...], *, minutes: float, network: bool,
               communes: tuple[str, ...] = ()
               ) -> tuple[accessibility.QpvAccess, gpd.GeoDataFrame]:
    """Return the QPV residents within a walk of each facility kind, and the reach discs.

    The QPV are those of ``communes`` (INSEE codes; all when none), reached by any
    facility (a structure of the neighbouring commune serves them too); the reach discs
    drawn are those of the communes' facilities.

    Parameters
    ----------
    kinds
        Facility kinds (:data:`clspd_geo.vocab.FACILITY_KINDS` codes).
    minutes
        Walking time, minutes.
    network
        Walk along the ``voies`` layer (True) or in a straight line (False).
    """
    def compute() -> tuple[accessibility.QpvAccess, gpd.GeoDataFrame]:
        roads = view.layer("voies") if network else None
        quartiers = selection.quartiers_in(view.layer("quartiers"), communes)
        res = accessibility.qpv_access(quartiers, view.layer("equipements"),
                                       kinds=list(kinds), minutes=minutes, voies=roads,
                                       carreaux=view.layer("carreaux"))
        mine = common.commune_facilities(view, communes, confidential=True)
        return res, accessibility.reach_zones(mine, kinds=kinds, minutes=minutes)
    return view.memo(("fields.qpv_access", tuple(kinds), float(minutes), bool(network),
                      tuple(communes)), compute)


def road_hotspots(view: RoleView, sel: indicators.Selection, *,
                  on_roads: bool = True) -> road_safety.RoadHotspots:
    """Return the road sections (or cells) with the most severe accidents of the period.

    Only the period of ``sel`` is used (accidents have no incident category).
    """
    def compute() -> road_safety.RoadHotspots:
        acc = indicators.accidents_in(common.accidents(view, sel), sel.start, sel.end)
        roads = view.layer("voies") if on_roads else None
        return road_safety.road_hotspots(acc, territory=view.layer("territoire"), voies=roads)
    return view.memo(("fields.road_hotspots", sel.start, sel.end, sel.communes,
                      bool(on_roads)), compute)


def accident_school_rings(view: RoleView,
                          sel: indicators.Selection) -> schools.SchoolRings:
    """Return the accidents of the period around schools, at school hours and other hours."""
    def compute() -> schools.SchoolRings:
        acc = indicators.accidents_in(common.accidents(view, sel), sel.start, sel.end)
        return schools.school_surroundings(acc, view.layer("equipements"),
                                                  epsg=view.metric_epsg)
    return view.memo(("fields.accident_school_rings", sel.start, sel.end, sel.communes),
                     compute)


def resources_by_quartier(view: RoleView, sel: indicators.Selection, *, field: str
                          ) -> tuple[gpd.GeoDataFrame, str]:
    """Return the field's resources and actions per quartier, and a sentence about them.

    Parameters
    ----------
    field
        The action field (:data:`clspd_geo.vocab.ACTION_FIELDS` code).

    Returns
    -------
    tuple
        ``(per quartier, sentence)``: aggregated only; the sentence hides incident counts
        from 1 to k−1 (role's k).
    """
    kinds = tuple(vocab.facility_kinds_for(field))

    def compute() -> tuple[gpd.GeoDataFrame, str]:
        per_q = resources.resources_by_quartier(
            _quartiers(view, sel), view.layer("equipements"), view.layer("actions"),
            kinds=kinds, field=field)
        counts = indicators.counts_by(view.counts(sel), "quartier_id")
        counts.index = counts.index.astype("string")
        return per_q, resources.resources_sentence(per_q, counts=counts,
                                                        k=view.small_count_k)
    return view.memo(("fields.resources_by_quartier", sel, kinds, field), compute)


# -- one figure per question ------------------------------------------------------------------
def outside_quartiers(view: RoleView, sel: indicators.Selection) -> int:
    """Return the selected facts the role sees in no quartier.

    Those published only for the whole territory, and those placed outside every quartier
    polygon (a quartier layer that does not cover the whole territory).
    """
    rows = view.counts(sel)
    return int(indicators.weights(rows)[rows["quartier_id"].isna().to_numpy()].sum())


def yearly_outside(view: RoleView, sel: indicators.Selection) -> int:
    """Return the released facts of the selection dated by year whose year is cut by the period.

    A yearly atom counts only when its whole calendar year lies inside the period
    (:func:`clspd_geo.analysis.indicators.mask`); the ones the period only partly covers
    are left out of the period and of the year before, and the page says so.
    """
    rows = view.counts()
    rows = rows[(rows["time_step"] == "annee").to_numpy(dtype=bool)]
    if rows.empty:
        return 0
    start = np.datetime64(sel.start, "ns")
    ts = rows["occurred_at"].to_numpy("datetime64[ns]")
    year_end = (ts.astype("datetime64[Y]") + 1).astype("datetime64[ns]")
    overlap = (ts < np.datetime64(sel.end, "ns")) & (year_end > start)
    # Same categories and quartiers, over the years the period touches.
    wide = dataclasses.replace(sel, start=dt.date(sel.start.year, 1, 1),
                               end=dt.date(sel.end.year + 1, 1, 1))
    near = overlap & indicators.mask(rows, wide)
    return int(indicators.weights(rows)[near & ~indicators.mask(rows, sel)].sum())


def year_snapped(view: RoleView, sel: indicators.Selection
                 ) -> tuple[indicators.Selection, str]:
    """Return the selection on whole calendar years when the role reads its facts only by year.

    A role that reads every fact of the selection's categories as yearly atoms
    (``time_step`` ``"annee"``, :func:`clspd_geo.access.release.restrict`) would read 0 on a
    period that cuts the years (« 12 derniers mois »): no yearly atom lies whole inside it.
    Such a selection moves to the last whole calendar year that ends by the period's end,
    and the sentence says so. Any other selection (a fact of
    these categories released by month or exactly, or a period of whole years already) is
    returned unchanged with ``""``.

    Returns
    -------
    tuple
        ``(selection, sentence)``.
    """
    whole = (sel.start.month, sel.start.day, sel.end.month, sel.end.day) == (1, 1, 1, 1)
    if whole:
        return sel, ""
    return view.memo(("fields.year_snapped", sel), lambda: _year_snapped(view, sel))


def _year_snapped(view: RoleView, sel: indicators.Selection
                  ) -> tuple[indicators.Selection, str]:
    rows = view.counts()
    if rows.empty or "time_step" not in rows.columns:
        return sel, ""
    keep = np.ones(len(rows), dtype=bool)
    for column, chosen in (("category", sel.categories), ("insee_code", sel.communes),
                           ("quartier_id", sel.quartiers)):
        if chosen:
            keep &= indicators.is_in(rows[column], chosen)
    ts = rows["occurred_at"].to_numpy("datetime64[ns]")[keep]
    yearly = indicators.is_in(rows["time_step"], ("annee",))[keep]
    start, end = np.datetime64(sel.start, "ns"), np.datetime64(sel.end, "ns")
    year_end = (ts.astype("datetime64[Y]") + 1).astype("datetime64[ns]")
    touches = np.where(yearly, (ts < end) & (year_end > start), (ts >= start) & (ts < end))
    if not touches.any() or not yearly[touches].all():
        return sel, ""
    last = sel.end.year - 1  # the last year whose 31 December is inside [start, end)
    snapped = dataclasses.replace(sel, start=dt.date(last, 1, 1), end=dt.date(last + 1, 1, 1))
    return snapped, (f"Pour votre rôle, les faits de ces catégories ne sont publiés que par "
                     f"année civile entière : les chiffres de cette page portent sur l'année "
                     f"{last} entière (la dernière année civile achevée à la fin de la période "
                     f"choisie).")


def overview_kpis(view: RoleView, sel: indicators.Selection
                  ) -> tuple[list[indicators.Kpi], str]:
    """Return the overview's key figures (all facts, then up to four fields) and a sentence.

    A field whose facts the role reads only by year (:func:`year_snapped`) would read 0 on a
    period that cuts the years: its figure is that of the last whole calendar year, labelled
    with the year, without a change when the records do not cover the year before; the
    sentence names those fields ("" when none).
    """
    df = view.counts()
    kpis = [indicators.total_kpi(df, sel)]
    yearly = []
    for f in vocab.ACTION_FIELDS:
        cats = tuple(c for c in sel.categories if vocab.category(c).field == f.code)
        if not cats or len(kpis) == 5:
            continue
        fsel, note = year_snapped(view, sel.with_categories(cats))
        kpi = indicators.total_kpi(df, fsel, label=f.short)
        if note:
            previous = 0.0 if comparison_note(view, fsel) else kpi.previous
            kpi = indicators.Kpi(f"{f.short} ({fsel.start.year})", kpi.value, previous)
            yearly.append(f"« {f.short} » : année {fsel.start.year} entière")
        kpis.append(kpi)
    sentence = "" if not yearly else (
        "Publiés pour votre rôle seulement par année civile entière, ces chiffres portent sur "
        f"la dernière année achevée à la fin de la période : {' ; '.join(yearly)}.")
    return kpis, sentence


def comparison_note(view: RoleView, sel: indicators.Selection) -> str:
    """Return why the year-before figures are not compared ("" when they can be).

    The same period a year earlier is comparable only when the role's data covers it
    whole: the data starts at the first fact released by day or by month (yearly atoms
    are dated 1 January, which says nothing of when the records began). A period whose
    year before starts earlier would read a rise that is only the start of the records.
    """
    return view.memo(("fields.comparison_note", sel), lambda: _comparison_note(view, sel))


def _comparison_note(view: RoleView, sel: indicators.Selection) -> str:
    rows = view.counts()
    if rows.empty:
        return ""
    dated = rows["occurred_at"]
    if "time_step" in rows.columns:
        fine = (rows["time_step"] != "annee").to_numpy(dtype=bool)
        if fine.any():
            dated = dated[fine]
    first = dated.min().date().replace(day=1)  # records that begin in a month: that month
    before = sel.previous_year()
    if before.start >= first:
        return ""
    return (f"Pas de comparaison avec l'année précédente : les faits enregistrés commencent "
            f"en {_format.MONTHS[first.month - 1]} {first.year}, après le début de la même période un an plus tôt "
            f"({_format.date(before.start)}).")


def publication_note(view: RoleView, sel: indicators.Selection) -> str:
    """Return the sentence that reconciles the page's figures for this role ("" if none).

    Every count of a page is a sum of the same released atoms (:meth:`RoleView.incidents`):
    the key figures equal the sum of the per-category table; a per-quartier table adds up
    to the key figure minus the facts published only for the whole territory. Facts of
    the selection that are not published to the role at all are counted in words
    (« n faits non publiés pour votre rôle »), so that two roles reading different
    totals know why.
    """
    parts = []
    if yearly := yearly_outside(view, sel):
        parts.append(f"{_format.count(yearly, 'fait')} de ces catégories "
                     f"{'n’est publié' if yearly == 1 else 'ne sont publiés'} pour votre rôle "
                     "que par année civile entière, pour des années que la période ne couvre "
                     "qu'en partie : ni la période ni l'année précédente ne les comptent, et "
                     "l'évolution ne porte pas sur eux. Choisissez la période « Année "
                     "civile » pour les voir.")
    withheld = view.withheld(sel)
    if withheld:
        parts.append(f"{_format.number(withheld)} faits non publiés pour votre rôle sur "
                     f"cette sélection (regroupements de moins de {view.small_count_k} faits, "
                     "délai de publication, ou faits publiés seulement par année ou pour "
                     "tout le territoire) : ils ne comptent dans aucun chiffre de la page.")
    only = outside_quartiers(view, sel)
    if only:
        parts.append(f"{_format.number(only)} faits ne sont rattachés à aucun quartier pour "
                     f"votre rôle (publiés seulement pour {common.whole_area(view)}, ou situés "
                     "hors des quartiers) : ils comptent dans les chiffres clés et par "
                     "catégorie, mais dans aucun quartier.")
    return " ".join(parts)


def quarterly_table(view: RoleView, sel: indicators.Selection) -> tuple[pd.DataFrame, str]:
    """Return the selection per quarter (role's k) without yearly atoms, and a note.

    Facts released by year are dated 1 January: in a quarterly table they would read as
    the first quarter's. They are left out and counted in the note ("" when none).
    """
    monthly = view.counts(by_month=True)
    table = indicators.quarterly_counts(monthly, sel, k=view.small_count_k)
    yearly = indicators.count(view.counts(), sel) - indicators.count(monthly, sel)
    note = "" if not yearly else (
        f"{_format.number(yearly)} faits ne sont publiés pour votre rôle que par année : "
        "ils ne figurent pas dans ce tableau par trimestre.")
    return table, note
