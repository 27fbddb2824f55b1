"""Coordinates of imported rows: find the columns, read them, check them, place them.

A missing or ambiguous CRS is an error, never a guess: metre values in columns named
``lon``/``lat`` are rejected with the likely CRS named in the message. Latitude and
longitude swapped is the one correction made, and only when the swapped pair falls in a
French zone while the given one falls in none; every swap is counted in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from clspd_geo import _format
from clspd_geo import crs as crs_mod
from clspd_geo.errors import CrsError, SchemaError
from clspd_geo.importing import geometry, values
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

_LON = ("lon", "long", "longitude", "lng", "x_wgs84", "longitude_wgs84")
_LAT = ("lat", "latitude", "y_wgs84", "latitude_wgs84")
_EPSG_IN_NAME = re.compile(r"epsg[_:]?(\d{4,5})", re.IGNORECASE)

OUTSIDE_TOLERANCE_M = 5000.0
"""Points outside the territory but closer than this are kept and flagged; further, rejected."""


# FINESS ``sourcecoordet`` ends with the projection of each row: mainland France and the
# overseas départements are each given in their own metric CRS.
FINESS_CRS: dict[str, int] = {"LAMBERT_93": 2154, "UTM_N20": 5490, "UTM_N21": 4467,
                              "UTM_N22": 2972, "UTM_S40": 2975, "UTM_S38": 4471}


@dataclass(frozen=True)
class CoordColumns:
    """Which columns hold the coordinates, and in which CRS.

    ``epsg`` is ``None`` for WGS84 degrees; ``epsg_column`` names a column giving the CRS
    of each row (an ``EPSG`` column with several codes, FINESS ``sourcecoordet``).
    """

    x: str
    y: str
    epsg: int | None
    epsg_column: str | None = None

    def label(self) -> str:
        """Return a French description of the coordinates."""
        if self.epsg_column is not None:
            return f"système propre à chaque ligne (« {self.epsg_column} »)"
        if self.epsg is None:
            return f"degrés WGS84 (« {self.x} », « {self.y} »)"
        return f"EPSG:{self.epsg} (« {self.x} », « {self.y} »)"


def find_columns(frame: pd.DataFrame) -> CoordColumns | None:
    """Return the coordinate columns of a table, or ``None`` when it has none.

    Degrees (``lon``/``lat``) come first; projected columns that name their CRS
    (``x_ft_epsg2913``, ``x_l93``, or ``x``/``y`` with an ``EPSG`` column) otherwise.
    """
    found = all_columns(frame)
    return found[0] if found else None


def all_columns(frame: pd.DataFrame) -> list[CoordColumns]:
    """Return every coordinate pair of a table, degrees first.

    Raises
    ------
    CrsError
        ``x``/``y`` columns with nothing saying their CRS.
    """
    lower = {c.lower(): c for c in frame.columns}
    found: list[CoordColumns] = []
    lon = next((lower[n] for n in _LON if n in lower), None)
    lat = next((lower[n] for n in _LAT if n in lower), None)
    if lon and lat:
        found.append(CoordColumns(lon, lat, None))
    named = [c for c in frame.columns if c.lower().startswith("x") and _EPSG_IN_NAME.search(c)]
    for xc in named:
        yc = lower.get("y" + xc.lower()[1:])
        if yc:
            found.append(CoordColumns(xc, yc, int(_EPSG_IN_NAME.search(xc).group(1))))
    if "x_l93" in lower and "y_l93" in lower:
        found.append(CoordColumns(lower["x_l93"], lower["y_l93"], 2154))
    epsg_col = lower.get("epsg") or lower.get("crs")
    for xn, yn in (("coordonnee_x", "coordonnee_y"), ("x", "y")):
        if xn in lower and yn in lower and epsg_col:
            codes = frame[epsg_col].dropna().astype(str).str.extract(r"(\d{4,5})")[0].unique()
            if len(codes) == 1:
                found.append(CoordColumns(lower[xn], lower[yn], int(codes[0])))
            else:
                found.append(CoordColumns(lower[xn], lower[yn], 0, epsg_col))
    if "coordxet" in lower and "coordyet" in lower and "sourcecoordet" in lower:
        found.append(CoordColumns(lower["coordxet"], lower["coordyet"], 0,
                                  lower["sourcecoordet"]))
    if found:
        return found
    if "x" in lower and "y" in lower:
        msg = ("Les colonnes « x » et « y » ne disent pas leur système de coordonnées. "
               "Ajoutez une colonne « EPSG » (par ex. 2154 pour le Lambert-93) ou renommez-les "
               "« x_l93 » / « y_l93 », ou fournissez « lon » / « lat » en degrés WGS84.")
        raise CrsError(msg)
    return []


def points(frame: pd.DataFrame, lines: pd.Series, cols: CoordColumns, *, file: str,
           log: RowLog) -> gpd.GeoSeries:
    """Return one WGS84 point per row (``None`` where the row is rejected).

    Rejects rows with missing, unreadable, (0, 0) or metre-in-degree coordinates, and
    rows that fall outside any valid position once projected.
    """
    x = values.numbers(frame[cols.x], log=log, what=f"« {cols.x} »")
    y = values.numbers(frame[cols.y], log=log, what=f"« {cols.y} »")
    missing = x.isna() | y.isna()
    log.reject(file, lines[missing], f"coordonnées absentes ou illisibles (« {cols.x} », "
                                     f"« {cols.y} »)")
    ok = ~missing
    if cols.epsg is not None:
        codes = (row_epsg(frame[cols.epsg_column]) if cols.epsg_column else
                 pd.Series(cols.epsg, index=frame.index, dtype="Int64"))
        unknown = ok & codes.isna()
        log.reject(file, lines[unknown], f"système de coordonnées inconnu dans "
                                         f"« {cols.epsg_column} »")
        ok &= ~unknown
        lon = pd.Series(np.nan, index=x.index)
        lat = pd.Series(np.nan, index=x.index)
        for code in codes[ok].unique():
            rows = ok & (codes == code)
            gx, gy = _to_wgs84(x[rows].to_numpy(), y[rows].to_numpy(), int(code))
            lon[rows], lat[rows] = gx, gy
        bad = ok & ~(np.isfinite(lon) & np.isfinite(lat) & (lon.abs() <= 180) &
                     (lat.abs() <= 90))
        bad |= ok & (x == 0) & (y == 0)
        for code in codes[bad].unique():
            log.reject(file, lines[bad & (codes == code)],
                       f"coordonnées hors du domaine de l'EPSG:{code}")
        ok &= ~bad
    else:
        lon, lat = x.copy(), y.copy()
        zero = ok & (lon == 0) & (lat == 0)
        log.reject(file, lines[zero], "coordonnées nulles (0, 0) : position inconnue")
        metres = ok & ((lon.abs() > 180) | (lat.abs() > 90))
        if metres.any():
            likely = _likely_metric_crs(lon[metres], lat[metres])
            log.reject(file, lines[metres],
                       f"valeurs en mètres dans des colonnes de degrés (« {cols.x} » = "
                       f"{lon[metres].iloc[0]:.0f}) : probablement {likely} ; renommez les "
                       "colonnes « x_l93 » / « y_l93 » ou ajoutez une colonne « EPSG »")
        ok &= ~(zero | metres)
        swap = ok & ~in_french_zone(lon, lat) & in_french_zone(lat, lon)
        if swap.any():
            lon, lat = lon.where(~swap, y), lat.where(~swap, x)
            log.fix(f"latitude et longitude inversées (« {cols.x} » / « {cols.y} »), "
                    "remises dans l'ordre", int(swap.sum()))
    geoms = np.array([None] * len(frame), dtype=object)
    okv = ok.to_numpy()
    geoms[okv] = shapely.points(lon.to_numpy()[okv], lat.to_numpy()[okv])
    return gpd.GeoSeries(geoms, index=frame.index, crs="EPSG:4326")


def row_epsg(labels: pd.Series) -> pd.Series:
    """Return the EPSG code named by each label (``2154``, ``EPSG:5490``, FINESS
    ``…,LAMBERT_93``), or NA when it names none."""
    text = labels.astype("string").str.upper()
    out = pd.to_numeric(text.str.extract(r"(?:EPSG:?)?\s*(\d{4,5})\s*$")[0],
                        errors="coerce").astype("Int64")
    for name, code in FINESS_CRS.items():
        out = out.mask(text.str.contains(name, regex=False).fillna(False), code)
    return out


def _to_wgs84(x: np.ndarray, y: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        tr = Transformer.from_crs(epsg, 4326, always_xy=True)
    except CRSError as err:
        raise CrsError(f"Le système de coordonnées EPSG:{epsg} est inconnu. Vérifiez le "
                       "code EPSG indiqué dans le fichier.") from err
    lon, lat = tr.transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _likely_metric_crs(x: pd.Series, y: pd.Series) -> str:
    """Name the French metric CRS in which these metre values land in their zone."""
    xm, ym = float(x.median()), float(y.median())
    for zone in crs_mod.ZONES:
        lon, lat = _to_wgs84(np.array([xm]), np.array([ym]), zone.epsg)
        if zone.contains(float(lon[0]), float(lat[0])):
            name = "Lambert-93" if zone.epsg == 2154 else zone.name
            return f"{name} (EPSG:{zone.epsg})"
    return "un système projeté (en mètres) non reconnu"


def in_french_zone(lon: pd.Series, lat: pd.Series) -> pd.Series:
    """Tell, per position in degrees, whether it lies in one of the French zones (vectorised)."""
    inside = pd.Series(False, index=lon.index)
    for zone in crs_mod.ZONES:
        inside |= lon.between(zone.lon_min, zone.lon_max) & lat.between(zone.lat_min,
                                                                         zone.lat_max)
    return inside


def local_epsg(geoms: gpd.GeoSeries) -> pd.Series:
    """Return, per WGS84 point, the EPSG of the metric CRS it is measured in.

    Lambert-93 in mainland France and Corsica, the legal UTM zone overseas (Martinique
    5490, La Réunion 2975...), the UTM zone elsewhere (Portland: 32610).
    """
    ok = geometry.present(geoms)
    out = pd.Series(pd.NA, index=geoms.index, dtype="Int64")
    if not ok.any():
        return out
    lon = pd.Series(shapely.get_x(geoms.values[ok.to_numpy()]), index=geoms.index[ok])
    lat = pd.Series(shapely.get_y(geoms.values[ok.to_numpy()]), index=geoms.index[ok])
    utm = np.where(lat >= 0, 32600, 32700) + ((lon + 180) // 6).astype(int) + 1
    code = pd.Series(utm, index=lon.index)
    # First matching zone wins, as in crs.zone_for: walk the zones in reverse.
    for zone in reversed(crs_mod.ZONES):
        inside = lon.between(zone.lon_min, zone.lon_max) & lat.between(zone.lat_min,
                                                                        zone.lat_max)
        code[inside] = zone.epsg
    out[ok] = code.astype("int64")
    return out


def vector_to_wgs84(gdf: gpd.GeoDataFrame, *, file: str) -> gpd.GeoDataFrame:
    """Return a vector layer in EPSG:4326, refusing missing or inconsistent CRSs.

    Raises
    ------
    CrsError
        No CRS, or a geographic CRS with metre-sized coordinates (a GeoJSON written in
        Lambert-93 without saying so).
    """
    if gdf.crs is None:
        msg = (f"Le fichier « {file} » n'a pas de système de coordonnées (shapefile sans "
               "fichier .prj ?). Ajoutez le .prj ou ré-exportez la couche en EPSG:4326.")
        raise CrsError(msg)
    arr = gdf.geometry.values
    present = gdf.geometry[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
    if gdf.crs.is_geographic and len(present):
        minx, miny, maxx, maxy = present.total_bounds
        if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
            likely = _likely_metric_crs(pd.Series([(minx + maxx) / 2]),
                                        pd.Series([(miny + maxy) / 2]))
            msg = (f"Le fichier « {file} » ne déclare pas de système de coordonnées (donc "
                   f"degrés WGS84) mais ses coordonnées sont en mètres (x jusqu'à {maxx:.0f}, "
                   f"y jusqu'à {maxy:.0f}) : probablement {likely}. Ré-exportez-le en "
                   "EPSG:4326, ou déclarez son système de coordonnées.")
            raise CrsError(msg)
    if gdf.crs.to_epsg() == 4326:
        return gdf
    return gdf.to_crs(4326)


def check_territory(geoms: gpd.GeoSeries, lines: pd.Series, territoire: gpd.GeoDataFrame | None,
                    *, file: str, log: RowLog,
                    tolerance_m: float = OUTSIDE_TOLERANCE_M) -> pd.Series:
    """Flag rows just outside the territory, reject those far from it.

    Distances are measured in the metric CRS of the territory (Lambert-93 in mainland
    France, local UTM overseas). Returns a boolean Series ``outside_territory``.
    """
    outside = pd.Series(False, index=geoms.index)
    if territoire is None or territoire.empty:
        return outside
    present = geometry.present(geoms)
    if not present.any():
        return outside
    from clspd_geo.analysis import areas

    pts = gpd.GeoDataFrame(geometry=geoms[present], crs="EPSG:4326")
    inside = pd.Series(areas.inside_territory(pts, territoire.to_crs(4326)), index=pts.index)
    out_idx = inside.index[~inside.to_numpy()]
    if len(out_idx) == 0:
        return outside
    epsg = crs_mod.metric_epsg(territoire)
    area_m = territoire.to_crs(epsg).union_all()
    dist = gpd.GeoSeries(geoms[out_idx], crs=4326).to_crs(epsg).distance(area_m)
    far = dist > tolerance_m
    for idx in dist.index[far.to_numpy()]:
        log.reject(file, [lines[idx]], "point hors du territoire (à "
                                       f"{_format.number(dist[idx] / 1000, decimals=1)} km "
                                       "de sa limite)")
    near = dist.index[~far.to_numpy()]
    outside[near] = True
    log.flag("point hors du territoire mais à moins de "
             f"{_format.cell(tolerance_m / 1000)} km de sa "
             "limite (gardé, colonne outside_territory)", len(near))
    return outside


def require_columns(frame: pd.DataFrame, needed: dict[str, tuple[str, ...]], *,
                    file: str, what: str) -> dict[str, str]:
    """Return ``{role: column}`` for the first matching name of each role.

    Raises
    ------
    SchemaError
        A required role has no column; the message lists accepted names and the columns found.
    """
    lower = {c.lower(): c for c in frame.columns}
    found: dict[str, str] = {}
    missing: list[str] = []
    for role, names in needed.items():
        col = next((lower[n.lower()] for n in names if n.lower() in lower), None)
        if col is None:
            missing.append(f"{role} (noms acceptés : {', '.join(names)})")
        else:
            found[role] = col
    if missing:
        absent = _format.plural(len(missing), "Colonne obligatoire absente")
        msg = (f"{absent} dans « {file} » pour {what} : "
               + " ; ".join(missing) + f". Colonnes trouvées : {', '.join(frame.columns)}.")
        raise SchemaError(msg)
    return found


def source_points(src: Source, *, log: RowLog, territoire: gpd.GeoDataFrame | None,
                  tolerance_m: float = OUTSIDE_TOLERANCE_M) -> tuple[gpd.GeoSeries, pd.Series]:
    """Return the WGS84 points of a source (CSV or vector) and its ``outside_territory`` flag.

    Raises
    ------
    SchemaError
        A CSV without coordinate columns.
    """
    if src.is_vector:
        gdf = vector_to_wgs84(src.frame, file=src.name)
        log.crs[src.name] = gdf.crs.to_string() if src.frame.crs is None else \
            src.frame.crs.to_string()
        geoms = geometry.points(gdf, src.lines, file=src.name, log=log)
    else:
        candidates = all_columns(src.frame)
        if not candidates:
            msg = (f"Le fichier « {src.name} » n'a pas de colonnes de coordonnées : attendu "
                   "« lon » et « lat » (degrés WGS84), ou « x_l93 » et « y_l93 » "
                   f"(Lambert-93). Colonnes trouvées : {', '.join(src.frame.columns)}.")
            raise SchemaError(msg)
        cols = candidates[0]
        log.crs[src.name] = cols.label()
        geoms = points(src.frame, src.lines, cols, file=src.name, log=log)
        if len(candidates) > 1:
            _cross_check(geoms, src, candidates[1], log)
    outside = check_territory(geoms, src.lines, territoire, file=src.name, log=log,
                              tolerance_m=tolerance_m)
    return geoms, outside


CROSS_CHECK_M = 100.0
"""Degrees and metres given for the same row further apart than this are flagged."""


def _cross_check(geoms: gpd.GeoSeries, src: Source, other: CoordColumns, log: RowLog) -> None:
    """Flag rows whose second pair of coordinates disagrees with the one used."""
    alt = points(src.frame, src.lines, other, file=src.name, log=RowLog())
    both = geometry.present(geoms) & geometry.present(alt)
    if not both.any():
        return
    epsg = crs_mod.metric_epsg(gpd.GeoDataFrame(geometry=geoms[both], crs=4326))
    gap = geoms[both].to_crs(epsg).distance(alt[both].to_crs(epsg))
    n = int((gap > CROSS_CHECK_M).sum())
    log.flag(f"coordonnées {other.label()} à plus de {CROSS_CHECK_M:g} m des degrés "
             "(degrés retenus)", n)
