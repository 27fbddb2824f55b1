"""What the "Données" page shows of an import: a preview map of accepted rows, tables.

Every text from an imported file reaches the map through :func:`clspd_geo.safe.text`
(HTML-escaped, backticks and ``$`` neutralised): folium renders tooltips as raw HTML.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from clspd_geo import _format, safe, schemas, vocab
from clspd_geo.maps import base as map_base, offline
from clspd_geo.importing import geometry
from clspd_geo.importing.report import ImportReport

# Columns used as the tooltip label of each layer, in order of preference.
_LABEL = {"accidents": ("accident_id",), "cameras": ("name", "camera_id"),
          "equipements": ("name",), "territoire": ("name",), "quartiers": ("name",),
          "secteurs": ("name",), "incidents": ("category",)}
_COLORS = {"accidents": "#c62828", "cameras": "#1565c0", "equipements": "#2e7d32",
           "incidents": "#6a1b9a", "territoire": "#263238", "quartiers": "#5d4037",
           "secteurs": "#00695c"}
MAX_UPLOAD_MB = 50
"""Largest file the "Données" page accepts, in Mo: the page's text, its French refusal, the
uploader's ``max_upload_size`` and ``server.maxUploadSize`` in ``.streamlit/config.toml``
all state this one number (a test checks the config file)."""
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
""":data:`MAX_UPLOAD_MB` in bytes (1 Mo = 10⁶ octets, as the messages count). Streamlit's
own cap (MAX_UPLOAD_MB × 2²⁰) is slightly larger, so a file just over the page's limit gets
the French message of :func:`upload_too_big`."""
MAX_PREVIEW_FEATURES = 3000
"""Features drawn per layer in the preview; beyond, an even sample (the count is shown)."""


def preview_frame(report: ImportReport, layer: str, *,
                  max_features: int = MAX_PREVIEW_FEATURES) -> gpd.GeoDataFrame:
    """Return the rows of ``layer`` to draw: an even sample, with an escaped ``label``."""
    gdf = report.new_rows(layer)
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
              for name in report.frames if len(report.new_rows(name))}
    bounds = pd.DataFrame([f.total_bounds for f in frames.values()],
                          columns=["minx", "miny", "maxx", "maxy"])
    m = folium.Map(location=[48.85, 2.35], zoom_start=12, tiles=None, control_scale=True,
                   prefer_canvas=True)
    offline.localise(m)
    map_base.add_tiles(m, basemap=basemap)
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


def upload_too_big(sizes: dict[str, int], *, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """Return the French message for uploaded files over the cap, or ``None``."""
    big = {name: size for name, size in sizes.items() if size > max_bytes}
    if not big:
        return None
    names = ", ".join(f"« {n} » ({s / 1e6:.0f} Mo)" for n, s in big.items())
    what = _format.plural(len(big), "Fichier trop volumineux", "Fichiers trop volumineux")
    return (f"{what} pour la page : {names} ; maximum "
            f"{max_bytes / 1e6:.0f} Mo par fichier. Découpez le fichier (par année ou par "
            "commune) ou importez-le en ligne de commande : python -m clspd_geo import ...")


def facility_inventory(equipements: pd.DataFrame) -> pd.DataFrame:
    """Return the facilities held, by kind: ``Type``, ``Partenaire``, ``Lignes``.

    One layer (``equipements``) holds every partner's sites: transport stops and stations
    (GTFS, IDFM), schools, health sites, bars…; the « Données » page lists them by kind
    under the layers. Kinds outside the vocabulary are counted as « autre ».
    """
    if equipements.empty or "kind" not in equipements.columns:
        return pd.DataFrame({"Type": [], "Partenaire": [], "Lignes": []})
    known = {k.code for k in vocab.FACILITY_KINDS}
    counts = equipements["kind"].where(equipements["kind"].isin(known), "autre").value_counts()
    rows = []
    for code, n in counts.items():
        kind = vocab.facility_kind(code) if code in known else None
        rows.append({"Type": kind.label if kind else "Autre (type hors vocabulaire)",
                     "Partenaire": vocab.partner(kind.partner).label if kind else "",
                     "Lignes": int(n)})
    return pd.DataFrame(rows).sort_values(["Partenaire", "Lignes"], ascending=[True, False],
                                          ignore_index=True)
