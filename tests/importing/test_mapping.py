"""Mapping files from local labels to the categories of the vocabulary."""

from __future__ import annotations

from pathlib import Path

from import_helpers import BAD, refused

from clspd_geo.errors import SchemaError
from clspd_geo.importing import mapping


def test_mapping_keys_ignore_case_and_accents(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("libelle;code\nVol à la roulotte;vol_vehicule\n", encoding="utf-8")
    table = mapping.load(path, allowed={"vol_vehicule": "Vol"}, what="x")
    assert table[mapping.key("VOL A LA ROULOTTE")] == "vol_vehicule"


def test_mapping_with_unknown_code_refused(store: Path) -> None:
    refused(store, "incidents", [BAD / "unknown_categories.csv"], SchemaError,
            "Ligne 2 .* le code « vol_a_la_tire » n'existe pas",
            mapping=BAD / "mapping_unknown_code.csv")
