"""1. Coordination police nationale / police municipale.

Load per sector and shift, PN/PM overlap and uncovered places, presence against need, the
patrol brief of a shift, and a balanced sector proposal compared with today's sectors.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from clspd_geo import _format, safe, vocab
from clspd_geo.police import patrol_brief, patrols, sectors
from clspd_geo.maps import areas as area_layers, base as map_base, patrol_layers
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import police as police_screen, reports as report_screen
from ui import data, panels, plan_panel, session, widgets

view = data.view()
sel = panels.field_page(view, "police")
secteurs = police_screen.sectors_in(view, sel.communes)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, "police", sel)
    if not secteurs.empty:
        layers.append(area_layers.sectors_layer(secteurs, m=m))
    return m, layers


panels.finish_map(view, build_map, key="police.map", shared=(sel,), field="police",
                  sources=("incidents", "secteurs"))
panels.hotspot_sections(view, categories=list(sel.categories), key="police")

if secteurs.empty:
    if view.layer("secteurs").empty:
        st.info("Aucun secteur de patrouille n'est chargé : importez-les depuis la page "
                "« Données » (python -m clspd_geo import sectors FICHIER --store …).")
    else:
        st.info("Aucun secteur de patrouille ne couvre les communes choisies : ajoutez des "
                "communes dans le filtre « Communes » du menu latéral.")
    panels.trend_section(view, sel, field="police")
    plan_panel.action_plan(view, "police")
    st.stop()

def analyses() -> None:
    """The police analyses, one at a time; a widget here reruns this block, not the page."""
    flt = widgets.filters()
    forces = [f for f in vocab.FORCES if f in set(secteurs["force"])]

    with st.expander("Réglages : horaires des vacations et poids de gravité"):
        st.caption("Une vacation qui passe minuit compte pour le jour où elle commence. Les poids "
                   "de gravité pondèrent chaque fait dans la charge.")
        left, right = st.columns([2, 3])
        shift_df = left.data_editor(patrols.shift_table(), key="police.shifts", num_rows="dynamic",
                                    hide_index=True, width="stretch")
        weight_df = right.data_editor(patrols.weight_table(), key="police.weights",
                                      disabled=["Code", "Catégorie"], hide_index=True,
                                      width="stretch", height=260)
    try:
        bounds = patrols.shift_bounds(shift_df)
        shifts = patrols.make_shifts(bounds)
        weights = patrols.weight_items(weight_df)
    except ClspdGeoError as err:
        st.error(f"{err} Les réglages par défaut sont utilisés en attendant.")
        shifts = patrols.DEFAULT_SHIFTS
        bounds = patrols.shift_bounds(patrols.shift_table())
        weights = patrols.weight_items(patrols.weight_table())
    shift_labels = {s.code: s.label for s in shifts}
    untimed = sorted(set(vocab.category_codes()) - set(police_screen.timed_categories(view)))
    if untimed:
        st.caption("Ne comptent pas dans les analyses par vacation ci-dessous, car publiées sans "
                   "heure pour votre rôle : " + ", ".join(vocab.category(c).label for c in untimed)
                   + ".")

    SECTIONS = {"charge": "Charge par secteur et vacation", "coordination": "Coordination PN / PM",
                "fiche": "Fiche de patrouille", "redecoupage": "Redécoupage équilibré"}
    # One section at a time (not st.tabs): a Leaflet map drawn in a hidden tab gets no size.
    section = st.radio("Analyse", list(SECTIONS), format_func=SECTIONS.get, horizontal=True,
                       key="police.section", label_visibility="collapsed")
    load = police_screen.workload(view, start=flt.start, end=flt.end, bounds=bounds,
                                  weights=weights, communes=flt.communes)

    if section == "charge":
        c1, c2 = st.columns(2)
        force = c1.radio("Force", forces, format_func=vocab.FORCES.get, horizontal=True,
                         key="police.force")
        shift = c2.radio("Vacation", ["toutes", *shift_labels], horizontal=True, key="police.shift",
                         format_func=lambda c: "Toute la journée" if c == "toutes" else shift_labels[c])
        bal = load.balance.set_index(["force", "shift"]).loc[(force, shift)]
        k1, k2, k3 = st.columns(3)
        k1.metric("Secteurs", int(bal["n_sectors"]))
        k2.metric("Écart de charge (CV)", f"{100 * bal['cv']:.0f} %" if bal["cv"] == bal["cv"]
                  else "—", help="Écart-type / moyenne des charges : 0 % = secteurs équilibrés.")
        k3.metric("Secteur le plus chargé / moyenne", _format.number(bal['max_over_mean'], decimals=2)
                  if bal["max_over_mean"] == bal["max_over_mean"] else "—")
        def load_map():
            m = panels.base_map(view)
            mine = secteurs[secteurs["force"] == force]
            map_base.finish(m, [patrol_layers.load_layer(
                patrols.load_map_frame(load, mine),
                shift=None if shift == "toutes" else shifts[list(shift_labels).index(shift)],
                m=m)])
            return m

        widgets.show_map(load_map, key="police.load_map", height=420,
                         shared=(tuple(bounds), tuple(weights), force, shift))
        pivot = patrols.load_pivot(load, force=force).rename(columns=shift_labels | {
            "total": "Toute la journée"})
        st.write("**Charge par secteur et vacation** (faits pondérés par gravité)")
        widgets.table(pivot.round(0), width="stretch")
        st.write("**Charge par jour de la semaine**"
                 + ("" if shift == "toutes" else f" — {shift_labels[shift]}"))
        widgets.table(patrols.weekday_pivot(load, force=force,
                                           shift=None if shift == "toutes" else shift).round(0),
                     width="stretch")
        if load.outside:
            st.caption(f"{_format.count(load.outside, 'fait')} de la période hors de tout secteur.")

    if section == "coordination":
        co, check = police_screen.coordination(view, start=flt.start, end=flt.end,
                                               bounds=bounds, weights=weights,
                                               communes=flt.communes)
        k1, k2, k3 = st.columns(3)
        k1.metric("Surface couverte par PN et PM",
                  _format.number(co.overlap_area_m2 / 1e6, decimals=2) + " km²")
        k2.metric("Faits dans ce chevauchement", int(co.overlap_by_shift["n_incidents"].sum()))
        k3.metric("Couvert par aucun secteur",
                  _format.number(co.uncovered["area_m2"].sum() / 1e6, decimals=2) + " km²")
        for problem in check.problems:
            st.warning(safe.md(problem))  # sector names are user text
        def coord_map():
            m = panels.base_map(view)
            map_base.finish(m, [area_layers.sectors_layer(secteurs, legend_title="Secteurs", m=m),
                                patrol_layers.coordination_layer(co, m=m)])
            return m

        widgets.show_map(coord_map, key="police.coord_map", height=420,
                         shared=(tuple(bounds), tuple(weights)))
        st.write("**Faits dans les zones couvertes par les deux polices, par vacation**")
        widgets.table(co.overlap_by_shift.drop(columns="shift").rename(columns={
            "shift_label": "Vacation", "n_incidents": "Faits", "load": "Charge"}),
            hide_index=True, width="stretch")
        if len(co.gaps_by_force):
            widgets.table(pd.DataFrame({
                "Force": co.gaps_by_force["force"].map(vocab.FORCES),
                "Surface non couverte (ha)": (co.gaps_by_force["area_m2"] / 1e4).round(1),
                "Faits dans cette zone": co.gaps_by_force["n_incidents"]}),
                hide_index=True, width="stretch")
        st.write("**Présence et besoin** — heures de patrouille par semaine (modifiables)")
        hours = st.data_editor(patrols.default_patrol_hours(secteurs, shifts=shifts),
                               key="police.hours", disabled=["sector_id", "force", "shift"],
                               hide_index=True, width="stretch", height=240)
        try:
            rate = patrols.per_patrol_hour(load, hours)
        except ClspdGeoError as err:
            widgets.show_error(err)
        widgets.table(pd.DataFrame({
            "Secteur": rate["sector_id"], "Force": rate["force"].map(vocab.FORCES),
            "Vacation": rate["shift"].map(shift_labels), "Faits": rate["n_incidents"],
            "Heures sur la période": rate["patrol_hours"].round(0),
            "Faits par heure de patrouille": rate["incidents_per_hour"].round(3),
            "Écart besoin − présence (points)": (100 * rate["gap"]).round(1),
        }).sort_values("Écart besoin − présence (points)", ascending=False),
            hide_index=True, width="stretch")
        st.caption("Écart positif : le secteur porte une plus grande part de la charge de sa force "
                   "que sa part des heures de patrouille.")

    if section == "fiche":
        c1, c2, c3 = st.columns(3)
        sector_id = c1.selectbox("Secteur", secteurs["sector_id"].tolist(), key="police.brief_sector",
                                 format_func=dict(zip(secteurs["sector_id"], secteurs["name"])).get)
        codes = list(shift_labels)
        brief_shift = c2.selectbox("Vacation", codes, format_func=shift_labels.get,
                                   index=codes.index("nuit") if "nuit" in codes else 0,
                                   key="police.brief_shift")
        days = c3.slider("Jours récents", 7, 90, 28, key="police.brief_days")
        try:
            brief = police_screen.brief(view, end=flt.end, sector_id=sector_id,
                                       shift=brief_shift, days=days, bounds=bounds,
                                       communes=flt.communes)
        except ClspdGeoError as err:
            st.info(str(err))
        else:
            b1, b2 = st.columns(2)
            session.download_button("Télécharger la fiche de patrouille (PDF, une page A4)",
                                    lambda: report_screen.patrol_brief_pdf(view, brief),
                                    file_name=f"fiche_{sector_id}_{brief_shift}.pdf",
                                    mime="application/pdf", key="police.brief_pdf",
                                    icon=":material/picture_as_pdf:", container=b1)
            session.download_button("Télécharger la fiche de patrouille (HTML)",
                                    lambda: police_screen.brief_html(view, brief),
                                    file_name=f"fiche_{sector_id}_{brief_shift}.html",
                                    mime="text/html", key="police.brief_download",
                                    icon=":material/print:", container=b2)
            widgets.table(pd.DataFrame({
                "N°": brief.cells["rank"], "Faits": brief.cells["n_incidents"],
                "Tendance": brief.cells["trend"].map(patrol_brief.TREND_LABELS),
                "Catégories": brief.cells["categories"], "À proximité": brief.cells["facilities"]}),
                hide_index=True, width="stretch")

    if section == "redecoupage":
        c1, c2, c3 = st.columns(3)
        r_force = c1.selectbox("Force", forces, format_func=vocab.FORCES.get, key="police.r_force")
        k = c2.number_input("Nombre de secteurs", 1, 40,
                            int((secteurs["force"] == forces[0]).sum()) + 1, key="police.k")
        blocks = c3.radio("À partir de", ["grille", "quartiers"], horizontal=True,
                          format_func={"grille": "cellules de 250 m", "quartiers": "quartiers"}.get,
                          key="police.blocks")
        keep = st.checkbox("Garder la séparation police nationale / municipale", key="police.keep")
        proposal = None
        if st.toggle("Proposer un découpage équilibré", key="police.propose"):
            try:
                proposal = police_screen.redesign(view, start=flt.start, end=flt.end, k=int(k),
                                                  force=r_force, blocks=blocks, cell_m=250.0,
                                                  keep_split=keep, weights=weights,
                                                  communes=flt.communes)
            except ClspdGeoError as err:
                st.error(str(err))
        if proposal is not None:
            result, table = proposal
            verdict = "atteint" if result.reached_target else "non atteint"
            st.write(f"Objectif d'équilibre (écart de charge sous 10 %) **{verdict}**. "
                     f"Méthode : {result.method}.")
            widgets.table(table.rename(index={"actuels": "Secteurs actuels",
                                             "proposés": "Proposition"}, columns={
                "n_sectors": "Secteurs", "cv": "Écart de charge (CV)",
                "max_over_mean": "Plus chargé / moyenne", "polsby_popper_mean": "Compacité moyenne",
                "polsby_popper_min": "Compacité minimale",
                "max_distance_m": "Plus grande traversée (m)"}).round(3), width="stretch")
            def prop_map():
                m = panels.base_map(view)
                # The current sectors are drawn for comparison, without a legend of their own.
                area_layers.sectors_layer(secteurs[secteurs["force"] == r_force],
                                          name="Secteurs actuels", m=m)
                map_base.finish(m, [patrol_layers.proposal_layer(result.sectors, m=m)])
                return m

            widgets.show_map(prop_map, key="police.proposal_map", height=420, shared=(
                int(k), r_force, blocks, keep, tuple(weights)))
            session.download_button("Exporter la proposition (GeoJSON)",
                                    lambda: sectors.proposal_layer(result).to_json(),
                                    file_name="secteurs_proposes.geojson",
                                    mime="application/geo+json", key="police.proposal_download")


st.subheader("Analyses police nationale / police municipale")
st.fragment(analyses)()
panels.trend_section(view, sel, field="police")
plan_panel.action_plan(view, "police")
