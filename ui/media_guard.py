"""Export files of the Streamlit server: made on click, fetched once, within a minute.

Streamlit serves a download button's file at ``/media/<hash>.<ext>``, to any client, with no
cookie: a button given bytes puts its file there when the page is drawn, under a name that
is the same in every session for the same content, and keeps it while a session shows the
button. :func:`ui.session.download_button` therefore always passes a callable (Streamlit
1.67's deferred downloads): nothing is at a URL before the click, and the callable runs on
the click, in the server, for the session whose websocket asked (the request names a random
id sent to that session only). The file it returns is still put under ``/media/``; this
guard makes that URL single-use and short-lived: the first GET takes it away (the browser's
own download), and it is refused :data:`TTL_S` seconds after it was made even if never
fetched. Installed, idempotently, by the first download button drawn.

What stays: between the click and the browser's GET (a few milliseconds), a client that
knows the file's hash (its content) could fetch it first; the session's own download then
fails and the export is still in the audit trail.
"""

from __future__ import annotations

import os
import threading
import time

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

TTL_S = 60.0
"""Seconds an export made on click may be fetched (once) at its URL."""

_LOCK = threading.Lock()
_PENDING: dict[str, list[float]] = {}
"""file id -> expiry times (monotonic), one per click not yet fetched."""
_IN_GET_URL = threading.local()


def file_id(url: str) -> str:
    """Return the media file id of a ``/media/<id>.<ext>`` URL."""
    return os.path.splitext(url.rsplit("/", 1)[-1])[0]


def pending() -> dict[str, int]:
    """Return ``{file id: clicks not yet fetched}`` (for tests and diagnostics)."""
    with _LOCK:
        return {k: len(v) for k, v in _PENDING.items() if v}


def _take(fid: str, now: float) -> bool | None:
    """Use one pending fetch of ``fid``: True (served), False (expired), None (not an export)."""
    with _LOCK:
        times = _PENDING.get(fid)
        if times is None:
            return None
        live = [t for t in times if t > now]
        if not live:
            _PENDING.pop(fid, None)
            return False
        live.remove(min(live))
        if live:
            _PENDING[fid] = live
        else:
            _PENDING.pop(fid, None)
        return True


def install() -> None:
    """Make the files of deferred downloads single-use and short-lived (idempotent)."""
    if getattr(MediaFileManager, "_clspd_single_use", False):
        return
    execute = MediaFileManager.execute_deferred
    get_file = MemoryMediaFileStorage.get_file
    get_url = MemoryMediaFileStorage.get_url

    def execute_deferred(self, deferred_id: str) -> str:
        url = execute(self, deferred_id)
        with _LOCK:
            _PENDING.setdefault(file_id(url), []).append(time.monotonic() + TTL_S)
        return url

    def guarded_get_url(self, fid: str) -> str:
        _IN_GET_URL.active = True  # the server naming a file is not a client fetching it
        try:
            return get_url(self, fid)
        finally:
            _IN_GET_URL.active = False

    def guarded_get_file(self, filename: str):
        if getattr(_IN_GET_URL, "active", False):
            return get_file(self, filename)
        fid = os.path.splitext(filename)[0]
        taken = _take(fid, time.monotonic())
        if taken is False:
            self.delete_file(fid)
            raise MediaFileStorageError(f"Export {fid} expiré")
        media = get_file(self, filename)
        if taken and not pending().get(fid):
            self.delete_file(fid)  # served: the URL is gone (the response holds the bytes)
        return media

    MediaFileManager.execute_deferred = execute_deferred
    MemoryMediaFileStorage.get_url = guarded_get_url
    MemoryMediaFileStorage.get_file = guarded_get_file
    MediaFileManager._clspd_single_use = True
