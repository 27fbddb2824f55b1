"""Road-accident imports: BAAC layouts, commune filter, severities."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from import_helpers import FIXTURES

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import accidents, pipeline
from clspd_geo.importing.context import ImportOptions


def test_plm_arrondissements_fold_into_city() -> None:
    assert accidents.commune_of("75113") == "75056"
    assert accidents.commune_of("69383") == "69123"
    assert accidents.commune_of("13216") == "13055"
    assert accidents.commune_of("13250") == "13250"  # not an arrondissement
    assert accidents.commune_of("93066") == "93066"


def test_baac_commune_filter(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2019_2023").glob("*.csv.gz"))
    report = pipeline.prepare("accidents", files, options=ImportOptions(commune="75056"))
    assert report.frames["accidents"]["accident_id"].tolist() == ["202300000001"]
    assert report.filtered_out == 29


def test_paris_accidents_2012_all_rows_inside_paris(shared_data: Path,
                                                     paris_store: Path) -> None:
    report = pipeline.run("accidents", [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                          store_path=paris_store)
    assert report.accepted == 6977
    assert report.n_rejected == 0
    acc = store_mod.open_store(paris_store).read("accidents")
    assert len(acc) == 6977
    terr = store_mod.open_store(paris_store).read("territoire").to_crs(2154).union_all()
    # The simplified commune polygon cuts a few boundary streets: every point lies within
    # 100 m of it, and those just outside are flagged, not dropped.
    dist = acc.to_crs(2154).distance(terr)
    assert dist.max() < 100
    assert acc["outside_territory"].sum() == int((dist > 0).sum())
    # Severities of the Paris extract: usager 1 alone counts 15 killed in 2012.
    assert acc["killed"].sum() >= 15
    assert (acc[["killed", "hospitalised", "slightly_injured"]] >= 0).all().all()
    assert acc["user_types"].str.contains("pieton").sum() > 1000
    assert acc["occurred_at"].dt.year.eq(2012).all()
    prov = store_mod.open_store(paris_store).source_of("accidents")
    assert "paris_accidents_2012.csv.gz" in prov.source and prov.rows == 6977


def test_accidents_commune_filter_keeps_paris(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="commune demandée"):
        pipeline.prepare("accidents", [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                         options=ImportOptions(commune="69123"))
    report = pipeline.prepare("accidents",
                              [shared_data / "accidents/paris_accidents_2012.csv.gz"],
                              options=ImportOptions(commune="75056"))
    assert report.accepted == 6977 and report.filtered_out == 0


def _baac_2023(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "accidents/baac_layout2019_2023").glob("*.csv.gz"))


def test_baac_2023_four_files(shared_data: Path, tmp_path: Path) -> None:
    files = _baac_2023(shared_data)
    report = pipeline.run("accidents", files, store_path=tmp_path / "b.gpkg")
    acc = store_mod.open_store(tmp_path / "b.gpkg").read("accidents")
    assert len(acc) == 30 and report.n_rejected == 0
    with gzip.open(files[2], "rt", encoding="utf-8") as fh:
        usagers = pd.read_csv(fh, sep=";", dtype=str)
    grav = usagers["grav"].str.strip().astype(int).value_counts()
    assert acc["killed"].sum() == grav.get(2, 0)
    assert acc["hospitalised"].sum() == grav.get(3, 0)
    assert acc["slightly_injured"].sum() == grav.get(4, 0)
    first = acc.set_index("accident_id").loc["202300000002"]
    assert "pieton" in first["user_types"]
    # lieux-2023: accident 1 is on RUE DE RIVOLI, catr 4 (voie communale).
    assert acc.set_index("accident_id").loc["202300000001", "road_category"] == "voie communale"
    assert any("virgule décimale" in k for k in report.fixes)


def test_baac_2023_overseas_points_measured_locally(shared_data: Path) -> None:
    acc = pipeline.prepare("accidents", _baac_2023(shared_data)).frames["accidents"]
    epsg = acc.set_index("insee_code")["local_epsg"]
    assert epsg["97226"] == 5490  # Martinique: RGAF09 / UTM 20N
    assert epsg["97414"] == 2975  # La Réunion: RGR92 / UTM 40S
    assert epsg["75101"] == 2154
    reunion = acc[acc["insee_code"] == "97414"]
    assert -21.5 < reunion.geometry.y.iloc[0] < -20.8


def test_baac_2016_detail_files_alone_ask_for_caracteristiques(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2005_2016").glob("*.csv.gz"))
    with pytest.raises(SchemaError, match="caractéristiques"):
        pipeline.prepare("accidents", files)


def test_baac_2016_old_layout_joined(shared_data: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2005_2016").glob("*.csv.gz"))
    files += [FIXTURES / "baac2016_caracteristiques_fictif.csv",
              FIXTURES / "baac2016_usagers_fictif.csv"]
    report = pipeline.prepare("accidents", files)
    acc = report.frames["accidents"].set_index("accident_id")
    assert len(acc) == 3
    roles = {f.name: f.role for f in report.files}
    assert "format 2005-2018" in roles["vehicules_2016.csv.gz"]
    # Real vehicules_2016: accident 1 involves a car (catv 07) and a moped (catv 02).
    assert acc.loc["201600000001", "user_types"] == "deux_roues_motorise;vl"
    assert acc.loc["201600000002", "killed"] == 1
    assert acc.loc["201600000002", "user_types"] == "pieton;vl"
    assert acc.loc["201600000001", "insee_code"] == "59005"
    pt = acc.loc["201600000001", "geometry"]
    assert (pt.x, pt.y) == pytest.approx((2.917, 50.515))
