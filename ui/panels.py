"""Panels several pages share: the head of an action-field page, its map layers, the trend
and tables, and the hotspot sections. Every figure comes from :mod:`clspd_geo.screens`.

A page leads with its question, its headline figures and its map; everything else sits in
a :func:`lazy_section`: folded, computed only once the user opens it, and run in a
fragment so that a widget inside reruns that section alone, not the page.
"""

from __future__ import annotations

from collections.abc import Callable

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from clspd_geo import _format, config, vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import forecast, hotspots, indicators, selection as selection_mod
from clspd_geo.errors import ClspdGeoError
from clspd_geo.maps import areas as area_layers, base as map_base
from clspd_geo.maps import cameras as camera_layers, cells as cell_layers
from clspd_geo.maps import facilities as facility_layers
from clspd_geo.screens import common, fields as field_screen, hotspots as hotspot_screen
from ui import map_cache, plan_panel, widgets


OVERVIEW_MAP = "overview.map"
"""The widget (and shared map) key of the overview's map."""


def base_map(view: RoleView, *, basemap: str | None = None,
             communes: tuple[str, ...] | None = None) -> folium.Map:
    """Return the base map of the territory (``communes``, default the sidebar's choice)
    with ``basemap`` (default: the sidebar's).

    With no tile basemap, the store's roads (``voies``) are the street background."""
    chosen = widgets.chosen_communes() if communes is None else communes
    return map_base.base_map(view.layer("territoire"), basemap=basemap or widgets.basemap(),
                             voies=view.layer("voies"), communes=chosen)


