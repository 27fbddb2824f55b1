"""The GeoPackage file itself: its version token and its integrity check.

Both read the file only (never write it); :mod:`clspd_geo.store.gpkg` uses them before
every read and write, and the command line and the import check a file with them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from clspd_geo.errors import DataFileError
from clspd_geo.store import gpkg_sql

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
# GeoPackage 1.0 and 1.1 files (older QGIS / GDAL) say "GP10" and "GP11" instead.
_GPKG_APPLICATION_IDS = (GPKG_APPLICATION_ID, 0x47503130, 0x47503131)
_SQLITE_MAGIC = b"SQLite format 3\x00"



def file_version(path: str | os.PathLike[str]) -> str:
    """Return a token that changes whenever the file at ``path`` is replaced or modified.

    The file's stamp (inode, modification time, size) and the store's write counter: the
    stamp alone could miss an in-place write of the same size within one clock tick.
    """
    p = Path(path)
    if not p.exists():
        return "absent"
    st = p.stat()
    return gpkg_sql.pack_version(f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}",
                                 gpkg_sql.read_counter(p))


def check_geopackage(path: Path) -> None:
    """Raise :class:`DataFileError` unless ``path`` is a readable GeoPackage.

    Tells apart a missing file, a file that is not SQLite at all (a CSV renamed, say), a
    SQLite database that is not a GeoPackage, and a damaged one. Never writes to the file.
    """
    path = Path(path)
    if not path.exists():
        msg = (f"Le fichier de données « {path} » est introuvable. Vérifiez le chemin, ou créez "
               "un territoire de démonstration : python -m clspd_geo demo --store " f"{path}")
        raise DataFileError(msg)
    if path.is_dir():
        raise DataFileError(f"« {path} » est un dossier, pas un fichier GeoPackage (.gpkg).")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as err:
        msg = f"Le fichier « {path} » ne peut pas être lu ({err.strerror}). Vérifiez ses droits."
        raise DataFileError(msg) from err
    if not head:
        msg = (f"Le fichier « {path} » est vide (0 octet) : ce n'est pas un GeoPackage. "
               "Une copie ou un téléchargement a sans doute échoué ; recopiez le fichier .gpkg.")
        raise DataFileError(msg)
    if not head.startswith(_SQLITE_MAGIC):
        msg = (f"Le fichier « {path} » n'est pas un GeoPackage (ce n'est pas une base SQLite). "
               "Indiquez un fichier .gpkg produit par clspd-geo ou par QGIS ; le fichier n'a "
               "pas été modifié.")
        raise DataFileError(msg)
    try:
        # as_uri() percent-encodes '?', '#' and '%': a raw path with them would be cut
        # short, and sqlite would create (write!) an empty database at the truncated path.
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            check = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as err:
        msg = (f"Le fichier « {path} » est endommagé et ne peut pas être ouvert ({err}). "
               "Restaurez une sauvegarde ou recréez-le ; il n'a pas été modifié.")
        raise DataFileError(msg) from err
    if check != "ok":
        msg = (f"Le fichier « {path} » est endommagé (contrôle d'intégrité : {check}). "
               "Restaurez une sauvegarde ; il n'a pas été modifié.")
        raise DataFileError(msg)
    if app_id not in _GPKG_APPLICATION_IDS or "gpkg_contents" not in tables:
        msg = (f"Le fichier « {path} » est une base SQLite mais pas un GeoPackage. "
               "Indiquez un fichier .gpkg ; celui-ci n'a pas été modifié.")
        raise DataFileError(msg)
