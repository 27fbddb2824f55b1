"""Safe rendering of text coming from data.

folium renders popup and tooltip text as raw HTML, and a backtick in a tooltip breaks out
into JavaScript; streamlit-folium runs the map in a same-origin iframe. Every text put
into a popup, tooltip, legend, table or report goes through :func:`text` first, and
every text from data put into a Markdown sentence of a page goes through :func:`md`,
and every table exported to CSV through :func:`csv_bytes` (no spreadsheet formula).
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


_MD_SPECIAL = frozenset("\\`*_{}[]<>!|~:$&.")
_MD_LEADING = frozenset("#+-")


def md(value: Any) -> str:
    """Return ``value`` as Markdown that shows exactly its characters (no link, image, emphasis).

    Markdown punctuation gets a backslash, so ``![b](http://…)`` is shown as text (no image
    fetched), ``[lien](…)`` is no link, ``**x**`` is not bold, ``http://…`` and
    ``www.…`` are no autolink, and ``<b>``/``&amp;``/``:material/x:``/``$x$`` render as
    typed; line breaks become spaces and a leading ``#``, ``+`` or ``-`` is escaped (a name
    cannot start a heading or a list). Parentheses and inner hyphens stay as they are
    (``[`` and ``]`` are escaped, so no link can form): « Avenue A (tronçon 2/5) » and
    « Saint-Denis » read the same in a sentence.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    flat = " ".join(str(value).splitlines())
    out = "".join("\\" + c if c in _MD_SPECIAL else c for c in flat)
    return "\\" + out if out[:1] in _MD_LEADING else out


def frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return a copy of ``df`` where the given columns are escaped strings."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = [text(v) for v in out[col]]
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """Return ``value`` so that a spreadsheet shows it as text, never runs it as a formula.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what
    Excel and LibreOffice evaluate (``=HYPERLINK(…)``, ``@SUM(1+1)*cmd|x``): it gets a
    leading single quote (the OWASP rule), whatever its origin (import, QGIS edit...).
    Numbers, booleans, dates and missing values come back unchanged: a negative number
    stays a number.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells (and column names) are formula-safe.

    Columns of a numeric, boolean or datetime dtype are kept as they are (``-3.5`` stays a
    number); every other column goes through :func:`spreadsheet_cell`.
    """
    out = df.copy()
    out.columns = [spreadsheet_cell(str(c)) if isinstance(c, str) else c
                   for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
                or pd.api.types.is_datetime64_any_dtype(col)):
            continue
        out.isetitem(i, col.map(spreadsheet_cell, na_action="ignore"))
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Return ``df`` as formula-safe CSV in UTF-8 (no index): every CSV export goes here."""
    return csv_frame(df).to_csv(index=False).encode("utf-8")
