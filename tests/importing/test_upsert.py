"""« Ajouter / mettre à jour »: the incidents import by identifier, on both stores.

The same CSV imports go through the command line (and the pipeline) into a GeoPackage and
into a PostGIS database started by the fixtures: a re-import of the same month changes
nothing, corrections and new rows land in one transaction, a failure in the middle of
that transaction leaves the points, the release atoms and the version as they were.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clspd_geo import store as store_mod
from clspd_geo.cli import main as cli
from clspd_geo.errors import SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions
from clspd_geo.store import atoms

HEADER = "id,date_heure,categorie,lon,lat"
JANUARY = [f"J{i},2024-01-{1 + i:02d} 22:10,{cat},{2.33 + i * 0.004:.4f},48.85"
           for i, cat in enumerate(["tapage", "rixe", "tapage", "vol_vehicule"])]


def _csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, tmp_path: Path) -> str:
    """Where the imports write: a GeoPackage path, or a PostGIS URL (tables emptied)."""
    if request.param == "gpkg":
        return str(tmp_path / "clspd.gpkg")
    return request.getfixturevalue("pg_store").url


def _state(target: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    st = store_mod.open_store(target)
    inc = st.read("incidents", columns=["incident_id", "occurred_at", "category"])
    inc = inc.drop(columns="geometry").sort_values("incident_id").reset_index(drop=True)
    return inc, atoms.sort_atoms(st.incident_atoms(epsg=2154)), st.version()


def test_reimporting_the_same_month_changes_nothing(target: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    month = _csv(tmp_path / "faits-2024-01.csv", JANUARY)
    # No mode given: the natural one for incidents, add / update by identifier.
    assert cli.main(["import", "incidents", str(month), "--store", target]) == 0
    assert "4 lignes : 4 ajoutées ou mises à jour, 0 identique" in capsys.readouterr().out
    before = _state(target)
    assert cli.main(["import", "incidents", str(month), "--store", target]) == 0
    out = capsys.readouterr().out
    assert "0 ajoutée ou mise à jour, 4 identiques à la base" in out
    after = _state(target)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    assert after[2] == before[2]  # not even the version moved: the app's caches stay warm


def test_corrections_and_new_rows_land_together(target: str, tmp_path: Path) -> None:
    pipeline.run("incidents", [_csv(tmp_path / "a.csv", JANUARY)], store_path=target,
                 options=ImportOptions(mode="upsert"))
    fixed = [JANUARY[0].replace("tapage", "rixe"), *JANUARY[1:],
             "F1,2024-02-03 08:00,tapage,2.35,48.86"]
    report = pipeline.run("incidents", [_csv(tmp_path / "b.csv", fixed)], store_path=target,
                          options=ImportOptions(mode="upsert"))
    assert report.changed == {"incidents": 2} and report.written == {"incidents": 5}
    inc, got, _ = _state(target)
    assert inc.set_index("incident_id").loc["J0", "category"] == "rixe"
    assert got["n"].sum() == 5
    assert got.loc[got["category"] == "rixe", "n"].sum() == 2
    source = store_mod.open_store(target).source_of("incidents").source
    assert "a.csv (import « incidents »" in source and " + b.csv (import" in source


def test_a_failure_mid_transaction_leaves_points_atoms_and_version(
        target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from clspd_geo.store import gpkg_sql, postgis_incidents

    pipeline.run("incidents", [_csv(tmp_path / "a.csv", JANUARY)], store_path=target,
                 options=ImportOptions(mode="upsert"))
    before = _state(target)
    changed = [line.replace("tapage", "vol_vehicule") for line in JANUARY]
    changed.append("N1,2024-03-01 12:00,rixe,2.34,48.85")
    # The rows are written into the table, then the transaction fails before committing.
    module = postgis_incidents if target.startswith("postgresql") else gpkg_sql
    real = module.insert_staged

    def insert_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("coupure simulée au milieu de la transaction")

    monkeypatch.setattr(module, "insert_staged", insert_then_fail)
    with pytest.raises(RuntimeError, match="coupure simulée"):
        pipeline.run("incidents", [_csv(tmp_path / "b.csv", changed)], store_path=target,
                     options=ImportOptions(mode="upsert"))
    after = _state(target)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    assert after[2] == before[2]


def test_upsert_is_refused_for_kinds_without_it(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="ne concerne que les faits"):
        pipeline.prepare("cameras", [_csv(tmp_path / "c.csv", JANUARY)],
                         options=ImportOptions(mode="upsert"))
