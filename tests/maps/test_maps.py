"""Map builders: the four layer families, offline assets, escaping, size."""

from __future__ import annotations

import datetime as dt

import folium
import pytest

from clspd_geo import maps, safe, vocab
from clspd_geo.video import cameras
from clspd_geo.analysis import cells, indicators
from clspd_geo.maps import offline

XSS = '<img src=x onerror="alert(1)">`${alert(2)}`'


@pytest.fixture
def overview(tiny):
    df = indicators.prepare_incidents(tiny["incidents"], epsg=2154)
    sel = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1),
                               tuple(vocab.category_codes()))
    grid = cells.grid_for(tiny["territoire"], cell_size_m=200)
    m = maps.base_map(tiny["territoire"])
    m.add_child(maps.quartiers_layer(tiny["quartiers"]))
    fg, cell_leg = maps.cells_layer(indicators.incident_cells(df, sel, grid), value_col="faits",
                                    name="Faits", unit="faits")
    m.add_child(fg)
    m.add_child(maps.sectors_layer(tiny["secteurs"]))
    m.add_child(maps.cameras_layer(tiny["cameras"], cameras.view_polygons(tiny["cameras"])))
    fac, fac_leg = maps.facilities_layer(tiny["equipements"])
    m.add_child(fac)
    maps.finish(m, legend_sections=[("Faits", cell_leg), ("Équipements", fac_leg),
                                    ("Secteurs", maps.sector_legend(tiny["secteurs"]))])
    return m


def test_four_layer_families_in_layer_control(overview):
    names = maps.layer_names(overview)
    assert "Faits" in names
    assert "Secteurs de patrouille" in names
    assert "Caméras et champs de vision" in names
    assert "Équipements partenaires" in names
    html = overview.get_root().render()
    assert "L.control.layers" in html
    assert "clspd-legend" in html and "Police nationale" in html


def test_map_uses_only_local_assets(overview):
    for _, url in list(overview.default_js) + list(overview.default_css):
        assert url.startswith("/app/static/vendor/"), url
    html = overview.get_root().render()
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html


def test_no_tiles_by_default_and_tiles_on_request(tiny):
    assert "tile.openstreetmap" not in maps.base_map(tiny["territoire"]).get_root().render()
    html = maps.base_map(tiny["territoire"], basemap="plan_ign").get_root().render()
    assert "PLANIGNV2" in html


def test_text_is_escaped_in_tooltips(tiny):
    eq = tiny["equipements"].copy()
    eq.loc[0, "name"] = XSS
    fac, _ = maps.facilities_layer(eq)
    m = maps.base_map(tiny["territoire"])
    m.add_child(fac)
    html = m.get_root().render()
    assert "<img src=x" not in html and "${alert" not in html
    # Escaped once by safe.text, then JSON-encoded by folium (& becomes \u0026).
    assert "\\u0026lt;img src=x" in html
    # The collège's name holds markup: it is shown as text.
    assert "\\u0026lt;b\\u0026gt;Jaur" in html


def test_safe_text_neutralises_js_template_literals():
    out = safe.text("`${document.cookie}`")
    assert "`" not in out and "${" not in out


def test_confidential_facilities_can_be_left_out(tiny):
    eq = tiny["equipements"]
    fac, legend = maps.facilities_layer(eq[~eq["confidential"]])
    m = folium.Map()
    m.add_child(fac)
    assert "Refuge" not in m.get_root().render()
    assert {i.label for i in legend} == {"Hôtel de ville", "Collège"}


def test_class_breaks_are_increasing():
    import numpy as np

    b = maps.class_breaks(np.array([0, 1, 1, 2, 5, 9, 30]))
    assert (np.diff(b) > 0).all() and b[-1] == 30


def test_install_assets_copies_leaflet(tmp_path):
    vendor = offline.install_assets(tmp_path)
    assert (vendor / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (vendor / "jquery" / "jquery.min.js").is_file()
    assert (vendor / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()
    assert offline.assets_installed(tmp_path)


def test_filtered_frames_keep_their_geometries(tiny):
    # A frame filtered down to rows 1 and 2 (not starting at index 0) must still draw.
    eq = tiny["equipements"].iloc[[1, 2]]
    fac, _ = maps.facilities_layer(eq)
    n = sum(len(child.data["features"]) for child in fac._children.values())
    assert n == 2


def test_class_legend_reads_whole_numbers():
    import numpy as np

    vals = np.array([1, 1, 2, 3, 5, 49])
    items = maps.class_legend(maps.class_breaks(vals), vals, unit="faits")
    assert [i.label for i in items][:2] == ["1 faits", "2 faits"]
    assert items[-1].label.endswith("– 49 faits")
