"""Import options and context (clspd_geo.importing.context): defaults, frozen."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from clspd_geo.importing import coords, sniffing
from clspd_geo.importing.context import Context, ImportOptions


def test_options_defaults() -> None:
    opts = ImportOptions()
    assert (opts.commune, opts.as_layer, opts.mode, opts.force) == (None, "territoire",
                                                                   "replace", None)
    assert (opts.geocode_with, opts.mapping) == (None, None)
    assert opts.max_bytes == sniffing.MAX_FILE_BYTES == 100 * 1024 * 1024
    assert opts.tolerance_m == coords.OUTSIDE_TOLERANCE_M == 5000.0


def test_options_are_frozen_and_replaceable() -> None:
    opts = ImportOptions(commune="93066")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.commune = "75056"  # type: ignore[misc]
    other = dataclasses.replace(opts, mode="append")
    assert (other.commune, other.mode, opts.mode) == ("93066", "append", "replace")


def test_context_defaults_to_no_layers_and_now() -> None:
    before = dt.datetime.now()
    ctx = Context(ImportOptions())
    assert ctx.territoire is None and ctx.quartiers is None
    assert before <= ctx.now <= dt.datetime.now()
