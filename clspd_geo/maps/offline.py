"""Serve Leaflet, jQuery and Font Awesome from the app itself, so maps draw with no internet.

folium points its ``<script>``/``<link>`` tags at public CDNs; on a closed police network
the map stays blank. The files come from PyPI packages of the XStatic family (installed by
the set-up from ``requirements.txt``, never copied into the repository by hand);
:func:`install_assets` copies them under the app's ``static/vendor`` folder, which Streamlit
serves at ``/app/static/vendor`` (``server.enableStaticServing``). :func:`localise` then
points a folium map at those local URLs.

Leaflet itself, jQuery (folium's popup code calls ``$``), Font Awesome (facility icons)
and Leaflet.markercluster (facility icons grouped at low zoom, from
``xstatic-leaflet-markercluster``) are served; the maps use no other plugin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

from clspd_geo import config

STATIC_DIR = config.REPO_ROOT / "static"
VENDOR_URL = "app/static/vendor"

# (xstatic module, files or folders to copy, destination folder under static/vendor)
_ASSETS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("xstatic.pkg.leaflet", ("leaflet.js", "leaflet.css", "images"), "leaflet"),
    ("xstatic.pkg.jquery", ("jquery.min.js",), "jquery"),
    ("xstatic.pkg.font_awesome", ("css/all.min.css", "webfonts"), "fontawesome"),
    ("xstatic.pkg.leaflet_markercluster",
     ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
     "markercluster"),
)

JS = (("leaflet", "leaflet/leaflet.js"), ("jquery", "jquery/jquery.min.js"),
      ("markercluster", "markercluster/leaflet.markercluster.js"))
CSS = (("leaflet_css", "leaflet/leaflet.css"), ("fontawesome_css", "fontawesome/css/all.min.css"),
       ("markercluster_css", "markercluster/MarkerCluster.css"),
       ("markercluster_default_css", "markercluster/MarkerCluster.Default.css"))


def _base_dir(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).BASE_DIR)


def install_assets(static_dir: Path | None = None) -> Path:
    """Copy the map's JavaScript and CSS files into ``static_dir/vendor``; return that folder.

    Idempotent: files already present with the same size are left alone.
    """
    vendor = (static_dir or STATIC_DIR) / "vendor"
    for module, items, dest in _ASSETS:
        base = _base_dir(module)
        for item in items:
            src = base / item
            dst = vendor / dest / item
            if src.is_dir():
                for f in src.rglob("*"):
                    if f.is_file():
                        _copy(f, dst / f.relative_to(src))
            else:
                _copy(src, dst)
    return vendor


def _copy(src: Path, dst: Path) -> None:
    if dst.exists() and dst.stat().st_size == src.stat().st_size:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)


def assets_installed(static_dir: Path | None = None) -> bool:
    """Tell whether every local map asset is in place."""
    vendor = (static_dir or STATIC_DIR) / "vendor"
    return all((vendor / rel).is_file() for _, rel in JS + CSS)


def localise(m: folium.Map, *, base_url: str = "/" + VENDOR_URL) -> folium.Map:
    """Point ``m`` at the local copies of its JS/CSS files (no CDN) and return it."""
    base = base_url.rstrip("/")
    m.default_js = [(name, f"{base}/{rel}") for name, rel in JS]
    m.default_css = [(name, f"{base}/{rel}") for name, rel in CSS]
    return m
