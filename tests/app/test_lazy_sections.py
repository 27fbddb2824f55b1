"""Secondary analyses are computed only once the user opens their section (issue 13).

A spy replaces the library function behind a folded section (``ui.panels.lazy_section``)
and counts its calls: none while the section is closed, at least one once it is opened.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_sections import open_sections, section_keys
from clspd_geo.screens import fields, hotspots as hotspot_screen
from conftest import logged_in

ROOT = Path(__file__).resolve().parents[2]


def spy(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[tuple]:
    """Replace ``module.name`` by a wrapper that records each call; return the records."""
    calls: list[tuple] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.parametrize(("key", "module", "name"), [
    ("overview.open.forecast", hotspot_screen, "forecast_report"),
    ("overview.open.hotspots", hotspot_screen, "hotspot_map"),
    ("overview.open.when", hotspot_screen, "hour_table"),
])
def test_overview_analysis_waits_until_its_section_is_opened(app, monkeypatch, key, module,
                                                              name):
    calls = spy(monkeypatch, module, name)
    app.run()
    assert not app.exception, app.exception
    assert key in section_keys(app)
    assert calls == []  # the headline (figures and map) did not need it
    open_sections(app, key)
    assert not app.exception, app.exception
    assert len(calls) >= 1


def test_a_section_widget_changes_only_its_analysis(app, monkeypatch):
    """The alcohol-at-night section: not computed closed; its slider recomputes it."""
    calls = spy(monkeypatch, fields, "alcohol_night")
    app.run()
    app.switch_page("pages/addictions.py").run()
    assert not app.exception, app.exception
    assert calls == []
    open_sections(app, "addictions.open.alcohol")
    assert [c[1]["radius_m"] for c in calls] == [100.0]
    app.slider(key="addictions.radius_m").set_value(200).run()
    assert not app.exception, app.exception
    assert calls[-1][1]["radius_m"] == 200.0
    assert any(m.value.startswith("**Lecture :**") for m in app.markdown)


PAGES = ["pages/overview.py", "pages/police.py", "pages/videoprotection.py",
         "pages/addictions.py", "pages/jeunesse.py", "pages/insertion.py", "pages/victimes.py",
         "pages/routier.py", "pages/radicalisation.py", "pages/donnees.py"]


def test_every_page_folds_its_secondary_sections(app):
    app.run()
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        keys = section_keys(app)
        assert keys, page
        assert all(k.split(".open.")[0] for k in keys), keys


def test_administration_folds_the_journal(monkeypatch, demo_store):
    monkeypatch.setenv("CLSPD_STORE", str(demo_store))
    at = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), "admin",
                   demo_store)
    at.run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception, at.exception
    assert {"admin.open.journal", "admin.open.matrix"} <= set(section_keys(at))
    n_tables = len(at.dataframe)
    open_sections(at, "admin.open.journal", "admin.open.matrix")
    assert len(at.dataframe) == n_tables + 2


def test_forecast_section_dates_read_french(app):
    """The forecast's months and days read « octobre 2026 », « 1er octobre 2025 »."""
    app.run()
    open_sections(app, "overview.open.forecast")
    assert not app.exception, app.exception
    caption = next(c.value for c in app.caption if c.value.startswith("Mois évalué"))
    assert re.match(r"Mois évalué : [a-zéû]+ \d{4} \(\d[\d\u202f]* faits?\) ; apprentissage "
                    r"du (1er|\d{1,2}) [a-zéû]+ \d{4} au \d{1,2} [a-zéû]+ \d{4} ", caption), caption
    assert not re.search(r"\d/\d", caption), caption
