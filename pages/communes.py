"""Comparaison des communes: facts per 1,000 residents by commune and indicator, against N-1."""

from __future__ import annotations

import streamlit as st

from clspd_geo import vocab
from clspd_geo.screens import communes as commune_screen, fields as field_screen
from ui import data, widgets

view = data.view()
st.title(vocab.PAGE_TITLES["communes"])
st.write("Les communes du territoire intercommunal comparées indicateur par indicateur : faits "
         "pour 1 000 habitants sur la période, la même période un an plus tôt, l'évolution et "
         "si elle dépasse le hasard ; le département et la France quand les statistiques du "
         "SSMSI sont importées.")
widgets.territory_banner(view)

if note := commune_screen.single_commune_note(view):
    st.info(note, icon=":material/info:")
    st.stop()

categories = widgets.category_filter(key="communes.categories")
sel = widgets.selection(categories)
result = commune_screen.comparison(view, sel)
if not result.indicators:
    st.info("Aucune des catégories choisies n'est visible pour votre rôle : rien à comparer.")
    st.stop()
no_comparison = field_screen.comparison_note(view, sel)
if no_comparison:
    st.caption(no_comparison)

st.subheader("Tableau par commune, indicateur par indicateur")
tabs = st.tabs([ind.label for ind in result.indicators])
for tab, ind in zip(tabs, result.indicators, strict=True):
    tab.markdown(f"**Lecture :** {result.sentence(ind.code)}")
    widgets.table(result.table(indicator=ind.code, year_before=not no_comparison),
                  container=tab, hide_index=True, width="stretch",
                  column_config={"Commune": st.column_config.TextColumn(width="medium")})
for note in result.notes:
    st.caption(note)

st.subheader(f"Carte par indicateur ({result.unit()})")
maps = commune_screen.rate_maps(view, sel)
columns = st.columns(2)
for i, (label, png) in enumerate(maps):
    with columns[i % 2]:
        st.image(png, caption=label, width="stretch")
widgets.source_caption(view, "incidents", "territoire", "statistiques")
