"""Vue d'ensemble: the one map of the CLSPD, with the territory's key figures."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo.maps import areas as area_layers, base as map_base
from clspd_geo.maps import cameras as camera_layers, facilities as facility_layers
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
area_layers.quartiers_layer(ui.layer("quartiers"), m=m)
layers = ui.incident_layers(sel, name="Faits", m=m)
secteurs = ui.layer("secteurs")
if not secteurs.empty:
    layers.append(area_layers.sectors_layer(secteurs, m=m))
cams = ui.layer("cameras")
if not cams.empty:
    layers.append(camera_layers.cameras_layer(cams, ui.camera_views(), m=m))
equip = ui.layer("equipements")
if not equip.empty:
    layers.append(facility_layers.facilities_layer(equip[~equip["confidential"]], m=m))
map_base.finish(m, layers)
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
