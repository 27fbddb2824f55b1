"""7. Sécurité routière: where and when serious accidents happen, and who they hurt."""

from __future__ import annotations

import streamlit as st

from clspd_geo.maps import cells as cell_layers, field_layers, roads as road_layers
from clspd_geo.analysis import indicators, road_safety, temporal
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import fields
from clspd_geo.screens import common
from ui import data, panels, plan_panel, widgets

view = data.view()
FIELD = "routier"
sel = panels.field_page(view, FIELD)
accidents = common.accidents(view, sel)
roads = view.layer("voies")
st.subheader("Accidents corporels")
hot = acc_cells = None
if accidents.empty:
    st.info(road_safety.NO_ACCIDENTS)
else:
    widgets.show_kpis(indicators.accident_kpis(accidents, sel))
    try:
        hot = fields.road_hotspots(view, sel)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    try:
        acc_cells = common.accident_cells(view, sel)
    except ClspdGeoError as err:
        widgets.analysis_note(err)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, FIELD, sel)
    if hot is not None:
        unit = "tronçon" if hot.method == "voies" else "cellule"
        layers.append(field_layers.ranked_layer(
            hot.places.assign(label=hot.places["label"] + " : " + hot.places["gravite"].map(
                "{:.0f} points de gravité".format)),
            name="Points noirs (les plus graves)", unit=unit,
            legend_title=f"Points noirs ({unit}s de {hot.size_m:.0f} m)", m=m))
    if acc_cells is not None:
        layers.append(cell_layers.cells_layer(
            acc_cells, value_col="gravite", unit="points de gravité",
            name="Accidents (gravité par cellule)", show=False,
            legend_title="Gravité des accidents (10 par tué, 3 par hospitalisé, 1 par "
                         "blessé léger)", m=m))
    if not roads.empty:
        road_layers.roads_layer(roads, m=m)
    return m, layers


panels.finish_map(view, build_map, key=f"{FIELD}.map", shared=(sel,), field=FIELD,
                  sources=("accidents", "incidents"))
if hot is not None:
    widgets.interpretation(hot.sentence())


def places() -> None:
    widgets.table(hot.places.drop(columns="geometry").rename(columns={
        "rang": "Rang", "label": "Lieu", "accidents": "Accidents", "tues": "Tués",
        "blesses_hospitalises": "Blessés hospitalisés", "gravite": "Gravité"})[
        ["Rang", "Lieu", "Accidents", "Tués", "Blessés hospitalisés", "Gravité"]],
        hide_index=True, width="stretch")
    st.caption(f"Lieux : {hot.method_text}. Gravité : 10 points par tué, 3 par blessé "
               "hospitalisé, 1 par blessé léger.")


def yearly() -> None:
    table = road_safety.yearly_severity(accidents)
    widgets.table(table, hide_index=True, width="stretch")
    widgets.interpretation(road_safety.yearly_sentence(table))


def victims_and_months() -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Usagers vulnérables")
        widgets.table(road_safety.vulnerable_users(period), hide_index=True, width="stretch")
    with right:
        st.subheader("Accidents par mois")
        widgets.time_chart(indicators.accidents_monthly(accidents, sel), y_label="Accidents")


def when() -> None:
    st.subheader("Accidents")
    try:
        hw = temporal.hour_weekday(period)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        panels.heat_table(hw.table)
        widgets.interpretation(hw.peak())
    st.subheader("Faits du champ")
    panels.when_panel(view, categories=list(sel.categories))


def schools() -> None:
    try:
        rings = fields.accident_school_rings(view, sel)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        widgets.table(rings.table.rename(columns={"Faits": "Accidents"}), hide_index=True,
                     width="stretch")
        widgets.interpretation(rings.sentence(what="accidents"))


if not accidents.empty:
    period = indicators.accidents_in(accidents, sel.start, sel.end)
    if hot is not None:
        panels.lazy_section("Où : les lieux des accidents les plus graves", places,
                            key=f"{FIELD}.open.places", icon=":material/warning:")
    panels.lazy_section("Tués et blessés graves, année par année", yearly,
                        key=f"{FIELD}.open.yearly", icon=":material/calendar_month:")
    panels.lazy_section("Usagers vulnérables et accidents par mois", victims_and_months,
                        key=f"{FIELD}.open.users", icon=":material/directions_walk:")
    panels.lazy_section("Quand ? Jour de la semaine et heure", when,
                        key=f"{FIELD}.open.when", icon=":material/schedule:")
    panels.lazy_section("Abords des écoles : accidents aux heures de classe", schools,
                        key=f"{FIELD}.open.schools", icon=":material/school:")
panels.hotspot_sections(view, categories=list(sel.categories), key=FIELD,
                        when=accidents.empty)

panels.trend_section(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
