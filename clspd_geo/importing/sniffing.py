"""Open a user's file safely and tell what it is: format, encoding, separator, decimal mark.

Nothing here trusts the file name. The size is checked before a single byte is read,
the format comes from the first bytes (magic numbers), the encoding from a strict UTF-8
decode with a Windows-1252 fallback, and the separator from the header line.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from clspd_geo.errors import CrsError, DataFileError
from clspd_geo.importing import bounded

Format = Literal["csv", "geojson", "gpkg", "shapefile_zip", "shapefile", "gtfs_zip", "kml",
                 "records", "osm_pbf"]

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Largest file accepted (100 Mo): the size on disk, checked before reading, and the size
once decompressed (:mod:`clspd_geo.importing.bounded`), checked while expanding."""

_SEPARATORS = (";", ",", "\t", "|")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"
GTFS_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
              "calendar.txt", "calendar_dates.txt", "feed_info.txt")
"""Member names that make a zip a GTFS feed (General Transit Feed Specification)."""
RECORD_TYPES = ("finess", "structureet", "geolocalisation")
"""First fields of headerless record files (the raw FINESS extract): read as ``records``."""
# Bytes undefined in Windows-1252: text with them is neither UTF-8 nor a Western code page.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# UTF-8 read as Latin-1 then saved again as UTF-8 ("Ã©" for "é").
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]")


@dataclass(frozen=True)
class Table:
    """A delimited text file read as strings.

    Attributes
    ----------
    frame
        Every cell as a string (``None`` when empty); column names stripped.
    lines
        The 1-based line number in the file of each row of ``frame`` (the header is line 1).
    encoding
        ``"UTF-8"`` or ``"Windows-1252"``.
    separator
        The field separator found in the header.
    gzipped
        True when the file was gzip-compressed.
    """

    frame: pd.DataFrame
    lines: pd.Series
    encoding: str
    separator: str
    gzipped: bool


def check_size(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Return the size of ``path`` in bytes; raise before reading when it is too big.

    Raises
    ------
    DataFileError
        The file is missing, a folder, empty, or larger than ``max_bytes``.
    """
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"Le fichier « {path} » est introuvable. Vérifiez le chemin.")
    if path.is_dir():
        raise DataFileError(f"« {path} » est un dossier ; indiquez un fichier.")
    size = path.stat().st_size
    if size == 0:
        raise DataFileError(f"Le fichier « {path.name} » est vide (0 octet). "
                            "Exportez-le à nouveau depuis le logiciel d'origine.")
    if size > max_bytes:
        msg = (f"Le fichier « {path.name} » est trop volumineux ({size / 1e6:.0f} Mo, "
               f"maximum {max_bytes / 1e6:.0f} Mo). Découpez-le (par année ou par commune) "
               "ou filtrez-le avant de l'importer.")
        raise DataFileError(msg)
    return size


def detect_format(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Format:
    """Return the format of ``path`` from its first bytes (the extension is only a hint).

    A zip's declared expanded size is checked here against ``max_bytes``, before anything
    is expanded.

    Raises
    ------
    DataFileError
        The file is binary and of no supported format, a zip without a shapefile, or an
        archive that declares more than ``max_bytes`` once expanded.
    """
    path = Path(path)
    check_size(path, max_bytes=max_bytes)
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(_SQLITE_MAGIC):
        return "gpkg"
    if b"OSMHeader" in head[4:24]:  # OpenStreetMap PBF: a length, then the first BlobHeader
        return "osm_pbf"
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                bounded.zip_estimate(zf, name=path.name, max_bytes=max_bytes)
                names = [n for n in zf.namelist() if n.lower().endswith(".shp")]
        except zipfile.BadZipFile as err:
            raise DataFileError(f"L'archive « {path.name} » est endommagée ({err}). "
                                "Compressez à nouveau les fichiers.") from err
        if not names and gtfs_members(path):
            return "gtfs_zip"
        if not names:
            msg = (f"L'archive « {path.name} » ne contient aucun shapefile (.shp). "
                   "Elle doit contenir au moins les fichiers .shp, .shx, .dbf et .prj "
                   "d'une même couche.")
            raise DataFileError(msg)
        return "shapefile_zip"
    if path.suffix.lower() == ".shp":
        return "shapefile"
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(4096)
        except (OSError, EOFError) as err:
            raise DataFileError(f"Le fichier compressé « {path.name} » est endommagé "
                                f"({err}).") from err
    if _looks_binary(head):
        msg = (f"Le fichier « {path.name} » n'est pas un fichier texte (CSV ou GeoJSON) : "
               "il contient des données binaires. Formats acceptés : CSV, GeoJSON, "
               "GeoPackage (.gpkg) ou shapefile zippé (.zip).")
        raise DataFileError(msg)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") or stripped.startswith(b"["):
        return "geojson"
    if stripped.startswith(b"<") and b"<kml" in head.lower():
        return "kml"
    return "csv"


def gtfs_members(path: Path) -> dict[str, str]:
    """Return ``{GTFS file name: member name}`` of the GTFS files a zip holds (any folder)."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    out = {}
    for member in names:
        base = member.rsplit("/", 1)[-1].lower()
        if base in GTFS_FILES and base not in out:
            out[base] = member
    return out


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte-order mark: text, decoded later
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.05


def read_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes, bool]:
    """Return the raw content of ``path``, gunzipped when needed, and whether it was gzip.

    The gzip stream is expanded within ``max_bytes`` (and the expansion ratio):
    see :func:`clspd_geo.importing.bounded.gunzip`.

    Raises
    ------
    DataFileError
        Too big on disk or once expanded, or a damaged gzip stream.
    """
    path = Path(path)
    check_size(path, max_bytes=max_bytes)
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw.startswith(_GZIP_MAGIC):
        return bounded.gunzip(raw, name=path.name, max_bytes=max_bytes), True
    return raw, False


