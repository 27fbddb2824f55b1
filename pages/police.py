"""1. Coordination police nationale / police municipale: load per patrol sector."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from clspd_geo import indicators, maps, vocab

sel, m, sections = ui.field_page("police")
secteurs = ui.layer("secteurs")
if not secteurs.empty:
    m.add_child(maps.sectors_layer(secteurs))
    sections.append(("Secteurs de patrouille", maps.sector_legend(secteurs)))
ui.finish_map(m, sections, key="police.map", sources=("incidents", "secteurs"))

st.subheader("Faits par secteur de patrouille")
if secteurs.empty:
    st.info("Aucun secteur de patrouille n'est chargé : importez-les depuis la page « Données » "
            "(python -m clspd_geo import sectors FICHIER --store …).")
else:
    every = indicators.Selection(sel.start, sel.end, tuple(vocab.category_codes()), sel.quartiers)
    counts = indicators.counts_in_polygons(ui.incidents(), every, secteurs, epsg=ui.metric_epsg())
    table = pd.DataFrame({"Secteur": secteurs["name"], "Force": secteurs["force"].map(vocab.FORCES),
                          "Faits (toutes catégories)": counts})
    st.dataframe(table.sort_values("Faits (toutes catégories)", ascending=False),
                 hide_index=True, width="stretch")
ui.trend_and_tables(sel, field="police")
