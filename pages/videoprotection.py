"""2. Vidéoprotection: what the cameras see, where incidents escape them, where to add some."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from clspd_geo import _format, safe, vocab
from clspd_geo.maps import base as map_base, cameras as camera_layers, cells as cell_layers
from clspd_geo.video import cameras, coverage, siting
from clspd_geo.errors import ClspdGeoError
from clspd_geo.screens import common, reports as report_screen, video as video_screen
from ui import data, panels, plan_panel, session, widgets

view = data.view()
st.session_state.setdefault("video.clicks", [])


def pct(x: float) -> str:
    return _format.percent(100 * x, decimals=1)


def _shares(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Write share columns (0–1) as French percentages."""
    return df.assign(**{c: df[c].map(lambda v: pct(v) if v == v else _format.MISSING)
                        for c in columns if c in df.columns})


def show_result(res: siting.SitingResult, greedy: siting.SitingResult) -> None:
    """Show the one siting answer kept (exact when run, else greedy), once."""
    if res is greedy:
        st.markdown(f"**Réponse immédiate (méthode gloutonne, "
                    f"{_format.number(res.seconds * 1000)} ms)**")
    else:
        st.markdown(f"**Réponse exacte (HiGHS, {_format.number(res.seconds, decimals=1)} s, "
                    f"statut : {res.status.replace('_', ' ')})** — la méthode gloutonne "
                    f"({_format.number(greedy.seconds * 1000)} ms) couvrait "
                    f"{pct(greedy.share_after)}.")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Faits couverts avant", pct(res.share_before))
    c2.metric("Après les nouveaux sites", pct(res.share_after),
              delta=f"+{pct(res.share_after - res.share_before)}")
    c3.metric("Borne prouvée (aucun choix ne fait mieux)", pct(res.bound / res.total_weight)
              if res.total_weight else "—")
    c4.metric("Écart à l'optimum, au plus", pct(res.gap))
    st.caption(res.message + " Chiffres recalculés sur les points de demande.")
    if res.note:
        st.info(res.note, icon=":material/info:")
    sites_table(res)


def sites_table(res: siting.SitingResult) -> None:
    widgets.table(pd.DataFrame(res.sites.drop(columns="geometry")).rename(columns={
        "rank": "Rang", "site_id": "Site", "label": "Lieu", "marginal_gain": "Gain (faits)",
        "covered_after": "Couverts (cumul)", "cost_eur": "Coût (€)"}),
        hide_index=True, width="stretch")


sel = panels.field_page(view, "video")
cams, problems = video_screen.video_cameras(view, sel.communes)
bad = problems[problems["severity"] == "erreur"]
if len(bad):
    st.error("Caméras écartées des calculs : " + " ; ".join(safe.md(m) for m in bad["message"]),
             icon=":material/error:")
flagged = problems[problems["severity"] == "avertissement"]
if len(flagged):
    with st.expander(f"{_format.count(len(flagged), 'caméra')} à vérifier (orientation manquante…)"):
        st.write("\n".join(f"- {safe.md(msg)}" for msg in flagged["message"]))

st.subheader("Ce que voient les caméras en service")
codes = video_screen.cover_categories(view)
cats = st.multiselect("Faits pris en compte (couverture et implantation)", options=codes,
                      default=codes, format_func=vocab.category_labels().get,
                      key="video.cover_categories", placeholder=widgets.PLACEHOLDER)
cover_sel = widgets.selection(cats or codes)
cov = spots = None
try:
    cov, chosen = video_screen.coverage(view, cover_sel)
    spots = video_screen.uncovered_hotspots(view, cover_sel)
except ClspdGeoError as err:
    st.info(str(err), icon=":material/info:")
bounds = None
if cov is not None:
    total = coverage.share_by(cov, chosen).iloc[0]
    bounds, bounds_by_category = video_screen.seen_bounds(view, cover_sel)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1] if bounds.is_exact else [1.7, 1, 1, 1])
    if bounds.is_exact:
        c1.metric("Faits dans le champ d'au moins une caméra", pct(bounds.low_share),
                  help=f"{_format.number(bounds.low)} faits sur "
                       f"{_format.number(bounds.incidents)}.")
        c2.metric("Faits dans une zone de reconnaissance (125 px/m)",
                  pct(total["recognised_share"]) if cov.has_dori else "—",
                  help="Demande la résolution des caméras (colonne resolution_px).")
    else:
        c1.metric("Faits dans le champ d'au moins une caméra",
                  f"{_format.number(100 * bounds.low_share, decimals=1)} à "
                  f"{pct(bounds.high_share)}",
                  help=f"Entre {_format.number(bounds.low)} et {_format.number(bounds.high)} "
                       f"faits sur {_format.number(bounds.incidents)}.")
        c2.metric("Faits dans une zone de reconnaissance (125 px/m)", "—",
                  help="Non mesurable pour les faits publiés par zone pour votre rôle.")
    c3.metric("Caméras en service", len(coverage.in_service(cams)))
    c4.metric("Faits de la période", _format.number(bounds.incidents))
    if not bounds.is_exact:
        st.caption(video_screen.bounds_note(bounds))

