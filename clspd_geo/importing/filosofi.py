"""INSEE Filosofi gridded data (200 m cells) into the ``carreaux`` layer.

INSEE publishes the "Données carroyées" of Filosofi (revenus, pauvreté et niveau de vie)
as one row per inhabited 200 m cell: ``idcar_200m`` (``IdINSPIRE`` in the 2015 edition),
``ind`` (inhabitants), ``men`` (households), ``men_pauv`` (poor households), ``log_soc``
(social housing), the age bands ``ind_0_3`` … ``ind_80p``, ``lcog_geo`` (the communes the
cell touches) and more. The cell's position is only in its INSPIRE id,
``CRS3035RES200mN2029800E4252400``: CRS (EPSG:3035, the European LAEA grid; the overseas
files use their own), resolution in metres, then the northing and easting of the cell's
lower-left corner. :func:`decode` rebuilds the square; the values are INSEE's (imputed, so
they may be fractional).

A file with an id that does not decode is refused whole (it is not a Filosofi grid, or
was altered). With a territory in the store, only the cells that touch it are kept (the
others are counted as filtered out); ``--commune`` keeps the cells whose ``lcog_geo``
names the commune. No real extract could be fetched; the layout follows the INSEE
documentation and is tested on a hand-made fixture (``tests/data/import/filosofi_fictif.csv``).
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import shapely

from clspd_geo import _format
from clspd_geo.errors import SchemaError
from clspd_geo.importing import values
from clspd_geo.importing.context import Context
from clspd_geo.importing.report import RowLog
from clspd_geo.importing.sniffing import Source

INSPIRE_ID = re.compile(r"^CRS(?P<epsg>\d{4,5})RES(?P<res>\d+)mN(?P<n>\d+)E(?P<e>\d+)$")
"""The INSPIRE grid-cell id: CRS, resolution (m), northing and easting of the corner."""
_ID = ("idcar_200m", "idinspire", "id_inspire", "idcar_1km", "idcar_nat")
_VALUES = {"population": ("ind", "ind_c"), "households": ("men",),
           "poor_households": ("men_pauv",), "social_housing": ("log_soc",)}
_AGES = ("ind_0_3", "ind_4_5", "ind_6_10", "ind_11_17", "ind_18_24", "ind_25_39",
         "ind_40_54", "ind_55_64", "ind_65_79", "ind_80p", "ind_inc")


def decode(cell_id: str) -> tuple[int, shapely.Polygon] | None:
    """Return ``(EPSG, square)`` of an INSPIRE cell id, or None when it does not decode.

    >>> epsg, cell = decode("CRS3035RES200mN2029800E4252400")
    >>> epsg, cell.bounds
    (3035, (4252400.0, 2029800.0, 4252600.0, 2030000.0))
    """
    m = INSPIRE_ID.match(str(cell_id).strip())
    if m is None or int(m["res"]) == 0:
        return None
    res, n, e = int(m["res"]), float(m["n"]), float(m["e"])
    return int(m["epsg"]), shapely.box(e, n, e + res, n + res)


def build(sources: list[Source], ctx: Context, log: RowLog) -> dict[str, gpd.GeoDataFrame]:
    """Return the ``carreaux`` layer.

    Raises
    ------
    SchemaError
        No cell-id or population column, or an id that does not decode.
    """
    parts = [_one(src, ctx, log) for src in sources]
    out = pd.concat(parts, ignore_index=True)
    return {"carreaux": gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")}


def _one(src: Source, ctx: Context, log: RowLog) -> gpd.GeoDataFrame:
    df = src.frame
    ident = src.column(*_ID)
    pop = src.column(*_VALUES["population"])
    if ident is None or pop is None:
        msg = (f"Le fichier « {src.name} » n'est pas une grille Filosofi : colonnes "
               f"« idcar_200m » (ou IdINSPIRE) et « ind » attendues (ligne 1, en-tête). "
               f"Colonnes trouvées : {', '.join(map(str, df.columns))}. Donnez le fichier "
               "des données carroyées tel que publié par l'INSEE.")
        raise SchemaError(msg)
    ids = df[ident].astype("string").str.strip()
    decoded = ids.map(lambda v: decode(v) if pd.notna(v) else None)
    bad = decoded.isna()
    if bad.any():
        first = bad.idxmax()
        msg = (f"Le fichier « {src.name} », ligne {int(src.lines[first])} : identifiant de "
               f"carreau « {df.at[first, ident]} » illisible dans « {ident} » "
               f"({_format.count(int(bad.sum()), 'ligne')} en tout). Un identifiant INSPIRE "
               "s'écrit "
               "CRS3035RES200mN2029800E4252400 (système, taille en mètres, nord et est du "
               "coin sud-ouest) : redonnez le fichier publié par l'INSEE sans le retoucher ; "
               "la base n'a pas été modifiée.")
        raise SchemaError(msg)
    epsg = decoded.map(lambda d: d[0])
    geoms = gpd.GeoSeries([None] * len(df), index=df.index, crs="EPSG:4326")
    for code in epsg.unique():
        rows = epsg == code
        part = gpd.GeoSeries([d[1] for d in decoded[rows]], index=df.index[rows],
                             crs=f"EPSG:{int(code)}").to_crs(4326)
        geoms[rows] = part
    log.crs[src.name] = "carreaux INSPIRE (EPSG:" + ", ".join(map(str, sorted(
        int(c) for c in epsg.unique()))) + ")"
    keep = pd.Series(True, index=df.index)
    lcog = src.column("lcog_geo", "depcom", "codgeo")
    if ctx.options.commune and lcog:
        codes = df[lcog].astype("string").fillna("")
        keep &= codes.map(lambda s: ctx.options.commune in
                          [s[i:i + 5] for i in range(0, len(s), 5)]).astype(bool)
    if ctx.territoire is not None and not ctx.territoire.empty:
        area = shapely.union_all(ctx.territoire.to_crs(4326).geometry.values)
        keep &= pd.Series(shapely.intersects(geoms.values, area), index=df.index)
    log.filtered_out += int((~keep).sum())
    data = pd.DataFrame(index=df.index)
    data["cell_id"] = ids.astype(object)
    for key, names in _VALUES.items():
        col = src.column(*names)
        num = (values.numbers(df[col], log=log, what=f"« {col} »") if col and not src.is_vector
               else pd.to_numeric(df[col], errors="coerce") if col else None)
        if num is None:
            data[key] = None
            continue
        negative = num < 0
        log.reject(src.name, src.lines[negative], f"valeur négative dans « {col} »")
        data[key] = num
    for band in _AGES:
        col = src.column(band)
        if col:
            data[band] = values.numbers(df[col]) if not src.is_vector else df[col]
    log.roles[src.name] = "données carroyées Filosofi (INSEE)"
    data["_file"], data["_line"] = src.name, src.lines
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    return gdf[keep.to_numpy()]