def decode(raw: bytes, *, name: str) -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding label)``.

    UTF-8 (with or without BOM) first, UTF-16 when a BOM says so, then Windows-1252
    (the usual encoding of French exports from Excel). Text that was converted twice
    ("Ã©" for "é") is refused, since guessing back is unsafe.

    Raises
    ------
    DataFileError
        The bytes are in no supported encoding, or are doubly encoded.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        text = raw.decode("utf-8-sig")
        label = "UTF-8"
    except UnicodeDecodeError as err:
        if any(b in _CP1252_HOLES for b in raw):
            msg = (f"L'encodage du fichier « {name} » n'est pas reconnu (ni UTF-8, ni "
                   f"Windows-1252 ; octet invalide à la position {err.start}). "
                   "Ré-enregistrez-le en « CSV UTF-8 ».")
            raise DataFileError(msg) from err
        text = raw.decode("cp1252")
        label = "Windows-1252"
    bad = _MOJIBAKE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        msg = (f"Le fichier « {name} » semble encodé deux fois (« {bad.group()} » à la ligne "
               f"{line} au lieu d'une lettre accentuée). Ré-enregistrez-le en « CSV UTF-8 » "
               "depuis le fichier d'origine.")
        raise DataFileError(msg)
    return text, label


def detect_separator(header: str, *, name: str) -> str:
    """Return the field separator used in a CSV header line.

    Raises
    ------
    DataFileError
        No usual separator splits the header into several columns.
    """
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in _SEPARATORS}
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 2:
        msg = (f"Le fichier « {name} » n'a qu'une seule colonne : son séparateur n'est pas "
               "reconnu (attendu : point-virgule, virgule, tabulation ou barre verticale). "
               f"En-tête lu : « {header[:80]} ».")
        raise DataFileError(msg)
    return sep