views = video_screen.video_views(view, sel.communes)


def build_map():
    """The page's map and layers (built only when no session has it rendered for this key)."""
    m, layers = panels.field_map(view, "video", sel)
    if len(cams):
        layers.append(camera_layers.cameras_layer(cams, views, m=m))
    if spots is not None and len(spots):
        layers.append(cell_layers.cells_layer(
            spots, value_col="uncovered", unit="faits hors champ",
            name="Zones non couvertes (cellules de 100 m)",
            legend_title="Faits hors du champ des caméras", m=m))
    return m, layers


panels.finish_map(view, build_map, key="video.map", shared=(sel, cover_sel), field="video",
                  sources=("cameras", "incidents"))


def coverage_detail() -> None:
    if not bounds.is_exact:
        st.caption(video_screen.ZONED_NOTE)
    tabs = st.tabs(["Par catégorie", "Par caméra", "Par quartier", "Zones non couvertes",
                    "Avant / après"])
    names = {"label": "Catégorie", "incidents": "Faits", "seen_share": "Part vue",
             "recognised_share": "Part reconnue"}
    if bounds is not None and not bounds.is_exact:
        ranged = {"label": "Catégorie", "incidents": "Faits", "low_share": "Part vue, au moins",
                  "high_share": "Part vue, au plus"}
        widgets.table(bounds_by_category[list(ranged)].rename(columns=ranged).pipe(
            _shares, "Part vue, au moins", "Part vue, au plus"), hide_index=True,
            width="stretch", container=tabs[0])
    else:
        widgets.table(coverage.share_by(cov, chosen, by="category")[list(names)]
                      .rename(columns=names).pipe(_shares, "Part vue", "Part reconnue"),
                      hide_index=True, width="stretch", container=tabs[0])
    per_cam = video_screen.camera_table(view, cover_sel)
    widgets.table(per_cam.rename(columns={
        "camera_id": "Caméra", "name": "Lieu", "incidents_seen": "Faits vus",
        "unique_incidents": "Vus par elle seule", "night_incidents": "La nuit",
        "night_share": "Part de nuit", "recognised": "Reconnus"}).sort_values(
        "Faits vus", ascending=False).pipe(_shares, "Part de nuit"), hide_index=True,
        width="stretch", container=tabs[1])
    per_q = coverage.per_quartier(cov, chosen, panels.quartiers(view, sel.communes), cams)
    widgets.table(per_q.drop(columns=["quartier_id"]).rename(columns={
        "name": "Quartier", "qpv": "QPV", "incidents": "Faits", "seen": "Vus",
        "seen_share": "Part vue", "cameras": "Caméras"}).pipe(_shares, "Part vue"),
        hide_index=True, width="stretch", container=tabs[2])
    if spots is not None:
        widgets.table(pd.DataFrame(spots.drop(columns="geometry")).rename(columns={
            "rank": "Rang", "cell_id": "Cellule (100 m)", "incidents": "Faits",
            "uncovered": "Faits hors champ", "uncovered_share": "Part hors champ"}).pipe(
            _shares, "Part hors champ"), hide_index=True, width="stretch", container=tabs[3])
    with tabs[4]:
        try:
            ba = video_screen.before_after_table(view, sel.communes)
        except ClspdGeoError as err:
            st.info(str(err), icon=":material/info:")
        else:
            widgets.table(ba.rename(columns={
                "camera_id": "Caméra", "name": "Lieu", "commissioned_on": "Mise en service",
                "days": "Jours comparés", "target_before": "Champ avant",
                "target_after": "Champ après", "ring_before": "Couronne avant",
                "ring_after": "Couronne après", "wdd": "WDD", "z": "z", "wdq": "WDQ",
                "verdict": "Lecture"}).drop(columns=["control_before", "control_after",
                                                     "enough"]),
                hide_index=True, width="stretch")
            st.caption("Faits dans le champ, dans une couronne de 100 m autour (déplacement) "
                       "et ailleurs (tendance), sur autant de jours avant et après la mise en "
                       "service. WDD < 0 : baisse nette, déplacement compris.")


