"""Warm-rerun time of pages with and without the shared rendered-map cache (ui.map_cache).

Run on demand (not a test):

    .venv/bin/python benchmarks/bench_map_cache.py [--store PATH] [--incidents 20000]
        [--runs 5] [--pages pages/overview.py pages/videoprotection.py]
        [--state overview.open.hotspots=true police.section=coordination]

Builds (or reuses) a demo store, logs an AppTest session in as police, and for each page
times ``--runs`` warm reruns with ``CLSPD_MAP_CACHE=0`` then with the cache on, in the same
process (the store layers and role view are warm for both). ``--state`` sets widget states
before the page opens (``KEY=VALUE``, ``true``/``false`` for booleans), e.g. a folded
section's key to time the maps drawn inside it. Prints the median and min seconds per
rerun, the time spent rendering maps, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default="/tmp/clspd-bench-map/demo.gpkg")
    ap.add_argument("--incidents", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--role", default="police")
    ap.add_argument("--pages", nargs="+",
                    default=["pages/overview.py", "pages/videoprotection.py"])
    ap.add_argument("--state", nargs="*", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    state = {k: {"true": True, "false": False}.get(v, v)
             for k, v in (item.split("=", 1) for item in args.state)}

    from _stores import demo_store
    from clspd_geo.access import auth
    from streamlit.testing.v1 import AppTest

    store = demo_store(args.incidents, path=args.store, seed=1)
    os.environ["CLSPD_STORE"] = str(store)
    users = store.with_name(auth.USERS_FILE_NAME)
    name, password = f"bench-{args.role}", "mot-de-passe-de-bench"
    if auth.get_account(name, path=users) is None:
        auth.create_account(name, role=args.role, password=password, path=users)

    from ui import map_cache

    render_s = [0.0]
    real_render = map_cache.render

    def timed_render(m):
        t = time.perf_counter()
        try:
            return real_render(m)
        finally:
            render_s[0] += time.perf_counter() - t

    map_cache.render = timed_render

    for page in args.pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["auth.token"] = auth.login(name, password, path=users)
        at.run()
        for key, value in state.items():
            at.session_state[key] = value
        at.switch_page(page).run()  # cold: layers, role view, analyses
        assert not at.exception, at.exception
        for mode in ("0", "1"):
            os.environ["CLSPD_MAP_CACHE"] = mode
            map_cache.CACHE.clear()
            render_s[0] = 0.0
            t = time.perf_counter()
            at.run()  # warm-up of this mode (fills the cache when on)
            if mode == "1":
                print(f"{page:28s} cache=on  miss (build + render) {time.perf_counter() - t:.2f} s"
                      f", of which map_cache.render {render_s[0]:.2f} s")
            times = []
            render_s[0] = 0.0
            for _ in range(args.runs):
                t = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t)
            assert not at.exception, at.exception
            print(f"{page:28s} cache={'on ' if mode == '1' else 'off'} warm rerun "
                  f"median {statistics.median(times):.2f} s  min {min(times):.2f} s  "
                  f"(map_cache.render {render_s[0] / args.runs:.2f} s/run, "
                  f"{args.runs} runs)")
    sizes = ", ".join(f"{k[3]} {r.size / 1e6:.1f} MB" for k, r in map_cache.CACHE._items.items())
    print(f"cache entries {len(map_cache.CACHE)} ({sizes}), builds {map_cache.CACHE.builds}; "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
