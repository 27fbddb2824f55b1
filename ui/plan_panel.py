"""The CLSPD action plan on the pages: the field's actions on the map, in a table, and
their editor for the roles that may edit (checked by the role view at the moment of saving)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from clspd_geo import _format, safe, vocab
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


def _editor_key(field: str) -> str:
    # A new key after each conflict: the editor is then drawn from the draft (what was
    # typed) with no stale edits of the browser applied on top of it.
    n = st.session_state.get(f"{field}.plan_round", 0)
    return f"{field}.plan_editor" if not n else f"{field}.plan_editor.{n}"


def _editor_data(field: str, plan: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return what the editor shows: the plan's rows, or the draft kept after a conflict."""
    draft = st.session_state.get(f"{field}.plan_draft")
    if draft is None:
        return actions.editor_frame(plan, field)
    out = draft.copy()
    for col in ("start_on", "end_on"):
        out[col] = pd.to_datetime(out[col], errors="coerce").dt.date
    for col in ("lon", "lat"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def edited_plan(field: str, plan: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the field's editor table with the edits held in the editor's widget state."""
    out = _editor_data(field, plan).astype(object)
    state = st.session_state.get(_editor_key(field)) or {}
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


def _keep_draft(field: str, edited: pd.DataFrame) -> None:
    """Draw the editor from ``edited`` from now on, under a new key (no stale edits on it)."""
    st.session_state.pop(_editor_key(field), None)
    st.session_state[f"{field}.plan_draft"] = edited
    st.session_state[f"{field}.plan_round"] = st.session_state.get(f"{field}.plan_round", 0) + 1


def _save(field: str) -> None:
    """Write the edited plan: the save button's callback.

    A callback runs before the page and before the login gate of the run, so it checks the
    session and the account again now (:func:`ui.session.writer`): an expired session or a
    disabled account writes nothing. The role view (of the account's current role) refuses
    roles that may not edit. The edits are applied to the plan the editor was drawn from.
    """
    # The plan the editor was drawn from: a row another editor saved since then is a
    # conflict on that row, not a silent overwrite (the view is already at their version).
    base = st.session_state.get(f"{field}.plan_base")
    acc = session.writer(kept="Vos modifications du plan d'action sont gardées : rouvrez "
                              "la page pour les enregistrer.")
    if acc is None:
        if base is not None:  # kept as a draft, beyond the editor's widget state
            _keep_draft(field, edited_plan(field, base))
        return
    view = data.view(role=acc.role)
    base = view.layer("actions") if base is None else base
    edited = edited_plan(field, base)
    try:
        n = plan_screen.save_plan(view, field, edited, user=acc.username, base=base)
    except RowConflictError as err:
        # Both versions are shown; the editor is drawn again from what was typed, over
        # the plan as it is now: saving again then writes it, knowingly.
        st.session_state[f"{field}.plan_message"] = ("error", str(err))
        st.session_state[f"{field}.plan_conflict"] = conflict_table(err)
        _keep_draft(field, edited)
        return
    except ClspdGeoError as err:
        # The editor keeps what was typed: the user corrects it or saves again.
        st.session_state[f"{field}.plan_message"] = ("error", str(err))
        return
    st.session_state.pop(_editor_key(field), None)  # the edits are now in the plan
    st.session_state.pop(f"{field}.plan_draft", None)
    st.session_state[f"{field}.plan_message"] = (
        "success", f"Plan d'action enregistré : {_format.count(n, 'action')} pour ce champ.")


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
    if conflict is not None:  # a plain table: both versions readable (and copyable) as text
        st.table(conflict.map(safe.md), hide_index=True)
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
        st.session_state[f"{field}.plan_base"] = plan
        with st.form(f"{field}.plan_form", border=False):
            st.data_editor(
                _editor_data(field, plan), key=_editor_key(field),
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
