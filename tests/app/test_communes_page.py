"""AppTests of « Comparaison des communes » on an intercommunal demo and on one commune."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app_sections import open_page
from clspd_geo import demo
from clspd_geo.access import policy
from clspd_geo.store import open_store
from tests.app.test_display import scan

PAGE = "pages/communes.py"
NAMES = [c.name for c in demo.intercommunal.COMMUNES[:3]]


@pytest.fixture(scope="module")
def cispd_store(tmp_path_factory) -> Path:
    """A 3-commune demo store (12,000 incidents: the elected see some communes' figures)."""
    path = tmp_path_factory.mktemp("cispd") / "cispd.gpkg"
    demo.install(open_store(path, create=True), seed=2, n_incidents=12_000, n_communes=3)
    return path


def _table(at):
    """The tables of the indicators' tabs, as one table with an « Indicateur » column."""
    labels = [t.label for t in at.tabs]
    tables = [d.value for d in at.dataframe if "Commune" in d.value.columns]
    assert len(tables) == len(labels) >= 1
    return pd.concat([t.assign(Indicateur=label) for t, label in zip(tables, labels,
                                                                     strict=True)])


@pytest.mark.parametrize("role", ["police", "elu"])
def test_table_and_small_maps_per_indicator(cispd_store, monkeypatch, role):
    at = open_page(role, PAGE, cispd_store, monkeypatch)
    assert [t.value for t in at.title] == ["Comparaison des communes"]
    table = _table(at)
    assert set(table["Commune"]) == set(NAMES)
    assert {"Population", "Faits", "Pour 1 000 hab.", "Faits N-1", "Évolution",
            "Significativité"} <= set(table.columns)
    assert "Ensemble des faits" in set(table["Indicateur"])
    k = policy.small_count_k(role)
    for v in list(table["Faits"]) + list(table["Faits N-1"]):
        text = str(v).replace("\u202f", "")
        assert text.startswith("<") or text == "0" or int(text) >= k, (role, v)
    readings = [m.value for m in at.markdown if m.value.startswith("**Lecture :**")]
    assert len(readings) == table["Indicateur"].nunique()
    assert any("pour 1 000 habitants" in r for r in readings)
    images = at.get("image")
    assert len(images) == table["Indicateur"].nunique()
    assert not scan(at, PAGE), scan(at, PAGE)


def test_aggregate_role_never_gets_a_rate_from_a_masked_count(cispd_store, monkeypatch):
    at = open_page("elu", PAGE, cispd_store, monkeypatch)
    table = _table(at)
    masked = table["Faits"].astype(str).str.startswith("<")
    assert masked.any()  # the small commune's atoms fall below k = 11 for the elected
    assert (table.loc[masked, "Pour 1 000 hab."] == "masqué").all()
    assert (table.loc[masked, "Évolution"] == "—").all()
    assert table.loc[masked, "Significativité"].str.startswith("non testé").all()


def test_category_filter_narrows_the_indicators(cispd_store, monkeypatch):
    at = open_page("police", PAGE, cispd_store, monkeypatch)
    at.sidebar.multiselect(key="communes.categories").set_value(["cambriolage", "tapage"]).run()
    assert not at.exception
    table = _table(at)
    assert set(table["Indicateur"]) == {"Police"}
    assert len(at.get("image")) == 1


def test_one_commune_says_it_needs_an_intercommunal_territory(app):
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    info = " ".join(str(i.value) for i in app.info)
    assert "territoire intercommunal" in info and "qu'une commune" in info
    assert "--communes 3" in info
    assert not [d for d in app.dataframe if "Commune" in d.value.columns] and not app.tabs


def test_page_open_to_the_roles_of_the_overview():
    for role in policy.ROLE_CODES:
        assert policy.may_open(role, "communes") == policy.may_open(role, "")


def test_commune_names_are_shown_as_text_never_as_markdown(cispd_store, tmp_path, monkeypatch):
    import shutil

    from tests.app.test_markdown_injection import UNESCAPED, _sources

    path = tmp_path / "cispd.gpkg"
    shutil.copyfile(cispd_store, path)
    store = open_store(path)
    terr = store.read("territoire")
    terr["name"] = ["![b](http://127.0.0.1:9/x.png) A", "[lien](http://127.0.0.1:9/) B",
                    "**gras** C"]
    store.write_many({"territoire": terr}, source="import **gras**.csv")
    at = open_page("police", PAGE, path, monkeypatch)
    texts = _sources(at)
    assert not [t for t in texts if any(p.search(t) for p in UNESCAPED)]
    assert any("gras" in t or "lien" in t for t in texts)  # the names did reach the page
