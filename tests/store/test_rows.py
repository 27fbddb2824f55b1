"""Row edits of a layer (clspd_geo.store.rows): row versions, conflicts, apply, new ids."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from clspd_geo.errors import RowConflictError, SchemaError
from clspd_geo.store import rows


def facilities(*items: tuple[str, str, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"facility_id": [i for i, _, _ in items],
                             "name": [n for _, n, _ in items],
                             "kind": ["mairie"] * len(items)},
                            geometry=[Point(x, 48.85) for _, _, x in items], crs=4326)


def test_row_versions_change_with_a_value_or_the_geometry_only() -> None:
    base = rows.row_versions(facilities(("F1", "Mairie", 2.35), ("F2", "Annexe", 2.36)),
                             "equipements")
    assert sorted(base) == ["F1", "F2"] and all(len(v) == 16 for v in base.values())
    assert rows.row_versions(facilities(("F1", "Mairie", 2.35), ("F2", "Annexe", 2.36)),
                             "equipements") == base
    renamed = rows.row_versions(facilities(("F1", "Hôtel de ville", 2.35),
                                           ("F2", "Annexe", 2.36)), "equipements")
    assert renamed["F1"] != base["F1"] and renamed["F2"] == base["F2"]
    moved = rows.row_versions(facilities(("F1", "Mairie", 2.351), ("F2", "Annexe", 2.36)),
                              "equipements")
    assert moved["F1"] != base["F1"]
    assert rows.row_versions(facilities(), "equipements") == {}


def test_row_dict_plain_values_and_wkt() -> None:
    gdf = facilities(("F1", "Mairie", 2.5))
    assert rows.row_dict(gdf, "equipements", "F1") == {
        "facility_id": "F1", "name": "Mairie", "kind": "mairie", "geometry": "POINT (2.5 48.85)"}
    assert rows.row_dict(gdf, "equipements", "F9") is None


def test_check_rows_refuses_a_row_changed_meanwhile() -> None:
    shown = facilities(("F1", "Mairie", 2.35), ("F2", "Annexe", 2.36))
    versions = rows.row_versions(shown, "equipements")
    mine = facilities(("F1", "Mairie (centre)", 2.35))
    edit = rows.RowEdits("equipements", mine, deletes=("F2",), base_versions=versions)
    assert edit.touched == ["F1", "F2"]
    rows.check_rows(shown, edit)  # nothing changed since: accepted
    now = facilities(("F1", "Mairie rénovée", 2.35), ("F2", "Annexe", 2.36))
    with pytest.raises(RowConflictError, match="« F1 » a été modifiée entre-temps par elu "
                       "le 2026-01-02") as info:
        rows.check_rows(now, edit, authors={"F1": ("elu", "2026-01-02")})
    err = info.value
    assert (err.layer, err.row_id, err.by) == ("equipements", "F1", "elu")
    assert err.mine["name"] == "Mairie (centre)" and err.theirs["name"] == "Mairie rénovée"
    assert err.expected == versions["F1"] != err.current


def test_check_rows_new_row_must_still_be_new() -> None:
    edit = rows.RowEdits("equipements", facilities(("F3", "Nouveau", 2.4)))
    rows.check_rows(facilities(("F1", "Mairie", 2.35)), edit)
    with pytest.raises(RowConflictError, match="un autre utilisateur ou un import"):
        rows.check_rows(facilities(("F3", "Déjà là", 2.4)), edit)


def test_apply_rows_replaces_adds_and_deletes() -> None:
    current = facilities(("F1", "Mairie", 2.35), ("F2", "Annexe", 2.36))
    edit = rows.RowEdits("equipements", facilities(("F1", "Mairie bis", 2.35),
                                                    ("F3", "Nouveau", 2.4)), deletes=("F2",))
    out = rows.apply_rows(current, edit)
    assert out[["facility_id", "name"]].values.tolist() == [["F1", "Mairie bis"],
                                                            ["F3", "Nouveau"]]
    assert out.crs.to_epsg() == 4326
    emptied = rows.apply_rows(current, rows.RowEdits("equipements", facilities(),
                                                      deletes=("F1", "F2")))
    assert emptied.empty


def test_check_new_ids() -> None:
    rows.check_new_ids(["F1"], facilities(("F2", "A", 2.3)), "equipements")
    rows.check_new_ids(["F1"], facilities(), "equipements")  # nothing to append
    with pytest.raises(SchemaError, match=r"1 identifiant de « facility_id » existe "
                       r"déjà dans la couche « equipements » \(par ex. F1\)"):
        rows.check_new_ids([1, "F1"], facilities(("F1", "A", 2.3), ("F2", "B", 2.3)),
                           "equipements")


def test_conflict_message_names_who_and_when() -> None:
    assert rows.conflict_message("A1", by=None, at=None).startswith(
        "L'action « A1 » a été modifiée entre-temps par un autre utilisateur ou un import :")
