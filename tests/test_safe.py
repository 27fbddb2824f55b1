"""Text from data in a folium map: no markup, no JS template, no server-side Jinja."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
from shapely.geometry import box

from clspd_geo import safe
from clspd_geo.maps import areas, base


def _quartiers(name: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"quartier_id": ["q1"], "name": [name], "insee_code": ["75056"],
                             "qpv": [True], "population": [100]},
                            geometry=[box(2.30, 48.85, 2.31, 48.86)], crs=4326)


def test_raw_folium_evaluates_jinja_in_feature_properties():
    """The upstream behaviour the escaping guards against (folium 0.20 / branca 0.8):
    the rendered script of a GeoJson element is compiled as a Jinja template once more,
    so a property holding {{ … }} runs on the server."""
    m = folium.Map()
    folium.GeoJson({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "AA{{ 6 * 7 }}BB"},
        "geometry": {"type": "Point", "coordinates": [2.0, 48.0]}}]}).add_to(m)
    assert re.findall(r"AA.{0,30}BB", m.get_root().render()) == ["AA42BB"]


def test_braces_in_our_layers_are_not_evaluated():
    m = base.base_map(_quartiers("x"))
    areas.quartiers_layer(_quartiers("AA{{ 6 * 7 }}BB{% if true %}CC{% endif %}DD"), m=m)
    found = re.findall(r"AA.{0,120}DD", m.get_root().render())
    assert found and all("42" not in f and "6 * 7" in f and "if true" in f for f in found)


def test_text_escapes_markup_templates_and_braces():
    out = safe.text("<img src=x onerror=alert(1)> ${x} `y` {{z}} {%w%} \\")
    for bad in ("<", ">", "${", "`", "{", "}", "\\"):
        assert bad not in out


def test_safe_text_neutralises_js_template_literals():
    out = safe.text("`${document.cookie}`")
    assert "`" not in out and "${" not in out


FORMULAS = ['=HYPERLINK("http://x","Boulevard")', "@SUM(1+1)*cmd|x", "+1+2", "-2+3",
            "\t=1", "\r=1"]


def test_spreadsheet_cell_neutralises_formulas():
    for value in FORMULAS:
        assert safe.spreadsheet_cell(value) == "'" + value
    assert safe.spreadsheet_cell("Boulevard Voltaire") == "Boulevard Voltaire"
    assert safe.spreadsheet_cell(-3.5) == -3.5
    assert safe.spreadsheet_cell(None) is None


def test_csv_bytes_keeps_negative_numbers_and_quotes_formula_text():
    import io

    import pandas as pd

    df = pd.DataFrame({"name": FORMULAS[:2] + ["Rue -A"], "score": [-1.5, 2.0, -3.0],
                       "=col": [1, 2, 3]})
    back = pd.read_csv(io.BytesIO(safe.csv_bytes(df)), dtype={"name": str})
    assert list(back["name"]) == ["'" + FORMULAS[0], "'" + FORMULAS[1], "Rue -A"]
    assert list(back["score"]) == [-1.5, 2.0, -3.0]
    assert list(back.columns) == ["name", "score", "'=col"]


def test_md_escapes_markdown_payloads():
    assert safe.md("![b](http://127.0.0.1:9/x.png)") == r"\!\[b\](http\://127\.0\.0\.1\:9/x\.png)"
    assert safe.md("[lien](http://x/)") == r"\[lien\](http\://x/)"
    assert safe.md("**gras**") == r"\*\*gras\*\*"
    assert safe.md("<b>&amp;") == r"\<b\>\&amp;"
    assert safe.md("# titre\n- liste") == r"\# titre - liste"
    assert safe.md("Avenue A (tronçon 2/5)") == "Avenue A (tronçon 2/5)"
    assert safe.md("Saint-Denis") == "Saint-Denis"
    assert safe.md(None) == "" and safe.md(float("nan")) == ""
