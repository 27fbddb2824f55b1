"""2. Vidéoprotection: the camera network, what it sees, and the incidents in its views."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from clspd_geo import indicators, maps, vocab

sel, m, sections = ui.field_page("video")
cams = ui.layer("cameras")
if cams.empty:
    st.info("Aucune caméra n'est chargée : importez la liste depuis la page « Données » "
            "(python -m clspd_geo import cameras FICHIER --store …).")
else:
    views = ui.camera_views()
    m.add_child(maps.cameras_layer(cams, views))
    sections.append(("Caméras", maps.camera_legend()))
ui.finish_map(m, sections, key="video.map", sources=("cameras", "incidents"))

if not cams.empty:
    st.subheader("Faits dans le champ d'au moins une caméra en service")
    every = indicators.Selection(sel.start, sel.end, tuple(vocab.category_codes()), sel.quartiers)
    active = views[views["status"] == "en_service"]
    inside, total = indicators.share_inside(ui.incidents(), every, active, epsg=ui.metric_epsg())
    share = 100.0 * inside / total if total else 0.0
    st.metric("Part des faits (toutes catégories) vus par une caméra", f"{share:.1f} %",
              help=f"{inside} faits sur {total} dans la période et les quartiers choisis.")
    st.subheader("Le parc de caméras")
    table = (cams.assign(Type=cams["kind"].map(vocab.CAMERA_KINDS),
                         État=cams["status"].map(vocab.CAMERA_STATUSES),
                         Exploitant=cams["operator"].map(vocab.CAMERA_OPERATORS))
             .groupby(["Exploitant", "Type", "État"]).size().rename("Caméras").reset_index())
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"{len(cams)} caméras, dont {int((cams['status'] == 'en_service').sum())} en "
               "service. " + ("Mises en service : " + pd.to_datetime(cams["commissioned_on"])
                              .dt.year.dropna().astype(int).astype(str).value_counts()
                              .sort_index().to_string().replace("\n", ", ")
                              if cams["commissioned_on"].notna().any() else ""))
ui.trend_and_tables(sel, field="video")
