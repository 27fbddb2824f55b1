"""6. Aide aux victimes: how far victims and residents are from support, quartier by quartier."""

from __future__ import annotations

import streamlit as st

from clspd_geo import vocab
from clspd_geo.maps import areas as area_layers
from clspd_geo.analysis import victims
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import fields
from ui import data, panels, plan_panel, widgets

view = data.view()
FIELD = "victimes"
sel = panels.field_page(view, FIELD)

st.subheader("Les victimes trouvent-elles une aide à moins de 15 minutes à pied ?")
network = widgets.network_choice(view, key=f"{FIELD}.network")
access = None
try:
    access = fields.support_access(view, sel, network=network, minutes=15.0)
except ClspdGeoError as err:
    widgets.analysis_note(err)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, FIELD, sel)
    if access is not None:
        layers.append(area_layers.values_by_quartier_layer(
            access.quartiers, value_col="distance_habitants_m", label_col="distance_affichee",
            name="Distance des habitants à l'aide la plus proche", unit="m",
            legend_title="Distance médiane des habitants à une aide (m)", m=m))
    return m, layers


panels.finish_map(view, build_map, key=f"{FIELD}.map", shared=(sel, network), field=FIELD)

def access_detail() -> None:
    widgets.table(access.table(), hide_index=True, width="stretch")
    st.caption("Aides : " + ", ".join(
        vocab.facility_kind(k).label for k in victims.SUPPORT_KINDS)
        + f". Mesure : {access.method_text}, marche à 4,5 km/h. Les distances des faits sont "
        f"masquées pour les quartiers de moins de {view.small_count_k} faits ; les hébergements "
        "d'urgence, confidentiels, ne sont ni comptés ni montrés."
        + (f" La distance médiane des faits ne compte que les faits publiés à leur lieu : les "
           f"{access.n_zoned} publiés pour votre rôle par maille, quartier ou commune n'y "
           "entrent pas (« – » quand il en reste moins que le seuil)." if access.n_zoned
           else ""))


if access is not None:
    widgets.interpretation(access.sentence())
    st.caption(access.population_text)  # where the residents were placed (grid or even)
    panels.lazy_section("Distance à l'aide la plus proche, quartier par quartier",
                        access_detail, key=f"{FIELD}.open.access", icon=":material/table_chart:")
panels.hotspot_sections(view, categories=list(sel.categories), key=FIELD)
panels.trend_section(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
