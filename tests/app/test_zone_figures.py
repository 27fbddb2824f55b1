"""Figures measured on positions, for roles that read facts by zone: bounds, never a guess.

The élu reads the victims' facts by quartier (sensitive) and by 200 m cell, the police
reads robbery with violence at its place and the sensitive facts by cell: the share within a
walk of victim support is given between what is sure and what is possible, or said not
measurable, never as the figure of the zones' points.
"""

from __future__ import annotations

import pytest

from conftest import page_as

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
    app = page_as(monkeypatch, store_20k, role, PAGE)
    text = _reading(app)
    if role == "elu":  # every victims' fact by cell or quartier: no lower bound to give
        assert "n'est pas mesurable pour votre rôle" in text, text
    else:  # robbery with violence at its place, the sensitive facts by cell: a range
        assert "Entre " in text and "% des" in text, text
    assert "par maille, quartier ou commune" in text


def test_addictions_hotspots_of_the_elu_are_never_a_quartier_s_point(monkeypatch, store_20k):
    """The élu reads the drug facts by quartier: no 200 m hotspot is drawn at a quartier's
    or the commune's point (it read « Le premier point chaud (366 faits) », the commune's
    whole count in one cell); the page says why there is none."""
    app = page_as(monkeypatch, store_20k, "elu", "pages/addictions.py")
    assert "premier point chaud" not in _reading(app)
    shown = [e.value for e in [*app.info, *app.caption]]
    assert any("Aucune cellule de 200 m publiée pour votre rôle" in v for v in shown), shown
