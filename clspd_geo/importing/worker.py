"""Read a user's files in a child process with a memory limit and a time limit.

Reading an uploaded file into frames (format sniffing, bounded decompression, the CSV or
GDAL reader) is the part of an import whose memory the file decides. :func:`read_sources`
runs :func:`clspd_geo.importing.sniffing.open_source` for each file in a child process
(a new interpreter, ``python -c``: never a fork of the server and its threads, and not
:mod:`multiprocessing`, which would run the app's script again in the child) whose address space is limited by ``RLIMIT_AS`` (:data:`MEMORY_LIMIT_BYTES`)
and whose run is limited to :data:`TIMEOUT_S` seconds. The child gets only the file paths
and the byte budget (never a store, never database credentials) and sends back the
:class:`~clspd_geo.importing.sniffing.Source` objects (pickled frames). A child that runs
out of memory, is killed or takes too long gives a French :class:`DataFileError` naming the
file, and the server process is untouched. The store is read and written by the caller.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from clspd_geo.errors import ClspdGeoError, DataFileError
from clspd_geo.importing import sniffing

MEMORY_LIMIT_BYTES = 1536 * 2**20
"""Address space of the reading process (1.5 Gio), the interpreter and libraries included."""
TIMEOUT_S = 300.0
"""Longest time the reading process may take, in seconds."""

_LOG = logging.getLogger("clspd_geo.importing.worker")


def too_big_message(names: Sequence[str]) -> str:
    """Return the French message for files whose reading exceeded the limits."""
    which = ", ".join(f"« {n} »" for n in names)
    one = len(names) == 1
    return (f"Le fichier {which} est trop volumineux pour être lu" if one else
            f"Les fichiers {which} sont trop volumineux pour être lus") + (
        " dans les limites du serveur (mémoire ou durée) : rien n'a été écrit. Découpez-le "
        "en fichiers plus petits (par année ou par secteur) ou importez-le en ligne de "
        "commande.")


def child_env(environ) -> dict[str, str]:
    """Return the reading process's environment: no store setting, no credential.

    Only the locale, paths and GDAL/PROJ settings of ``environ`` are kept (``CLSPD_STORE``,
    which may hold a PostGIS password, ``PG*`` and every other variable are not), and
    ``PYTHONPATH`` starts with the folder of this ``clspd_geo``.
    """
    keep = {"PATH", "HOME", "LANG", "TMPDIR", "TEMP", "TMP", "TZ", "SYSTEMROOT"}
    env = {k: v for k, v in environ.items()
           if k in keep or k.startswith(("LC_", "GDAL_", "PROJ_", "CPL_", "OGR_"))}
    root = str(Path(__file__).resolve().parents[2])  # this clspd_geo, not another one
    env["PYTHONPATH"] = os.pathsep.join(
        [root] + [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def child_main() -> None:
    """Body of the reading process: limit the memory, read, write the sources or the error.

    Reads ``(paths, max_bytes, memory_limit)`` pickled on stdin; writes ``(status,
    payload)`` pickled on stdout.
    """
    import resource

    paths, max_bytes, memory_limit = pickle.loads(sys.stdin.buffer.read())
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        out = ("ok", [sniffing.open_source(Path(p), max_bytes=max_bytes) for p in paths])
    except MemoryError:
        out = ("memory", None)
    except ClspdGeoError as err:
        out = ("error", (type(err), str(err)))
    except Exception as err:  # an unexpected reader failure: a message, not a traceback
        out = ("error", (DataFileError, f"Lecture impossible : {err}"))
    try:
        data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def read_sources(paths: Sequence[str | Path], *, names: Sequence[str] | None = None,
                 max_bytes: int = sniffing.MAX_FILE_BYTES,
                 memory_limit: int = MEMORY_LIMIT_BYTES,
                 timeout_s: float = TIMEOUT_S) -> list[sniffing.Source]:
    """Read ``paths`` into sources in a limited child process (see the module).

    Parameters
    ----------
    paths
        The files on disk.
    names
        Their display names (uploaded names), for messages; default the files' names.
    max_bytes
        Byte budget of each file on disk and once expanded.
    memory_limit
        Address space of the child, in bytes.
    timeout_s
        Longest run of the child, in seconds.

    Raises
    ------
    DataFileError
        The child ran out of memory, was killed or took longer than ``timeout_s`` (the
        message names the files), or a file cannot be read (the reader's French message).
    """
    shown = list(names) if names is not None else [Path(p).name for p in paths]
    env = child_env(os.environ)
    request = pickle.dumps(([str(p) for p in paths], max_bytes, memory_limit))
    # A new interpreter (never a fork of the server and its threads, never the app's
    # script run again): it gets the files' paths and budgets only.
    proc = subprocess.Popen(
        [sys.executable, "-c", "from clspd_geo.importing import worker; worker.child_main()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        cwd=tempfile.gettempdir())
    try:
        out, err_text = proc.communicate(request, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise DataFileError(too_big_message(shown)) from None
    try:
        status, payload = pickle.loads(out)
    except Exception:  # killed by the limit, or a reader crashed: nothing came back
        _LOG.warning("Lecture en processus séparé interrompue (code %s) : %s",
                     proc.returncode, err_text.decode("utf-8", "replace")[-500:])
        raise DataFileError(too_big_message(shown)) from None
    if status == "memory":
        raise DataFileError(too_big_message(shown))
    if status == "error":
        cls, message = payload
        try:
            err = cls(message)
        except Exception:  # an error class with another constructor: keep its message
            err = DataFileError(message)
        raise err
    return payload

