"""Données et sources: what each layer holds, and the import of new files.

Upload, choose the kind, read the report and the preview, then confirm: the library
(``clspd_geo.importing``) does every check; this page only lays out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from clspd_geo import safe, schemas, vocab
from clspd_geo.access import audit
from clspd_geo.errors import ClspdGeoError
from clspd_geo.importing import gate, pipeline, preview
from clspd_geo.importing.context import ImportOptions
from clspd_geo.screens import common, reports as report_screen
from ui import data, panels, session, widgets

view = data.view()
st.session_state.setdefault("donnees.written", "")

st.title("Données et sources")
st.write("Ce que contient chaque couche du fichier de données, sa période, sa source et la date "
         "de son chargement ; puis l'import de vos propres fichiers.")
widgets.territory_banner(view)
store = view.import_target()  # refused for the roles that may not import (the router hides it)
if st.session_state["donnees.written"]:
    st.success(st.session_state["donnees.written"], icon=":material/check_circle:")
    st.session_state["donnees.written"] = ""
st.caption(f"Fichier : {view.location}")
widgets.table(view.summary(), hide_index=True, width="stretch")
communes = widgets.chosen_communes()
facility_kinds = preview.facility_inventory(common.commune_facilities(view, communes))
if len(facility_kinds):
    where = "des communes choisies dans le menu latéral" if communes else "de tout le fichier"
    st.caption("Équipements par type (transports, écoles, santé, débits de boissons…) "
               f"{where}, tous dans la couche « equipements » :")
    widgets.table(facility_kinds, hide_index=True, width="stretch")
session.download_button("GeoPackage stylé pour QGIS",
                        lambda: report_screen.styled_geopackage(view), "clspd_qgis.gpkg",
                        "application/geopackage+sqlite3",
                        key="donnees.qgis", icon=":material/download:",
                        help="Les couches que votre rôle peut voir, avec leurs styles (table "
                             "layer_styles) : QGIS les ouvre aux couleurs de l'application.")
panels.lazy_section("Modèle de données (colonnes et valeurs admises)",
                    lambda: st.markdown(schemas.markdown()), key="donnees.open.model",
                    icon=":material/schema:")

st.header("Importer des fichiers")
st.write("Rien n'est écrit avant la confirmation ; un import refusé laisse la base intacte. "
         f"Taille maximale : {preview.MAX_UPLOAD_MB} Mo par fichier.")
kind = st.selectbox("Type de données", pipeline.KINDS, format_func=pipeline.KIND_LABELS.get,
                    key="donnees.kind")
IMPORT_TYPES = ["csv", "gz", "txt", "geojson", "json", "gpkg", "zip", "kml"]
files = st.file_uploader("Fichiers (CSV, GeoJSON, GeoPackage, KML, shapefile zippé, GTFS)",
                         accept_multiple_files=True, key="donnees.files",
                         max_upload_size=preview.MAX_UPLOAD_MB,
                         help=f"{preview.MAX_UPLOAD_MB} Mo au plus par fichier.",
                         type=IMPORT_TYPES)
st.caption(widgets.uploader_hint(max_mb=preview.MAX_UPLOAD_MB, types=IMPORT_TYPES))
left, right = st.columns(2)
commune = left.text_input("Code INSEE de la commune à garder (facultatif)",
                          key="donnees.commune").strip() or None
# The natural mode first: for incidents, add a month and correct rows by identifier. A new
# kind starts from its own natural mode, not the one chosen for the previous kind.
modes = list(dict.fromkeys([pipeline.default_mode(kind), "replace", "append",
                            *(["upsert"] if kind in pipeline.UPSERT_KINDS else [])]))
if st.session_state.get("donnees.mode_of") != kind:  # set, not deleted: the browser follows
    st.session_state["donnees.mode"] = modes[0]
    st.session_state["donnees.mode_of"] = kind
mode = right.radio("Couche existante", modes, horizontal=True, key="donnees.mode",
                   format_func={"replace": "Remplacer", "append": "Compléter",
                                "upsert": "Ajouter / mettre à jour"}.get,
                   help="Ajouter / mettre à jour : les faits d'identifiant nouveau sont "
                        "ajoutés, ceux déjà présents mis à jour, les lignes identiques ne "
                        "changent rien (réimporter le même mois ne double rien), en une seule "
                        "opération. Compléter refuse les identifiants déjà présents ; "
                        "Remplacer efface la couche puis écrit le fichier.")
as_layer, force, helper = "territoire", None, None
if kind == "boundaries":
    as_layer = st.radio("Ce sont", ["territoire", "quartiers"], horizontal=True,
                        format_func={"territoire": "la ou les communes du territoire",
                                     "quartiers": "des quartiers (IRIS, arrondissements...)"}.get,
                        key="donnees.as")
if kind == "sectors":
    force = st.selectbox("Force des secteurs (si le fichier n'a pas de colonne « force »)",
                         [None, *vocab.FORCES], key="donnees.force",
                         format_func=lambda f: "—" if f is None else vocab.FORCES[f])
if kind in ("cameras", "incidents", "facilities"):
    label = ("Croisements de rues ou adresses pour placer les caméras (nom1, nom2, lon, lat)"
             if kind == "cameras" else "Correspondance libellé local ; code")
    helper = st.file_uploader(label, key="donnees.helper", type=["csv", "gz", "txt"],
                              max_upload_size=preview.MAX_UPLOAD_MB)
    st.caption(widgets.uploader_hint(max_mb=preview.MAX_UPLOAD_MB, types=["csv", "gz", "txt"]))

if files:
    uploads = [*files, *([helper] if helper else [])]
    too_big = preview.upload_too_big({f.name: f.size for f in uploads})
    if too_big:
        st.error(too_big, icon=":material/error:")
        st.stop()
    with tempfile.TemporaryDirectory(prefix="clspd-import-") as tmp:
        paths = []
        for i, up in enumerate(uploads):  # one folder each: two uploads may share a name
            path = Path(tmp) / str(i) / Path(up.name).name
            path.parent.mkdir()
            path.write_bytes(up.getvalue())
            paths.append(path)
        extra = paths[len(files):]
        options = ImportOptions(
            commune=commune, as_layer=as_layer, force=force, mode=mode,
            geocode_with=extra[0] if extra and kind == "cameras" else None,
            mapping=extra[0] if extra and kind != "cameras" else None,
            max_bytes=preview.MAX_UPLOAD_BYTES, isolated=True)
        try:  # one import at a time in the server; a busy gate refuses, the choices stay
            with st.spinner("Lecture et contrôle des fichiers (un import à la fois)…"), \
                    gate.slot():
                report = pipeline.prepare(kind, paths[:len(files)], store_path=store,
                                          options=options, names=[f.name for f in files])
        except ClspdGeoError as err:
            widgets.show_error(err)
        st.subheader("Ce qui a été lu")
        widgets.table(preview.files_table(report), hide_index=True, width="stretch")
        st.info(report.summary(), icon=":material/fact_check:")
        for title, items in (("Corrections automatiques", report.fixes),
                             ("Lignes acceptées mais signalées", report.flags),
                             ("Libellés sans correspondance", report.unmapped)):
            if items:
                st.warning(title + " :\n" + "\n".join(f"- {safe.md(k)} : {n}"
                                                  for k, n in items.items()))
        if report.notes:
            st.caption("Hypothèses : " + " ; ".join(safe.md(n) for n in report.notes))
        st.subheader("Aperçu des lignes acceptées")
        widgets.show_map(preview.accepted_map(report), key="donnees.preview", height=460)
        st.caption("Source : " + ", ".join(safe.md(f.name) for f in report.files)
                   + " (aperçu, pas encore écrit)")
        if report.n_rejected:
            st.subheader(f"Lignes rejetées ({report.n_rejected})")
            widgets.table(preview.rejected_table(report), hide_index=True, width="stretch")
        if st.button("Écrire dans la base", type="primary", key="donnees.confirm"):
            acc = session.writer()  # the session, account and role again, now
            session.write_refused()
            try:
                with gate.slot():
                    pipeline.commit(report, data.view(role=acc.role).import_target())
            except ClspdGeoError as err:  # a conflict too: the choices and files are kept
                widgets.show_error(err)
            audit.record(acc.username, acc.role, "modification", f"import : {kind}",
                         detail=", ".join(f.name for f in report.files)[:200])
            st.session_state["donnees.written"] = ("Import écrit : " + report.summary())
            st.rerun()
