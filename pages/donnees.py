"""Données et sources: what each layer of the store holds, and where it comes from."""

from __future__ import annotations

import streamlit as st

import ui
from clspd_geo import inventory, schemas

st.title("Données et sources")
st.write("Ce que contient chaque couche du fichier de données, sa période, sa source et la date "
         "de son chargement.")
ui.territory_banner()
store = ui.store()
st.caption(f"Fichier : {store.path}")
st.dataframe(inventory.layer_summary(store), hide_index=True, width="stretch")
with st.expander("Modèle de données (colonnes et valeurs admises)"):
    st.markdown(schemas.markdown())
