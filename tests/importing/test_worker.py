"""importing.worker: the files are read in a child process with a memory and time limit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from import_helpers import BAD

from clspd_geo.errors import DataFileError
from clspd_geo.importing import pipeline, preview, sniffing, worker
from clspd_geo.importing.context import ImportOptions

LIMIT = 768 * 2**20
"""Enough for the interpreter and a small file, not for 12 million parsed cells."""


def _many_cells(path: Path) -> Path:
    """A 24 MB CSV of 300,000 rows × 40 one-letter cells (12 million strings once parsed)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(";".join(f"c{i}" for i in range(40)) + "\n")
        f.write((";".join("x" * 40) + "\n") * 300_000)
    return path


def test_a_parse_past_the_memory_limit_is_a_french_message_and_the_parent_lives(tmp_path):
    big = _many_cells(tmp_path / "faits_2024.csv")
    assert big.stat().st_size < preview.MAX_UPLOAD_BYTES  # a file the page accepts
    with pytest.raises(DataFileError) as err:
        worker.read_sources([big], names=["faits 2024.csv"],
                            max_bytes=preview.MAX_UPLOAD_BYTES, memory_limit=LIMIT)
    message = str(err.value)
    assert message.startswith("Le fichier « faits 2024.csv » est trop volumineux pour être lu")
    assert "rien n'a été écrit" in message
    assert "Traceback" not in message and str(tmp_path) not in message
    # The parent is untouched and the next import reads, under the same limit.
    small = tmp_path / "petit.csv"
    small.write_text("a;b\n1;2\n", encoding="utf-8")
    (src,) = worker.read_sources([small], max_bytes=preview.MAX_UPLOAD_BYTES,
                                 memory_limit=LIMIT)
    assert src.frame.to_dict("records") == [{"a": "1", "b": "2"}]


def test_a_read_past_the_time_limit_is_the_same_message(tmp_path):
    small = tmp_path / "lent.csv"
    small.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="« lent.csv » est trop volumineux"):
        worker.read_sources([small], timeout_s=0.0)


def test_a_reader_refusal_keeps_its_class_and_french_message(tmp_path):
    empty = tmp_path / "vide.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(DataFileError) as here:
        sniffing.open_source(empty)
    with pytest.raises(DataFileError) as child:
        worker.read_sources([empty])
    assert type(child.value) is type(here.value) and str(child.value) == str(here.value)


@pytest.mark.parametrize(("kind", "files"), [
    ("incidents", ["decimal_commas.csv", "swapped_lat_lon.csv"]),
    ("sectors", ["self_intersecting.geojson"]),
])
def test_an_isolated_import_gives_the_same_report_as_before(store, kind, files):
    paths = [BAD / f for f in files]
    names = [f"envoi {f}" for f in files]
    before = pipeline.prepare(kind, paths, store_path=store, names=names)
    after = pipeline.prepare(kind, paths, store_path=store, names=names,
                             options=ImportOptions(isolated=True))
    assert after.summary() == before.summary()
    assert after.files == before.files
    assert set(after.frames) == set(before.frames)
    for layer, frame in before.frames.items():
        pd.testing.assert_frame_equal(after.frames[layer], frame)
    pd.testing.assert_frame_equal(after.rejected, before.rejected)


def test_the_reading_process_gets_no_store_setting_nor_credential():
    env = worker.child_env({"CLSPD_STORE": "postgresql://clspd:secret@db/clspd",
                            "PGPASSWORD": "secret", "PATH": "/usr/bin", "LANG": "fr_FR.UTF-8",
                            "GDAL_DATA": "/usr/share/gdal", "PYTHONPATH": "/x"})
    assert set(env) == {"PATH", "LANG", "GDAL_DATA", "PYTHONPATH"}
    assert "secret" not in "".join(env.values())
    assert env["PYTHONPATH"].endswith(":/x")
