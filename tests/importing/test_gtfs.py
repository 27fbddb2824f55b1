"""GTFS stops: the real TCL (Lyon) stops and routes, a hand-made feed whose routes are known."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from clspd_geo import store as store_mod
from clspd_geo.errors import DataFileError
from clspd_geo.importing import gtfs, pipeline

STOPS = ("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
         "S1,Bellecour,45.7578,4.8320,1,\n"
         "1,Bellecour,45.7579,4.8321,0,S1\n"
         "2,Bellecour,45.7577,4.8319,0,S1\n"
         "3,Antonin Poncet,45.7560,4.8330,0,\n"
         "E1,Bellecour sortie,45.7580,4.8322,2,S1\n")
ROUTES = ("route_id,route_short_name,route_long_name,route_type\n"
          "MA,A,Perrache - Vaulx-en-Velin La Soie,1\nB10,10,Bellecour - Gerland,3\n")
TRIPS = "route_id,service_id,trip_id\nMA,s,t1\nB10,s,t2\n"
STOP_TIMES = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
              "t1,08:00:00,08:00:00,1,1\nt2,08:05:00,08:05:00,3,1\nt2,08:09:00,08:09:00,2,2\n")


def _feed(path: Path, **files: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"{name}.txt", text)
    return path


def test_real_tcl_stops_one_facility_per_station(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "gtfs"
    files = [folder / "tcl_sytral_lyon_stops.txt.gz", folder / "tcl_sytral_lyon_routes.txt.gz"]
    store = tmp_path / "lyon.gpkg"
    report = pipeline.run("gtfs", files, store_path=store)
    fac = store_mod.open_store(store).read("equipements")
    # 6,739 stops: 2,101 stations, and 4,638 stops that all belong to one of them.
    assert len(fac) == 2101 and report.n_rejected == 0
    assert report.fixes["arrêts regroupés dans leur station (parent_station)"] == 4638
    assert set(fac["stop_type"]) == {"station"} and set(fac["kind"]) == {"arret_bus"}
    assert any("lignes desservies inconnues" in n for n in report.notes)
    lon, lat = fac.geometry.x, fac.geometry.y
    assert lon.between(4.6, 5.2).all() and lat.between(45.5, 46.0).all()
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        published = pd.read_csv(fh, dtype=str)
    stations = published[published["location_type"] == "1"]
    assert set(fac["facility_id"]) == set("GTFS-" + stations["stop_id"])
    assert fac["facility_id"].str.startswith("GTFS-S").all()


def test_zip_feed_with_routes_known_answer(tmp_path: Path) -> None:
    feed = _feed(tmp_path / "reseau.zip", stops=STOPS, routes=ROUTES, trips=TRIPS,
                 stop_times=STOP_TIMES, agency="agency_id,agency_name\n1,TCL\n")
    report = pipeline.prepare("gtfs", [feed])
    fac = report.frames["equipements"].set_index("facility_id")
    assert sorted(fac.index) == ["GTFS-3", "GTFS-S1"]
    # Metro A calls at stop 1 and bus 10 at stop 2, both of station S1: a gare.
    assert fac.loc["GTFS-S1", "routes"] == "10, A" and fac.loc["GTFS-S1", "kind"] == "gare"
    assert fac.loc["GTFS-3", "routes"] == "10" and fac.loc["GTFS-3", "kind"] == "arret_bus"
    assert any("location_type 2 à 4" in n for n in report.notes)


def test_loose_files_recognised_by_their_columns(tmp_path: Path) -> None:
    paths = []
    for name, text in (("a", STOPS), ("b", ROUTES), ("c", TRIPS), ("d", STOP_TIMES)):
        paths.append(tmp_path / f"{name}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    fac = pipeline.prepare("gtfs", paths).frames["equipements"].set_index("facility_id")
    assert fac.loc["GTFS-S1", "kind"] == "gare"


def test_rail_route_types() -> None:
    assert {0, 1, 2} <= gtfs.RAIL_ROUTE_TYPES and 3 not in gtfs.RAIL_ROUTE_TYPES


def test_zip_without_stops_refused_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    pipeline.run("gtfs", [_feed(tmp_path / "ok.zip", stops=STOPS)], store_path=store)
    feed = _feed(tmp_path / "incomplet.zip", routes=ROUTES, agency="agency_id\n1\n")
    with pytest.raises(DataFileError, match=r"L'archive GTFS « incomplet.zip » ne contient "
                                            r"pas « stops.txt » \(fichiers trouvés : "
                                            r"agency.txt, routes.txt\)"):
        pipeline.run("gtfs", [feed], store_path=store)
    assert len(store_mod.open_store(store).read("equipements")) == 2