def quartiers(view: RoleView, communes: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Return the quartiers of ``communes`` (default: the sidebar's choice; all when none)."""
    chosen = widgets.chosen_communes() if communes is None else communes
    return selection_mod.quartiers_in(view.layer("quartiers"), chosen)


def overview_map(view: RoleView, sel: indicators.Selection, *,
                 basemap: str | None = None) -> folium.Map:
    """Return the overview map: quartiers, incidents, sectors, cameras and facilities.

    Reads no session state when ``basemap`` is given (:mod:`ui.warm` builds it so): the
    communes drawn are the selection's."""
    m = base_map(view, basemap=basemap, communes=sel.communes)
    area_layers.quartiers_layer(quartiers(view, sel.communes), m=m)
    layers = incident_layers(view, sel, name="Faits", m=m)
    secteurs = view.layer("secteurs")
    if not secteurs.empty:
        layers.append(area_layers.sectors_layer(secteurs, m=m))
    cams = common.commune_cameras(view, sel.communes)
    if not cams.empty:
        layers.append(camera_layers.cameras_layer(
            cams, common.camera_views(view, sel.communes), m=m))
    equip = common.commune_facilities(view, sel.communes)
    if not equip.empty:
        layers.append(facility_layers.facilities_layer(equip, m=m))
    map_base.finish(m, layers)
    return m


def incident_layers(view: RoleView, sel: indicators.Selection, *, name: str,
                    m: folium.Map | None = None) -> list[map_base.MapLayer]:
    """Return the incident layers of a selection (added to ``m`` when given).

    Non-sensitive categories are drawn as graduated 200 m cells; sensitive ones (victims,
    minors, domestic violence, radicalisation) only as counts per quartier, with counts
    from 1 to k−1 suppressed.
    """
    open_cats, _ = indicators.split_sensitive(sel.categories)
    layers: list[map_base.MapLayer] = []
    if open_cats and not hotspot_screen.sees_points(view, open_cats):
        # Aggregates: quartier totals and the role's own released cells, never a cell
        # drawn at a quartier's representative point.
        areas = hotspot_screen.aggregate_areas(view, sel.with_categories(open_cats))
        layers.append(area_layers.quartier_choropleth_layer(
            areas.rates.quartiers, per_1000=areas.rates.population_known,
            k=areas.rates.k, name=f"{name} par quartier", m=m))
        if len(areas.cells):
            layers.append(cell_layers.cells_layer(
                areas.cells, value_col="faits", unit="faits", show=False,
                legend_title=f"{name} par cellule publiée",
                name=f"{name} (cellules de {view.grid_cell_m:.0f} m publiées)", m=m))
        if areas.note():
            map_cache.note("caption", areas.note())
    elif open_cats:
        try:
            grid_cells = common.incident_cells(view, sel.with_categories(open_cats))
            layers.append(cell_layers.cells_layer(
                grid_cells, value_col="faits", unit="faits", legend_title=f"{name} par cellule",
                name=f"{name} (cellules de {config.HOTSPOT_CELL_M:.0f} m)", m=m))
        except ClspdGeoError as err:
            map_cache.note("info", str(err))
    qc = common.sensitive_quartier_counts(view, sel)
    if qc is not None:
        layers.append(area_layers.values_by_quartier_layer(
            qc, value_col="faits", label_col="faits_affiches",
            name="Faits sensibles par quartier", unit="faits sensibles", show=not open_cats,
            m=m))
    return layers


def field_page(view: RoleView, field: str) -> indicators.Selection:
    """Draw the head of an action-field page; return its selection.

    The title, question, filters and KPIs of the field's categories are drawn. The page
    gives :func:`finish_map` a function building its map from :func:`field_map`: it runs
    only when no session has that map rendered yet.
    """
    af = vocab.action_field(field)
    st.title(f"{af.number}. {af.label}")
    st.write(f"**Question du champ :** {af.question}")
    widgets.territory_banner(view)
    sel = widgets.selection(widgets.category_filter(field=field, key=f"{field}.categories"))
    df = view.counts()
    if note := field_screen.year_snapped(view, widgets.filters().with_categories(
            sel.categories))[1]:
        st.info(note, icon=":material/calendar_month:")
    per_cat = indicators.by_category(df, sel)
    kpis = [indicators.total_kpi(df, sel, label="Faits du champ")]
    kpis += [indicators.Kpi(r["Catégorie"], r["Faits"], r["Faits N-1"])
             for _, r in per_cat.head(4).iterrows()]
    widgets.show_kpis(kpis, no_comparison=field_screen.comparison_note(view, sel))
    if note := field_screen.publication_note(view, sel):
        st.caption(note)
    return sel


def field_map(view: RoleView, field: str, sel: indicators.Selection
              ) -> tuple[folium.Map, list[map_base.MapLayer]]:
    """Return the field's base map with its quartiers, incidents and facilities layers."""
    m = base_map(view, communes=sel.communes)
    area_layers.quartiers_layer(quartiers(view, sel.communes), m=m)
    layers = incident_layers(view, sel, name=vocab.action_field(field).short, m=m)
    equip = common.commune_facilities(view, sel.communes)
    kinds = vocab.facility_kinds_for(field)
    if not equip.empty and equip["kind"].isin(kinds).any():
        layers.append(facility_layers.facilities_layer(
            equip, kinds=kinds, name="Équipements du champ", m=m))
    return m, layers


def finish_map(view: RoleView, build: Callable[[], tuple[folium.Map, list]], *, key: str,
               shared: tuple, field: str | None = None,
               sources: tuple[str, ...] = ("incidents", "equipements")) -> None:
    """Draw a page's map with its plan actions, layer control and legend, and its sources.

    ``build`` returns the map and its layers; it is called only when the map must be
    rendered: a run or session that finds the map rendered builds no layer at all.
    ``shared``: the page values that decide the map besides the role view, basemap and
    sidebar filters (the page's selection, its widgets) (:func:`ui.widgets.map_key`)."""

    def finished() -> folium.Map:
        fm, fl = build()
        if field is not None:
            fl = [*fl, plan_panel.actions_layer(view, field=field, m=fm)]
        map_base.finish(fm, fl)
        return fm

    widgets.show_map(finished, key=key, shared=shared)
    widgets.source_caption(view, *sources)


def trend_section(view: RoleView, sel: indicators.Selection, *, field: str) -> None:
    """Draw the folded section of the monthly trend and the tables by quartier."""
    lazy_section("Évolution mensuelle, équipements et détail par quartier",
                 lambda: trend_and_tables(view, sel, field=field),
                 key=f"{field}.open.trend", icon=":material/table_chart:")


def trend_and_tables(view: RoleView, sel: indicators.Selection, *, field: str) -> None:
    """Draw the monthly trend, the table by quartier and the field's facilities."""
    df = view.counts()
    k = view.small_count_k
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Évolution mensuelle")
        widgets.time_chart(indicators.monthly_trend(view.counts(by_month=True), sel),
                           y_label="Faits")
    with right:
        st.subheader("Équipements partenaires du champ")
        widgets.table(indicators.facilities_table(
            common.commune_facilities(view, sel.communes, confidential=True), field=field),
                     hide_index=True, width="stretch")
    st.subheader("Par quartier")
    table = indicators.by_quartier(df, view.layer("quartiers"), sel).drop(columns=["quartier_id"])
    _, sensitive = indicators.split_sensitive(sel.categories)
    if sensitive:
        # Sensitive categories are in this field: small counts are hidden in the table too.
        for col in ("Faits", "Faits N-1"):
            table[col] = indicators.suppress_small(table[col], k=k)
        table = table.drop(columns=["Évolution (%)", "Pour 1 000 hab."])
        st.caption(f"Les effectifs de 1 à {k - 1} sont masqués (« < {k} ») car ce champ "
                   "comprend des faits sensibles.")
    if field_screen.comparison_note(view, sel):  # the data does not cover the year before
        table = indicators.without_year_before(table)
    widgets.table(table, hide_index=True, width="stretch")


def lazy_section(label: str, render: Callable[[], None], *, key: str,
                 icon: str | None = None) -> None:
    """Draw a folded section whose content is computed only once the user opens it.

    The section is an expander that reruns on open (its state is ``st.session_state[key]``)
    inside a fragment: opening or closing it, and any widget ``render`` draws, rerun this
    section alone. ``render`` must draw into the section only (not the sidebar).

    Parameters
    ----------
    label
        The French title of the section (a question, as the page's).
    render
        Draws the section's content; called only while the section is open.
    key
        The widget key of the section, ``"<page>.open.<name>"`` by convention.
    """
    _section(label, render, key, icon)


@st.fragment
def _section(label: str, render: Callable[[], None], key: str, icon: str | None) -> None:
    box = st.expander(label, key=key, icon=icon, on_change="rerun")
    if box.open:
        with box:
            render()


def heat_table(table: pd.DataFrame, *, shown: pd.DataFrame | None = None,
               k: int | None = None) -> None:
    """Draw an hour × weekday table as a heatmap: hours down, days across (no side scroll).

    Parameters
    ----------
    table
        Counts, one row per weekday, one column per hour (:class:`temporal.HourWeekday`).
    shown
        The text to show instead of the counts (suppressed small counts); its cells from 1
        to k−1 get no colour, so the shade tells nothing the text hides.
    k
        The small-count threshold of ``shown``.
    """
    values = table.T.astype(float)
    text = (shown if shown is not None else table.map(lambda v: f"{v:.0f}")).T
    top = values.to_numpy().max() if values.size else 0.0
    hidden = (values > 0) & (values < k) if (shown is not None and k) else values < 0

    def colour(v: float, masked: bool) -> str:
        if masked or not top or v <= 0:
            return ""
        a = 0.12 + 0.78 * v / top
        ink = "white" if a > 0.55 else "black"
        return f"background-color: rgba(198, 40, 40, {a:.2f}); color: {ink}"

    css = pd.DataFrame([[colour(v, m) for v, m in zip(r1, r2, strict=True)]
                        for r1, r2 in zip(values.to_numpy(), hidden.to_numpy(), strict=True)],
                       index=text.index, columns=text.columns)
    widgets.table(text.style.apply(lambda _: css, axis=None), width="stretch", height=35 * 25)


def hotspot_sections(view: RoleView, *, categories: list[str], key: str,
                     when: bool = True) -> None:
    """Draw the hotspot sections of a page (folded): where, when, and the forecast check.

    Parameters
    ----------
    categories
        The page's incident categories (sensitive ones are left out of the map and of the
        forecast, as on the other maps).
    key
        The page prefix of the widget keys (e.g. ``"overview"``).
    when
        Draw the hour × weekday section (a page with its own « Quand ? » section shows
        :func:`when_panel` there instead).
    """
    open_cats, _ = indicators.split_sensitive(categories)
    note = hotspot_screen.point_analysis_note(view, open_cats) if open_cats else None
    if note:  # the role sees aggregates: no point analysis, one sentence why
        st.info(note, icon=":material/info:")
        return
    lazy_section("Où se concentrent les faits ? Points chauds",
                 lambda: hotspot_panel(view, categories=categories, key=key),
                 key=f"{key}.open.hotspots", icon=":material/local_fire_department:")
    if when:
        lazy_section("Quand ? Jour de la semaine et heure",
                     lambda: when_panel(view, categories=categories),
                     key=f"{key}.open.when", icon=":material/schedule:")
    if open_cats:
        lazy_section("Ces points chauds prévoient-ils le mois suivant ?",
                     lambda: forecast_panel(view, open_cats),
                     key=f"{key}.open.forecast", icon=":material/online_prediction:")


def hotspot_panel(view: RoleView, *, categories: list[str], key: str) -> None:
    """Draw the hotspot map of a page's categories (sensitive ones left out)."""
    open_cats, sensitive = indicators.split_sensitive(categories)
    if sensitive:
        st.caption("Les faits sensibles (victimes, mineurs, violences intrafamiliales, "
                   "radicalisation) ne sont pas cartographiés finement : ils ne comptent pas "
                   "dans les points chauds ci-dessous.")
    if not open_cats:
        st.info("Aucune catégorie cartographiable finement dans cette sélection : pas de "
                "carte des points chauds.")
        return
    mode = st.radio("Représentation", options=list(hotspots.MAP_MODES),
                    format_func=hotspots.MAP_MODES.get, horizontal=True,
                    key=f"{key}.hotspot_mode")
    sel = widgets.selection(open_cats)
    try:
        hm = hotspot_screen.hotspot_map(view, sel, mode=mode)
    except ClspdGeoError as err:
        st.info(str(err), icon=":material/info:")
        return

    def build() -> folium.Map:
        m = base_map(view)
        area_layers.quartiers_layer(quartiers(view), m=m)
        layers = []
        if len(hm.zones):
            layers.append(area_layers.zones_layer(
                hm.zones, name=hm.title, line_color="#555555", line_weight=0.3,
                fill_opacity=0.6, tooltip_alias="Zone", m=m))
        map_base.finish(m, layers)
        return m

    widgets.show_map(build, key=f"{key}.hotspot_map", height=480, shared=(sel, mode))
    if hm.empty_reason:
        st.info(hm.empty_reason, icon=":material/info:")
    st.caption(hm.caption)


def when_panel(view: RoleView, *, categories: list[str]) -> None:
    """Draw the selected incidents by weekday and hour, as a heatmap."""
    _, sensitive = indicators.split_sensitive(categories)
    k = view.small_count_k
    try:
        hw = hotspot_screen.hour_table(view, widgets.selection(categories))
    except ClspdGeoError as err:
        st.info(str(err), icon=":material/info:")
        return
    if not hw.hours_known:
        table = hw.weekday_totals().rename("faits").to_frame()
        if sensitive:
            table = table.map(lambda v: f"< {k}" if 0 < v < k else f"{v:.0f}")
        widgets.table(table, width="stretch")
    else:
        heat_table(hw.table, shown=hw.suppressed(k=k) if sensitive else None,
                   k=k if sensitive else None)
    if sensitive:
        st.caption(f"Faits sensibles inclus : les effectifs de 1 à {k - 1} "
                   f"sont masqués (« < {k} »).")
    if not sensitive or hw.table.to_numpy().max() >= k:
        st.caption(hw.peak())


def forecast_panel(view: RoleView, open_cats: list[str]) -> None:
    """Draw how well last year's hotspots foresee the month after the period."""
    try:
        rep = hotspot_screen.forecast_report(view, tuple(open_cats), end=widgets.filters().end,
                                             cell_m=config.HOTSPOT_CELL_M)
    except ClspdGeoError as err:
        st.info(str(err), icon=":material/info:")
        return
    rec = rep.row(rep.recommended)
    base = rep.row("derniere_periode")
    c1, c2, c3 = st.columns(3)
    c1.metric("Faits du mois suivant dans 5 % du territoire", f"{rec['hit_rate_pct']:.0f} %")
    c2.metric("PAI (1 = hasard)", f"{rec['pai']:.1f}".replace(".", ","))
    c3.metric("Référence : mois précédents repris tels quels", f"{base['hit_rate_pct']:.0f} %")
    st.write(rep.sentence(next_period="du mois suivant"))
    st.write(rep.spread_sentence())
    month = f"{_format.MONTHS[rep.test[0].month - 1]} {rep.test[0].year}"
    st.caption(f"Mois évalué : {month} ({_format.count(rep.n_test, 'fait')}) ; apprentissage "
               f"du {_format.date(rep.train[0])} au "
               f"{_format.date(rep.train[1] - pd.Timedelta(days=1))} "
               f"({_format.count(rep.n_train, 'fait')}) ; cellules de {rep.cell_size_m:g} m "
               "sur tout le territoire (le filtre des quartiers ne s'applique pas ici). "
               + rep.reason)
    with st.expander("Détail par méthode et par surface couverte"):
        widgets.table(forecast.summary_table(rep), hide_index=True, width="stretch")
        st.write(forecast.PLAIN_FRENCH)
