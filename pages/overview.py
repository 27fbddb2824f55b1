"""Vue d'ensemble: the one map of the CLSPD, with the territory's key figures."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import maps
from clspd_geo.analysis import indicators

st.title("Vue d'ensemble")
st.write("Caméras, secteurs de patrouille, concentrations de faits et équipements partenaires "
         "sur une seule carte ; chiffres comparés à la même période de l'année précédente.")
ui.territory_banner()

filters = ui.filters()
categories = ui.category_filter(key="overview.categories")
sel = filters.selection(categories)
df = ui.incidents()

ui.show_kpis([indicators.total_kpi(df, sel)] + indicators.field_kpis(df, sel)[:4])

m = ui.base_map(filters)
m.add_child(maps.quartiers_layer(ui.layer("quartiers")))
sections = ui.incident_layers(m, sel, name="Faits")
secteurs = ui.layer("secteurs")
if not secteurs.empty:
    m.add_child(maps.sectors_layer(secteurs))
    sections.append(("Secteurs de patrouille", maps.sector_legend(secteurs)))
cams = ui.layer("cameras")
if not cams.empty:
    m.add_child(maps.cameras_layer(cams, ui.camera_views()))
    sections.append(("Caméras", maps.camera_legend()))
equip = ui.layer("equipements")
if not equip.empty:
    fg, leg = maps.facilities_layer(equip[~equip["confidential"]])
    m.add_child(fg)
    sections.append(("Équipements", leg))
maps.finish(m, legend_sections=sections)
ui.show_map(m, key="overview.map")
ui.source_caption("incidents", "cameras", "secteurs", "equipements")
ui.hotspot_panel(categories=categories, key="overview")

left, right = st.columns([3, 2])
with left:
    st.subheader("Par quartier")
    st.dataframe(indicators.by_quartier(df, ui.layer("quartiers"), sel).drop(
        columns=["quartier_id"]), hide_index=True, width="stretch")
with right:
    st.subheader("Évolution mensuelle")
    st.line_chart(indicators.monthly_trend(df, sel), y_label="Faits", x_label="Mois")
st.subheader("Par catégorie")
st.dataframe(indicators.by_category(df, sel), hide_index=True, width="stretch")

# -- The CLSPD action plan, by status (issue 8) -------------------------------------------------
ui.action_plan_overview()
