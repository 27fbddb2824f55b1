"""Rendering without compiling rendered pieces again (clspd_geo.maps._render): same HTML."""

from __future__ import annotations

import itertools

import branca.element
import jinja2
import pytest

from clspd_geo.maps import _render, areas, base, cameras as camera_layers
from clspd_geo.maps import facilities as facility_layers
from clspd_geo.video import cameras


@pytest.mark.parametrize("text", ["", "plain", "two\nlines\n", "ends\n\n", "a\r\nb\rc\r\n",
                                  "  { not jinja } {x} ", "<script>var a = {b: 1};</script>\n"])
def test_a_literal_renders_as_jinja_renders_it(text):
    assert isinstance(_render.template(text), _render.LiteralTemplate)
    assert _render.template(text).render(this=None, kwargs={}) == jinja2.Template(text).render()


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "a {% if true %}b{% endif %}", "{# c #}x"])
def test_text_with_jinja_syntax_is_still_compiled(text):
    assert isinstance(_render.template(text), jinja2.Template)
    assert _render.template(text).render() == jinja2.Template(text).render()


def _map_html(tiny, monkeypatch) -> str:
    ids = itertools.count()
    monkeypatch.setattr(branca.element.Element, "_generate_id",
                        classmethod(lambda cls: f"{next(ids):032x}"))
    m = base.base_map(tiny["territoire"])
    cams = tiny["cameras"]
    layers = [areas.quartiers_layer(tiny["quartiers"], m=m),
              facility_layers.facilities_layer(tiny["equipements"], m=m),
              camera_layers.cameras_layer(cams, cameras.view_polygons(cams), m=m)]
    base.finish(m, layers)
    return m.get_root().render()


def test_a_map_renders_byte_identical_with_and_without(tiny, monkeypatch):
    fast = _map_html(tiny, monkeypatch)
    monkeypatch.setattr(branca.element, "Template", jinja2.Template)
    assert _map_html(tiny, monkeypatch) == fast
    assert "L.geoJson" in fast or "geo_json" in fast


def test_the_rendered_pieces_of_a_map_are_not_compiled(tiny, monkeypatch):
    made = []
    real = _render.template
    monkeypatch.setattr(branca.element, "Template",
                        lambda source: made.append(type(real(source))) or real(source))
    _map_html(tiny, monkeypatch)
    assert made.count(_render.LiteralTemplate) >= 3  # the layers' scripts at least
