"""The import pipeline: append mode, duplicate identifiers, unknown kinds and stores."""

from __future__ import annotations

from pathlib import Path

from import_helpers import BAD, refused, repaired

from clspd_geo import store as store_mod
from clspd_geo.errors import DataFileError, SchemaError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions


def test_append_adds_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("incidents", [BAD / "decimal_commas.csv"], store_path=path)
    other = tmp_path / "b.csv"
    other.write_text("id,date_heure,categorie,lon,lat\nB1,2024-04-01 10:00,tapage,2.35,48.85\n",
                     encoding="utf-8")
    pipeline.run("incidents", [other], store_path=path,
                 options=ImportOptions(mode="append"))
    assert store_mod.open_store(path).count("incidents") == 3
    source = store_mod.open_store(path).source_of("incidents").source
    assert source.startswith("decimal_commas.csv (import « incidents »")
    assert " + b.csv (import « incidents »" in source  # both files named, in order


def test_append_report_counts_only_new_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    pipeline.run("incidents", [BAD / "decimal_commas.csv"], store_path=path)
    report = pipeline.prepare("incidents", [BAD / "swapped_lat_lon.csv"], store_path=path,
                              options=ImportOptions(mode="append"))
    assert report.accepted == 2 and len(report.frames["incidents"]) == 4
    assert "incidents : 2, ajoutées aux 2 existantes" in report.summary()


def test_duplicate_ids_rejected_with_first_line(store: Path) -> None:
    report = repaired(store, "incidents", [BAD / "duplicate_ids.csv"],
                      "identifiant « 1 » en double (déjà vu ligne 2)")
    assert report.accepted == 1 and report.rejected["ligne"].tolist() == [3]


def test_append_with_existing_ids_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "fac.csv"
    path.write_text("facility_id,name,kind,lon,lat\nF1,Autre mairie,mairie,2.35,48.85\n",
                    encoding="utf-8")
    refused(store, "facilities", [path], SchemaError, "1 identifiant de « facility_id » existe déjà dans la couche",
            mode="append")


def test_store_that_is_not_a_geopackage_untouched(tmp_path: Path) -> None:
    fake = tmp_path / "clspd.gpkg"
    fake.write_text("ceci n'est pas une base\n", encoding="utf-8")
    refused(fake, "incidents", [BAD / "decimal_commas.csv"], DataFileError,
            "n'est pas un GeoPackage")


def test_unknown_kind_refused(store: Path) -> None:
    refused(store, "voitures", [BAD / "decimal_commas.csv"], SchemaError,
            "Type d'import « voitures » inconnu")
