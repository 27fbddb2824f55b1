"""Tests of the command line: ``python -m clspd_geo demo``."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clspd_geo import demo
from clspd_geo.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
N = 2_000


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "clspd_geo", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run the demo command once in a subprocess; return the store path and the result."""
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "valbourg.gpkg"
    result = _run("demo", "--store", str(path), "--incidents", str(N), "--seed", "4",
                  cwd=folder)
    return path, result


def test_demo_command_writes_every_layer(written):
    path, result = written
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Territoire de démonstration fictif (graine 4)" in result.stdout
    assert "Durée" in result.stdout
    for name in demo.LAYER_NAMES:
        assert name in result.stdout
    con = sqlite3.connect(path)
    try:
        rows = dict(con.execute(
            "SELECT table_name, srs_id FROM gpkg_contents WHERE data_type = 'features'"))
        assert set(rows) == set(demo.LAYER_NAMES)
        assert set(rows.values()) == {4326}
        for name in demo.LAYER_NAMES:
            n = con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            assert n > 0, name
        assert con.execute('SELECT COUNT(*) FROM "incidents"').fetchone()[0] == N
    finally:
        con.close()


def test_geopackage_metadata_for_qgis(written):
    path, _ = written
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"} <= tables
        srs = {r[0] for r in con.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
        assert 4326 in srs
        geom_cols = {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns")}
        assert set(geom_cols) == set(demo.LAYER_NAMES)
        assert {srs_id for _, srs_id in geom_cols.values()} == {4326}
        for name, (column, _) in geom_cols.items():
            assert f"rtree_{name}_{column}" in tables, name
            n_index = con.execute(f'SELECT COUNT(*) FROM "rtree_{name}_{column}"').fetchone()[0]
            n_rows = con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            assert n_index == n_rows, name
        extensions = {r[0] for r in con.execute(
            "SELECT extension_name FROM gpkg_extensions")}
        assert "gpkg_rtree_index" in extensions
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_refuses_to_overwrite_without_force(written, capsys):
    path, _ = written
    before = _digest(path)
    assert cli.main(["demo", "--store", str(path), "--incidents", "50"]) == 2
    err = capsys.readouterr().err
    assert "existe déjà" in err and "--force" in err
    assert _digest(path) == before


def test_force_replaces_a_geopackage(tmp_path, capsys):
    path = tmp_path / "store.gpkg"
    assert cli.main(["demo", "--store", str(path), "--incidents", "40"]) == 0
    assert cli.main(["demo", "--store", str(path), "--incidents", "60", "--seed", "9",
                     "--force"]) == 0
    out = capsys.readouterr().out
    assert "graine 9" in out
    con = sqlite3.connect(path)
    try:
        assert con.execute('SELECT COUNT(*) FROM "incidents"').fetchone()[0] == 60
        sources = {r[0] for r in con.execute("SELECT source FROM clspd_provenance")}
    finally:
        con.close()
    assert sources == {demo.source_label(9)}


def test_refuses_a_csv_renamed_gpkg_even_with_force(tmp_path, capsys):
    path = tmp_path / "faux.gpkg"
    path.write_text("incident_id;categorie\nA1;tapage\n", encoding="utf-8")
    before = _digest(path)
    assert cli.main(["demo", "--store", str(path), "--incidents", "50"]) == 2
    assert "existe déjà" in capsys.readouterr().err
    result = _run("demo", "--store", str(path), "--incidents", "50", "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "n'est pas un GeoPackage" in result.stderr
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faux.gpkg"]


def test_refuses_a_foreign_sqlite_database_with_force(tmp_path, capsys):
    path = tmp_path / "autre.gpkg"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.commit()
    con.close()
    before = _digest(path)
    assert cli.main(["demo", "--store", str(path), "--force", "--incidents", "30"]) == 2
    err = capsys.readouterr().err
    assert "pas un GeoPackage" in err
    assert _digest(path) == before


@pytest.mark.parametrize(("args", "expected"), [
    (["demo", "--store", "x.gpkg", "--incidents", "-5"], "nombre d'incidents"),
    (["demo", "--store", "x.gpkg", "--incidents", "0"], "nombre d'incidents"),
    (["demo", "--store", "x.gpkg", "--incidents", "beaucoup"], "nombre entier"),
    (["demo", "--store", "x.gpkg", "--seed", "-1"], "graine"),
    (["demo"], "obligatoire"),
    (["demo", "--store"], "attend une valeur"),
    (["demo", "--store", "x.gpkg", "--nimportequoi"], "inconnu"),
    (["inconnue"], "n'est pas une commande connue"),
    ([], "obligatoire"),
])
def test_bad_arguments_exit_2_in_french(tmp_path, monkeypatch, capsys, args, expected):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert "erreur" in captured.err
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_store_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "dossier.gpkg"
    folder.mkdir()
    assert cli.main(["demo", "--store", str(folder), "--force", "--incidents", "30"]) == 2
    assert "dossier" in capsys.readouterr().err


def test_help_is_french(capsys):
    assert cli.main(["demo", "--help"]) == 0
    out = capsys.readouterr().out
    assert "utilisation" in out and "--incidents" in out and "graine" in out


def test_subcommands_are_registered_by_small_functions():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "demo" in sub.choices
    assert len(sub.choices) == len(cli.COMMANDS)


def test_unwritable_place_is_a_french_error(tmp_path, capsys):
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "sous" / "store.gpkg"
    assert cli.main(["demo", "--store", str(target), "--incidents", "30"]) == 2
    err = capsys.readouterr().err
    # The store or the command line explains it, in French, and names the place.
    assert err.startswith("Erreur") and "sous" in err and "dossier" in err
    assert "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "x"
