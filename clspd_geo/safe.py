"""Safe rendering of text coming from data.

folium renders popup and tooltip text as raw HTML, and a backtick in a tooltip breaks out
into JavaScript; streamlit-folium runs the map in a same-origin iframe. Every text put
into a popup, tooltip, legend, table or report goes through :func:`text` first.
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


def frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return a copy of ``df`` where the given columns are escaped strings."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = [text(v) for v in out[col]]
    return out
