"""3. Conduites addictives: drug hotspots and the walk to care, alcohol at night near bars."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import vocab
from clspd_geo.analysis import field_analyses
from clspd_geo.maps import field_layers
from clspd_geo.errors import ClspdGeoError

FIELD = "addictions"
sel, m, layers = ui.field_page(FIELD)
drugs = ui.filters().selection(vocab.category_codes(field=FIELD, sensitivity="stupefiants"))
alcohol = ui.filters().selection(field_analyses.ALCOHOL_CATEGORIES)

st.subheader("Les points chauds des stupéfiants sont-ils loin des lieux de soins ?")
network = ui.network_choice(key=f"{FIELD}.network")
care = None
try:
    spots, care = ui.care_distance(drugs, network=network)
except ClspdGeoError as err:
    ui.analysis_note(err)
else:
    layers.append(field_layers.ranked_layer(
        spots.assign(label=spots["faits"].astype(str) + " faits"),
        name="Points chauds des stupéfiants (200 m)", unit="cellule de 200 m",
        legend_title="Points chauds des stupéfiants", m=m))
layers.append(ui.action_plan_layer(field=FIELD, m=m))
ui.finish_map(m, layers, key=f"{FIELD}.map")
ui.hotspot_panel(categories=list(sel.categories), key=FIELD)
if care is not None:
    st.dataframe(care.table, hide_index=True, width="stretch")
    ui.interpretation(care.sentence())
    st.caption(f"Lieux de soins : CSAPA, CAARUD et hôpitaux. Mesure : {care.method_text}, "
               "marche à 4,5 km/h. Les 5 cellules de 200 m comptant le plus d'usages, "
               "trafics et points de deal sur la période.")

st.subheader("Alcool la nuit : près des débits de boissons, et à quelle heure ?")
radius = st.slider("Distance d'un débit de boissons (m)", 50, 300, 100, step=25,
                   key=f"{FIELD}.radius_m")
try:
    night = ui.alcohol_night(alcohol, radius_m=float(radius))
except ClspdGeoError as err:
    ui.analysis_note(err)
else:
    st.bar_chart(night.table.set_index("Heure"), x_label="Heure de la nuit",
                 y_label="Ivresses publiques", stack=True)
    ui.interpretation(night.sentence())

ui.trend_and_tables(sel, field=FIELD)
ui.action_plan(FIELD)
