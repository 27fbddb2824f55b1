"""The raw FINESS extract: structureet and geolocalisation records joined on nofinesset
(hand-made fixture written from the published record layout: no real extract here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Transformer

from clspd_geo import store as store_mod
from clspd_geo.errors import SchemaError
from clspd_geo.importing import finess, pipeline

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "import"
RAW = FIXTURES / "finess_brut_fictif.csv"


def test_records_joined_on_nofinesset() -> None:
    report = pipeline.prepare("facilities", [RAW])
    assert report.files[0].format == "records" and report.files[0].encoding == "Windows-1252"
    fac = report.frames["equipements"].set_index("facility_id")
    assert fac["kind"].to_dict() == {"750000001": "hopital", "750000002": "csapa"}
    assert fac.loc["750000001", "name"] == "CENTRE HOSPITALIER FICTIF"
    assert fac.loc["750000001", "address"] == "12 R DE LA SANTÉ, 75014 PARIS"  # latin-1
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(652000.0, 6862000.0)
    pt = fac.loc["750000001", "geometry"]
    assert (pt.x, pt.y) == pytest.approx((lon, lat), abs=1e-7)
    # 750000003 has no geolocalisation record: rejected on its line (4).
    assert report.rejected[["ligne", "motif"]].values.tolist() == [
        [4, "établissement sans enregistrement « geolocalisation » (position inconnue)"]]
    # 970000009 has a position but no establishment: counted.
    assert any("1 enregistrement « geolocalisation » sans établissement" in n
               for n in report.notes)


def test_one_record_type_only_refused_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "s.gpkg"
    pipeline.run("facilities", [RAW], store_path=store)
    lines = RAW.read_bytes().split(b"\r\n")
    only = tmp_path / "structureet_seul.csv"
    only.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"geoloc")))
    with pytest.raises(SchemaError, match=r"« structureet_seul.csv » ne contient que des "
                                          r"enregistrements « structureet » \(dès la ligne 1\) "
                                          r"et aucun « geolocalisation »"):
        pipeline.run("facilities", [only], store_path=store)
    assert len(store_mod.open_store(store).read("equipements")) == 2


def test_record_layout_widths() -> None:
    assert len(finess.STRUCTUREET) == 32 and len(finess.GEOLOCALISATION) == 6
