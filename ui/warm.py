"""Warm the shared caches of a new store version in the background, role by role.

After a server start or an import (from the « Données » page, the command line or another
server) the first session of each role would pay everything of the new version: the
store's layers and prepared incidents, the role's release, the overview's figures and its
rendered map. When a run sees a store version this process has not seen yet for its store,
:func:`notice` starts one background thread that does that work for the default filters of
every role that opens the overview, one role after the other, and returns at once: the run
that noticed (the importer's) is not held. The login page notices too
(:func:`login_note`): on a server that has just started, the warm-up runs while the first
user types their password.

It gives way to the sessions: between two steps it waits while a session's run is going on
in this process (:func:`session_run`, around every run of ``app.py``), so it uses the time
between runs and never slows a user's page down by competing with it.

Bounded: one warm-up at a time, at most :data:`MAX_SECONDS` of work, stopped as soon as a
newer version is seen. It cannot serve a role another role's data: each role's work is
done on that role's own :class:`RoleView` and kept under that view's key (version, role,
day), as a session of the role does (:func:`ui.map_cache.key`). ``CLSPD_WARM=0`` turns it
off (tests do).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator

from clspd_geo import config, vocab
from clspd_geo.access import role_periods
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import periods, selection as selection_mod
from clspd_geo.errors import ClspdGeoError
from clspd_geo.police import patrols
from clspd_geo.screens import common, fields as field_screen, police as police_screen
from ui import map_cache, panels

MAX_SECONDS = 120.0
"""Time after which a warm-up stops, done or not."""

START_DELAY_S = 1.0
"""Wait before warming: the run that noticed the version sends its page first."""

IDLE_POLL_S = 0.02
"""How often a warm-up waiting for the sessions' runs to end looks again."""

OVERVIEW = ""
"""The URL path of the page every session lands on after login (the overview)."""

POLICE = "police"
"""The URL path of the police page: its first analysis (the workload) is warmed too."""

THREAD_NAME = "clspd-warm"

_seen: dict[str, str] = {}  # store target -> the newest version a run has seen
_preferred: list[str] = []  # roles that logged in while a warm-up runs: warmed next
_active_runs = 0  # session runs going on in this process (session_run)
_lock = threading.Lock()
_one_at_a_time = threading.Lock()
_log = logging.getLogger(__name__)


class _QuietWarmThread(logging.Filter):
    """Drop Streamlit's « missing ScriptRunContext » warnings of the warm-up thread: it
    runs outside any session on purpose (the role view's cache would show a spinner)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    _QuietWarmThread())


def enabled() -> bool:
    """Whether new store versions are warmed (``CLSPD_WARM=0`` turns it off)."""
    return os.environ.get("CLSPD_WARM", "1") != "0"


def notice(version: str) -> threading.Thread | None:
    """Say which store version this run reads; warm it in the background if it is new.

    Every version new to this process is warmed, the first one too (a server that starts).
    A session that asks for what the warm-up is computing waits for it rather than
    computing it again (:meth:`RoleView.memo`, :class:`ui.map_cache.MapCache`). Returns
    the thread started, if any."""
    target = config.store_target()
    with _lock:
        before = _seen.get(target)
        _seen[target] = version
    if before == version or not enabled():
        return None
    day = dt.date.today()
    thread = threading.Thread(target=_warm, args=(target, version, day), name=THREAD_NAME,
                              daemon=True)
    thread.start()
    return thread


def login_note() -> str | None:
    """Return the note shown under the login form, and warm the store's version meanwhile.

    Called before the form is drawn (:func:`ui.session.require_login`): the store and the
    demo accounts exist then (:func:`ui.data.demo_note`), and a version this process has
    not seen yet is warmed while the user types (:func:`notice`)."""
    from ui import data

    note = data.demo_note()
    notice(data.store_version())
    return note


def _current(target: str, version: str) -> bool:
    with _lock:
        return _seen.get(target) == version


@contextlib.contextmanager
def session_run() -> Iterator[None]:
    """Count a session's run while it goes on: the warm-up waits for none to be going on."""
    global _active_runs
    with _lock:
        _active_runs += 1
    try:
        yield
    finally:
        with _lock:
            _active_runs -= 1


def _give_way(started: float) -> bool:
    """Wait while a session's run is going on; return False once the time is up."""
    while True:
        if time.monotonic() - started > MAX_SECONDS:
            return False
        with _lock:
            if not _active_runs:
                return True
        time.sleep(IDLE_POLL_S)


def prefer(role: str) -> None:
    """Warm this role next: a session of it has just logged in.

    Its own first run computes the same things under the same locks, so the warm-up waits
    for that run instead of competing with it by warming another role."""
    with _lock:
        if role in _preferred:
            _preferred.remove(role)
        _preferred.insert(0, role)
        del _preferred[len(RoleView.roles()):]


def _next_role(pending: list[str]) -> str:
    with _lock:
        for role in _preferred:
            if role in pending:
                pending.remove(role)
                return role
    return pending.pop(0)


def _warm(target: str, version: str, day: dt.date) -> None:
    from ui import data  # the same cached role views the sessions read

    time.sleep(START_DELAY_S)
    with _one_at_a_time:
        started = time.monotonic()
        pending = list(RoleView.roles())
        while pending:
            if not _give_way(started):
                return
            role = _next_role(pending)
            if not _current(target, version):
                return
            try:
                view = data.cached_view(target, version, role, day)
                if view.may_open(OVERVIEW):
                    warm_role(view, target=target, give_way=lambda: _give_way(started))
            except ClspdGeoError as err:  # said by the role's own session when it comes
                _log.info("warm-up of %s skipped: %s", role, err)


def warm_role(view: RoleView, *, target: str,
              give_way: Callable[[], bool] = lambda: True) -> None:
    """Compute what a session of this view's role landing on the overview computes first.

    The role's release, the overview's figures and its rendered map for the default
    filters, and for a role that opens the police page its workload per sector and shift,
    all kept under this view's key. ``give_way`` is called between two steps; it
    waits while sessions run, and stops the work when it returns False."""
    basemap = config.default_basemap()
    filters = default_filters(view)
    sel = field_screen.year_snapped(view, filters.with_categories(vocab.category_codes()))[0]
    if not give_way():
        return
    field_screen.overview_kpis(view, sel)
    if not give_way():
        return
    key = map_cache.key(target, view.key, basemap, panels.OVERVIEW_MAP, filters, sel)
    map_cache.CACHE.get_or_render(key, lambda: panels.overview_map(view, sel, basemap=basemap))
    if view.may_open(POLICE) and give_way():
        # The police page's first analysis for its default shifts and weights, under the
        # key the page asks for (pages/police.py).
        police_screen.workload(view, start=filters.start, end=filters.end,
                               bounds=patrols.shift_bounds(patrols.shift_table()),
                               weights=patrols.weight_items(patrols.weight_table()),
                               communes=filters.communes)


def default_filters(view: RoleView) -> selection_mod.Selection:
    """Return the sidebar's filters before any choice (:func:`ui.widgets.sidebar_filters`).

    The first period preset, the whole territory. ``tests/app/test_warm.py`` fails if the
    sidebar's defaults stop being these."""
    _, span, res = common.period_basis(view)
    start, end = periods.resolve(next(iter(periods.PRESETS)), span[1], res=res)
    return selection_mod.Selection(*role_periods.snap_period(view, start, end))
