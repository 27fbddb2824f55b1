"""The sidebar's « Communes » filter: shown for an intercommunal store, and it filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_sections import open_page
from conftest import tiny_layers, two_commune_layers

from clspd_geo.store import GeoPackageStore


def _store(tmp_path: Path, layers: dict) -> Path:
    path = tmp_path / "clspd.gpkg"
    GeoPackageStore(path, create=True).write_many(layers, source="test")
    return path


def _figures(at) -> list[str]:
    return [f"{m.label}={m.value}" for m in at.metric]


def test_two_communes_show_the_filter_and_one_commune_changes_the_overview(tmp_path,
                                                                           monkeypatch):
    at = open_page("police", "pages/overview.py", _store(tmp_path, two_commune_layers()),
                   monkeypatch)
    communes = at.sidebar.multiselect(key="filters.communes")
    assert communes.label == "Communes" and communes.value == []
    assert set(at.sidebar.multiselect(key="filters.quartiers").options) == {
        "Ouest", "Est", "Autreville-centre"}
    every = _figures(at)
    assert "Faits enregistrés=8" in every  # police does not see the 2 domestic violences
    communes.select("00001").run()
    assert not at.exception, at.exception
    east = _figures(at)
    assert "Faits enregistrés=4" in east and east != every
    # Only the chosen commune's quartiers are offered.
    assert at.sidebar.multiselect(key="filters.quartiers").options == ["Autreville-centre"]
    at.sidebar.multiselect(key="filters.communes").unselect("00001").select("00000").run()
    assert "Faits enregistrés=4" in _figures(at)
    assert not at.exception, at.exception


def test_one_commune_shows_no_commune_filter(tmp_path, monkeypatch):
    at = open_page("police", "pages/overview.py", _store(tmp_path, tiny_layers()), monkeypatch)
    keys = [w.key for w in at.sidebar.multiselect]
    assert "filters.quartiers" in keys and "filters.communes" not in keys


PAGES = ("pages/overview.py", "pages/police.py", "pages/videoprotection.py",
         "pages/addictions.py", "pages/jeunesse.py", "pages/insertion.py",
         "pages/victimes.py", "pages/routier.py", "pages/radicalisation.py")


@pytest.fixture(scope="module")
def cispd_store(tmp_path_factory) -> Path:
    return _store(tmp_path_factory.mktemp("cispd"), two_commune_layers())


def _opened(page: str, role: str) -> bool:
    from clspd_geo.access import policy

    return policy.may_open(role, Path(page).stem.replace("overview", ""))


@pytest.mark.parametrize(("page", "role"), [(p, r) for p in PAGES for r in ("police", "elu")
                                            if _opened(p, r)])
def test_every_page_runs_on_one_commune(cispd_store, monkeypatch, page, role):
    at = open_page(role, page, cispd_store, monkeypatch)
    at.sidebar.multiselect(key="filters.communes").select("00001").run()
    assert not at.exception, at.exception
    assert at.sidebar.multiselect(key="filters.communes").value == ["00001"]


def test_the_data_page_lists_the_facilities_of_the_chosen_commune(tmp_path, monkeypatch):
    from clspd_geo import demo
    from clspd_geo.store import open_store

    path = tmp_path / "cispd.gpkg"
    demo.install(open_store(path, create=True), seed=2, n_incidents=2000, n_communes=3)
    from clspd_geo.access.view import RoleView

    equip = RoleView(GeoPackageStore(path), "police").facilities()  # no confidential place
    one = str(equip["insee_code"].iloc[0])
    at = open_page("police", "pages/donnees.py", path, monkeypatch)

    def listed() -> tuple[int, str]:
        table = next(df.value for df in at.dataframe if "Partenaire" in df.value.columns)
        caption = next(c.value for c in at.caption if "Équipements par type" in c.value)
        lines = table["Lignes"].astype(str).str.replace(r"\D", "", regex=True).astype(int)
        return int(lines.sum()), caption

    total, caption = listed()
    assert total == len(equip) and "de tout le fichier" in caption
    at.sidebar.multiselect(key="filters.communes").select(one).run()
    assert not at.exception, at.exception
    mine, caption = listed()
    assert mine == int((equip["insee_code"] == one).sum()) < total
    assert "des communes choisies" in caption
