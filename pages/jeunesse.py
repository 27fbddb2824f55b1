"""4. Jeunesse: school surroundings, school violence per school, domestic violence rates."""

from __future__ import annotations

import streamlit as st

from clspd_geo import vocab
from clspd_geo.maps import areas as area_layers
from clspd_geo.analysis import indicators
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import fields
from ui import data, panels, plan_panel, widgets

view = data.view()
FIELD = "jeunesse"
K = view.small_count_k
sel = panels.field_page(view, FIELD)
st.caption(f"Faits sensibles (mineurs, violences intrafamiliales) : jamais au point près, "
           f"seulement par quartier ou par école, effectifs de 1 à {K - 1} masqués.")
family = widgets.selection(["violences_intrafamiliales", "violences_conjugales"])
school = widgets.selection(["violences_scolaires"])
# Sensitive facts are never released with their time of day: the school-hours comparison
# uses the other facts (fights, damage, drugs, thefts) around schools.
around = widgets.selection(indicators.split_sensitive(vocab.category_codes())[0])

rings = None
try:
    rings = fields.school_rings(view, around)
except ClspdGeoError as err:
    widgets.analysis_note(err)
rates = fields.quartier_rates(view, family)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, FIELD, sel)
    if rings is not None:
        layers.append(area_layers.zones_layer(rings.rings, label_col="label",
                                              name="Abords des écoles",
                                              colors=area_layers.RING_COLORS[:2],
                                              fill_opacity=0.15, m=m))
    layers.append(area_layers.values_by_quartier_layer(
        rates.quartiers, value_col="valeur", label_col="affiche",
        name="Violences intrafamiliales et conjugales", unit=rates.unit, show=False,
        legend_title=f"Violences intrafamiliales et conjugales ({rates.unit})", m=m))
    return m, layers


# The rings and rates come from the sidebar filters (in every map key) and the view.
panels.finish_map(view, build_map, key=f"{FIELD}.map", shared=(sel,), field=FIELD)
if rings is not None:
    widgets.interpretation(rings.sentence(what="faits"))
widgets.interpretation(rates.sentence(what="violences"))


def school_hours() -> None:
    st.caption("Tous les faits non sensibles (rixes, dégradations, vols, stupéfiants…), par "
               "distance à l'école la plus proche.")
    widgets.table(rings.table, hide_index=True, width="stretch")
    st.caption("Heures de classe : lundi, mardi, jeudi et vendredi de 8 h à 17 h, mercredi de "
               "8 h à 12 h ; les vacances scolaires ne sont pas connues de l'application.")


def school_violence() -> None:
    if view.finest_zone("violences_scolaires") not in ("point", "grille"):
        # Released to this role by quartier (or not at all): a table per school would be
        # finer than what the role may see, and would pin a quartier's total on one school.
        st.info("Vos droits d'accès ne montrent les violences scolaires que par quartier "
                "(section « Évolution mensuelle… ») : le détail par établissement est "
                f"réservé aux rôles qui voient ces faits à la maille de {view.grid_cell_m:.0f} m.")
        return
    try:
        zones = fields.school_zones(view, school, k=K)
    except ClspdGeoError as err:
        widgets.analysis_note(err)
    else:
        if zones.empty:
            st.info("Aucun établissement scolaire dans les communes choisies : ajoutez des "
                    "communes dans le filtre « Communes » du menu latéral.")
            return
        widgets.table(zones[["École", "Type", "Faits"]], hide_index=True, width="stretch")
        st.caption("Chaque fait compte pour l'école la plus proche, à moins de 500 m.")


def family_rates() -> None:
    widgets.table(rates.table(), hide_index=True, width="stretch")


if rings is not None:
    panels.lazy_section("Abords des écoles : les faits ont-ils lieu pendant les heures de "
                        "classe ?", school_hours, key=f"{FIELD}.open.rings",
                        icon=":material/school:")
panels.lazy_section("Violences en milieu scolaire par établissement (zone de 500 m)",
                    school_violence, key=f"{FIELD}.open.schools", icon=":material/school:")
panels.lazy_section("Violences intrafamiliales et conjugales par quartier", family_rates,
                    key=f"{FIELD}.open.family", icon=":material/family_restroom:")
panels.hotspot_sections(view, categories=list(sel.categories), key=FIELD)

panels.trend_section(view, sel, field=FIELD)
plan_panel.action_plan(view, FIELD)
