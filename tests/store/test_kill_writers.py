"""Writers killed with SIGKILL leave the old or the new store (benchmarks/bench_kill.py, short)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_eight_writers_killed_at_random_moments_leave_a_whole_store(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the writers import bench_kill by name
    bench = importlib.import_module("bench_kill")
    figures = bench.run(runs=8, seed=19, n_incidents=600, verbose=False)
    assert figures["runs"] == 8
    assert figures["failures"] == {}, figures["examples"]
    # Every run was checked and found on one side: the old store or the new one.
    assert sum(figures["sides"].values()) == 8
    assert all(k.endswith((":old", ":new")) for k in figures["sides"])
