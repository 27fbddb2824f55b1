"""The police commands (clspd_geo.cli.police): ``sectors`` and ``patrol-brief``."""

from __future__ import annotations

import json

import pytest

from clspd_geo.cli import main as cli


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from clspd_geo import demo
    from clspd_geo.store import open_store
    path = tmp_path_factory.mktemp("police") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=3, n_incidents=4000)
    return path


def test_cli_sectors_redesign_writes_the_proposal(demo_store, capsys):
    import json

    from clspd_geo import store
    from clspd_geo.cli import main as cli
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["current"]["n_sectors"] == 3
    assert out["proposal"]["n_sectors"] == 4
    assert out["proposal"]["cv"] < out["current"]["cv"]
    assert 0 < out["proposal"]["polsby_popper_mean"] <= 1
    layer = store.open_store(demo_store).read("secteurs_proposes")
    assert len(layer) == 4 and set(layer["force"]) == {"police_nationale"}
    assert cli.main(["sectors", "--store", str(demo_store)]) == 0
    text = capsys.readouterr().out
    assert "Secteurs actuels (Police nationale) : 3 secteurs, CV de la charge" in text


def test_cli_sectors_errors_are_french_with_exit_2(demo_store, capsys):
    from clspd_geo.cli import main as cli
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "0"]) == 2
    assert "au moins 1" in capsys.readouterr().err
    assert cli.main(["sectors", "--store", str(demo_store), "--redesign", "5000",
                     "--blocks", "quartiers"]) == 2
    assert "îlots à regrouper" in capsys.readouterr().err
    assert cli.main(["sectors", "--store", str(demo_store / "absent.gpkg")]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_cli_patrol_brief_writes_the_page(tmp_path, capsys):
    from clspd_geo import demo
    from clspd_geo.cli import main as cli
    from clspd_geo.store import open_store
    path = tmp_path / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=2, n_incidents=4000)
    out = tmp_path / "fiche.html"
    assert cli.main(["patrol-brief", "--store", str(path), "--sector", "PM-1", "--shift",
                     "nuit", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "PM-1" in capsys.readouterr().out
    assert cli.main(["patrol-brief", "--store", str(path), "--sector", "PM-1", "--shift",
                     "soir", "--out", str(out)]) == 2
    assert "« soir » n'existe pas" in capsys.readouterr().err
    pdf = tmp_path / "fiche.pdf"
    assert cli.main(["patrol-brief", "--store", str(path), "--sector", "PM-1", "--shift",
                     "nuit", "--out", str(pdf)]) == 0
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    assert "Fiche de patrouille" in reader.pages[0].extract_text()


def test_cli_sectors_json_counts_every_incident_of_the_force(tmp_path, capsys):
    import geopandas as gpd

    from clspd_geo import demo
    from clspd_geo.access.view import RoleView
    from clspd_geo.store import GeoPackageStore
    path = tmp_path / "s.gpkg"
    demo.install(GeoPackageStore(path, create=True), seed=1, n_incidents=500)
    assert cli.main(["sectors", "--store", str(path), "--force", "police_municipale",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["force"] == "police_municipale" and "proposal" not in out
    view = RoleView(GeoPackageStore(path), "police", operator=True)
    sect = view.layer("secteurs")
    mine = sect[sect["force"] == "police_municipale"]
    inc = view.incident_points(timed=True)
    inside = gpd.sjoin(inc.to_crs(2154), mine.to_crs(2154)[["sector_id", "geometry"]],
                       predicate="within")
    counted = {s["sector_id"]: s["n_incidents"] for s in out["current"]["sectors"]}
    assert counted == inside["sector_id"].value_counts().reindex(
        sorted(mine["sector_id"]), fill_value=0).to_dict()
    assert out["current"]["n_sectors"] == len(mine)
    assert all(0 < s["polsby_popper"] <= 1 for s in out["current"]["sectors"])


@pytest.mark.parametrize(("args", "message"), [
    (["--cell-m", "0"], "nombre strictement positif attendu (reçu 0)"),
    (["--cell-m", "x"], "nombre attendu (reçu « x »)"),
    (["--redesign", "deux"], "option --redesign"),
    (["--role", "roi"], "« roi »"),
])
def test_cli_sectors_bad_arguments(tmp_path, capsys, args, message):
    assert cli.main(["sectors", "--store", str(tmp_path / "s.gpkg"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Aide : python -m clspd_geo sectors --help" in err


def test_cli_patrol_brief_refuses_a_folder(demo_store, tmp_path, capsys):
    assert cli.main(["patrol-brief", "--store", str(demo_store), "--sector", "PM-1",
                     "--shift", "nuit", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"« {tmp_path} » est un dossier : indiquez un nom de "
                                       "fichier .pdf ou .html.\n")
    assert list(tmp_path.iterdir()) == []
