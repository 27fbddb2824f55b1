"""Rows of a sparse CSR matrix gathered at once (the siting solvers' incidence matrices)."""

from __future__ import annotations

import numpy as np


def rows_of(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Gather the column indices of several CSR rows: (columns, position of their row)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    which = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return indices[starts[which] + offsets], which
