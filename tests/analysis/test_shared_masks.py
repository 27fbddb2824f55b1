"""Masks of shared tables are computed once per selection; other tables' never kept."""

from __future__ import annotations

import datetime as dt
import gc

import numpy as np
import pandas as pd

from clspd_geo.analysis import indicators, shared_masks
from clspd_geo.analysis.selection import Selection

SEL = Selection(dt.date(2026, 1, 1), dt.date(2026, 2, 1), ("vol_vehicule",))


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "occurred_at": pd.to_datetime(["2025-12-31", "2026-01-05", "2026-01-20", "2026-02-01"]),
        "category": pd.Categorical(["vol_vehicule"] * 3 + ["cambriolage"]),
        "insee_code": pd.Categorical(["00001"] * 4),
        "quartier_id": pd.Categorical(["Q1", "Q1", "Q2", "Q1"]),
    })


def _counter(table: pd.DataFrame, sel: Selection, calls: list) -> np.ndarray:
    def compute() -> np.ndarray:
        calls.append(sel)
        return indicators._mask(table, sel)
    return shared_masks.kept(table, sel, compute)


def test_a_shared_tables_mask_is_computed_once_per_selection_and_copied():
    table = shared_masks.share(_table())
    calls: list = []
    first = _counter(table, SEL, calls)
    assert first.tolist() == [False, True, True, False]
    first[:] = True  # the caller's copy: the kept mask is not changed
    assert _counter(table, SEL, calls).tolist() == [False, True, True, False]
    assert len(calls) == 1
    other = Selection(SEL.start, SEL.end, SEL.categories, quartiers=("Q2",))
    assert _counter(table, other, calls).tolist() == [False, False, True, False]
    assert len(calls) == 2
    assert indicators.mask(table, SEL).tolist() == indicators._mask(_table(), SEL).tolist()


def test_a_table_not_shared_is_masked_afresh():
    table = _table()
    calls: list = []
    _counter(table, SEL, calls)
    table.loc[0, "occurred_at"] = pd.Timestamp("2026-01-10")  # its owner may change it
    assert _counter(table, SEL, calls).tolist() == [True, True, True, False]
    assert len(calls) == 2
    assert not shared_masks.is_shared(table)


def test_masks_are_forgotten_with_their_table_and_bounded_in_bytes(monkeypatch):
    table = shared_masks.share(_table())
    key = id(table)
    indicators.mask(table, SEL)
    assert any(k[0] == key for k in shared_masks._masks)
    del table
    gc.collect()
    assert not any(k[0] == key for k in shared_masks._masks)
    assert key not in shared_masks._shared

    monkeypatch.setattr(shared_masks, "KEPT_BYTES", 8)  # two masks of four rows
    table = shared_masks.share(_table())
    sels = [Selection(dt.date(2026, 1, d), dt.date(2026, 2, 1), SEL.categories)
            for d in (1, 2, 3)]
    for sel in sels:
        indicators.mask(table, sel)
    kept = [k[1] for k in shared_masks._masks if k[0] == id(table)]
    assert kept == sels[1:]  # the oldest dropped
    assert shared_masks._bytes <= 8