def siting_section() -> None:
    with st.form("video.siting_form"):
        c1, c2, c3 = st.columns(3)
        mode = c1.radio("Contrainte", ["nombre", "budget"], horizontal=True, key="video.mode",
                        format_func={"nombre": "Nombre de caméras", "budget": "Budget"}.get)
        n_new = c1.number_input("Nouvelles caméras", 1, 500, 5, key="video.n_new")
        budget = c1.number_input("Budget (€)", 0, 50_000_000, 100_000, step=5_000,
                                 key="video.budget")
        cost = c2.number_input("Coût d'un site (€)", 0, 1_000_000, 25_000, step=1_000,
                               key="video.cost")
        radius = c2.slider("Rayon vu par une nouvelle caméra (m)", 20, 300, 100,
                           key="video.radius")
        min_d = c2.slider("Distance minimale entre caméras (m)", 0, 500, 0,
                          key="video.min_distance")
        source = c3.selectbox("Sites candidats", list(video_screen.SITING_SOURCES),
                              format_func=video_screen.SITING_SOURCES.get, key="video.source")
        grid_m = c3.number_input("Espacement de la grille (m)", 20, 1_000, 75,
                                 key="video.grid_m")
        weights = c3.radio("Poids des faits", ["egal", "gravite"], horizontal=True,
                           format_func={"egal": "Égal", "gravite": "Gravité (1 à 5)"}.get,
                           key="video.weights")
        half_life = c3.number_input("Demi-vie des faits (jours, 0 = aucune)", 0, 3_650, 0,
                                    key="video.half_life")
        demand = c1.radio("Demande à couvrir", list(video_screen.SITING_DEMANDS),
                          horizontal=True, format_func=video_screen.SITING_DEMANDS.get,
                          key="video.demand",
                          help="Accidents : tué 10, blessé hospitalisé 3, blessé léger 1 par "
                               "victime (les poids des faits ne s'y appliquent pas).")
        want_exact = st.checkbox("Chercher aussi l'optimum exact (HiGHS)", value=True,
                                 key="video.exact")
        limit = st.slider("Limite de temps du solveur exact (s)", 5, 120, 30,
                          key="video.time_limit")
        st.form_submit_button("Proposer des sites", type="primary")
    params = video_screen.SitingParams(
        n_new=int(n_new) if mode == "nombre" else None,
        budget_eur=float(budget) if mode == "budget" else None, cost_eur=float(cost),
        radius_m=float(radius), min_distance_m=float(min_d), source=source,
        grid_m=float(grid_m), clicks=tuple(st.session_state["video.clicks"]), weights=weights,
        half_life_days=float(half_life) or None, demand=demand)
    if demand == "faits" and bounds is not None and not bounds.is_exact:
        st.info(video_screen.ZONED_NOTE, icon=":material/info:")
    problem = greedy = None
    try:
        problem = video_screen.siting_problem(view, cover_sel, params)
        greedy = video_screen.greedy(view, cover_sel, params)
    except ClspdGeoError as err:
        st.error(str(err), icon=":material/error:")
    best = greedy
    if greedy is not None:
        if problem.candidates.dropped_outside:
            st.warning(f"{_format.count(problem.candidates.dropped_outside, 'site candidat')} hors du "
                       "territoire ont été écartés.")
        st.markdown(f"{_format.number(len(problem.candidates))} sites candidats, "
                    f"{safe.md(problem.demand.description)}.")
        if want_exact:
            best = widgets.run_with_progress(
                lambda: video_screen.exact(view, cover_sel, params, time_limit_s=float(limit)),
                time_limit_s=float(limit), text="Recherche de l'optimum exact (HiGHS)…")
        show_result(best, greedy)
    site_map(best, params, source=source)
    if greedy is None:
        return
    try:
        oos = video_screen.out_of_sample(view, cover_sel, params)
    except ClspdGeoError as err:
        st.info(f"Vérification sur la période précédente impossible : {err}",
                icon=":material/info:")
    else:
        st.markdown("**Vérification hors échantillon** : sites choisis sur la période "
                    "précédente (même durée), mesurés sur la période choisie.")
        c1, c2, c3 = st.columns(3)
        c1.metric("Gain sur la période d'apprentissage",
                  f"+{pct(oos.train.share_after - oos.train.share_before)}")
        c2.metric("Gain sur la période suivante",
                  f"+{pct(oos.test.share_after - oos.test.share_before)}")
        c3.metric("Part du gain conservée", pct(oos.kept_share))
    d1, d2, d3 = st.columns(3)
    new_cams = siting.as_cameras(best, radius_m=params.radius_m)
    session.download_button("Sites (CSV)", lambda: video_screen.sites_csv(best),
                            "sites_cameras.csv", "text/csv", key="video.dl_csv", container=d1)
    session.download_button("Sites (GeoJSON)", lambda: best.sites.to_json().encode("utf-8"),
                            "sites_cameras.geojson", "application/geo+json",
                            key="video.dl_geojson", container=d2)
    session.download_button("Plan des caméras à imprimer (HTML)",
                            lambda: video_screen.camera_plan_html(view, new_cams,
                                                                  communes=sel.communes),
                            "plan_cameras.html", "text/html", key="video.dl_plan", container=d3,
                            help="Caméras existantes et sites proposés (« en projet ») : pièce "
                                 "du dossier d'autorisation (article R252-3 du CSI).")
    session.download_button("Plan des caméras (PDF)",
                            lambda: report_screen.camera_plan_pdf(view, new_cams,
                                                                  communes=sel.communes),
                            "plan_cameras.pdf", "application/pdf", key="video.dl_plan_pdf",
                            container=d3, help="Le même plan en PDF A4 paysage.")


