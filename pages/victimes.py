"""6. Aide aux victimes: how far victims and residents are from support, quartier by quartier."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import vocab
from clspd_geo.maps import areas as area_layers
from clspd_geo.analysis import field_analyses
from clspd_geo.errors import ClspdGeoError

FIELD = "victimes"
sel, m, layers = ui.field_page(FIELD)

st.subheader("Les victimes trouvent-elles une aide à moins de 15 minutes à pied ?")
network = ui.network_choice(key=f"{FIELD}.network")
access = None
try:
    access = ui.support_access(sel, network=network, minutes=15.0)
except ClspdGeoError as err:
    ui.analysis_note(err)
else:
    layers.append(area_layers.values_by_quartier_layer(
        access.quartiers, value_col="distance_habitants_m", label_col="distance_affichee",
        name="Distance des habitants à l'aide la plus proche", unit="m",
        legend_title="Distance médiane des habitants à une aide (m)", m=m))
layers.append(ui.action_plan_layer(field=FIELD, m=m))
ui.finish_map(m, layers, key=f"{FIELD}.map")
ui.hotspot_panel(categories=list(sel.categories), key=FIELD)
if access is not None:
    st.dataframe(access.table(), hide_index=True, width="stretch")
    ui.interpretation(access.sentence())
    st.caption("Aides : " + ", ".join(
        vocab.facility_kind(k).label for k in field_analyses.SUPPORT_KINDS)
        + f". Mesure : {access.method_text}, marche à 4,5 km/h. Les distances des faits sont "
        f"masquées pour les quartiers de moins de {ui.SMALL_COUNT_K} faits ; les hébergements "
        "d'urgence, confidentiels, ne sont ni comptés ni montrés.")

ui.trend_and_tables(sel, field=FIELD)
ui.action_plan(FIELD)
