"""BAAC years in every layout: the ``Accident_Id`` key, the 2018 layout, the join check.

Real samples of ../shared/data (skipped when absent); derived files are written to the
test's temporary folder, never into the repository.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from clspd_geo.errors import SchemaError
from clspd_geo.importing import baac, pipeline
from clspd_geo.importing.sniffing import open_source

HEAD_2018 = "accidents/baac_layout2005_2018_head"


def _2018(shared_data: Path) -> dict[str, Path]:
    folder = shared_data / HEAD_2018
    return {role: folder / f"baac2018_{role}_head10_baacker.csv"
            for role in ("caracteristiques", "lieux", "usagers", "vehicules")}


def test_lower_frame_names_the_2022_key_num_acc() -> None:
    frame = pd.DataFrame({"Accident_Id": [" 202200000001 "], "jour": ["1"]})
    out = baac.lower_frame(frame)
    assert list(out.columns) == ["num_acc", "jour"]
    assert out["num_acc"].tolist() == ["202200000001"]
    assert baac.has_key({"accident_id"}) and not baac.has_key({"date"})


def test_2022_accident_id_key_joins_the_detail_files(shared_data: Path,
                                                     tmp_path: Path) -> None:
    files = sorted((shared_data / "accidents/baac_layout2019_2023").glob("*.csv.gz"))
    carac = next(f for f in files if f.name.startswith("caracteristiques"))
    with gzip.open(carac, "rt", encoding="utf-8") as fh:
        text = fh.read()
    assert text.startswith('"Num_Acc"')
    renamed = tmp_path / "caracteristiques-2022.csv"
    renamed.write_text(text.replace('"Num_Acc"', '"Accident_Id"', 1), encoding="utf-8")
    given = [renamed if f == carac else f for f in files]
    acc = pipeline.prepare("accidents", given).frames["accidents"]
    ref = pipeline.prepare("accidents", files).frames["accidents"]
    assert len(acc) == 30
    pd.testing.assert_series_equal(acc["killed"], ref["killed"])
    assert acc["user_types"].tolist() == ref["user_types"].tolist()


def test_2018_layout_head_refused_because_usagers_stop_at_accident_5(
        shared_data: Path) -> None:
    files = _2018(shared_data)
    with pytest.raises(SchemaError) as info:
        pipeline.prepare("accidents", list(files.values()))
    msg = str(info.value)
    # usagers and vehicules of the head cover accidents 1-5, caractéristiques 1-10.
    assert "baac2018_caracteristiques_head10_baacker.csv" in msg
    assert "baac2018_usagers_head10_baacker.csv" in msg or "vehicules" in msg
    assert "201800000006" in msg and "5 accidents du fichier" in msg
    assert "ligne concernée : 7" in msg and "la base n'a pas été modifiée" in msg


def test_2018_layout_imported_on_the_accidents_every_file_has(shared_data: Path,
                                                              tmp_path: Path) -> None:
    files = _2018(shared_data)
    raw = files["caracteristiques"].read_bytes().split(b"\n")
    head = tmp_path / files["caracteristiques"].name
    head.write_bytes(b"\n".join(raw[:6]) + b"\n")  # header + accidents 1-5, bytes kept
    report = pipeline.prepare("accidents", [head, files["lieux"], files["usagers"],
                                            files["vehicules"]])
    acc = report.frames["accidents"].set_index("accident_id")
    assert len(acc) == 5 and report.n_rejected == 0
    usagers = pd.read_csv(files["usagers"], dtype=str)
    grav = usagers["grav"].astype(int).value_counts()
    assert acc["hospitalised"].sum() == grav.get(3, 0)
    assert acc["slightly_injured"].sum() == grav.get(4, 0)
    assert acc["killed"].sum() == grav.get(2, 0)
    # Accident 1: com 005 in dep 590 (Nord), lat 5055737 / long 0294992 (×100 000).
    assert acc.loc["201800000001", "insee_code"] == "59005"
    pt = acc.loc["201800000001", "geometry"]
    assert (pt.x, pt.y) == pytest.approx((2.94992, 50.55737))
    assert str(acc.loc["201800000001", "occurred_at"]) == "2018-01-24 15:05:00"
    assert acc.loc["201800000001", "road_category"] == "route départementale"


def test_check_join_names_the_detail_file_and_ids(tmp_path: Path) -> None:
    carac = tmp_path / "caracteristiques-2023.csv"
    carac.write_text("Num_Acc;jour;mois;an\n1;1;1;2023\n2;1;1;2023\n3;1;1;2023\n",
                     encoding="utf-8")
    usagers = tmp_path / "usagers-2023.csv"
    usagers.write_text("Num_Acc;catu;grav\n1;1;4\n3;1;1\n9;1;1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"1 accident du fichier « caracteristiques"
                                          r"-2023.csv » \(première ligne concernée : 3\) "
                                          r"n'a aucune ligne dans « usagers-2023.csv » "
                                          r"\(usagers\) : 2\."):
        baac.check_join([open_source(carac)], {"usagers": [open_source(usagers)]})
    # Accident 9 of usagers is not in caractéristiques: left aside, not an error.
    usagers.write_text("Num_Acc;catu;grav\n1;1;4\n2;1;1\n3;1;1\n9;1;1\n", encoding="utf-8")
    baac.check_join([open_source(carac)], {"usagers": [open_source(usagers)]})
