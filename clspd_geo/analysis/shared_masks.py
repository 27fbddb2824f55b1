"""Selection masks of the shared tables, computed once per table and selection.

A role view hands every page the same released table (:meth:`RoleView.counts`), and one
page run asks for the mask of the same selection many times over it: the KPI, the table by
category, the withheld facts, the map's cells, each for the period and for the year
before. A table its owner declares shared and immutable (:func:`share`) keeps the masks of
its last selections (:func:`kept`), bounded in bytes; any other table is masked afresh,
so a frame a caller builds and changes is never answered from a stale mask.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

KEPT_BYTES = 64 * 2**20
"""Bytes of masks kept for all shared tables together (least recently used dropped first)."""

_lock = threading.Lock()
_shared: dict[int, weakref.ref] = {}
_masks: OrderedDict[tuple[int, Hashable], np.ndarray] = OrderedDict()
_bytes = 0


def _forget(key: int) -> None:
    global _bytes
    with _lock:
        _shared.pop(key, None)
        for k in [k for k in _masks if k[0] == key]:
            _bytes -= _masks.pop(k).nbytes


def share(table: pd.DataFrame) -> pd.DataFrame:
    """Declare ``table`` shared and never modified (its owner's promise); return it.

    Its masks are kept until it is garbage-collected (a weak reference: the table's life
    is its owner's, e.g. the role view that released it).
    """
    key = id(table)
    ref = weakref.ref(table, lambda _ref, key=key: _forget(key))
    with _lock:
        _shared[key] = ref
    return table


def is_shared(table: pd.DataFrame) -> bool:
    """Tell whether ``table`` was declared shared (:func:`share`)."""
    ref = _shared.get(id(table))
    return ref is not None and ref() is table


def kept(table: pd.DataFrame, selection: Hashable,
         compute: Callable[[], np.ndarray]) -> np.ndarray:
    """Return ``compute()``, the mask of ``selection`` over ``table``: kept when it is shared.

    A copy is returned, so a caller may change it in place.
    """
    global _bytes
    key = (id(table), selection)
    try:
        hash(key)
    except TypeError:  # an unhashable selection is never kept
        return compute()
    if not is_shared(table):
        return compute()
    with _lock:
        found = _masks.get(key)
        if found is not None:
            _masks.move_to_end(key)
            return found.copy()
    mask = np.asarray(compute(), dtype=bool)
    if mask.nbytes <= KEPT_BYTES:
        with _lock:
            if key not in _masks and is_shared(table):
                _masks[key] = mask.copy()
                _bytes += mask.nbytes
                while _bytes > KEPT_BYTES and _masks:
                    _bytes -= _masks.popitem(last=False)[1].nbytes
    return mask
