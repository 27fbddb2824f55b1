"""INSEE BPE: TYPEQU to facility kinds, each row projected from its own EPSG (hand-made
fixture written from the INSEE column names: no real BPE extract with coordinates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Transformer

from clspd_geo import vocab
from clspd_geo.importing import bpe, pipeline

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "import"


def test_bpe_kinds_and_positions() -> None:
    report = pipeline.prepare("facilities", [FIXTURES / "bpe_fictif.csv"])
    fac = report.frames["equipements"].set_index("facility_id")
    # A101 police, C201 collège, E107 gare (Martinique); B203 (bakery) and F101 (pool)
    # are no CLSPD partners: left aside and counted, not rejected.
    assert fac["kind"].to_dict() == {"BPE-75114-A101-2": "commissariat",
                                     "BPE-75114-C201-3": "college",
                                     "BPE-97209-E107-6": "gare"}
    assert report.n_rejected == 0
    assert any("3 équipements BPE" in n and "B203 (2)" in n for n in report.notes)
    assert fac.loc["BPE-75114-C201-3", "name"] == vocab.facility_labels()["college"]
    for fid, epsg, xy in (("BPE-75114-A101-2", 2154, (651500.0, 6859000.0)),
                          ("BPE-97209-E107-6", 5490, (708000.0, 1615000.0))):
        lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(*xy)
        pt = fac.loc[fid, "geometry"]
        assert (pt.x, pt.y) == pytest.approx((lon, lat), abs=1e-7)


def test_typequ_table_uses_vocabulary_kinds() -> None:
    codes = {k.code for k in vocab.FACILITY_KINDS}
    assert set(bpe.TYPEQU_KINDS.values()) <= codes
    assert bpe.TYPEQU_KINDS["A104"] == "brigade_gendarmerie"
