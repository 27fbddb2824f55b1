"""7. Sécurité routière: injury accidents by place, severity, road user and month."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import indicators, maps
from clspd_geo.errors import ClspdGeoError

sel, m, sections = ui.field_page("routier")
accidents = ui.layer("accidents")
st.subheader("Accidents corporels")
if accidents.empty:
    st.info("Aucun accident n'est chargé : importez le fichier national BAAC depuis la page "
            "« Données » (python -m clspd_geo import accidents FICHIERS --store … --commune INSEE).")
else:
    ui.show_kpis(indicators.accident_kpis(accidents, sel))
    try:
        acc_cells = ui.accident_cells(sel)
        fg, leg = maps.cells_layer(acc_cells, value_col="gravite", unit="points de gravité",
                                   name="Accidents (gravité par cellule)")
        m.add_child(fg)
        sections.append(("Gravité des accidents (10 par tué, 3 par hospitalisé, 1 par "
                         "blessé léger)", leg))
    except ClspdGeoError as err:
        st.info(str(err))
roads = ui.layer("voies")
if not roads.empty:
    m.add_child(maps.roads_layer(roads))
ui.finish_map(m, sections, key="routier.map", sources=("accidents", "incidents"))
if not accidents.empty:
    left, right = st.columns(2)
    with left:
        st.subheader("Usagers impliqués")
        st.dataframe(indicators.accidents_by_user(accidents, sel), hide_index=True,
                     width="stretch")
    with right:
        st.subheader("Accidents par mois")
        st.line_chart(indicators.accidents_monthly(accidents, sel), y_label="Accidents",
                      x_label="Mois")
ui.trend_and_tables(sel, field="routier")
