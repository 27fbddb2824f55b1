"""What the "Données" page shows: a preview map of accepted rows, tables, layer status.

Every text from an imported file reaches the map through :func:`clspd_geo.safe.text`
(HTML-escaped, backticks and ``$`` neutralised): folium renders tooltips as raw HTML.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from clspd_geo import config, offline, safe, schemas
from clspd_geo.importing import geometry
from clspd_geo.importing.report import ImportReport

# Columns used as the tooltip label of each layer, in order of preference.
_LABEL = {"accidents": ("accident_id",), "cameras": ("name", "camera_id"),
          "equipements": ("name",), "territoire": ("name",), "quartiers": ("name",),
          "secteurs": ("name",), "incidents": ("category",)}
_COLORS = {"accidents": "#c62828", "cameras": "#1565c0", "equipements": "#2e7d32",
           "incidents": "#6a1b9a", "territoire": "#263238", "quartiers": "#5d4037",
           "secteurs": "#00695c"}
MAX_PREVIEW_FEATURES = 3000
"""Features drawn per layer in the preview; beyond, an even sample (the count is shown)."""


def preview_frame(report: ImportReport, layer: str, *,
                  max_features: int = MAX_PREVIEW_FEATURES) -> gpd.GeoDataFrame:
    """Return the rows of ``layer`` to draw: an even sample, with an escaped ``label``."""
    gdf = report.frames[layer]
    if len(gdf) > max_features:
        step = -(-len(gdf) // max_features)
        gdf = gdf.iloc[::step]
    col = next((c for c in _LABEL.get(layer, ()) if c in gdf.columns), None)
    labels = gdf[col] if col else pd.Series("", index=gdf.index)
    title = schemas.schema(layer).title
    out = gpd.GeoDataFrame({"label": [safe.text(v) for v in labels],
                            "couche": safe.text(title)},
                           geometry=gdf.geometry.values, crs=gdf.crs)
    return out[geometry.present(out.geometry)]


def accepted_map(report: ImportReport, *, basemap: str = "aucun",
                 max_features: int = MAX_PREVIEW_FEATURES) -> folium.Map:
    """Return a folium map of the accepted rows of every layer of ``report`` (EPSG:4326)."""
    frames = {name: preview_frame(report, name, max_features=max_features)
              for name, gdf in report.frames.items() if len(gdf)}
    bounds = pd.DataFrame([f.total_bounds for f in frames.values()],
                          columns=["minx", "miny", "maxx", "maxy"])
    m = folium.Map(location=[48.85, 2.35], zoom_start=12, tiles=None, control_scale=True,
                   prefer_canvas=True)
    offline.localise(m)
    spec = config.BASEMAPS.get(basemap, config.BASEMAPS["aucun"])
    if spec["url"]:
        folium.TileLayer(tiles=spec["url"], attr=spec["attribution"], name=spec["label"],
                         max_zoom=19, control=False).add_to(m)
    if not bounds.empty:
        m.fit_bounds([[bounds["miny"].min(), bounds["minx"].min()],
                      [bounds["maxy"].max(), bounds["maxx"].max()]])
    for name, gdf in frames.items():
        color = _COLORS.get(name, "#424242")
        tooltip = folium.GeoJsonTooltip(fields=["couche", "label"],
                                        aliases=["Couche", "Libellé"], sticky=True)
        is_point = gdf.geom_type.eq("Point").all()
        folium.GeoJson(
            gdf.__geo_interface__, name=safe.text(schemas.schema(name).title),
            marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.7,
                                       color=color, fill_color=color) if is_point else None,
            style_function=lambda _f, c=color: {"color": c, "weight": 1.5,
                                                "fillOpacity": 0.1},
            tooltip=tooltip,
        ).add_to(m)
    return m


def rejected_table(report: ImportReport) -> pd.DataFrame:
    """Return the rejected rows with French column titles (file, line, reason)."""
    return report.rejected.rename(columns={"fichier": "Fichier", "ligne": "Ligne",
                                           "motif": "Motif du rejet"})


def files_table(report: ImportReport) -> pd.DataFrame:
    """Return what was detected in each file (format, encoding, separator, coordinates)."""
    rows = [{"Fichier": f.name, "Contenu": f.role, "Format": f.format,
             "Encodage": f.encoding or "", "Séparateur": {"\t": "tabulation"}.get(
                 f.separator or "", f.separator or ""),
             "Coordonnées": f.crs or "", "Lignes": f.rows} for f in report.files]
    return pd.DataFrame(rows)


def layer_status(store) -> pd.DataFrame:
    """Return what each layer of the store holds: rows, period, source, date of import.

    Parameters
    ----------
    store
        An opened store (:func:`clspd_geo.store.open_store`).
    """
    prov = store.provenance()
    rows = []
    for name, sch in schemas.LAYERS.items():
        count = store.count(name) if store.has(name) else 0
        period = ""
        if count and "occurred_at" in sch.column_names:
            when = store.read(name, columns=["occurred_at"])["occurred_at"]
            if when.notna().any():
                period = f"{when.min():%d/%m/%Y} – {when.max():%d/%m/%Y}"
        src = prov[prov["layer"] == name] if len(prov) else prov
        rows.append({"Couche": sch.title, "Lignes": count, "Période": period,
                     "Source": str(src["source"].iloc[-1]) if len(src) else "",
                     "Importée le": str(src["imported_at"].iloc[-1]) if len(src) else ""})
    return pd.DataFrame(rows)


def source_line(store, layer: str) -> str:
    """Return the « Source : … » line shown under a map of ``layer`` ("" when unknown)."""
    prov = store.source_of(layer)
    if prov is None:
        return ""
    return f"Source : {prov.source} — importé le {prov.imported_at}"
