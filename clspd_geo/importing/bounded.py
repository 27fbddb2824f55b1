"""Decompress a user's file within a byte budget: gzip, zip members, archives in archives.

A 3 Mo upload can hold gigabytes once expanded (a « decompression bomb »). Nothing here
trusts a size written in the file: gzip and zip members are streamed chunk by chunk and
the read stops as soon as the expanded bytes pass the budget (the page's 50 Mo, the command
line's 100 Mo) or the expansion ratio passes :data:`MAX_RATIO`. The sizes declared in a zip
directory are checked first, before anything is expanded (the estimate), and the stream
checks them again (a directory may lie). Messages name the file, never a server path.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from clspd_geo.errors import DataFileError

MAX_RATIO = 100
"""Largest expansion ratio accepted (expanded / compressed bytes). Real CSV and shapefile
exports expand 3 to 20 times; a file of repeated rows or zeros expands thousands of times."""
RATIO_FLOOR_BYTES = 1_000_000
"""The ratio is checked only past this many expanded bytes (tiny files expand oddly)."""
CHUNK_BYTES = 1 << 20
"""Bytes read from the compressed stream at a time."""
MAX_DEPTH = 3
"""Largest number of nested gzip layers undone (a ``.csv.gz`` gzipped again is 2)."""
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_PATH = re.compile(r"(?:/vsi\w+/)*(?:/[^\s'\"«»:,()]+)+")


def too_big_message(name: str, *, max_bytes: int, reason: str) -> str:
    """Return the French refusal of a file whose expanded content is over the budget."""
    return (f"Le fichier « {name} » est refusé : {reason} (maximum {max_bytes / 1e6:.0f} Mo "
            f"une fois décompressé, et {MAX_RATIO} fois sa taille compressée). Décompressez-le "
            "et découpez-le (par année ou par commune) avant de l'importer ; la base n'a pas "
            "été modifiée.")


def _check(name: str, expanded: int, compressed: int, *, max_bytes: int) -> None:
    if expanded > max_bytes:
        raise DataFileError(too_big_message(
            name, max_bytes=max_bytes,
            reason=f"une fois décompressé il dépasse {max_bytes / 1e6:.0f} Mo"))
    if expanded > RATIO_FLOOR_BYTES and expanded > MAX_RATIO * max(compressed, 1):
        raise DataFileError(too_big_message(
            name, max_bytes=max_bytes,
            reason=f"il grossit de plus de {MAX_RATIO} fois en se décompressant"))


def gunzip(raw: bytes, *, name: str, max_bytes: int) -> bytes:
    """Return the expansion of gzip bytes (every member, every nested gzip layer).

    Parameters
    ----------
    raw
        The compressed bytes (starting with the gzip magic number).
    name
        The file name shown in messages.
    max_bytes
        Budget of expanded bytes, over all layers.

    Raises
    ------
    DataFileError
        Over the budget or the ratio, too many layers, or a damaged stream.
    """
    depth = 0
    while raw.startswith(GZIP_MAGIC):
        depth += 1
        if depth > MAX_DEPTH:
            raise DataFileError(f"Le fichier « {name} » est compressé plus de {MAX_DEPTH} "
                                "fois de suite : décompressez-le avant de l'importer.")
        raw = _gunzip_layer(raw, name=name, max_bytes=max_bytes)
    return raw


def _gunzip_layer(raw: bytes, *, name: str, max_bytes: int) -> bytes:
    view = memoryview(raw)
    out = bytearray()
    fed = 0  # compressed bytes handed to the decompressor so far
    while fed < len(raw) and raw.startswith(GZIP_MAGIC, fed):
        dec = zlib.decompressobj(wbits=31)
        pending: bytes | memoryview = b""
        while not dec.eof:
            if not pending:
                pending = view[fed:fed + CHUNK_BYTES]
                if not pending:
                    raise DataFileError(f"Le fichier compressé « {name} » est tronqué : "
                                        "téléchargez-le à nouveau.")
                fed += len(pending)
            try:
                out += dec.decompress(pending, CHUNK_BYTES)
            except zlib.error as err:
                raise DataFileError(f"Le fichier compressé « {name} » est endommagé "
                                    f"({err}) : téléchargez-le à nouveau.") from err
            pending = dec.unconsumed_tail
            _check(name, len(out), fed - len(pending), max_bytes=max_bytes)
        fed -= len(dec.unused_data)  # the next member starts there
    return bytes(out)


def zip_estimate(zf: zipfile.ZipFile, *, name: str, max_bytes: int) -> int:
    """Return the expanded size a zip's directory declares; refuse it before expanding.

    Raises
    ------
    DataFileError
        The declared total is over the budget or the ratio, or a member is an archive.
    """
    infos = [i for i in zf.infolist() if not i.is_dir()]
    for info in infos:
        if info.filename.lower().endswith((".zip", ".7z", ".rar", ".tar")):
            msg = (f"L'archive « {name} » contient une autre archive (« "
                   f"{PurePosixPath(info.filename).name} ») : décompressez-la et importez "
                   "les fichiers qu'elle contient ; la base n'a pas été modifiée.")
            raise DataFileError(msg)
    declared = sum(i.file_size for i in infos)
    _check(name, declared, sum(i.compress_size for i in infos), max_bytes=max_bytes)
    return declared


def read_member(zf: zipfile.ZipFile, member: str, *, name: str, max_bytes: int) -> bytes:
    """Return one zip member's bytes, streamed within the budget (gzip inside undone).

    Raises
    ------
    DataFileError
        The member expands past the budget or the ratio, or is damaged.
    """
    info = zf.getinfo(member)
    label = f"{name}/{PurePosixPath(member).name}"
    _check(label, info.file_size, info.compress_size, max_bytes=max_bytes)
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK_BYTES):
                out += chunk
                _check(label, len(out), info.compress_size, max_bytes=max_bytes)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        raise DataFileError(f"Le fichier « {label} » est endommagé dans l'archive "
                            f"({type(err).__name__}) : compressez à nouveau les "
                            "fichiers.") from err
    if out.startswith(GZIP_MAGIC):
        return gunzip(bytes(out), name=label, max_bytes=max_bytes)
    if out.startswith(ZIP_MAGIC):
        raise DataFileError(f"L'archive « {name} » contient une autre archive (« "
                            f"{PurePosixPath(member).name} ») : décompressez-la et importez "
                            "les fichiers qu'elle contient ; la base n'a pas été modifiée.")
    return bytes(out)


def extract_members(path: Path, members: list[str], target: Path, *,
                    name: str, max_bytes: int) -> list[Path]:
    """Extract zip members into ``target`` (a fresh folder), within one shared budget.

    The readers (GDAL) then open plain files: nothing expands behind the budget's back.

    Raises
    ------
    DataFileError
        Over the budget or ratio, nested archive, damaged member.
    """
    out, total = [], 0
    with zipfile.ZipFile(path) as zf:
        zip_estimate(zf, name=name, max_bytes=max_bytes)
        for member in members:
            data = read_member(zf, member, name=name, max_bytes=max_bytes - total)
            total += len(data)
            dest = target / PurePosixPath(member).name
            dest.write_bytes(data)
            out.append(dest)
    return out


def without_paths(text: str, *, name: str) -> str:
    """Return a reader's error text with every file path replaced by ``name``.

    GDAL names the file it failed on with its full path (``/vsizip//tmp/…/x.zip/x.shp``):
    shown to a user that would leak the server's folders.
    """
    return _PATH.sub(name, str(text))
