"""One writer of the concurrency tests, run as its own process (not a test module).

``python concurrent_writers.py TARGET ROLE INDEX BARRIER N`` reads the store, writes
``BARRIER/ready-INDEX`` and waits until the N writers are ready, then, on the store at
``TARGET``: ``append`` adds 5 facilities ``W<INDEX>-<k>``;
``edit`` changes the title of action ``a1`` from the version read before waiting; ``new``
adds one action to the ``jeunesse`` field. Prints one JSON line: what it did and whether the
store accepted it (``ok``) or refused it (``refused`` with the message).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def wait_for_all(barrier: Path, index: int, n: int, *, timeout_s: float = 150.0) -> None:
    """Say this writer is ready, then wait until all ``n`` writers are."""
    (barrier / f"ready-{index}").touch()
    deadline = time.monotonic() + timeout_s
    while len(list(barrier.glob("ready-*"))) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"writer {index}: the other writers never got ready")
        time.sleep(0.01)


def main(target: str, role: str, index: int, barrier: Path, n: int) -> dict:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from clspd_geo.errors import ClspdGeoError
    from clspd_geo.plan import actions
    from clspd_geo.store import open_store

    st = open_store(target)
    base = st.read("actions")
    out: dict = {"role": role, "index": index}
    if role == "append":
        ids = [f"W{index}-{k}" for k in range(5)]
        gdf = gpd.GeoDataFrame({"facility_id": ids, "name": ids, "kind": ["mairie"] * 5},
                               geometry=[Point(2.35 + 0.001 * k, 48.85) for k in range(5)],
                               crs=4326)
        out["ids"] = ids
    elif role == "edit":
        ed = actions.editor_frame(base, "jeunesse")
        ed.loc[ed["action_id"] == "a1", "title"] = f"Titre du rédacteur {index}"
        out["title"] = f"Titre du rédacteur {index}"
    else:
        new = {c: None for c in actions.EDITOR_COLUMNS}
        new.update(title=f"Action nouvelle {index}", lead_partner="maire", status="prevue")
        ed = pd.concat([actions.editor_frame(base, "jeunesse"), pd.DataFrame([new])],
                       ignore_index=True)
        out["title"] = f"Action nouvelle {index}"
    wait_for_all(barrier, index, n)
    try:
        if role == "append":
            st.append_many({"equipements": gdf}, source=f"writer {index}")
        else:
            actions.save_edits(st, base, "jeunesse", ed, by=f"rédacteur {index}")
        out["ok"] = True
    except ClspdGeoError as err:
        out["ok"] = False
        out["refused"] = str(err)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]),
                          int(sys.argv[5]))))