def site_map(best: siting.SitingResult | None, params: video_screen.SitingParams, *,
             source: str) -> None:
    """The cameras in service and the proposed sites; clicks add candidates (« clics »)."""
    def build():
        sm = panels.base_map(view)
        site_layers = []
        if len(cams):
            site_layers.append(camera_layers.cameras_layer(cams, views, m=sm))
        if best is not None and len(best.sites):
            new = siting.as_cameras(best, radius_m=params.radius_m)
            camera_layers.cameras_layer(new, cameras.view_polygons(new),
                                        name="Sites proposés (en projet)", m=sm)
        map_base.finish(sm, site_layers)
        return sm

    if source != "clics":
        # Keyed by the sites drawn too: an exact answer found again differently (under its
        # time limit) never shows another run's sites.
        sites = () if best is None else tuple(best.sites["site_id"])
        widgets.show_map(build, key="video.site_map", height=480,
                         shared=(cover_sel, params, sites))
        return
    sm = build()
    st.caption("Cliquez sur la carte pour ajouter des sites candidats "
               f"({len(st.session_state['video.clicks'])} pour l'instant).")
    out = st_folium(sm, key="video.site_map", height=480, use_container_width=True,
                    returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    if click and (click["lng"], click["lat"]) not in st.session_state["video.clicks"]:
        st.session_state["video.clicks"].append((click["lng"], click["lat"]))
        st.rerun()
    if st.button("Effacer les points cliqués", key="video.clear_clicks"):
        st.session_state["video.clicks"] = []
        st.rerun()


def camera_park() -> None:
    raw = common.commune_cameras(view, sel.communes)
    if raw.empty and not view.layer("cameras").empty:
        st.info("Aucune caméra dans les communes choisies : ajoutez des communes dans le "
                "filtre « Communes » du menu latéral.")
        return
    if raw.empty:
        st.info("Aucune caméra n'est chargée : importez la liste depuis la page « Données » "
                "(python -m clspd_geo import cameras FICHIER --store …).")
        return
    park = (raw.assign(Type=raw["kind"].map(vocab.CAMERA_KINDS),
                       État=raw["status"].map(vocab.CAMERA_STATUSES),
                       Exploitant=raw["operator"].map(vocab.CAMERA_OPERATORS))
            .groupby(["Exploitant", "Type", "État"]).size().rename("Caméras").reset_index())
    widgets.table(park, hide_index=True, width="stretch")
    session.download_button("Plan des caméras à imprimer (HTML)",
                            lambda: video_screen.camera_plan_html(view, communes=sel.communes),
                            "plan_cameras.html", "text/html", key="video.dl_plan_only")
    session.download_button("Plan des caméras (PDF)",
                            lambda: report_screen.camera_plan_pdf(view, communes=sel.communes),
                            "plan_cameras.pdf", "application/pdf", key="video.dl_plan_pdf_only")


if cov is not None:
    panels.lazy_section("Couverture en détail : par catégorie, caméra, quartier, avant / après",
                        coverage_detail, key="video.open.coverage", icon=":material/table_chart:")
panels.lazy_section("Où placer les prochaines caméras ?", siting_section,
                    key="video.open.siting", icon=":material/add_location_alt:")
panels.lazy_section("Le parc de caméras", camera_park, key="video.open.park",
                    icon=":material/videocam:")
panels.hotspot_sections(view, categories=list(sel.categories), key="video")
panels.trend_section(view, sel, field="video")
plan_panel.action_plan(view, "video")
