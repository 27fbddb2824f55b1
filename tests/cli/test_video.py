"""Tests of the ``siting`` and ``camera-plan`` subcommands on a small demo store."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point

from clspd_geo import demo
from clspd_geo.cli import main as cli
from clspd_geo.store import GeoPackageStore, open_store
from clspd_geo.video import siting


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=3, n_incidents=4000)
    return path


def test_siting_prints_sites_bound_and_gap(demo_store, capsys):
    code = cli.main(["siting", "--store", str(demo_store), "--new", "5", "--candidates",
                     "grille", "--grid-m", "150", "--exact", "--time-limit-s", "30"])
    out = capsys.readouterr().out
    assert code == 0
    assert "[glouton]" in out and "[exact]" in out
    assert "borne" in out and "écart" in out
    assert len([line for line in out.splitlines() if line.strip()[:1].isdigit()]) == 5


def test_siting_json(demo_store, capsys):
    code = cli.main(["siting", "--store", str(demo_store), "--new", "3", "--json",
                     "--candidates", "grille", "--grid-m", "200", "--weights", "gravite",
                     "--min-distance-m", "300"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    res = data["resultats"][0]
    assert res["methode"] == "glouton"
    assert res["couvert_avant"] <= res["couvert_apres"] <= res["borne"] + 1e-9
    assert len(data["sites"]) == 3
    assert all(-180 <= s["lon"] <= 180 and -90 <= s["lat"] <= 90 for s in data["sites"])


def test_siting_weighs_the_released_atoms_by_their_incidents(demo_store, capsys):
    """The video-protection role reads atoms: the demand is the one of their incidents."""
    import datetime as dt

    from clspd_geo import _format
    from clspd_geo.analysis import indicators
    from clspd_geo.cli import access

    view = access.open_view(demo_store, "videoprotection")
    counts = view.counts()
    assert counts["n"].max() > 1
    last = indicators.data_period(counts)[1]
    start = dt.date(last.year, 1, 1)
    code = cli.main(["siting", "--store", str(demo_store), "--new", "2", "--json",
                     "--candidates", "grille", "--grid-m", "300", "--weights", "gravite",
                     "--period", start.isoformat(), last.isoformat(),
                     "--categories", "rixe", "tapage", "cambriolage"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    sel = indicators.Selection(start, last + dt.timedelta(days=1),
                               ("rixe", "tapage", "cambriolage"))
    expected = siting.demand_from_incidents(view.incidents(sel), epsg=view.metric_epsg,
                                            category_weights="gravite")
    assert data["demande"] == expected.description
    assert data["resultats"][0]["poids_total"] == pytest.approx(expected.total)
    n = indicators.count(counts, sel)
    assert n > len(indicators.select(counts, sel))
    assert data["demande"].startswith(f"{_format.number(n)} faits")


@pytest.mark.parametrize(("args", "expected"), [
    (["--budget-eur", "100"], "ne permet pas d'installer une seule caméra"),
    (["--new", "0"], "au moins 1"),
    ([], "--new N"),
    (["--new", "2", "--period", "1990-01-01", "1990-12-31"], "Aucun fait"),
    (["--new", "2", "--candidates", "nulle_part"], "introuvables"),
    (["--new", "500", "--candidates", "grille", "--grid-m", "1000"], "il n'y a que"),
    (["--new", "2", "--demand", "accidents", "--period", "1990-01-01", "1990-12-31"],
     "Aucun accident dans la période"),
    (["--new", "2", "--demand", "accidents", "--categories", "rixe"],
     "--categories ne s'applique pas aux accidents"),
])
def test_siting_bad_input_exits_2_in_french(demo_store, capsys, args, expected):
    code = cli.main(["siting", "--store", str(demo_store), *args])
    assert code == 2
    assert expected in capsys.readouterr().err


def test_siting_candidates_outside_the_territory_is_refused(demo_store, tmp_path, capsys):
    far = tmp_path / "loin.geojson"
    gpd.GeoDataFrame(geometry=[Point(-40.0, 10.0), Point(-41.0, 11.0)], crs=4326).to_file(far)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = cli.main(["siting", "--store", str(demo_store), "--new", "1", "--candidates",
                     str(far)])
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert "Aucun des 2 sites candidats n'est dans le territoire" in out.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_siting_on_accidents_prints_rescored_figures(demo_store, capsys):
    code = cli.main(["siting", "--store", str(demo_store), "--new", "3", "--demand",
                     "accidents", "--json", "--candidates", "grille", "--grid-m", "200"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "pondérés par la gravité (tué 10, hospitalisé 3, blessé léger 1)" in data["demande"]
    acc = GeoPackageStore(demo_store).read("accidents")
    res = data["resultats"][0]
    assert res["poids_total"] == pytest.approx(float(siting.accident_weights(acc).sum()))
    assert res["couvert_apres"] == pytest.approx(data["sites"][-1]["couvert_apres"])


def test_camera_plan_writes_html(demo_store, tmp_path, capsys):
    out = tmp_path / "plan.html"
    assert cli.main(["camera-plan", "--store", str(demo_store), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "R252-3" in text and "<svg" in text
    assert re.search(r"Plan de [\d  ]+ caméras? écrit", capsys.readouterr().out)
    assert cli.main(["camera-plan", "--store", str(demo_store), "--out",
                     str(tmp_path / "plan.docx")]) == 2
    assert "donnez un nom en .pdf ou en .html" in capsys.readouterr().err


def test_camera_plan_writes_pdf(demo_store, tmp_path, capsys):
    out = tmp_path / "plan.pdf"
    assert cli.main(["camera-plan", "--store", str(demo_store), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "R252-3" in text and "Liste des caméras" in text
    assert re.search(r"Plan de [\d  ]+ caméras? écrit", capsys.readouterr().out)
