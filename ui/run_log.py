"""The server's own time for each run of the app script, written to a file when asked.

``CLSPD_RUN_LOG=<path>`` makes every run of ``app.py`` append one JSON line to that file
when it ends: when it ended (``end``, epoch seconds), how long it took on the server
(``s``), the page's URL path, the role, the Streamlit session id and how it ended (``ok``;
``rerun`` when a newer widget change cut it short, ``stop`` when Streamlit stopped it,
``error`` when an exception escaped). ``benchmarks/bench_app.py`` sets it to tell the time
the server takes from the time the browsers take; an operator can set it to find slow
pages. Unset (the default), nothing is written and a run pays one ``os.environ`` lookup.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator

from streamlit.runtime.scriptrunner import get_script_run_ctx

ENV = "CLSPD_RUN_LOG"
"""The environment variable naming the file the runs are appended to."""

_lock = threading.Lock()


def _outcome(err: BaseException | None) -> str:
    if err is None:
        return "ok"
    name = type(err).__name__
    if name == "RerunException":
        return "rerun"
    if name == "StopException":
        return "stop"
    return "error"


@contextlib.contextmanager
def timed() -> Iterator[dict[str, str]]:
    """Time the run inside; the caller fills the yielded dict's ``page`` and ``role``."""
    path = os.environ.get(ENV)
    info: dict[str, str] = {}
    if not path:
        yield info
        return
    t0 = time.perf_counter()
    err: BaseException | None = None
    try:
        yield info
    except BaseException as exc:  # noqa: BLE001 - recorded, then raised again as it was
        err = exc
        raise
    finally:
        ctx = get_script_run_ctx()
        line = {"end": round(time.time(), 3), "s": round(time.perf_counter() - t0, 4),
                "page": info.get("page", ""), "role": info.get("role", ""),
                "session": ctx.session_id if ctx is not None else "",
                "outcome": _outcome(err)}
        with _lock, open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
