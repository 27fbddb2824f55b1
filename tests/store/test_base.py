"""Tests of the shared store logic (BaseStore), on an in-memory back-end and on a GeoPackage."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import ROOT, make_valid_layers

from clspd_geo import schemas
from clspd_geo.errors import DataFileError, SchemaError
from clspd_geo.store import base
from clspd_geo.store.gpkg import GeoPackageStore


class MemoryStore(base.BaseStore):
    """The smallest back-end: frames in a dict; records every call of the storage steps."""

    PLACE = "de la mémoire"

    def __init__(self, extra_tables: set[str] | None = None) -> None:
        self.frames: dict[str, gpd.GeoDataFrame] = {}
        self.prov = base.empty_provenance()
        self.extra = set(extra_tables or ())
        self.writes: list[tuple[list[str], str, str]] = []

    @property
    def location(self) -> str:
        return "essai"

    def table_names(self) -> set[str]:
        names = set(self.frames) | self.extra
        return names | {base.PROVENANCE_TABLE} if len(self.prov) else names

    def count_rows(self, layer: str) -> int:
        return len(self.frames[layer])

    def read_provenance_table(self) -> pd.DataFrame:
        return self.prov

    def write_checked(self, ready: Mapping[str, gpd.GeoDataFrame], *, source: str,
                      imported_at: str) -> None:
        self.writes.append((list(ready), source, imported_at))
        for name, gdf in ready.items():
            self.frames[name] = gdf
            self.prov = pd.concat([self.prov[self.prov["layer"] != name], pd.DataFrame(
                {"layer": [name], "source": [source], "imported_at": [imported_at],
                 "rows": [len(gdf)]})], ignore_index=True)

    def read(self, layer, *, period=None, categories=None, bbox=None, columns=None):
        self.require(layer)
        return self.frames[layer]

    def read_points(self, layer, *, columns):
        raise NotImplementedError

    def version(self) -> str:
        return str(len(self.writes))


def test_an_invalid_frame_is_refused_in_french_and_nothing_is_written():
    st = MemoryStore()
    layers = make_valid_layers()
    bad = layers["incidents"].copy()
    bad.loc[0, "category"] = "inconnue"
    with pytest.raises(SchemaError, match=r"La couche « incidents » \(Faits et incidents\) ne "
                       r"respecte pas le modèle de données : 1 valeur non admise dans "
                       r"« category » \(par ex\. inconnue\)"):
        st.write_many({"cameras": layers["cameras"], "incidents": bad}, source="x")
    assert st.writes == []  # the valid cameras frame was not written either
    assert st.layers() == [] and st.count("cameras") == 0


def test_an_empty_write_is_refused():
    st = MemoryStore()
    with pytest.raises(SchemaError, match="^Aucune couche à écrire.$"):
        st.write_many({}, source="x")
    assert st.writes == []


def test_write_hands_conformed_frames_and_one_import_time_to_the_back_end():
    st = MemoryStore()
    layers = make_valid_layers()
    st.write_many({"incidents": layers["incidents"], "cameras": layers["cameras"]},
                  source="import du 1er mars")
    [(names, source, imported_at)] = st.writes
    assert names == ["incidents", "cameras"] and source == "import du 1er mars"
    assert len(imported_at) == 19 and imported_at[10] == "T"  # to the second, ISO
    for name in names:
        pd.testing.assert_frame_equal(st.frames[name],
                                      schemas.conform(layers[name], schemas.schema(name)))
    st.write("territoire", layers["territoire"], source="limites")
    assert st.writes[-1][:2] == (["territoire"], "limites")


def test_layers_has_and_count_agree():
    # A table outside the data model (a QGIS scratch layer, say) is present but not a layer.
    st = MemoryStore(extra_tables={"brouillon"})
    layers = make_valid_layers()
    st.write_many({"incidents": layers["incidents"], "territoire": layers["territoire"]},
                  source="t")
    assert st.layers() == ["territoire", "incidents"]  # data-model order, not write order
    assert st.has("incidents") and st.has("brouillon") and not st.has("cameras")
    assert st.has(base.PROVENANCE_TABLE) and base.PROVENANCE_TABLE not in st.layers()
    assert {name: st.count(name) for name in ("territoire", "incidents", "cameras")} == {
        "territoire": 1, "incidents": 6, "cameras": 0}
    assert all(st.has(name) == (st.count(name) > 0) for name in schemas.LAYERS)


def test_absent_layer_message_names_the_layer_the_store_and_the_fix():
    st = MemoryStore()
    expected = ("La couche « cameras » (Caméras de vidéoprotection) est absente de la mémoire "
                "« essai ». Importez-la depuis la page « Données » ou avec python -m "
                "clspd_geo import.")
    assert base.absent_layer_message("cameras", where=st.where) == expected
    with pytest.raises(DataFileError) as err:
        st.require("cameras")
    assert str(err.value) == expected
    with pytest.raises(DataFileError):
        base.require_layer(st, "cameras", where=st.where)
    st.write("cameras", make_valid_layers()["cameras"], source="t")
    assert st.require("cameras") is schemas.schema("cameras")


def test_provenance_is_empty_then_one_row_per_layer():
    st = MemoryStore()
    assert list(st.provenance().columns) == base.PROVENANCE_COLUMNS and st.provenance().empty
    assert st.source_of("incidents") is None
    layers = make_valid_layers()
    st.write("incidents", layers["incidents"], source="premier")
    st.write("incidents", layers["incidents"].iloc[:2], source="second")
    src = st.source_of("incidents")
    assert src == base.Provenance("incidents", "second", src.imported_at, 2)
    assert len(st.provenance()) == 1


def test_provenance_of_takes_the_last_row_of_a_layer():
    table = pd.DataFrame({"layer": ["a", "b", "a"], "source": ["s1", "s2", "s3"],
                          "imported_at": ["t1", "t2", "t3"], "rows": [1, 2, 3]})
    assert base.provenance_of(table, "a") == base.Provenance("a", "s3", "t3", 3)
    assert base.provenance_of(table, "c") is None


def test_the_geopackage_store_uses_the_shared_logic(tmp_path: Path):
    path = tmp_path / "clspd.gpkg"
    st = GeoPackageStore(path, create=True)
    assert isinstance(st, base.BaseStore)
    assert st.layers() == [] and st.count("incidents") == 0 and st.provenance().empty
    layers = make_valid_layers()
    bad = layers["incidents"].copy()
    bad.loc[0, "category"] = "inconnue"
    with pytest.raises(SchemaError, match="« category »"):
        st.write_many({"cameras": layers["cameras"], "incidents": bad}, source="x")
    assert not path.exists()
    st.write_many({"incidents": layers["incidents"], "territoire": layers["territoire"]},
                  source="t")
    assert st.layers() == ["territoire", "incidents"]
    assert (st.count("incidents"), st.count("cameras")) == (6, 0)
    assert st.where == f"du fichier « {path} »"
    with pytest.raises(DataFileError, match=f"absente du fichier « {path} »"):
        st.read("cameras")


STORE_DIR = ROOT / "clspd_geo" / "store"
MODULES = sorted(p.stem for p in STORE_DIR.glob("*.py") if p.stem != "__init__")


def _store_imports(module: str) -> set[str]:
    """Return the store modules (or ``__init__``) that ``module`` imports, lazily or not."""
    tree = ast.parse((STORE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module + "." + a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("clspd_geo.store."):
                part = name.split(".")[2]
                found.add(part if part in MODULES else "__init__")
            elif name in ("clspd_geo.store", "clspd_geo.store.__init__"):
                found.add("__init__")
    return found


def test_store_modules_import_one_way():
    graph = {name: _store_imports(name) for name in MODULES}
    assert graph == {"base": {"communes"}, "communes": set(), "rows": set(), "locking": set(),
                     "atoms": set(),
                     "gpkg_sql": {"base", "rows"},
                     "gpkg_file": {"gpkg_sql"},
                     "gpkg": {"atoms", "base", "gpkg_file", "gpkg_sql", "locking", "rows"},
                     "postgis_incidents": {"atoms", "communes"},
                     "postgis": {"atoms", "base", "postgis_derived", "postgis_incidents",
                                 "rows"},
                     "postgis_derived": set(),
                     "inventory": {"base"}, "targets": {"base", "gpkg", "postgis"}}


@pytest.mark.parametrize("first", MODULES)
def test_every_store_module_imports_first_in_a_fresh_interpreter(first):
    # The chosen module first, then the others in reverse order, then the package's names.
    order = [first] + [m for m in reversed(MODULES) if m != first]
    code = "; ".join(f"import clspd_geo.store.{name}" for name in order)
    code += "; from clspd_geo.store import open_store, GeoPackageStore, Store, require_layer"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
