"""5. Insertion et prévention de la récidive: QPV residents within a walk of each structure."""

from __future__ import annotations

import streamlit as st

from clspd_geo import _format, vocab
from clspd_geo.maps import areas as area_layers
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import fields
from ui import data, panels, plan_panel, widgets

view = data.view()
FIELD = "insertion"
KINDS = ["mission_locale", "atelier_insertion", "pjj", "spip", "site_tig", "acces_droit"]
sel = panels.field_page(view, FIELD)

st.subheader("Les habitants des quartiers prioritaires ont-ils une structure d'insertion à "
             "portée de marche ?")
left, right = st.columns(2)
with left:
    minutes = st.slider("Temps de marche (minutes)", 5, 30, 15, step=5,
                        key=f"{FIELD}.minutes")
with right:
    network = widgets.network_choice(view, key=f"{FIELD}.network")
access = reach = None
try:
    access, reach = fields.qpv_access(view, tuple(KINDS), minutes=minutes, network=network,
                                      communes=sel.communes)
except ClspdGeoError as err:
    widgets.analysis_note(err)
else:
    if access.n_without_kind:
        st.warning(f"{_format.count(access.n_without_kind, 'équipement')} n'{'a' if access.n_without_kind < 2 else 'ont'} pas de type (colonne « kind » "
                   "vide) : ils ne comptent pas. Complétez leur type puis réimportez-les.")


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, FIELD, sel)
    if reach is not None:
        colors = [vocab.facility_kind(k).color for k in reach["kind"]]
        layers.append(area_layers.zones_layer(
            reach, label_col="label", colors=colors, fill_opacity=0.08,
            name=f"À {minutes} min à pied (vol d'oiseau)", show=False,
            legend_title=f"Portée de {minutes} min à pied", m=m))
    return m, layers


panels.finish_map(view, build_map, key=f"{FIELD}.map", shared=(sel, minutes, network),
                  field=FIELD)

def access_detail() -> None:
    widgets.table(access.table.drop(columns=["kind"]), hide_index=True, width="stretch")
    st.caption(f"Mesure : {access.method_text} ; marche à 4,5 km/h (75 m par minute). "
               "Les disques de la carte sont la portée à vol d'oiseau.")
    st.subheader("Manques : quartiers prioritaires sans accès à pied")
    if access.gaps.empty:
        st.write(f"Chaque QPV a au moins une partie de ses habitants à moins de {minutes} "
                 "minutes de chaque type de structure.")
    else:
        widgets.table(access.gaps[["Quartier", "Équipement"]], hide_index=True, width="stretch")
    st.subheader("Détail par quartier prioritaire et par type de structure")
    widgets.table(access.by_quartier.pivot(index="Quartier", columns="Équipement",
                                          values="Part (%)"), width="stretch")


if access is not None:
    widgets.interpretation(access.sentence())
    st.caption(access.population_text)  # where the residents were placed (grid or even)
    panels.lazy_section("Par type de structure, manques et détail par quartier prioritaire",
                        access_detail, key=f"{FIELD}.open.access", icon=":material/table_chart:")
panels.hotspot_sections(view, categories=list(sel.categories), key=FIELD)
panels.trend_section(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
