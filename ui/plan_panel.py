"""The CLSPD action plan on the pages: the field's actions on the map, in a table, and
their editor for the roles that may edit (checked by the role view at the moment of saving)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from clspd_geo import vocab
from clspd_geo.access.view import RoleView
from clspd_geo.errors import ClspdGeoError, RowConflictError
from clspd_geo.maps import base as map_base, field_layers
from clspd_geo.plan import actions
from clspd_geo.screens import plan as plan_screen
from ui import data, session, widgets


def actions_layer(view: RoleView, *, field: str, m: folium.Map | None = None
                  ) -> map_base.MapLayer:
    """Return the layer of the field's placed actions (added to ``m`` when any is placed)."""
    plan = actions.for_field(view.layer("actions"), field)
    return field_layers.actions_layer(plan, name="Actions du plan (CLSPD)", m=m)


def edited_plan(field: str, plan: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the field's editor table with the edits held in the editor's widget state."""
    out = actions.editor_frame(plan, field).astype(object)
    state = st.session_state.get(f"{field}.plan_editor") or {}
    for row, changes in (state.get("edited_rows") or {}).items():
        for col, value in changes.items():
            out.at[int(row), col] = value
    deleted = [int(r) for r in state.get("deleted_rows") or []]
    out = out.drop(index=[r for r in deleted if r in out.index])
    added = [{c: r.get(c) for c in actions.EDITOR_COLUMNS} for r in state.get("added_rows") or []]
    if added:
        out = pd.concat([out, pd.DataFrame(added, columns=list(actions.EDITOR_COLUMNS))],
                        ignore_index=True)
    return out.reset_index(drop=True)


def conflict_table(err: RowConflictError) -> pd.DataFrame:
    """Return the two versions of a row edited by two people at once, side by side."""
    mine, theirs = err.mine or {}, err.theirs or {}
    rows = [{"Champ": actions.EDITOR_LABELS.get(col, col),
             "Votre version": "" if mine.get(col) is None else str(mine.get(col)),
             "Version enregistrée entre-temps": "" if theirs.get(col) is None
             else str(theirs.get(col))}
            for col in actions.EDITOR_COLUMNS if col in mine or col in theirs]
    return pd.DataFrame(rows)


def _save(field: str) -> None:
    """Write the edited plan: the save button's callback.

    A callback runs before the page and before the login gate of the run, so it checks the
    session and the account again now: an expired session or a disabled account writes
    nothing. The role view (of the account's current role) refuses roles that may not edit.
    """
    acc = session.current_account()
    if acc is None:
        st.session_state[f"{field}.plan_message"] = (
            "error", "Votre session a expiré ou votre compte a été désactivé : rien n'a été "
                     "enregistré. Reconnectez-vous, vos modifications sont gardées.")
        return
    view = data.view(role=acc.role)
    try:
        n = plan_screen.save_plan(view, field, edited_plan(field, view.layer("actions")),
                                  user=acc.username)
    except RowConflictError as err:
        # Both versions are shown; the editor keeps what was typed.
        st.session_state[f"{field}.plan_message"] = ("error", str(err))
        st.session_state[f"{field}.plan_conflict"] = conflict_table(err)
        return
    except ClspdGeoError as err:
        # The editor keeps what was typed: the user corrects it or saves again.
        st.session_state[f"{field}.plan_message"] = ("error", str(err))
        return
    st.session_state.pop(f"{field}.plan_editor", None)  # the edits are now in the plan
    st.session_state[f"{field}.plan_message"] = (
        "success", f"Plan d'action enregistré : {n} action(s) pour ce champ.")


def action_plan(view: RoleView, field: str) -> None:
    """Draw the field's actions of the CLSPD plan, and their editor for the roles allowed."""
    st.subheader("Plan d'action du CLSPD : actions de ce champ")
    plan = view.layer("actions")
    mine = actions.for_field(plan, field)
    editor = view.may_edit("actions")
    if mine.empty:
        st.info("Aucune action de ce champ n'est inscrite au plan d'action. "
                + ("Ajoutez-en ci-dessous." if editor else ""), icon=":material/info:")
    else:
        widgets.table(actions.display_table(mine, view.layer("quartiers")), hide_index=True,
                     width="stretch")
        st.caption(actions.status_sentence(mine))
    message = st.session_state.pop(f"{field}.plan_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    conflict = st.session_state.pop(f"{field}.plan_conflict", None)
    if conflict is not None:
        widgets.table(conflict, hide_index=True, width="stretch")
    if editor:
        _editor(view, field, plan)


def _editor(view: RoleView, field: str, plan: gpd.GeoDataFrame) -> None:
    quartiers = view.layer("quartiers")
    names = dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
    labels = {p.code: p.label for p in vocab.PARTNERS}
    lab = actions.EDITOR_LABELS
    cc = st.column_config
    with st.expander("Modifier les actions de ce champ", icon=":material/edit:"):
        st.caption("Ajoutez une ligne en bas du tableau, modifiez une cellule, ou supprimez "
                   "une ligne ; rien n'est écrit avant « Enregistrer ». Le point (longitude, "
                   "latitude en degrés) est facultatif : une action peut ne viser qu'un "
                   "quartier, ou tout le territoire.")
        with st.form(f"{field}.plan_form", border=False):
            st.data_editor(
                actions.editor_frame(plan, field), key=f"{field}.plan_editor",
                num_rows="dynamic", hide_index=True, width="stretch",
                column_config={
                    "action_id": cc.TextColumn(lab["action_id"], disabled=True),
                    "title": cc.TextColumn(lab["title"], required=True),
                    "lead_partner": cc.SelectboxColumn(lab["lead_partner"], options=list(labels),
                                                       format_func=labels.get, required=True),
                    "partners": cc.MultiselectColumn(lab["partners"], options=list(labels),
                                                     format_func=labels.get),
                    "quartier_id": cc.SelectboxColumn(lab["quartier_id"], options=list(names),
                                                      format_func=names.get),
                    "place": cc.TextColumn(lab["place"]),
                    "status": cc.SelectboxColumn(lab["status"], options=list(actions.STATUSES),
                                                 format_func=actions.STATUSES.get,
                                                 required=True),
                    "start_on": cc.DateColumn(lab["start_on"], format="DD/MM/YYYY"),
                    "end_on": cc.DateColumn(lab["end_on"], format="DD/MM/YYYY"),
                    "indicator": cc.TextColumn(lab["indicator"]),
                    "lon": cc.NumberColumn(lab["lon"], format="%.5f"),
                    "lat": cc.NumberColumn(lab["lat"], format="%.5f"),
                })
            st.form_submit_button("Enregistrer le plan d'action", type="primary",
                                  on_click=_save, args=(field,))


def action_plan_overview(view: RoleView) -> None:
    """Draw the whole plan by status (overview page)."""
    st.subheader("Plan d'action du CLSPD")
    plan = view.layer("actions")
    st.write(actions.status_sentence(plan))
    if plan.empty:
        return
    widgets.table(actions.by_status(plan), width="stretch")
    quartiers = view.layer("quartiers")
    for code, label in actions.STATUSES.items():
        rows = plan[plan["status"] == code]
        if len(rows):
            with st.expander(f"{label} ({len(rows)})"):
                widgets.table(actions.display_table(rows, quartiers, with_field=True)
                             .drop(columns=["Statut"]), hide_index=True, width="stretch")
