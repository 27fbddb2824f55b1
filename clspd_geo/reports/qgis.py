"""A styled GeoPackage for QGIS: the layers a role may see, each with its QML style.

:func:`export` writes, for one role view, every layer the role sees (territory, quartiers,
cameras and their view cones, sectors, facilities without the confidential ones, road
accidents, roads, the action plan) plus ``mailles_faits``, the non-sensitive incidents per
200 m cell with cells under k left out (one feature per cell with its count ``faits``; no
incident or released atom is exported as a point), into one GeoPackage. Its
``layer_styles`` table (the table QGIS reads and writes itself) holds one QML style per
layer, the default one, matching the app's colours and legends: cameras and cones by
status, sectors by force, cells by class, facilities by kind, quartiers with the QPV in
red. QGIS opens the layers styled.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from clspd_geo import vocab
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import cells, indicators
from clspd_geo.maps import cameras as camera_layers, field_layers, legend
from clspd_geo.reports import figures, typography
from clspd_geo.video import cameras as camera_geometry

CELLS_LAYER = "mailles_faits"
VIEWS_LAYER = "champs_cameras"
EXPORTED = ("territoire", "quartiers", "voies", "secteurs", "equipements", "cameras",
            "accidents", "actions")
"""Store layers exported when the role sees them (incident points never are)."""

_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""


def _rgba(color: str, alpha: int = 255) -> str:
    c = color.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha}"


def _options(values: dict[str, str]) -> str:
    inner = "".join(f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>'
                    for k, v in values.items())
    return f'<Option type="Map">{inner}</Option>'


def symbol(geometry: str, color: str, *, name: str = "0", outline: str = "#ffffff",
           width_mm: float = 0.4, dashed: bool = False, fill_alpha: int = 255,
           no_fill: bool = False, size_mm: float = 2.6) -> str:
    """Return the QML ``<symbol>`` of a marker, line or fill of one colour."""
    if geometry == "point":
        layer = ("SimpleMarker", {"name": "circle", "color": _rgba(color), "size": str(size_mm),
                                  "outline_color": _rgba(outline), "outline_width": "0.3"})
        kind = "marker"
    elif geometry == "line":
        layer = ("SimpleLine", {"line_color": _rgba(color), "line_width": str(width_mm),
                                "line_style": "dash" if dashed else "solid"})
        kind = "line"
    else:
        layer = ("SimpleFill", {"color": _rgba(color, fill_alpha),
                                "style": "no" if no_fill else "solid",
                                "outline_color": _rgba(outline), "outline_width": str(width_mm),
                                "outline_style": "dash" if dashed else "solid"})
        kind = "fill"
    return (f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
            f'force_rhr="0"><layer class="{layer[0]}" enabled="1" pass="0" locked="0">'
            f"{_options(layer[1])}</layer></symbol>")


def _qml(renderer: str) -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
            f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}</qgis>')


def single_qml(geometry: str, color: str, **style: object) -> str:
    """Return a QML of one symbol for the whole layer."""
    return _qml(f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
                f'forceraster="0"><symbols>{symbol(geometry, color, **style)}</symbols>'
                "</renderer-v2>")


def categorized_qml(geometry: str, column: str,
                    classes: Sequence[tuple[str, str, str]], **style: object) -> str:
    """Return a QML of one symbol per value: ``classes`` are (value, label, colour)."""
    cats = "".join(f'<category value={quoteattr(v)} symbol="{i}" label={quoteattr(lbl)} '
                   'render="true"/>' for i, (v, lbl, _) in enumerate(classes))
    syms = "".join(symbol(geometry, c, name=str(i), **style)
                   for i, (_, _, c) in enumerate(classes))
    return _qml(f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(column)} '
                f'symbollevels="0" enableorderby="0" forceraster="0"><categories>{cats}'
                f"</categories><symbols>{syms}</symbols></renderer-v2>")


def graduated_qml(column: str, ranges: Sequence[tuple[float, float, str, str]]) -> str:
    """Return a QML of graduated fills: ``ranges`` are (lower, upper, label, colour)."""
    rng = "".join(f'<range lower="{lo}" upper="{hi}" symbol="{i}" label={quoteattr(lbl)} '
                  'render="true"/>' for i, (lo, hi, lbl, _) in enumerate(ranges))
    syms = "".join(symbol("polygon", c, name=str(i), outline=c, width_mm=0.1, fill_alpha=200)
                   for i, (_, _, _, c) in enumerate(ranges))
    return _qml(f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(column)} '
                f'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" '
                f'forceraster="0"><ranges>{rng}</ranges><symbols>{syms}</symbols>'
                "</renderer-v2>")


def _cell_ranges(values: np.ndarray) -> list[tuple[float, float, str, str]]:
    if len(values) == 0:
        return [(0.0, 0.0, "aucune maille", legend.CELL_COLORS[0])]
    breaks = legend.class_breaks(values)
    out, lower = [], float(values.min())
    for i, upper in enumerate(breaks):
        label = f"{typography.number(lower)} à {typography.number(upper)} faits"
        out.append((lower, float(upper), label, legend.CELL_COLORS[min(i, 5)]))
        lower = float(upper)
    return out


def styles(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, str]:
    """Return the QML of each exported layer, in the app's colours."""
    out: dict[str, str] = {}
    for name, frame in frames.items():
        if name == "territoire":
            out[name] = single_qml("polygon", "#ffffff", outline="#212121", width_mm=0.8,
                                   no_fill=True)
        elif name == "quartiers":
            out[name] = _outline_by_class(categorized_qml("polygon", "qpv", [
                ("1", "Quartier prioritaire (QPV)", "#c62828"),
                ("0", "Quartier", "#546e7a")], no_fill=True, dashed=True, width_mm=0.5),
                ["#c62828", "#546e7a"])
        elif name == "voies":
            out[name] = categorized_qml("line", "kind", [
                ("principale", "Voie principale", "#757575"),
                ("secondaire", "Voie secondaire", "#bdbdbd"),
                ("voie_ferree", "Voie ferrée", "#424242")], width_mm=0.5)
        elif name == "secteurs":
            out[name] = _outline_by_class(categorized_qml(
                "polygon", "force", [(f, lbl, vocab.FORCE_COLORS[f])
                                     for f, lbl in vocab.FORCES.items()],
                fill_alpha=13, width_mm=0.8), [vocab.FORCE_COLORS[f] for f in vocab.FORCES])
        elif name == "equipements":
            present = [k for k in vocab.FACILITY_KINDS if k.code in set(frame["kind"])]
            out[name] = categorized_qml("point", "kind", [(k.code, k.label, k.color)
                                                          for k in present])
        elif name == "cameras":
            out[name] = categorized_qml("point", "status", [
                (s, lbl, camera_layers.CAMERA_STATUS_COLORS[s])
                for s, lbl in vocab.CAMERA_STATUSES.items()])
        elif name == VIEWS_LAYER:
            out[name] = categorized_qml("polygon", "status", [
                (s, f"Champ de vision : {lbl.lower()}", camera_layers.CAMERA_STATUS_COLORS[s])
                for s, lbl in vocab.CAMERA_STATUSES.items()], fill_alpha=46, width_mm=0.15,
                outline="#1565c0")
        elif name == "accidents":
            out[name] = single_qml("point", "#b71c1c", size_mm=1.6)
        elif name == "actions":
            out[name] = categorized_qml("point", "status", [
                (s, lbl, field_layers.STATUS_COLORS.get(s, "#757575"))
                for s, lbl in _action_statuses().items()])
        elif name == CELLS_LAYER:
            out[name] = graduated_qml("faits", _cell_ranges(frame["faits"].to_numpy(float)))
    return out


