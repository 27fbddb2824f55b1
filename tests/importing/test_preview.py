"""The preview map of an import: imported text is escaped when shown."""

from __future__ import annotations

from pathlib import Path

from import_helpers import BAD, repaired

from clspd_geo import safe, vocab
from clspd_geo.importing import preview


def test_html_in_text_stored_as_text_and_escaped_when_shown(store: Path) -> None:
    raw = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    report = repaired(store, "facilities", [BAD / "html_in_text.csv"], "1 ligne acceptée")
    assert report.frames["equipements"]["name"].iloc[0] == raw
    html = preview.accepted_map(report).get_root().render()
    assert "<script>alert" not in html and "<img" not in html
    # The escaped text is there, inside the GeoJSON (where JSON writes & as \u0026).
    assert safe.text(raw).replace("&", "\\u0026") in html


def test_facility_inventory_counts_each_kind_with_its_partner() -> None:
    import pandas as pd

    eq = pd.DataFrame({"kind": ["gare", "arret_bus", "gare", "college", "inconnu"]})
    table = preview.facility_inventory(eq)
    got = dict(zip(table["Type"], table["Lignes"], strict=True))
    assert got[vocab.facility_kind("gare").label] == 2
    assert got[vocab.facility_kind("arret_bus").label] == 1
    assert got[vocab.facility_kind("college").label] == 1
    assert got["Autre (type hors vocabulaire)"] == 1
    assert table["Lignes"].sum() == 5
    assert preview.facility_inventory(pd.DataFrame({"kind": []})).empty
