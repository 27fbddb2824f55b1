"""Saving the CLSPD action plan edited on a field page."""

from __future__ import annotations

import pandas as pd

from clspd_geo.access import audit
from clspd_geo.access.view import RoleView
from clspd_geo.plan import actions


def save_plan(view: RoleView, field: str, edited: pd.DataFrame, *, user: str,
              base: pd.DataFrame | None = None) -> int:
    """Write one field's edited actions into the plan and record it in the audit trail.

    Parameters
    ----------
    view
        The role view of the editor (its role must be allowed to edit ``actions``).
    field
        The action field whose actions were edited; other fields' actions are kept.
    edited
        The field's table of :func:`clspd_geo.plan.actions.editor_frame` after editing.
    user
        The user name recorded in the audit trail.
    base
        The plan the editor was drawn from (default: the view's): a row changed since
        then by someone else is a conflict, even when the view is already at their version.

    Returns
    -------
    int
        The number of actions of the field in the saved plan.

    Raises
    ------
    AccessError
        The role may not edit the plan (nothing is written).
    RowConflictError
        One of the rows edited here changed meanwhile (« modifiée entre-temps par … »,
        both versions on the exception); nothing is written.
    ClspdGeoError
        An edited row is invalid (:func:`clspd_geo.plan.actions.apply_edits`).
    """
    store = view.edit_target("actions")
    # Row by row from the plan the editor was drawn from (the view's version): rows others
    # changed meanwhile are kept, an edit of the same row is refused.
    drawn_from = view.layer("actions") if base is None else base
    actions.save_edits(store, drawn_from, field, edited, by=user,
                       quartiers=view.layer("quartiers"), territoire=view.layer("territoire"))
    audit.record(user, view.role, "modification", f"plan d'action : {field}")
    return int((store.read("actions")["field"] == field).sum())
