"""One import at a time in the server: a process-wide slot with a bounded waiting line.

The app's import (read, check, write) is the heaviest work a user can start. Several users
importing at once would each parse their files in the same process and take its memory and
its interpreter lock from everyone else's pages. :data:`GATE` lets one import run; at most
``waiting`` more wait for it, each for at most ``timeout_s`` seconds; any other import is
refused at once with :data:`BUSY_MESSAGE` (nothing read, nothing written, the user's
choices kept by the page). A thread-safe gate; on the page, the reading of the files into
frames (the part whose memory the file decides) runs in a limited child process
(:mod:`clspd_geo.importing.worker`), the checks and the store write in the session's thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from clspd_geo.errors import ClspdGeoError

BUSY_MESSAGE = ("Un autre import est en cours : réessayez dans quelques minutes ; "
                "rien n'a été écrit.")


class ImportBusy(ClspdGeoError, RuntimeError):
    """The import slot is taken and its waiting line full, or the wait timed out."""

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        super().__init__(message)


class ImportGate:
    """A bounded slot: ``running`` imports at once, at most ``waiting`` more in line.

    Parameters
    ----------
    running
        Imports that may run at the same time (at least 1).
    waiting
        Imports that may wait for a free slot (0: refuse as soon as one runs).
    timeout_s
        Longest wait in line before the import is refused.
    """

    def __init__(self, *, running: int = 1, waiting: int = 2, timeout_s: float = 120.0) -> None:
        if running < 1 or waiting < 0 or timeout_s < 0:
            raise ValueError("running >= 1, waiting >= 0 and timeout_s >= 0")
        self.max_running = running
        self.max_waiting = waiting
        self.timeout_s = timeout_s
        self._cond = threading.Condition()
        self._running = 0
        self._waiting = 0

    def status(self) -> tuple[int, int]:
        """Return ``(running, waiting)`` now."""
        with self._cond:
            return self._running, self._waiting

    def acquire(self) -> None:
        """Take a slot, waiting in line if there is room there.

        Raises
        ------
        ImportBusy
            Every slot taken and the line full, or no slot freed within ``timeout_s``.
        """
        with self._cond:
            if self._running < self.max_running and self._waiting == 0:
                self._running += 1
                return
            if self._waiting >= self.max_waiting:
                raise ImportBusy()
            self._waiting += 1
            try:
                free = self._cond.wait_for(lambda: self._running < self.max_running,
                                           timeout=self.timeout_s)
            finally:
                self._waiting -= 1
            if not free:
                raise ImportBusy()
            self._running += 1

    def release(self) -> None:
        """Give a slot back and wake one import in line."""
        with self._cond:
            if self._running == 0:
                raise RuntimeError("release() without acquire()")
            self._running -= 1
            self._cond.notify()

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for the body of a ``with`` block (see :meth:`acquire`)."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


GATE = ImportGate()
"""The server's gate: one import running, two waiting up to two minutes each."""


def slot() -> contextlib.AbstractContextManager[None]:
    """Hold the server's import slot (:data:`GATE`) for a ``with`` block.

    Raises
    ------
    ImportBusy
        Another import runs and the line is full, or the wait timed out.
    """
    return GATE.slot()