def read_table(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """Read a CSV (optionally gzip) as strings, keeping each row's line number.

    Raises
    ------
    DataFileError
        Too big (on disk or expanded), empty, header-only, wrong encoding, unknown
        separator, ragged rows.
    """
    path = Path(path)
    raw, gz = read_bytes(path, max_bytes=max_bytes)
    return parse_table(raw, name=path.name, gzipped=gz)


def parse_table(raw: bytes, *, name: str, gzipped: bool = False) -> Table:
    """Parse the bytes of a delimited text file (see :func:`read_table`).

    ``name`` is the file name shown in messages (a zip member is named ``archive/member``).

    Raises
    ------
    DataFileError
        Empty, header-only, wrong encoding, unknown separator, ragged rows.
    """
    gz = gzipped
    text, encoding = decode(raw, name=name)
    if not text.strip():
        raise DataFileError(f"Le fichier « {name} » est vide (aucune ligne de texte).")
    header = text.lstrip("\ufeff").splitlines()[0]
    sep = detect_separator(header, name=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        head = next(reader)
        width = len(head)
        for row in reader:
            if len(row) <= 1 and not "".join(row).strip():
                continue
            if len(row) != width:
                msg = (f"La ligne {reader.line_num} du fichier « {name} » a {len(row)} "
                       f"champs au lieu de {width} (séparateur « {_sep_label(sep)} »). "
                       "Vérifiez les guillemets et le séparateur de cette ligne.")
                raise DataFileError(msg)
            rows.append([cell.strip() or None for cell in row])
            lines.append(reader.line_num)
    except csv.Error as err:
        raise DataFileError(f"Le fichier « {name} » n'est pas un CSV lisible "
                            f"(ligne {reader.line_num} : {err}).") from err
    if not rows:
        msg = (f"Le fichier « {name} » ne contient que la ligne d'en-tête : "
               "aucune donnée à importer.")
        raise DataFileError(msg)
    columns = [c.strip().lstrip("\ufeff") for c in head]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        msg = (f"L'en-tête du fichier « {name} » contient des colonnes en double : "
               f"{', '.join(twice)}. Renommez-les pour que chaque colonne ait un nom unique.")
        raise DataFileError(msg)
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return Table(frame, pd.Series(lines, index=frame.index), encoding, sep, gz)


def _is_record_file(path: Path, *, max_bytes: int) -> bool:
    with open(path, "rb") as fh:
        raw = fh.read(4096)
    if raw.startswith(_GZIP_MAGIC):
        with gzip.open(path, "rb") as fh:  # 4,096 bytes at most: no budget needed
            raw = fh.read(4096)
    first = raw[:200].lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].split(b";", 1)[0]
    return first.strip().decode("latin-1").lower() in RECORD_TYPES


def read_records(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """Read a headerless ``;`` file whose rows are records of several types and widths.

    Columns are ``f0`` (the record type) to ``fN`` for the widest record; shorter records
    are padded with ``None``. Line numbers are the file's.

    Raises
    ------
    DataFileError
        Undecodable text.
    """
    raw, gz = read_bytes(path, max_bytes=max_bytes)
    text, encoding = decode(raw, name=Path(path).name)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    rows, lines = [], []
    for row in reader:
        if row and "".join(row).strip():
            rows.append([cell.strip() or None for cell in row])
            lines.append(reader.line_num)
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows],
                         columns=[f"f{i}" for i in range(width)], dtype=object)
    return Table(frame, pd.Series(lines, index=frame.index), encoding, ";", gz)


