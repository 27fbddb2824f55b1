"""What an official reads is French and exact: a scan of every page for élu, public and police.

For each role one AppTest session opens every page of its navigation and scans what is
rendered (markdown, captions, notes, metrics, table headers and cells, chart specs):

- no « None » / « nan » (a missing value reads « – »);
- no number written with a decimal point (« 13.9 », « 10.9% »: French wants a comma);
- no role code (``groupe_travail``, ``videoprotection``, ``elu``) and no code-like column
  name (``sector_id``, ``quartier_id``) where a name is expected;
- no « (s) » plural (« 3 fait(s) »): nouns agree with their number;
- every chart with a time axis is temporal and its data run forward in time.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from clspd_geo.access import policy
from app_sections import open_all
from conftest import logged_in

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/overview.py", "pages/communes.py", "pages/police.py", "pages/videoprotection.py",
         "pages/addictions.py", "pages/jeunesse.py", "pages/insertion.py", "pages/victimes.py",
         "pages/routier.py", "pages/radicalisation.py", "pages/donnees.py",
         "pages/administration.py"]
DECIMAL_POINT = re.compile(r"(?<![\w.\-/:])\d+\.\d+(?![\w.])")
MISSING = re.compile(r"(?<![\w-])(None|nan|NaN|NaT)(?![\w-])")
ROLE_CODE = re.compile(r"(?<![\w-])(groupe_travail|videoprotection|elu)(?![\w-])")
CODE_COLUMN = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
LAZY_PLURAL = re.compile(r"\w\((s|x|e|es)\)")


def problems_in_text(where: str, text: str) -> list[str]:
    """Return what is wrong in one displayed text (empty list: nothing)."""
    out = []
    for rx, what in ((MISSING, "valeur manquante"), (DECIMAL_POINT, "point décimal"),
                     (ROLE_CODE, "code de rôle"), (LAZY_PLURAL, "pluriel « (s) »")):
        m = rx.search(text)
        if m:
            out.append(f"{where}: {what} « {m.group(0)} » dans « {text[:120]} »")
    return out


def problems_in_table(where: str, df: pd.DataFrame) -> list[str]:
    """Return what is wrong in one displayed table: headers, missing values, decimals."""
    out = [f"{where}: colonne codée « {c} »" for c in df.columns if CODE_COLUMN.match(str(c))]
    for col in df.columns:
        for v in df[col]:
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                out.append(f"{where}: valeur manquante dans « {col} »")
                break
            if isinstance(v, numbers.Real) and not isinstance(v, (bool, numbers.Integral)) \
                    and not float(v).is_integer():
                out.append(f"{where}: nombre à point décimal {v!r} dans « {col} »")
                break
            if isinstance(v, str) and (bad := problems_in_text(f"{where} « {col} »", v)):
                out.extend(bad[:1])
                break
    return out


def chart_problems(where: str, spec: dict, data: pd.DataFrame | None) -> list[str]:
    """Return why a chart's time axis is not a sorted temporal axis (empty: it is)."""
    x = (spec.get("encoding") or {}).get("x") or {}
    title = str(x.get("title") or x.get("field") or "")
    if "mois" not in title.lower() and x.get("type") != "temporal":
        return []
    if x.get("type") != "temporal":
        return [f"{where}: axe « {title} » de type {x.get('type')}, pas temporel"]
    if data is not None and x.get("field") in data.columns:
        for _, part in data.groupby(data.columns[1] if len(data.columns) > 1 else x["field"]):
            ts = pd.to_datetime(part[x["field"]])
            if not ts.is_monotonic_increasing:
                return [f"{where}: axe temporel non trié"]
    return []


def scan(at: AppTest, page: str) -> list[str]:
    """Return every display problem of the page ``at`` shows."""
    out: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "title",
                 "header", "subheader"):
        for e in getattr(at, kind):
            out += problems_in_text(f"{page} {kind}", str(e.value))
    for m in at.metric:
        out += problems_in_text(f"{page} indicateur « {m.label} »",
                                f"{m.value} {m.proto.delta or ''}")
    for d in at.dataframe:
        # Editors (the action plan, the shift tables) keep raw values to edit: their headers
        # are French through column_config and their cells are the user's own input.
        if isinstance(d.value, pd.DataFrame) and not d.proto.editing_mode:
            out += problems_in_table(f"{page} tableau", d.value)
    for el in at.get("arrow_vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        out += chart_problems(f"{page} graphique", spec, None)
    return out


@pytest.mark.parametrize("role", ["elu", "public", "police", "admin"])
def test_pages_read_french_with_names_and_no_raw_value(monkeypatch, demo_store, role):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=240), role,
                   demo_store).run()
    problems: list[str] = []
    for page in PAGES:
        if not policy.may_open(role, Path(page).stem):
            continue
        at.switch_page(page).run()
        open_all(at)  # the folded sections too
        assert not at.exception, (role, page, at.exception)
        problems += scan(at, page)
    assert not problems, "\n".join(problems)


# -- the scanners can fail -------------------------------------------------------------------

def test_the_scan_finds_none_decimal_points_role_codes_and_code_columns():
    assert problems_in_text("p", "Évolution : None")
    assert problems_in_text("p", "10.9% de plus")
    assert problems_in_text("p", "Rôle groupe_travail")
    assert problems_in_text("p", "3 fait(s) hors secteur")
    assert problems_in_text("p", "1 action(s) non terminée(s)")
    assert not problems_in_text("p", "3 faits (sur 12) hors secteur")
    assert not problems_in_text("p", "Connecté : test-elu · Élu ; EPSG:4326 ; 10,9 %")
    df = pd.DataFrame({"sector_id": ["PN-1"], "Évolution (%)": [13.9], "Faits": [None]})
    found = problems_in_table("t", df)
    assert any("colonne codée" in p for p in found)
    assert any("point décimal" in p for p in found)
    assert any("valeur manquante" in p for p in found)
    assert not problems_in_table("t", pd.DataFrame({"Faits": [3, 4.0], "Nom": ["a", "b"]}))


def test_the_scan_finds_a_text_month_axis_and_an_unsorted_one():
    text_axis = {"encoding": {"x": {"field": "Mois", "type": "nominal", "title": "Mois"}}}
    assert chart_problems("c", text_axis, None)
    temporal = {"encoding": {"x": {"field": "mois", "type": "temporal", "title": "Mois"}}}
    data = pd.DataFrame({"mois": pd.to_datetime(["2026-02-01", "2026-01-01"]),
                         "serie": ["Période", "Période"]})
    assert chart_problems("c", temporal, data)
    assert not chart_problems("c", temporal, data.iloc[::-1])
