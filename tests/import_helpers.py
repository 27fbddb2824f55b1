"""Shared helpers of the import tests (``tests/importing/``): fixture files and store checks.

Bad input: each case gives its French message and leaves the store byte-for-byte unchanged.
Cases that the pipeline refuses are run as a real import (``dry_run=False``) through
:func:`refused`: the error must come before any write. Cases it repairs (decimal commas,
swapped coordinates, self-intersecting polygons, formula cells...) are run as a dry run
through :func:`repaired`, which checks the correction named in the report as well as the
unchanged store. Large and binary files are generated in ``tmp_path``, never committed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clspd_geo.errors import ClspdGeoError
from clspd_geo.importing import pipeline
from clspd_geo.importing.context import ImportOptions

BAD = Path(__file__).resolve().parent / "data" / "import"
FIXTURES = BAD


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file, to prove a store was left untouched."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(store: Path, kind: str, files: list[Path], error: type[ClspdGeoError],
            match: str, **options: object) -> str:
    """Run a real import that must fail; check the message and the untouched store."""
    before = sha256(store)
    with pytest.raises(error, match=match) as info:
        pipeline.run(kind, files, store_path=store, options=ImportOptions(**options))
    assert sha256(store) == before
    return str(info.value)


def repaired(store: Path, kind: str, files: list[Path], match: str,
             **options: object) -> pipeline.ImportReport:
    """Run a dry import; check the report names the correction and the store is untouched."""
    before = sha256(store)
    report = pipeline.run(kind, files, store_path=store, options=ImportOptions(**options),
                          dry_run=True)
    assert sha256(store) == before
    assert match in report.to_text(), report.to_text()
    return report
