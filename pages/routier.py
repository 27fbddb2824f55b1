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
sel, m, layers = panels.field_page(view, FIELD)
accidents = view.layer("accidents")
roads = view.layer("voies")
st.subheader("Accidents corporels")
hot = None
if accidents.empty:
    st.info(road_safety.NO_ACCIDENTS)
else:
    widgets.show_kpis(indicators.accident_kpis(accidents, sel))
    try:
        hot = fields.road_hotspots(view, sel)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        unit = "tronçon" if hot.method == "voies" else "cellule"
        layers.append(field_layers.ranked_layer(
            hot.places.assign(label=hot.places["label"] + " : " + hot.places["gravite"].map(
                "{:.0f} points de gravité".format)),
            name="Points noirs (les plus graves)", unit=unit,
            legend_title=f"Points noirs ({unit}s de {hot.size_m:.0f} m)", m=m))
    try:
        acc_cells = common.accident_cells(view, sel)
        layers.append(cell_layers.cells_layer(
            acc_cells, value_col="gravite", unit="points de gravité",
            name="Accidents (gravité par cellule)", show=False,
            legend_title="Gravité des accidents (10 par tué, 3 par hospitalisé, 1 par "
                         "blessé léger)", m=m))
    except ClspdGeoError as err:
        widgets.analysis_note(err)
if not roads.empty:
    road_layers.roads_layer(roads, m=m)
layers.append(plan_panel.actions_layer(view, field=FIELD, m=m))
panels.finish_map(view, m, layers, key=f"{FIELD}.map", sources=("accidents", "incidents"))
panels.hotspot_panel(view, categories=list(sel.categories), key=FIELD)

if not accidents.empty:
    if hot is not None:
        st.subheader("Où : les lieux des accidents les plus graves")
        widgets.table(hot.places.drop(columns="geometry").rename(columns={
            "rang": "Rang", "label": "Lieu", "accidents": "Accidents", "tues": "Tués",
            "blesses_hospitalises": "Blessés hospitalisés", "gravite": "Gravité"})[
            ["Rang", "Lieu", "Accidents", "Tués", "Blessés hospitalisés", "Gravité"]],
            hide_index=True, width="stretch")
        widgets.interpretation(hot.sentence())
        st.caption(f"Lieux : {hot.method_text}. Gravité : 10 points par tué, 3 par blessé "
                   "hospitalisé, 1 par blessé léger.")

    st.subheader("Tués et blessés graves, année par année")
    yearly = road_safety.yearly_severity(accidents)
    widgets.table(yearly, hide_index=True, width="stretch")
    widgets.interpretation(road_safety.yearly_sentence(yearly))

    left, right = st.columns(2)
    period = indicators.accidents_in(accidents, sel.start, sel.end)
    with left:
        st.subheader("Usagers vulnérables")
        widgets.table(road_safety.vulnerable_users(period), hide_index=True, width="stretch")
    with right:
        st.subheader("Accidents par mois")
        widgets.time_chart(indicators.accidents_monthly(accidents, sel), y_label="Accidents")

    st.subheader("Quand : jour de la semaine et heure")
    try:
        hw = temporal.hour_weekday(period)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        widgets.table(hw.table, width="stretch")
        widgets.interpretation(hw.peak())

    st.subheader("Abords des écoles : accidents aux heures de classe")
    try:
        rings = fields.accident_school_rings(view, sel)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        widgets.table(rings.table.rename(columns={"Faits": "Accidents"}), hide_index=True,
                     width="stretch")
        widgets.interpretation(rings.sentence(what="accidents"))

panels.trend_and_tables(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
