"""3. Conduites addictives: drug hotspots and the walk to care, alcohol at night near bars."""

from __future__ import annotations

import streamlit as st

from clspd_geo import vocab
from clspd_geo.analysis import addictions
from clspd_geo.maps import field_layers
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import fields
from ui import data, panels, plan_panel, widgets

view = data.view()
FIELD = "addictions"
sel = panels.field_page(view, FIELD)
drugs = widgets.selection(vocab.category_codes(field=FIELD, sensitivity="stupefiants"))
alcohol = widgets.selection(addictions.ALCOHOL_CATEGORIES)

st.subheader("Les points chauds des stupéfiants sont-ils loin des lieux de soins ?")
network = widgets.network_choice(view, key=f"{FIELD}.network")
spots = care = None
try:
    spots, care = fields.care_distance(view, drugs, network=network)
except ClspdGeoError as err:
    widgets.analysis_note(err)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, FIELD, sel)
    if spots is not None:
        layers.append(field_layers.ranked_layer(
            spots.assign(label=spots["faits"].astype(str) + " faits"),
            name="Points chauds des stupéfiants (200 m)", unit="cellule de 200 m",
            legend_title="Points chauds des stupéfiants", m=m))
    return m, layers


panels.finish_map(view, build_map, key=f"{FIELD}.map", shared=(sel, network), field=FIELD)
if care is not None:
    widgets.interpretation(care.sentence())
if note := fields.outside_cells_note(view, drugs):
    st.caption(note)


def care_table() -> None:
    widgets.table(care.table, hide_index=True, width="stretch")
    st.caption(f"Lieux de soins : CSAPA, CAARUD et hôpitaux. Mesure : {care.method_text}, "
               "marche à 4,5 km/h. Les 5 cellules de 200 m comptant le plus d'usages, "
               "trafics et points de deal sur la période.")


def alcohol_night() -> None:
    radius = st.slider("Distance d'un débit de boissons (m)", 50, 300, 100, step=25,
                       key=f"{FIELD}.radius_m")
    try:
        night = fields.alcohol_night(view, alcohol, radius_m=float(radius))
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        widgets.ordered_bar_chart(night.table.set_index("Heure"), x_label="Heure de la nuit",
                                  y_label="Ivresses publiques")
        widgets.interpretation(night.sentence())


if care is not None:
    panels.lazy_section("Distance des points chauds des stupéfiants aux lieux de soins",
                        care_table, key=f"{FIELD}.open.care", icon=":material/local_hospital:")
panels.lazy_section("Alcool la nuit : près des débits de boissons, et à quelle heure ?",
                    alcohol_night, key=f"{FIELD}.open.alcohol", icon=":material/nightlife:")
panels.hotspot_sections(view, categories=list(sel.categories), key=FIELD)
panels.trend_section(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