def _action_statuses() -> dict[str, str]:
    from clspd_geo.plan import actions

    return actions.STATUSES


def _outline_by_class(qml: str, colors: Sequence[str]) -> str:
    # Polygons styled by outline: each category's outline takes the category's colour.
    parts = qml.split('<symbol type="fill"')
    for i, color in enumerate(colors, start=1):
        if i < len(parts):
            parts[i] = parts[i].replace('name="outline_color" value="255,255,255,255"',
                                        f'name="outline_color" value="{_rgba(color)}"', 1)
    return '<symbol type="fill"'.join(parts)


def layers(view: RoleView) -> dict[str, gpd.GeoDataFrame]:
    """Return the frames exported for the view's role (EPSG:4326), by layer name."""
    out: dict[str, gpd.GeoDataFrame] = {}
    for name in EXPORTED:
        frame = view.facilities() if name == "equipements" else view.layer(name)
        if not frame.empty:
            out[name] = _plain(frame)
    if "cameras" in out:
        out[VIEWS_LAYER] = _plain(camera_geometry.view_polygons(view.layer("cameras"))[
            ["camera_id", "status", "geometry"]].to_crs(4326))
    cells_frame = incident_cells(view)
    if not cells_frame.empty:
        out[CELLS_LAYER] = cells_frame
    return out


