"""Figures measured on positions, for roles that read facts by zone: bounds, never a guess.

The élu reads the victims' facts by quartier (sensitive) and by 200 m cell, the police
reads robbery with violence at its place and the sensitive facts by cell: the share within a
walk of victim support is given between what is sure and what is possible, or said not
measurable, never as the figure of the zones' points.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, logged_in

PAGE = "pages/victimes.py"


@pytest.fixture(scope="module")
def store_20k(tmp_path_factory):
    """A demo store large enough for the élu to see more than k victims' facts."""
    from clspd_geo import demo
    from clspd_geo.store import open_store

    path = tmp_path_factory.mktemp("zone_figures") / "demo.gpkg"
    demo.install(open_store(path, create=True), seed=1, n_incidents=20_000)
    return path


def _reading(app) -> str:
    return "\n".join(m.value for m in app.markdown if m.value.startswith("**Lecture :**"))


@pytest.mark.parametrize("role", ["elu", "police"])
def test_victims_page_gives_the_share_within_reach_as_bounds(monkeypatch, store_20k, role):
    monkeypatch.setenv("CLSPD_STORE", str(store_20k))
    app = logged_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), role,
                    store_20k)
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    text = _reading(app)
    if role == "elu":  # every victims' fact by cell or quartier: no lower bound to give
        assert "n'est pas mesurable pour votre rôle" in text, text
    else:  # robbery with violence at its place, the sensitive facts by cell: a range
        assert "Entre " in text and "% des" in text, text
    assert "par maille, quartier ou commune" in text
