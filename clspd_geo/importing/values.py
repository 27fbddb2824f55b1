"""Cell values of imported tables: numbers with decimal commas, dates, counts, safe text."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from clspd_geo.importing.report import RowLog

# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP "CSV
# injection"); "-" and "+" are only dangerous when not followed by a number.
_FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![\d.,\s]*$)")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def numbers(series: pd.Series, *, log: RowLog | None = None, what: str = "") -> pd.Series:
    """Return ``series`` as floats, reading ``"5,5"`` as 5.5 (NaN where unreadable).

    A decimal comma is a correction: it is counted in ``log`` under ``what``.
    """
    text = series.astype("string").str.strip()
    comma = text.str.fullmatch(r"[+-]?\d+,\d+").fillna(False)
    if log is not None and comma.any():
        log.fix(f"virgule décimale lue comme un point ({what})", int(comma.sum()))
    text = text.where(~comma, text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").astype(float)


def datetimes(date: pd.Series, time: pd.Series | None = None, *,
              dayfirst: bool = True) -> pd.Series:
    """Parse dates (ISO or French ``jj/mm/aaaa``, ``jj/mm/aa``) and optional times.

    Returns ``datetime64`` with NaT where the text cannot be read.
    """
    text = date.astype("string").str.strip()
    if time is not None:
        clock = time.astype("string").str.strip().fillna("00:00")
        text = text + " " + clock
    iso = text.str.match(r"^\d{4}-\d{2}-\d{2}").fillna(False)
    out = pd.Series(pd.NaT, index=date.index, dtype="datetime64[ns]")
    if iso.any():
        out[iso] = pd.to_datetime(text[iso], errors="coerce", format="mixed")
    if (~iso).any():
        out[~iso] = pd.to_datetime(text[~iso], errors="coerce", dayfirst=dayfirst,
                                   format="mixed")
    return out


def reject_bad_dates(when: pd.Series, lines: pd.Series, *, file: str, log: RowLog,
                     column: str, now: dt.datetime | None = None) -> pd.Series:
    """Reject rows whose date is missing, unreadable or in the future; return the mask kept."""
    now = now or dt.datetime.now()
    missing = when.isna()
    log.reject(file, lines[missing],
               f"date illisible ou absente dans « {column} » (formats admis : "
               "AAAA-MM-JJ, JJ/MM/AAAA, avec l'heure HH:MM en option)")
    future = when > pd.Timestamp(now) + pd.Timedelta(days=1)
    log.reject(file, lines[future], f"date dans le futur dans « {column} »")
    return ~(missing | future)


def counts(series: pd.Series, lines: pd.Series, *, file: str, log: RowLog,
           column: str) -> pd.Series:
    """Parse a count column; reject negative, fractional or unreadable values."""
    num = numbers(series)
    bad = series.notna() & (num.isna() | (num < 0) | (num != np.floor(num)))
    log.reject(file, lines[bad & (num < 0)], f"nombre négatif dans « {column} »")
    log.reject(file, lines[bad & ~(num < 0)],
               f"nombre entier attendu dans « {column} »")
    return num.fillna(0).where(~bad, 0).astype(int)


def neutralise_formulas(df: pd.DataFrame, columns: list[str], *,
                        log: RowLog) -> pd.DataFrame:
    """Return a copy where text cells that a spreadsheet would run as formulas are defused.

    A cell such as ``=cmd|' /C calc'!A0`` is kept but prefixed with an apostrophe, so it
    stays readable and is shown as text by spreadsheets (OWASP advice). The count is
    reported. HTML in text is left as is: it is data, escaped wherever it is displayed.
    """
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        text = out[col].astype("string")
        hit = text.str.contains(_FORMULA_START, regex=True).fillna(False)
        hit &= ~text.str.fullmatch(_NUMBER).fillna(False)
        if hit.any():
            out[col] = out[col].where(~hit, "'" + text.astype(object).where(hit, ""))
            log.fix(f"cellules de « {col} » commençant par =, +, - ou @ neutralisées "
                    "(apostrophe ajoutée : risque d'injection de formule dans un tableur)",
                    int(hit.sum()))
    return out