def read_gtfs_member(path: Path, member: str, *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """Read one file of a GTFS zip (``stops.txt``...) as a :class:`Table`.

    Raises
    ------
    DataFileError
        The member is absent (a GTFS feed without ``stops.txt`` has no stop to place) or
        unreadable.
    """
    members = gtfs_members(path)
    if member not in members:
        found = ", ".join(sorted(members)) or "aucun fichier GTFS"
        msg = (f"L'archive GTFS « {Path(path).name} » ne contient pas « {member} » "
               f"(fichiers trouvés : {found}). Téléchargez le GTFS complet de l'autorité "
               "organisatrice (il doit contenir stops.txt), ou donnez stops.txt seul ; "
               "la base n'a pas été modifiée.")
        raise DataFileError(msg)
    with zipfile.ZipFile(path) as zf:
        bounded.zip_estimate(zf, name=Path(path).name, max_bytes=max_bytes)
        raw = bounded.read_member(zf, members[member], name=Path(path).name,
                                  max_bytes=max_bytes)
    return parse_table(raw, name=f"{Path(path).name}/{member}")


def _sep_label(sep: str) -> str:
    return {"\t": "tabulation", ";": ";", ",": ",", "|": "|"}[sep]


def read_vector(path: Path, fmt: Format, *,
                max_bytes: int = MAX_FILE_BYTES) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, (zipped) shapefile or OpenStreetMap PBF with GDAL.

    An ``.osm.pbf`` is read by GDAL's OSM driver (in pyogrio's wheels): its ``lines``
    layer, the ways with their ``highway``, ``name`` and ``other_tags``.

    The CRS is kept as found; a layer without one comes back with ``crs=None`` and the
    caller decides (GeoJSON without ``crs`` member is WGS84 by definition, RFC 7946).

    A zipped shapefile's members are extracted within ``max_bytes`` into a temporary
    folder first, so GDAL reads plain files and never expands anything itself.

    Raises
    ------
    DataFileError
        The file cannot be parsed (truncated GeoJSON, damaged archive...), or is too big
        once expanded; the message names the file, never a server path.
    """
    path = Path(path)
    check_size(path, max_bytes=max_bytes)
    if fmt == "shapefile_zip":
        with tempfile.TemporaryDirectory(prefix="clspd-shp-") as tmp:
            return _read_zipped_shapefile(path, Path(tmp), max_bytes=max_bytes)
    return _read_vector(path, fmt, max_bytes=max_bytes)


def _read_zipped_shapefile(path: Path, tmp: Path, *, max_bytes: int) -> gpd.GeoDataFrame:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    shp = sorted(n for n in names if n.lower().endswith(".shp"))[0]
    stem = shp[:-4].lower()
    members = [n for n in names if n.lower().rsplit(".", 1)[0] == stem]
    files = bounded.extract_members(path, members, tmp, name=path.name, max_bytes=max_bytes)
    target = next(f for f in files if f.suffix.lower() == ".shp")
    return _read_vector(path, "shapefile_zip", max_bytes=max_bytes, target=target)


def _read_vector(path: Path, fmt: Format, *, max_bytes: int,
                 target: Path | None = None) -> gpd.GeoDataFrame:
    target = str(target or path)
    if fmt == "geojson":
        raw, _ = read_bytes(path, max_bytes=max_bytes)
        text, _ = decode(raw, name=path.name)
        _check_json(text, name=path.name)
        # Parsed from memory, never as a path: GDAL takes a string for a file name, so
        # « ! » or « ; » in a name, or a text over 4,096 characters, would not be read.
        target = io.BytesIO(text.encode("utf-8"))
    if fmt == "kml":
        return _read_kml(path, max_bytes=max_bytes)
    try:
        layers = pyogrio.list_layers(target) if fmt == "gpkg" else None
        layer = "lines" if fmt == "osm_pbf" else None  # GDAL's OSM driver: ways as lines
        if layers is not None:
            spatial = [str(n) for n, g in layers if g is not None]
            if not spatial:
                raise DataFileError(f"Le fichier « {path.name} » ne contient aucune couche "
                                    "géographique.")
            layer = spatial[0]
        gdf = pyogrio.read_dataframe(target, layer=layer, use_arrow=False)
    except DataFileError:
        raise
    except Exception as err:  # GDAL reports parse errors with several exception types
        reason = bounded.without_paths(str(err), name=path.name)
        msg = (f"Le fichier « {path.name} » ne peut pas être lu comme {fmt} ({reason}). "
               "Vérifiez qu'il est complet (téléchargement interrompu ?) et réexportez-le.")
        raise DataFileError(msg) from err
    if fmt == "geojson" and gdf.crs is None:
        raise CrsError(f"Le fichier « {path.name} » n'a pas de système de coordonnées.")
    return gdf


_NETWORK_LINK = re.compile(r"<\s*(?:\w+:)?NetworkLink\b", re.IGNORECASE)


def _read_kml(path: Path, *, max_bytes: int) -> gpd.GeoDataFrame:
    """Read every folder (layer) of a KML file, refusing network links.

    A ``NetworkLink`` makes the reader fetch another file from the Internet: the import
    would then depend on a server, and could be made to reach any address.

    Raises
    ------
    DataFileError
        A network link, or a file GDAL cannot parse.
    """
    raw, _ = read_bytes(path, max_bytes=max_bytes)
    text, _ = decode(raw, name=path.name)
    link = _NETWORK_LINK.search(text)
    if link:
        line = text.count("\n", 0, link.start()) + 1
        msg = (f"Le fichier KML « {path.name} » charge un lien réseau (NetworkLink, ligne "
               f"{line}) : ses objets sont sur un serveur, pas dans le fichier, et ne sont "
               "pas importés. Ouvrez le lien dans Google Earth ou QGIS et enregistrez les "
               "objets eux-mêmes en KML ou GeoJSON ; la base n'a pas été modifiée.")
        raise DataFileError(msg)
    try:
        layers = [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
        frames = [pyogrio.read_dataframe(path, layer=n, use_arrow=False) for n in layers]
    except Exception as err:  # GDAL reports parse errors with several exception types
        reason = bounded.without_paths(str(err), name=path.name)
        msg = (f"Le fichier KML « {path.name} » ne peut pas être lu ({reason}). Vérifiez qu'il "
               "est complet et réexportez-le.")
        raise DataFileError(msg) from err
    frames = [f for f in frames if not f.empty]
    if not frames:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    gdf = pd.concat(frames, ignore_index=True)
    geom = gdf.geometry.name
    # LIBKML writes every KML field (id, timestamps, styles...) even when no placemark has
    # one: empty columns would shadow real ones (an empty « id » for the camera number).
    empty = [c for c in gdf.columns if c != geom and gdf[c].isna().all()]
    gdf = gdf.drop(columns=empty)
    flat = shapely.force_2d(gdf[geom].values)
    return gpd.GeoDataFrame(gdf.drop(columns=[geom]), geometry=gpd.GeoSeries(
        flat, index=gdf.index), crs="EPSG:4326")


def _check_json(text: str, *, name: str) -> None:
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        msg = (f"Le fichier GeoJSON « {name} » est tronqué ou mal formé (ligne {err.lineno}, "
               f"colonne {err.colno} : {err.msg}). Téléchargez-le ou exportez-le à nouveau.")
        raise DataFileError(msg) from err


@dataclass(frozen=True)
class Source:
    """One input file, read: its rows, the file line (or feature number) of each, what it is.

    ``frame`` is a DataFrame of strings for a CSV, a GeoDataFrame for a vector file.
    """

    path: Path
    frame: pd.DataFrame
    lines: pd.Series
    format: Format
    encoding: str | None = None
    separator: str | None = None
    max_bytes: int = MAX_FILE_BYTES
    """The budget its other parts (GTFS members) are read within."""
    file: Path | None = None
    """The file on disk when ``path`` is a display name (an upload's name)."""

    @property
    def disk_path(self) -> Path:
        """The file to open again (a GTFS zip's other members)."""
        return self.file or self.path

    @property
    def name(self) -> str:
        """The file name, as shown in reports."""
        return self.path.name

    @property
    def is_vector(self) -> bool:
        """True for GeoJSON, GeoPackage and shapefiles."""
        return isinstance(self.frame, gpd.GeoDataFrame)

    def column(self, *names: str) -> str | None:
        """Return the first column whose name matches one of ``names`` (any case)."""
        lower = {str(c).lower(): c for c in self.frame.columns}
        return next((lower[n.lower()] for n in names if n.lower() in lower), None)


def open_source(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Source:
    """Detect the format of ``path`` and read it (size checked first).

    ``max_bytes`` bounds the file on disk and once expanded (gzip, zip members).
    """
    path = Path(path)
    check_size(path, max_bytes=max_bytes)
    fmt = detect_format(path, max_bytes=max_bytes)
    if fmt == "csv" and _is_record_file(path, max_bytes=max_bytes):
        table = read_records(path, max_bytes=max_bytes)
        return Source(path, table.frame, table.lines, "records", table.encoding,
                      table.separator, max_bytes)
    if fmt == "csv":
        table = read_table(path, max_bytes=max_bytes)
        return Source(path, table.frame, table.lines, fmt, table.encoding, table.separator,
                      max_bytes)
    if fmt == "gtfs_zip":
        table = read_gtfs_member(path, "stops.txt", max_bytes=max_bytes)
        return Source(path, table.frame, table.lines, fmt, table.encoding, table.separator,
                      max_bytes)
    gdf = read_vector(path, fmt, max_bytes=max_bytes)
    if gdf.empty:
        raise DataFileError(f"Le fichier « {path.name} » ne contient aucun objet.")
    gdf = gdf.reset_index(drop=True)
    return Source(path, gdf, pd.Series(range(1, len(gdf) + 1), index=gdf.index), fmt)
