"""Render folium maps without compiling each rendered piece as a Jinja template again.

branca's ``MacroElement.render`` wraps the text each layer renders (its script, with the
layer's GeoJSON) in a new ``branca.element.Element(text)``, which compiles that text as a
Jinja template, only for the figure to render it back to itself. On a map of a few
thousand cells that is a third of the render time, spent tokenising GeoJSON.

:func:`install` makes branca build such pieces as :class:`LiteralTemplate` when the text
holds no Jinja syntax at all (``{{``, ``{%``, ``{#``): its ``render`` returns the text as
Jinja would (newlines normalised, one trailing newline dropped). A text with any Jinja
syntax is compiled as before, so the output is byte-identical
(``tests/maps/test_render.py``). Texts from the data never hold Jinja syntax:
:func:`clspd_geo.safe.text` escapes braces.
"""

from __future__ import annotations

import re
from typing import Any

import branca.element
import jinja2

_JINJA = re.compile(r"\{[{%#]")
_NEWLINES = re.compile(r"\r\n|\r")


class LiteralTemplate:
    """A template of plain text: renders to that text, as Jinja renders it."""

    def __init__(self, text: str):
        text = _NEWLINES.sub("\n", text)  # Jinja's lexer normalises newlines…
        self._text = text[:-1] if text.endswith("\n") else text  # …and drops the last one

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self._text


def template(source: str) -> jinja2.Template | LiteralTemplate:
    """Return the template of ``source``: compiled only when it holds Jinja syntax."""
    if isinstance(source, str) and not _JINJA.search(source):
        return LiteralTemplate(source)
    return jinja2.Template(source)


def install() -> None:
    """Have ``branca.element.Element(text)`` use :func:`template` (idempotent)."""
    branca.element.Template = template  # type: ignore[assignment,misc]
