"""Vue d'ensemble: the one map of the CLSPD, with the territory's key figures."""

from __future__ import annotations

import streamlit as st

from clspd_geo.analysis import indicators
from clspd_geo.screens import fields as field_screen, reports as report_screen
from ui import data, panels, plan_panel, session, widgets

view = data.view()
st.title("Vue d'ensemble")
st.write("Caméras, secteurs de patrouille, concentrations de faits et équipements partenaires "
         "sur une seule carte ; chiffres comparés à la même période de l'année précédente.")
widgets.territory_banner(view)

categories = widgets.category_filter(key="overview.categories")
sel = widgets.selection(categories)
df = view.counts()
kpis, yearly_note = field_screen.overview_kpis(view, sel)
widgets.show_kpis(kpis, no_comparison=field_screen.comparison_note(view, sel))
if yearly_note:
    st.caption(yearly_note)
if note := field_screen.publication_note(view, sel):
    st.caption(note)
session.download_button(
    "Rapport pour la séance plénière (PDF)",
    lambda: report_screen.plenary_pdf(view, start=sel.start, end=sel.end,
                                      communes=sel.communes),
    report_screen.plenary_file_name(sel.start, sel.end), "application/pdf",
    key="overview.plenary", icon=":material/picture_as_pdf:",
    help="Établi à la demande pour votre rôle et la période choisie, avec les mêmes règles "
         "de visibilité et de petits effectifs qu'à l'écran.")


widgets.show_map(lambda: panels.overview_map(view, sel), key=panels.OVERVIEW_MAP,
                 shared=(sel,))
widgets.source_caption(view, "incidents", "cameras", "secteurs", "equipements")
panels.hotspot_sections(view, categories=categories, key="overview")


def compared(table):
    """The table without its year-before columns when the data does not cover that year."""
    no_comparison = field_screen.comparison_note(view, sel)
    return indicators.without_year_before(table) if no_comparison else table


def details() -> None:
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Par quartier")
        widgets.table(compared(indicators.by_quartier(df, view.layer("quartiers"), sel).drop(
            columns=["quartier_id"])), hide_index=True, width="stretch")
    with right:
        st.subheader("Évolution mensuelle")
        widgets.time_chart(indicators.monthly_trend(view.counts(by_month=True), sel),
                           y_label="Faits")
    st.subheader("Par catégorie")
    widgets.table(compared(indicators.by_category(df, sel)), hide_index=True, width="stretch")


panels.lazy_section("Par quartier, par mois et par catégorie", details,
                    key="overview.open.details", icon=":material/table_chart:")
plan_panel.action_plan_overview(view)
