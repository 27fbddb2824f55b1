"""The CLSPD action plan: layer, tables by status, checked edits, store round trip, demo plan."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from conftest import make_valid_layers

from clspd_geo import demo, schemas, vocab
from clspd_geo.plan import actions
from clspd_geo.errors import SchemaError
from clspd_geo.store import GeoPackageStore


@pytest.fixture
def layers():
    return make_valid_layers()


def test_statuses_match_the_schema():
    assert tuple(actions.STATUSES) == schemas.ACTION_STATUSES
    assert schemas.schema("actions").geometry_optional
    assert "actions" not in schemas.REQUIRED_LAYERS


def test_an_action_without_point_is_valid_but_other_layers_still_need_one(layers):
    schemas.validate(layers["actions"], "actions")
    inc = layers["incidents"].copy()
    inc.loc[inc.index[0], "geometry"] = None
    with pytest.raises(SchemaError, match="géométrie"):
        schemas.validate(inc, "incidents")


def test_display_table_uses_french_labels_and_orders_by_status(layers):
    t = actions.display_table(layers["actions"], layers["quartiers"], with_field=True)
    assert list(t["Statut"]) == ["Prévue", "En cours"]
    first = t.iloc[1]
    assert first["Champ d'action"] == vocab.action_field("jeunesse").short
    assert first["Pilote"] == "Maire et élus"
    assert first["Partenaires"] == "Éducation nationale, Associations"
    assert first["Quartier"] == "Nord"
    assert t.iloc[0]["Quartier"] == "Tout le territoire"
    # Dates read « 2 septembre 2024 »; an action with no date shows nothing.
    assert (first["Début"], first["Fin"]) == ("2 septembre 2024", "4 juillet 2025")
    assert t.iloc[0]["Début"] == t.iloc[0]["Fin"] == ""


def test_by_status_counts_per_field(layers):
    t = actions.by_status(layers["actions"])
    assert t.loc["Jeunesse et violences", "En cours"] == 1
    assert t.loc["Sécurité routière", "Prévue"] == 1
    assert t["Total"].sum() == 2
    assert list(actions.by_status(actions.empty()).columns)[-1] == "Total"


def test_status_sentence_counts_and_flags_late_actions(layers):
    s = actions.status_sentence(layers["actions"])
    assert s.startswith("2 actions au plan : 1 en cours, 1 prévues, 0 réalisées")
    if dt.date.today() > dt.date(2025, 7, 4):  # the test frame's action ends that day
        assert "1 action non terminée a dépassé" in s
    assert "plan d'action est vide" in actions.status_sentence(actions.empty())


def test_editor_round_trip_keeps_the_layer(layers):
    a = layers["actions"]
    ed = actions.editor_frame(a, "jeunesse")
    assert list(ed.columns) == list(actions.EDITOR_COLUMNS)
    assert ed["partners"].iloc[0] == ["education_nationale", "associations"]
    assert isinstance(ed["start_on"].iloc[0], dt.date)
    out = actions.apply_edits(a, "jeunesse", ed, quartiers=layers["quartiers"],
                              territoire=layers["territoire"])
    assert len(out) == 2
    mine = out[out["action_id"] == "a1"].iloc[0]
    assert mine["partners"] == "education_nationale;associations"
    assert mine.geometry.distance(a[a["action_id"] == "a1"].geometry.iloc[0]) < 1e-9


def test_adding_changing_and_deleting_rows_of_one_field_only(layers):
    a = layers["actions"]
    ed = actions.editor_frame(a, "jeunesse")
    ed.loc[0, "status"] = "realisee"
    new = {c: None for c in actions.EDITOR_COLUMNS}
    new.update(title="Permanence au collège", lead_partner="associations",
               partners=["justice"], status="prevue", quartier_id="q2",
               start_on=dt.date(2026, 1, 5))
    ed = pd.concat([ed, pd.DataFrame([new])], ignore_index=True)
    ed = pd.concat([ed, pd.DataFrame([{c: None for c in actions.EDITOR_COLUMNS}])],
                   ignore_index=True)  # a blank row, as the editor leaves one
    out = actions.apply_edits(a, "jeunesse", ed, quartiers=layers["quartiers"])
    assert len(out) == 3
    assert set(out.loc[out["field"] == "routier", "action_id"]) == {"a2"}  # untouched
    added = out[out["title"] == "Permanence au collège"].iloc[0]
    assert added["action_id"] == "ACT-jeunesse-001" and added.geometry is None
    assert out.loc[out["action_id"] == "a1", "status"].iloc[0] == "realisee"
    deleted = actions.apply_edits(a, "jeunesse", ed.iloc[0:0], quartiers=layers["quartiers"])
    assert list(deleted["action_id"]) == ["a2"]


def test_bad_edits_are_all_listed_in_one_french_message(layers):
    bad = pd.DataFrame([
        {"action_id": None, "title": "", "lead_partner": None, "partners": ["inconnu"],
         "quartier_id": "q9", "place": None, "status": "peut-etre",
         "start_on": dt.date(2026, 5, 1), "end_on": dt.date(2026, 1, 1), "indicator": None,
         "lon": 2.3, "lat": None},
        {"action_id": None, "title": "Loin", "lead_partner": "maire", "partners": ["x", "y"],
         "quartier_id": None, "place": None, "status": "prevue", "start_on": None,
         "end_on": None, "indicator": None, "lon": -60.0, "lat": 10.0}])
    with pytest.raises(SchemaError) as info:
        actions.apply_edits(layers["actions"], "jeunesse", bad, quartiers=layers["quartiers"],
                            territoire=layers["territoire"])
    msg = str(info.value)
    for part in ("ligne 1 : l'intitulé", "partenaire pilote", "ligne 1 : partenaire inconnu inconnu",
                 "ligne 2 : partenaires inconnus x, y",
                 "quartier « q9 » inconnu", "précède le début", "choisissez un statut",
                 "longitude et la latitude", "ligne 2 : le point", "n'a pas été enregistré"):
        assert part in msg, part


def test_edits_write_to_the_store_and_read_back(tmp_path, layers):
    store = GeoPackageStore(tmp_path / "s.gpkg", create=True)
    store.write("actions", layers["actions"], source="test")
    ed = actions.editor_frame(store.read("actions"), "routier")
    ed.loc[0, "end_on"] = dt.date(2027, 3, 31)
    out = actions.apply_edits(store.read("actions"), "routier", ed)
    store.write("actions", out, source=actions.SOURCE)
    back = store.read("actions")
    assert back.loc[back["action_id"] == "a2", "end_on"].iloc[0] == pd.Timestamp("2027-03-31")
    assert back.loc[back["action_id"] == "a2"].geometry.iloc[0] is None
    assert store.source_of("actions").source == actions.SOURCE


def test_demo_plan_covers_every_field_and_places_every_action():
    layers = demo.build_demo(seed=0, n_incidents=200)
    plan = layers["actions"]
    schemas.validate(plan, "actions")
    assert set(plan["field"]) == {f.code for f in vocab.ACTION_FIELDS}
    assert plan.geometry.notna().all()
    assert set(plan["status"]) == set(actions.STATUSES) - {"suspendue"}
    terr = layers["territoire"].geometry.iloc[0]
    assert plan.geometry.within(terr.buffer(0.001)).all()
    assert isinstance(plan, gpd.GeoDataFrame)
