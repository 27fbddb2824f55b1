"""clspd_geo.screens.plan: saving the edited action plan, for the roles that may edit it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clspd_geo import demo
from clspd_geo.access import audit, policy
from clspd_geo.access.view import RoleView
from clspd_geo.errors import RowConflictError
from clspd_geo.plan import actions
from clspd_geo.screens import plan
from clspd_geo.store import GeoPackageStore

FIELD = "jeunesse"


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    # This module writes: its own store, and an audit trail of its own.
    monkeypatch.setenv("CLSPD_AUDIT", str(tmp_path / "audit.sqlite"))
    s = GeoPackageStore(tmp_path / "demo.gpkg", create=True)
    s.write_many(demo.build_demo(seed=1, n_incidents=3000), source=demo.source_label(1))
    return s


def _with_new_action(view: RoleView) -> pd.DataFrame:
    ed = actions.editor_frame(view.layer("actions"), FIELD)
    new = {c: None for c in actions.EDITOR_COLUMNS}
    new.update(title="Permanence au collège (test)", lead_partner="associations",
               partners=["justice"], status="prevue",
               quartier_id=str(view.layer("quartiers")["quartier_id"].iloc[0]),
               start_on=dt.date(2026, 12, 1))
    return pd.concat([ed, pd.DataFrame([new])], ignore_index=True)


def test_police_saves_an_added_action(own_store):
    view = RoleView(own_store, "police")
    before = actions.for_field(view.layer("actions"), FIELD)
    n = plan.save_plan(view, FIELD, _with_new_action(view), user="agent.test")
    assert n == len(before) + 1
    stored = own_store.read("actions")
    assert "Permanence au collège (test)" in set(stored["title"])
    assert int((stored["field"] == FIELD).sum()) == n
    # Other fields' actions are kept as they were.
    assert len(stored) == len(view.layer("actions")) + 1
    trail = audit.events()
    assert ((trail["Qui"] == "agent.test") & (trail["Objet"] == f"plan d'action : {FIELD}")).any()


def test_public_may_not_save(own_store):
    view = RoleView(own_store, "public")
    before = own_store.read("actions")
    version = own_store.version()
    with pytest.raises(policy.AccessError, match="ne peut pas modifier"):
        plan.save_plan(view, FIELD, _with_new_action(view), user="visiteur")
    assert own_store.version() == version
    pd.testing.assert_frame_equal(own_store.read("actions"), before)


def test_a_save_prepared_before_another_one_is_a_conflict_on_the_same_row(own_store):
    # Two editors drew the editor from the same plan; the first saves a new title of the
    # first action. The second's save is checked against the plan *it* was drawn from
    # (``base``), although its view is already at the first one's version.
    drawn = RoleView(own_store, "police")
    base = drawn.layer("actions")
    first = actions.editor_frame(base, FIELD)
    first.loc[0, "title"] = "Titre du premier"
    plan.save_plan(drawn, FIELD, first, user="premier")
    after_first = own_store.read("actions")
    second = actions.editor_frame(base, FIELD)
    second.loc[0, "title"] = "Titre du second"
    now = RoleView(own_store, "police", version=own_store.version())
    with pytest.raises(RowConflictError, match="modifiée entre-temps par premier") as err:
        plan.save_plan(now, FIELD, second, user="second", base=base)
    assert err.value.mine["title"] == "Titre du second"
    assert err.value.theirs["title"] == "Titre du premier"
    pd.testing.assert_frame_equal(own_store.read("actions"), after_first)
