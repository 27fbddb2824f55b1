"""8. Prévention de la radicalisation (CLSPDR): resources and actions by quartier, never cases."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from clspd_geo import _format, vocab
from clspd_geo.maps import areas as area_layers, facilities as facility_layers
from clspd_geo.analysis import indicators
from clspd_geo.screens import common, fields
from ui import data, panels, plan_panel, widgets

view = data.view()
K = view.small_count_k
FIELD = "radicalisation"
af = vocab.action_field(FIELD)
st.title(f"{af.number}. {af.label}")
st.write(f"**Question du champ :** {af.question}")
st.info("Aucune donnée individuelle n'est affichée sur cette page : seulement des totaux par "
        f"quartier et par trimestre, et les effectifs de 1 à {K - 1} sont masqués.",
        icon=":material/shield:")
widgets.territory_banner(view)

sel = widgets.selection(vocab.category_codes(field=FIELD))
df = view.counts()
total = indicators.total_kpi(df, sel, label="Signalements et atteintes (total)")
shown = indicators.suppress_small(pd.Series([total.value, total.previous]), k=K)
per_q, sentence = fields.resources_by_quartier(view, sel, field=FIELD)
c1, c2 = st.columns(2)
c1.metric("Signalements et atteintes, période", shown.iloc[0])
c2.metric("Même période, année précédente", shown.iloc[1])

qc = indicators.quartier_counts(df, view.layer("quartiers"), sel, k=K)
equip = common.commune_facilities(view, sel.communes, confidential=True)
kinds = vocab.facility_kinds_for(FIELD)
has_resources = not equip.empty and equip["kind"].isin(kinds).any()
if not has_resources:
    st.info("Aucune ressource de prévention n'est chargée (points de contact, maisons de "
            "quartier, établissements scolaires…) : importez les équipements depuis la page "
            "« Données » (python -m clspd_geo import facilities FICHIER --store …).")


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m = panels.base_map(view)
    layers = [area_layers.values_by_quartier_layer(qc, value_col="faits",
                                                   label_col="faits_affiches",
                                                   name="Total par quartier", unit="faits", m=m)]
    offer = per_q.assign(offre=per_q["ressources"] + per_q["actions"], offre_texte=[
        f"{_format.count(r, 'ressource')}, {_format.count(a, 'action')}"
        for r, a in zip(per_q["ressources"], per_q["actions"], strict=True)])
    layers.append(area_layers.values_by_quartier_layer(
        offer, value_col="offre", label_col="offre_texte",
        name="Ressources et actions par quartier", unit="ressources et actions", show=False,
        m=m))
    if has_resources:
        layers.append(facility_layers.facilities_layer(
            common.commune_facilities(view, sel.communes), kinds=kinds, name="Ressources et points d'orientation",
            legend_title="Ressources", m=m))
    return m, layers


panels.finish_map(view, build_map, key="radicalisation.map", shared=(sel,), field=FIELD,
                  sources=("equipements",))

widgets.interpretation(sentence)


def by_quartier() -> None:
    widgets.table(pd.DataFrame({
        "Quartier": per_q["name"], "QPV": per_q["qpv"], "Ressources": per_q["ressources"],
        "Actions (hors suspendues)": per_q["actions"],
        "dont réalisées": per_q["actions_realisees"], "Faits": qc["faits_affiches"]}),
        hide_index=True, width="stretch")


def quarters_and_resources() -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Par trimestre")
        quarters, quarter_note = fields.quarterly_table(view, sel)
        widgets.table(quarters, hide_index=True, width="stretch")
        if quarter_note:
            st.caption(quarter_note)
    with right:
        st.subheader("Ressources de prévention et d'orientation")
        widgets.table(indicators.facilities_table(equip, field=FIELD), hide_index=True,
                     width="stretch")


panels.lazy_section("Ressources et actions de prévention par quartier", by_quartier,
                    key=f"{FIELD}.open.quartiers", icon=":material/table_chart:")
panels.lazy_section("Par trimestre, et les ressources de prévention", quarters_and_resources,
                    key=f"{FIELD}.open.quarters", icon=":material/calendar_month:")
plan_panel.action_plan(view, FIELD)
