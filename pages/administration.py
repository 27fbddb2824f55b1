"""Administration: accounts, audit trail, retention and the visibility matrix (admin only)."""

from __future__ import annotations

import streamlit as st

from clspd_geo.access import audit, auth
from clspd_geo.errors import ClspdGeoError
from ui import data, panels, session, widgets

view = data.view()
if not view.may_open("administration"):  # the router lists it for its role only
    st.error("Page réservée à l'administrateur.", icon=":material/lock:")
    st.stop()

st.title("Administration")
st.write("Comptes locaux, journal des consultations et des exports, durée de conservation "
         "des faits et matrice de visibilité des rôles. L'administrateur exploite l'outil "
         "sans lire les données de faits.")

st.header("Comptes")
accounts = auth.list_accounts()
roles = view.roles()
st.dataframe([{"Identifiant": a.username, "Rôle": roles.get(a.role, a.role),
               "État": "désactivé" if a.disabled else "actif",
               "Dernière connexion": a.last_login or "jamais"} for a in accounts],
             hide_index=True, width="stretch")
left, right = st.columns(2)
with left, st.form("admin.new", clear_on_submit=True):
    st.subheader("Créer un compte")
    name = st.text_input("Identifiant", key="admin.name")
    role = st.selectbox("Rôle", list(roles), key="admin.role", format_func=roles.get)
    pw = st.text_input(f"Mot de passe (au moins {auth.MIN_PASSWORD_LEN} caractères)",
                       type="password", key="admin.pw")
    if st.form_submit_button("Créer"):
        try:
            auth.create_account(name, role=role, password=pw)
        except ClspdGeoError as err:
            st.error(str(err))
        else:
            audit.record(session.user(), view.role, "compte", name,
                         detail=f"création ({role})")
            st.success(f"Compte « {name} » créé.")
with right:
    st.subheader("Désactiver ou réactiver")
    names = [a.username for a in accounts]
    who = st.selectbox("Compte", names, key="admin.who") if names else None
    c1, c2 = st.columns(2)
    for col, label, disabled in ((c1, "Désactiver", True), (c2, "Réactiver", False)):
        if who and col.button(label, key=f"admin.{label}"):
            auth.set_disabled(who, disabled)
            audit.record(session.user(), view.role, "compte", who,
                         detail="désactivation" if disabled else "réactivation")
            st.success(f"Compte « {who} » {'désactivé' if disabled else 'réactivé'}.")

panels.lazy_section("Journal des consultations et des exports",
                    lambda: st.dataframe(audit.events(limit=500), hide_index=True,
                                         width="stretch"),
                    key="admin.open.journal", icon=":material/history:")

st.header("Conservation des faits")
try:
    days = audit.retention_days()
except ClspdGeoError as err:
    widgets.show_error(err)
st.write(f"Les faits plus anciens que {days} jours sont supprimés automatiquement "
         "(réglage CLSPD_RETENTION_DAYS, fixé par délibération).")

panels.lazy_section("Matrice de visibilité des rôles",
                    lambda: st.dataframe(view.matrix_table(), hide_index=True, width="stretch"),
                    key="admin.open.matrix", icon=":material/grid_on:")
