"""Time charts of the pages: a monthly table as a Vega-Lite spec with a real time axis.

A monthly table (:func:`clspd_geo.analysis.indicators.monthly_counts`: index of French
month labels « janv. 2026 », one column per series) drawn as is by ``st.line_chart`` gets
a text axis sorted alphabetically (« août, avr., déc. … »). :func:`monthly_frame` turns it
into long form with the first day of each month as a date, sorted, and
:func:`time_chart_spec` draws it on a temporal axis with French month labels and French
numbers. Nothing here imports Streamlit: ``ui.widgets.time_chart`` shows the spec.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clspd_geo import _format
from clspd_geo.analysis import indicators

X_FIELD = "mois"
"""Column of the first day of each month (datetime, UTC midnight)."""
SERIES_FIELD = "serie"
VALUE_FIELD = "valeur"

# Vega-Lite locale: numbers with a decimal comma and narrow no-break spaces, French dates.
_LOCALE: dict[str, Any] = {
    "number": {"decimal": ",", "thousands": _format.THOUSANDS, "grouping": [3],
               "currency": ["", " €"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": list(_format.MONTHS), "shortMonths": list(indicators.MONTHS_FR),
    },
}


def month_start(label: str) -> pd.Timestamp:
    """Return the first day of the month of a French label such as « févr. 2026 ».

    Raises
    ------
    ValueError
        The label is not « <abbreviated month> <year> ».
    """
    name, _, year = str(label).rpartition(" ")
    if name not in indicators.MONTHS_FR or not year.isdigit():
        raise ValueError(f"not a French month label: {label!r}")
    return pd.Timestamp(year=int(year), month=indicators.MONTHS_FR.index(name) + 1, day=1)


def monthly_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return a monthly table in long form, sorted by date.

    Parameters
    ----------
    table
        Index: French month labels (« janv. 2026 ») or dates; one numeric column per series.

    Returns
    -------
    DataFrame
        Columns ``mois`` (first day of the month), ``serie`` (the table's column name),
        ``valeur`` (number), ``mois_texte`` (« janv. 2026 ») and ``valeur_texte`` (French
        number), sorted by ``mois`` then by the order of the table's columns.
    """
    if isinstance(table.index, pd.DatetimeIndex):
        months = table.index.to_period("M").to_timestamp()
    else:
        months = pd.DatetimeIndex([month_start(x) for x in table.index])
    rows = []
    for order, col in enumerate(table.columns):
        for m, v in zip(months, table[col].to_numpy(), strict=True):
            rows.append({X_FIELD: m, SERIES_FIELD: str(col), VALUE_FIELD: float(v),
                         "mois_texte": f"{indicators.MONTHS_FR[m.month - 1]} {m.year}",
                         "valeur_texte": _format.number(float(v)), "_order": order})
    out = pd.DataFrame(rows, columns=[X_FIELD, SERIES_FIELD, VALUE_FIELD, "mois_texte",
                                      "valeur_texte", "_order"])
    out[X_FIELD] = pd.to_datetime(out[X_FIELD])
    out = out.sort_values([X_FIELD, "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def is_time_sorted(frame: pd.DataFrame) -> bool:
    """Return whether every series of a long-form frame runs forward in time."""
    if frame.empty:
        return True
    return bool(frame.groupby(SERIES_FIELD, sort=False)[X_FIELD]
                .apply(lambda s: s.is_monotonic_increasing and s.is_unique).all())


def time_chart_spec(frame: pd.DataFrame, *, y_label: str, x_label: str = "Mois",
                    mark: str = "line") -> dict[str, Any]:
    """Return the Vega-Lite spec of a long-form monthly frame (data passed beside it).

    Parameters
    ----------
    frame
        The output of :func:`monthly_frame`.
    y_label, x_label
        French axis titles.
    mark
        ``"line"`` (with points) or ``"bar"``.

    Raises
    ------
    ValueError
        The frame is not sorted by date within each series.
    """
    if not is_time_sorted(frame):
        raise ValueError("monthly frame not sorted by date")
    months = "[" + ", ".join(f"'{m}'" for m in indicators.MONTHS_FR) + "]"
    series = list(dict.fromkeys(frame[SERIES_FIELD])) if len(frame) else []
    mark_spec: dict[str, Any] = ({"type": "line", "point": True} if mark == "line"
                                 else {"type": "bar"})
    return {
        "mark": mark_spec,
        "encoding": {
            "x": {"field": X_FIELD, "type": "temporal", "timeUnit": "utcyearmonth",
                  "title": x_label, "sort": "ascending",
                  "axis": {"labelExpr": f"{months}[utcmonth(datum.value)] + ' ' + "
                                        "utcyear(datum.value)",
                           "labelAngle": -45, "tickCount": {"interval": "month", "step": 1}}},
            "y": {"field": VALUE_FIELD, "type": "quantitative", "title": y_label,
                  "axis": {"format": ",d"}},
            "color": {"field": SERIES_FIELD, "type": "nominal", "title": None,
                      "sort": series, "legend": {"orient": "bottom", "labelLimit": 400}},
            "tooltip": [{"field": "mois_texte", "title": x_label},
                        {"field": SERIES_FIELD, "title": "Série"},
                        {"field": "valeur_texte", "title": y_label}],
        },
        "config": {"locale": _LOCALE},
    }


CATEGORY_FIELD = "categorie"


def ordered_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return a table of categories (index, in reading order) in long form, order kept.

    Returns
    -------
    DataFrame
        Columns ``categorie`` (the index as text), ``rang`` (its position), ``serie``,
        ``valeur`` and ``valeur_texte`` (French number).
    """
    rows = [{CATEGORY_FIELD: str(idx), "rang": i, SERIES_FIELD: str(col),
             VALUE_FIELD: float(v), "valeur_texte": _format.number(float(v))}
            for col in table.columns
            for i, (idx, v) in enumerate(zip(table.index, table[col].to_numpy(), strict=True))]
    return pd.DataFrame(rows, columns=[CATEGORY_FIELD, "rang", SERIES_FIELD, VALUE_FIELD,
                                       "valeur_texte"])


def ordered_bar_spec(frame: pd.DataFrame, *, x_label: str, y_label: str) -> dict[str, Any]:
    """Return the Vega-Lite spec of stacked bars whose axis keeps the table's order.

    ``st.bar_chart`` sorts a text axis alphabetically (« 0 h, 1 h, 18 h… »); here the
    categories read in the order of :func:`ordered_frame` (e.g. 18 h to 5 h for a night).
    """
    order = list(dict.fromkeys(frame.sort_values("rang", kind="stable")[CATEGORY_FIELD]))
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": CATEGORY_FIELD, "type": "ordinal", "sort": order, "title": x_label,
                  "axis": {"labelAngle": 0}},
            "y": {"field": VALUE_FIELD, "type": "quantitative", "title": y_label,
                  "stack": "zero", "axis": {"format": ",d"}},
            "color": {"field": SERIES_FIELD, "type": "nominal", "title": None,
                      "legend": {"orient": "bottom", "labelLimit": 400}},
            "tooltip": [{"field": CATEGORY_FIELD, "title": x_label},
                        {"field": SERIES_FIELD, "title": "Série"},
                        {"field": "valeur_texte", "title": y_label}],
        },
        "config": {"locale": _LOCALE},
    }