def incident_cells(view: RoleView) -> gpd.GeoDataFrame:
    """Return the non-sensitive incidents the role sees per 200 m cell, cells under k left out.

    Over the whole period of the data; column ``faits`` (int), the number of incidents of
    the cell. Empty when the role sees none. The layer is one feature per cell, never one
    per released row: the weighted release (:meth:`RoleView.counts`) is summed per cell by
    its counts ``n`` (:func:`clspd_geo.analysis.indicators.incident_cells`), so ``faits``
    is the count a QGIS user expects and no released row (an atom's zone point, or an
    exact point) is exported; the cells and counts are those of one row per incident.
    """
    sel = figures.selection(view, start=pd.Timestamp.min.date(), end=pd.Timestamp.max.date())
    open_cats, _ = indicators.split_sensitive(sel.categories)
    # Cells only for the categories the role sees by cell or point (not by quartier).
    open_cats = [c for c in open_cats if view.finest_zone(c) in ("grille", "point")]
    df = view.counts()
    if not open_cats or df.empty:
        return gpd.GeoDataFrame({"faits": pd.Series(dtype=int)}, geometry=[], crs=4326)
    span = indicators.data_period(df)
    sel = indicators.Selection(span[0], span[1] + pd.Timedelta(days=1), tuple(open_cats))
    grid = cells.grid_for(view.layer("territoire"), cell_size_m=view.grid_cell_m)
    try:
        out = indicators.incident_cells(df, sel, grid, min_count=view.small_count_k)
    except Exception:  # noqa: BLE001 - EmptySelectionError: no incident
        return gpd.GeoDataFrame({"faits": pd.Series(dtype=int)}, geometry=[], crs=4326)
    return out.assign(faits=out["faits"].astype(int)).to_crs(4326)


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # GeoPackage columns: booleans as 0/1, categoricals as text, dates kept.
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("string")
    return out


def export(view: RoleView, path: str | Path) -> dict[str, int]:
    """Write the styled GeoPackage of the view's role; return ``{layer: rows}``.

    An existing file at ``path`` is replaced.
    """
    out = Path(path)
    if out.exists():
        out.unlink()
    frames = layers(view)
    for name, frame in frames.items():
        pyogrio.write_dataframe(frame, out, layer=name, driver="GPKG")
    qml = styles(frames)
    with sqlite3.connect(out) as con:
        geom_cols = dict(con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        con.execute(_STYLES_DDL)
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
                    "VALUES ('layer_styles', 'attributes', 'layer_styles')")
        for name, text in qml.items():
            con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, "
                        "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                        "useAsDefault, description, owner, ui) "
                        "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
                        (name, geom_cols.get(name, "geom"), f"clspd-geo {name}", text,
                         "Style de l'application clspd-geo"))
    return {name: len(frame) for name, frame in frames.items()}


def export_bytes(view: RoleView) -> bytes:
    """Return the styled GeoPackage of the view's role as bytes (the Données page download)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clspd.gpkg"
        export(view, path)
        return path.read_bytes()
