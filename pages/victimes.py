"""6. Aide aux victimes: how far victims and residents are from support, quartier by quartier."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import maps, vocab
from clspd_geo.analysis import field_analyses
from clspd_geo.errors import ClspdGeoError

FIELD = "victimes"
sel, m, sections = ui.field_page(FIELD)

st.subheader("Les victimes trouvent-elles une aide à moins de 15 minutes à pied ?")
network = ui.network_choice(key=f"{FIELD}.network")
access = None
try:
    access = ui.support_access(sel, network=network, minutes=15.0)
except ClspdGeoError as err:
    ui.analysis_note(err)
else:
    fg, leg = maps.values_by_quartier_layer(
        access.quartiers, value_col="distance_habitants_m", label_col="distance_affichee",
        name="Distance des habitants à l'aide la plus proche", unit="m")
    m.add_child(fg)
    sections.append(("Distance médiane des habitants à une aide (m)", leg))
ui.action_plan_layer(m, sections, field=FIELD)
ui.finish_map(m, sections, key=f"{FIELD}.map")
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
