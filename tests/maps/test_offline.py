"""Offline assets: Leaflet, jQuery and Font Awesome copied from the XStatic packages."""

from __future__ import annotations

import folium

from clspd_geo.maps import offline


def test_install_assets_copies_leaflet(tmp_path):
    vendor = offline.install_assets(tmp_path)
    assert (vendor / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (vendor / "jquery" / "jquery.min.js").is_file()
    assert (vendor / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()
    assert (vendor / "markercluster" / "leaflet.markercluster.js").stat().st_size > 10_000
    assert (vendor / "markercluster" / "MarkerCluster.Default.css").is_file()
    assert offline.assets_installed(tmp_path)


def test_localise_points_the_map_at_local_urls():
    m = offline.localise(folium.Map(tiles=None))
    for _, url in list(m.default_js) + list(m.default_css):
        assert url.startswith("/app/static/vendor/"), url
