"""The ``import`` subcommand of ``python -m clspd_geo``, and a process killed mid-import."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clspd_geo.cli import main as cli
from clspd_geo import store as store_mod

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "import"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def paris(shared_data: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clspd.gpkg"
    code = cli.main(["import", "boundaries",
                     str(shared_data / "boundaries/communes-75-paris.geojson"),
                     "--commune", "75056", "--store", str(path)])
    assert code == 0
    return path


def test_import_prints_report_and_writes(paris: Path, shared_data: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["import", "accidents",
                     str(shared_data / "accidents/paris_accidents_2012.csv.gz"),
                     "--store", str(paris)])
    out = capsys.readouterr().out
    assert code == 0
    assert "6\u202f977 lignes acceptées" in out and "0 ligne rejetée" in out
    assert store_mod.open_store(paris).count("accidents") == 6977


def test_dry_run_writes_nothing(paris: Path, shared_data: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(paris)
    code = cli.main(["import", "cameras",
                     str(shared_data / "videoprotection/paris_pvpp_annexe1_prefecture_2019.csv"),
                     "--geocode-with",
                     str(shared_data / "videoprotection/paris_street_intersections_osm.csv.gz"),
                     "--store", str(paris), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "lieu introuvable" in out and "Essai à blanc" in out
    assert sha256(paris) == before


def test_every_kind_from_the_command_line(paris: Path, shared_data: Path) -> None:
    vp = shared_data / "videoprotection"
    runs = [
        ["boundaries", shared_data / "areas/paris_quartiers_administratifs.geojson",
         "--as", "quartiers"],
        ["cameras", vp / "paris_cameras_geocoded_2019.csv"],
        ["facilities", shared_data / "schools/paris_colleges_men_2024.csv.gz"],
        ["facilities", shared_data / "osm/paris_osm_bars_2021.csv.gz", "--append"],
        ["sectors", shared_data / "crime/portland_police_districts.geojson",
         "--sector-force", "police_nationale"],
    ]
    for args in runs:
        assert cli.main(["import", *map(str, args), "--store", str(paris)]) == 0, args
    st = store_mod.open_store(paris)
    assert st.count("quartiers") == 80 and st.count("cameras") == 707
    assert st.count("equipements") == 217 + 1403
    assert st.count("secteurs") == 60
    prov = st.provenance().set_index("layer")
    assert "paris_osm_bars_2021.csv.gz" in prov.loc["equipements", "source"]


def test_error_exit_code_and_french_message(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.gpkg"
    assert cli.main(["import", "incidents", str(BAD / "decimal_commas.csv"),
                     "--store", str(path)]) == 0
    before = sha256(path)
    code = cli.main(["import", "incidents", str(BAD / "future_dates.csv"),
                     "--store", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "date dans le futur" in err and "la base n'a pas été modifiée" in err
    assert "Traceback" not in err
    assert sha256(path) == before


def test_unknown_kind_is_a_usage_error(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["import", "voitures", "x.csv", "--store", str(tmp_path / "s.gpkg")])
    assert code == 2
    assert "voitures" in capsys.readouterr().err
    assert not (tmp_path / "s.gpkg").exists()


@pytest.mark.slow
def test_killed_during_a_large_import_leaves_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "clspd.gpkg"
    assert cli.main(["import", "incidents", str(BAD / "decimal_commas.csv"),
                     "--store", str(store)]) == 0
    before = sha256(store)
    big = tmp_path / "faits.csv"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write("id,date_heure,categorie,lon,lat\n")
        for i in range(300_000):
            fh.write(f"{i},2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d},tapage,"
                     f"{2.30 + (i % 997) * 1e-4:.5f},{48.84 + (i % 991) * 1e-4:.5f}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "clspd_geo", "import", "incidents", str(big), "--replace",
         "--store", str(store)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it while it writes: as soon as the temporary copy of the store appears.
    seen = False
    while proc.poll() is None:
        if any(p.name.endswith(".tmp.gpkg") for p in tmp_path.iterdir()):
            seen = True
            time.sleep(0.05)
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert seen, "the import ended before it started writing; make the file larger"
    assert proc.returncode == -signal.SIGKILL
    store_mod.check_geopackage(store)  # readable, integrity check ok
    assert sha256(store) == before
    assert store_mod.open_store(store).count("incidents") == 2


def test_two_appends_started_together_lose_no_row(tmp_path: Path) -> None:
    # Issue 19: two « import facilities X.csv --append » started together on a store of
    # 117 facilities ended with 217 rows (one import's rows silently lost). Now: 317.
    import geopandas as gpd
    from shapely.geometry import Point, box

    path = tmp_path / "s.gpkg"
    terr = gpd.GeoDataFrame({"insee_code": ["75056"], "name": ["Paris (boîte)"],
                             "population": [2_100_000]},
                            geometry=[box(2.25, 48.81, 2.42, 48.91)], crs=4326)
    fac = gpd.GeoDataFrame({"facility_id": [f"F{i}" for i in range(117)],
                            "name": [f"Équipement {i}" for i in range(117)],
                            "kind": ["mairie"] * 117},
                           geometry=[Point(2.30 + i * 1e-4, 48.85) for i in range(117)],
                           crs=4326)
    store_mod.GeoPackageStore(path, create=True).write_many(
        {"territoire": terr, "equipements": fac}, source="test")
    for name in ("A", "B"):
        lines = ["name,kind,lon,lat"] + [f"{name} {i},college,{2.31 + i * 1e-4},48.86"
                                         for i in range(100)]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "clspd_geo", "import", "facilities",
                               str(tmp_path / f"{name}.csv"), "--append", "--store", str(path)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for name in ("A", "B")]
    outs = [p.communicate(timeout=180) for p in procs]
    codes = [p.returncode for p in procs]
    n = store_mod.open_store(path).count("equipements")
    if codes == [0, 0]:
        assert n == 317
        assert any("compte maintenant 317 lignes" in out for out, _ in outs)
    else:  # the other accepted outcome: one refused with the message, nothing of it written
        assert sorted(codes) == [0, 2] and n == 217
        assert any("rien n'a été écrit" in err for _, err in outs)


@pytest.mark.parametrize(("kind", "files", "layer", "rows"), [
    ("roads", ["roads/osm_paris_main_roads_2023_antuki.gpkg"], "voies", 4858),
    ("qpv", ["qpv/qpv_lesemplois_testfactory_3qp.geojson"], "qpv", 3),
    ("gtfs", ["gtfs/tcl_sytral_lyon_stops.txt.gz", "gtfs/tcl_sytral_lyon_routes.txt.gz"],
     "equipements", 2101),
    ("cameras", ["videoprotection/sous_surveillance_lyon_2012.geojson"], "cameras", 1106),
    ("statistics", ["ssmsi/ssmsi_dep_edition2024_2016-2024_dep75-93-13-69.csv"],
     "statistiques", 648),
])
def test_new_kinds_from_the_command_line(shared_data: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str], kind: str,
                                         files: list[str], layer: str, rows: int) -> None:
    store = tmp_path / "s.gpkg"
    code = cli.main(["import", kind, *(str(shared_data / f) for f in files),
                     "--store", str(store)])
    out = capsys.readouterr().out
    assert code == 0 and f"Import « {kind} »" in out
    assert store_mod.open_store(store).count(layer) == rows
