"""The demo store a benchmark runs on: built once under the bench folder, then reused."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path("/tmp/clspd-bench")


def demo_store(n_incidents: int, *, path: str | Path | None = None, seed: int = 0) -> Path:
    """Return the demo store of ``n_incidents`` (``BENCH_DIR/demo-N.gpkg`` by default),
    writing it first if it does not exist."""
    from clspd_geo import demo
    from clspd_geo.store import open_store

    store = Path(path) if path else BENCH_DIR / f"demo-{n_incidents}.gpkg"
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        demo.install(open_store(store, create=True), seed=seed, n_incidents=n_incidents)
    return store
