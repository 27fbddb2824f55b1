"""Administration: accounts, audit trail, retention and the visibility matrix (admin only)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from clspd_geo import _format, safe, vocab
from clspd_geo.access import audit, auth
from clspd_geo.errors import ClspdGeoError
from ui import data, panels, session, widgets

view = data.view()
if not view.may_open("administration"):  # the router lists it for its role only
    st.error("Page réservée à l'administrateur.", icon=":material/lock:")
    st.stop()


def _admin() -> str:
    """Check the session, account and role again before an account change; return the name."""
    acc = session.writer()
    session.write_refused()
    if not data.view(role=acc.role).may_open("administration"):
        st.error("Votre rôle a changé : rien n'a été modifié.", icon=":material/lock:")
        st.stop()
    return acc.username


st.title("Administration")
st.write("Comptes locaux, journal des consultations et des exports, durée de conservation "
         "des faits et matrice de visibilité des rôles. L'administrateur exploite l'outil "
         "sans lire les données de faits.")


def _record(target: str, detail: str) -> None:
    audit.record(session.user(), view.role, "compte", target, detail=detail)


st.header("Comptes")
accounts = auth.list_accounts()
roles = view.roles()
locks = auth.locked_until()
widgets.table([{"Identifiant": a.username, "Rôle": roles.get(a.role, a.role),
               "État": ("désactivé" if a.disabled else
                        f"verrouillé jusqu'au {_format.datetime_text(locks[a.username])} (UTC)"
                        if a.username in locks else "actif"),
               "Dernière connexion": _format.datetime_text(a.last_login)
               if a.last_login else "jamais"} for a in accounts],
             hide_index=True, width="stretch")
left, right = st.columns(2)
with left, st.form("admin.new", clear_on_submit=True):
    st.subheader("Créer un compte")
    name = st.text_input("Identifiant", key="admin.name")
    role = st.selectbox("Rôle", list(roles), key="admin.role", format_func=roles.get)
    pw = st.text_input(f"Mot de passe (au moins {auth.MIN_PASSWORD_LEN} caractères)",
                       type="password", key="admin.pw")
    if st.form_submit_button("Créer"):
        by = _admin()
        try:
            auth.create_account(name, role=role, password=pw)
        except ClspdGeoError as err:
            st.error(str(err))
        else:
            _record(name, f"création ({roles.get(role, role)})")
            st.success(f"Compte « {safe.md(name)} » créé.")
with right:
    st.subheader("Gérer un compte")
    names = [a.username for a in accounts]
    who = st.selectbox("Compte", names, key="admin.who") if names else None
    if who:
        acc = next(a for a in accounts if a.username == who)
        c1, c2, c3 = st.columns(3)
        if c1.button("Désactiver" if not acc.disabled else "Réactiver", key="admin.toggle"):
            _admin()
            auth.set_disabled(who, not acc.disabled)
            _record(who, "réactivation" if acc.disabled else "désactivation")
            st.success(f"Compte « {safe.md(who)} » "
                       f"{'réactivé' if acc.disabled else 'désactivé'}.")
        if c2.button("Débloquer", key="admin.unlock", disabled=who not in locks,
                     help="Lève le verrouillage après trop d'échecs de connexion."):
            _admin()
            auth.unlock(who)
            _record(who, "déblocage")
            st.success(f"Compte « {safe.md(who)} » débloqué : il peut se reconnecter.")
        if c3.button("Nouveau mot de passe", key="admin.reset",
                     help="Crée un mot de passe provisoire et ferme les sessions du compte."):
            _admin()
            temp = auth.reset_password(who)
            _record(who, "réinitialisation du mot de passe")
            st.success(f"Mot de passe provisoire de « {safe.md(who)} » : `{temp}`. "
                       "Transmettez-le par un canal sûr ; il ne sera plus affiché.")
        with st.form("admin.role_form"):
            new_role = st.selectbox("Nouveau rôle", list(roles), format_func=roles.get,
                                    index=list(roles).index(acc.role) if acc.role in roles
                                    else 0, key="admin.new_role")
            if st.form_submit_button("Changer le rôle"):
                if new_role == acc.role:
                    st.info(f"« {safe.md(who)} » a déjà le rôle {roles[new_role]}.")
                else:
                    _admin()
                    auth.set_role(who, new_role)
                    _record(who, f"rôle : {roles.get(acc.role, acc.role)} → {roles[new_role]}")
                    st.success(f"« {safe.md(who)} » a maintenant le rôle {roles[new_role]} "
                               "(dès sa prochaine action).")


def journal_section() -> None:
    """Draw the journal filters, the filtered journal and its CSV export."""
    today = dt.date.today()
    f1, f2, f3 = st.columns(3)
    since = f1.selectbox("Période", [7, 30, 365, 0], key="admin.journal_days",
                         format_func=lambda d: f"{d} derniers jours" if d else "Tout le journal")
    account = f2.selectbox("Compte", [""] + sorted({*names, "-"}), key="admin.journal_who",
                           format_func=lambda u: {"": "Tous les comptes",
                                                  "-": "Aucun (échec de connexion)"}.get(u, u))
    action = f3.selectbox("Action", [""] + list(audit.ACTIONS), key="admin.journal_action",
                          format_func=lambda a: audit.ACTIONS.get(a, "Toutes les actions"))
    start = today - dt.timedelta(days=since - 1) if since else None
    raw = audit.search(start=start, username=account or None, action=action or None)
    journal = audit.journal_table(raw, role_labels=roles, page_labels=vocab.PAGE_TITLES)
    st.caption(f"{_format.count(len(journal), 'événement')}"
               + (f" depuis le {_format.date(start)}." if start else "."))
    widgets.table(journal.head(500), hide_index=True, width="stretch")
    session.download_button("Exporter le journal (CSV)", lambda: safe.csv_bytes(journal),
                            file_name=f"journal-{today.isoformat()}.csv", mime="text/csv",
                            key="admin.journal_csv", disabled=journal.empty)


panels.lazy_section("Journal des consultations et des exports", journal_section,
                    key="admin.open.journal", icon=":material/history:")

st.header("Conservation des faits")
try:
    days = audit.retention_days()
except ClspdGeoError as err:
    widgets.show_error(err)
st.write(f"Les faits plus anciens que {_format.number(days)} jours sont supprimés "
         "automatiquement (réglage CLSPD_RETENTION_DAYS, fixé par délibération).")

panels.lazy_section("Matrice de visibilité des rôles",
                    lambda: widgets.table(view.matrix_table(), hide_index=True),
                    key="admin.open.matrix", icon=":material/grid_on:")
