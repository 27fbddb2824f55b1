"""Safe rendering of text coming from data.

folium renders popup and tooltip text as raw HTML, and a backtick in a tooltip breaks out
into JavaScript; streamlit-folium runs the map in a same-origin iframe. Every text put
into a popup, tooltip, legend, table or report goes through :func:`text` first, and
every text from data put into a Markdown sentence of a page goes through :func:`md`.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd


def text(value: Any) -> str:
    """Return ``value`` as a string safe to embed in HTML and in folium's JS templates.

    Escapes ``& < > " '`` (HTML) and also the backtick and ``$`` (JavaScript template
    literals), so neither markup nor ``${…}`` expressions survive; and the braces, because
    branca compiles the script a map element renders (data included) as a Jinja template
    once more: ``{{ … }}`` in a name would run on the server.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NaT:
        return ""
    out = html.escape(str(value), quote=True)
    return (out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("{", "&#123;").replace("}", "&#125;"))


_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~:$&")


def md(value: Any) -> str:
    """Return ``value`` as Markdown that shows exactly its characters (no link, image, emphasis).

    Every Markdown punctuation mark gets a backslash, so ``![b](http://…)`` is shown as
    text (no image fetched), ``[lien](…)`` is no link, ``**x**`` is not bold, and
    ``<b>``/``&amp;``/``:material/x:``/``$x$`` render as typed; line breaks become spaces
    (a name cannot start a heading or a list).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    flat = " ".join(str(value).splitlines())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in flat)


def frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return a copy of ``df`` where the given columns are escaped strings."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = [text(v) for v in out[col]]
    return out
