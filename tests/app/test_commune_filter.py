"""The sidebar's « Communes » filter: shown for an intercommunal store, and it filters."""

from __future__ import annotations

from pathlib import Path

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
