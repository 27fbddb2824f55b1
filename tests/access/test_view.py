"""The role view (clspd_geo.access.view): what each role reads, writes and memoises."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from conftest import tiny_layers

from clspd_geo.access import policy, release
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import indicators
from clspd_geo.store import GeoPackageStore

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> GeoPackageStore:
    store = GeoPackageStore(tmp_path_factory.mktemp("view") / "tiny.gpkg", create=True)
    store.write_many(tiny_layers(), source="Testville (fixture)")
    return store


def test_every_layer_goes_through_the_release(tiny_store):
    for role in policy.ROLE_CODES:
        view = RoleView(tiny_store, role, as_of=AS_OF)
        for name in ("cameras", "equipements", "secteurs", "accidents", "incidents"):
            expected = release.restrict(tiny_store.read(name), layer=name, role_code=role,
                                        as_of=AS_OF)
            assert len(view.layer(name)) == len(expected), (role, name)


def test_incidents_are_the_released_table(tiny_store):
    police = RoleView(tiny_store, "police", as_of=AS_OF)
    elu = RoleView(tiny_store, "elu", as_of=AS_OF)
    admin = RoleView(tiny_store, "admin", as_of=AS_OF)
    # Police sees the 5 non-sensitive facts exactly; the 2 VIF are below its k = 5.
    assert len(police.incidents()) == 5
    # Élu: k = 11 everywhere, the tiny territory has no atom that large.
    assert len(elu.incidents()) == 0
    assert len(admin.incidents()) == 0
    sel = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1), ("tapage",))
    assert len(police.incidents(sel)) == 3
    assert police.incidents(timed=True)["time_known"].all()


def test_summary_hides_incident_counts_and_dates_from_the_administrator(tiny_store):
    admin = RoleView(tiny_store, "admin", as_of=AS_OF).summary().set_index("Couche")
    row = admin.loc["incidents"]
    assert pd.isna(row["Lignes"]) and pd.isna(row["Du"]) and pd.isna(row["Au"])
    assert row["Source"] == "non visible pour votre rôle"
    assert pd.isna(row["Chargée le"])
    # Geography is the administrator's to check.
    assert int(admin.loc["quartiers", "Lignes"]) == 2
    police = RoleView(tiny_store, "police", as_of=AS_OF).summary().set_index("Couche")
    assert int(police.loc["incidents", "Lignes"]) == 5
    assert police.loc["incidents", "Source"] == "Testville (fixture)"
    assert int(police.loc["equipements", "Lignes"]) == 3
    elu = RoleView(tiny_store, "elu", as_of=AS_OF).summary().set_index("Couche")
    assert int(elu.loc["equipements", "Lignes"]) == 2  # the shelter is not counted


def test_sources_only_for_layers_the_role_sees(tiny_store):
    police = RoleView(tiny_store, "police", as_of=AS_OF).sources("incidents", "cameras")
    assert len(police) == 2 and "Testville (fixture)" in police[0]
    assert RoleView(tiny_store, "elu", as_of=AS_OF).sources("incidents", "cameras") == []
    # The load date reads as a French date (« chargé le 2 décembre 2026 »), never ISO.
    assert re.search(r"\(chargé le (1er|\d{1,2}) [a-zéû]+ \d{4}\)$", police[0]), police[0]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", police[0]), police[0]


def test_facilities_leave_confidential_places_out_unless_asked(tiny_store):
    police = RoleView(tiny_store, "police", as_of=AS_OF)
    assert sorted(police.facilities()["facility_id"]) == ["F1", "F2"]
    assert sorted(police.facilities(confidential=True)["facility_id"]) == ["F1", "F2", "F3"]
    elu = RoleView(tiny_store, "elu", as_of=AS_OF)
    assert sorted(elu.facilities(confidential=True)["facility_id"]) == ["F1", "F2"]


def test_writes_and_imports_need_the_right(tiny_store):
    public = RoleView(tiny_store, "public", as_of=AS_OF)
    with pytest.raises(policy.AccessError, match="ne peut pas modifier"):
        public.write("actions", tiny_store.read("territoire"), source="x")
    with pytest.raises(policy.AccessError, match="ne peut pas importer"):
        public.import_target()
    assert RoleView(tiny_store, "police", as_of=AS_OF).import_target() is tiny_store
    assert RoleView(tiny_store, "elu", as_of=AS_OF).may_edit("actions")


def test_unknown_role_is_refused(tiny_store):
    with pytest.raises(policy.AccessError, match="n'existe pas"):
        RoleView(tiny_store, "intrus")


def test_view_key_carries_version_role_and_day(tiny_store):
    view = RoleView(tiny_store, "elu", as_of=AS_OF)
    assert view.key == f"{tiny_store.version()}|elu|2026-11-25"


def test_memo_computes_once_per_key_and_is_bounded(tiny_store, monkeypatch):
    from clspd_geo.access import view as view_mod

    monkeypatch.setattr(view_mod, "MEMO_ENTRIES", 3)
    view = RoleView(tiny_store, "police", as_of=AS_OF)
    calls = []

    def work(n):
        calls.append(n)
        return n * n

    assert view.memo(("sq", 2), lambda: work(2)) == 4
    assert view.memo(("sq", 2), lambda: work(2)) == 4
    assert calls == [2]
    for n in (3, 4, 5):
        view.memo(("sq", n), lambda n=n: work(n))
    # ("sq", 2) was the least recently used: dropped, so computed again.
    view.memo(("sq", 2), lambda: work(2))
    assert calls == [2, 3, 4, 5, 2]


def test_memo_shares_one_computation_between_threads(tiny_store):
    import threading
    import time

    view = RoleView(tiny_store, "police", as_of=AS_OF)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "ok"

    threads = [threading.Thread(target=lambda: view.memo("slow", slow)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]


def test_roles_share_one_read_of_the_store_per_version(tmp_path, monkeypatch):
    """Seven roles, one store version: the incidents are read and prepared once, each layer
    read once; a new version is read again."""
    store = GeoPackageStore(tmp_path / "t.gpkg", create=True)
    store.write_many(tiny_layers(), source="test")
    reads: list[str] = []
    real_points, real_read = store.read_points, store.read
    monkeypatch.setattr(store, "read_points", lambda name, **kw: (
        reads.append(f"points:{name}") or real_points(name, **kw)))
    monkeypatch.setattr(store, "read", lambda name, **kw: (
        reads.append(name) or real_read(name, **kw)))
    version = store.version()
    totals = {}
    for role in ("public", "partenaire", "elu", "groupe_travail", "police", "videoprotection"):
        view = RoleView(store, role, as_of=AS_OF, version=version)
        totals[role] = len(view.incidents())
        view.layer("cameras")
    assert reads.count("points:incidents") == 1
    assert reads.count("cameras") == 1
    # Each role still gets its own release of the shared rows (as in the test above).
    assert totals["police"] == 5 and totals["elu"] == 0
    RoleView(store, "police", as_of=AS_OF, version=version + "-autre").incidents()
    assert reads.count("points:incidents") == 2
# -- periods snap to the role's time atoms ----------------------------------------------------
@pytest.fixture(scope="module")
def store_with_atoms(tmp_path_factory) -> GeoPackageStore:
    """A demo store large enough for atoms of k facts (3,000 incidents)."""
    from clspd_geo import demo

    store = GeoPackageStore(tmp_path_factory.mktemp("view") / "demo.gpkg", create=True)
    store.write_many(demo.build_demo(seed=1, n_incidents=3000), source=demo.source_label(1))
    return store


def test_time_atom_and_snap_period(tiny_store):
    from clspd_geo.access.role_periods import snap_period

    police = RoleView(tiny_store, "police", as_of=AS_OF)
    elu = RoleView(tiny_store, "elu", as_of=AS_OF)
    assert police.time_atom is None and police.period_note() is None
    assert elu.time_atom == "mois"
    assert "mois entiers" in elu.period_note()
    d = dt.date
    # Police see points: the period is theirs as chosen.
    assert snap_period(police, d(2025, 10, 2), d(2026, 10, 2)) == (d(2025, 10, 2), d(2026, 10, 2))
    # The default period of aggregate roles: 02/10/2025 – 01/10/2026 → Oct–Sep.
    assert snap_period(elu, d(2025, 10, 2), d(2026, 10, 2)) == (d(2025, 10, 1), d(2026, 10, 1))
    assert snap_period(elu, d(2025, 10, 20), d(2026, 3, 31)) == (d(2025, 11, 1), d(2026, 4, 1))
    # Never empty: at least one whole month.
    assert snap_period(elu, d(2025, 10, 20), d(2025, 10, 25)) == (d(2025, 11, 1), d(2025, 12, 1))


def test_default_period_is_whole_months_for_atoms(store_with_atoms):
    from clspd_geo.access.role_periods import default_period

    elu = RoleView(store_with_atoms, "elu", as_of=AS_OF)
    start, end = default_period(elu)
    last = elu.incidents()["occurred_at"].max().date()
    assert start.day == 1 and end.day == 1
    assert end == (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert (end.year - start.year) * 12 + end.month - start.month <= 12
    police = RoleView(store_with_atoms, "police", as_of=AS_OF)
    default = indicators.default_selection(police.incidents())
    assert default_period(police) == (default.start, default.end)


def test_withheld_and_by_month(store_with_atoms):
    elu = RoleView(store_with_atoms, "elu", as_of=AS_OF)
    public = RoleView(store_with_atoms, "public", as_of=AS_OF)
    from clspd_geo import vocab

    sel = indicators.Selection(dt.date(2025, 1, 1), dt.date(2026, 1, 1),
                               tuple(vocab.category_codes()))
    prepared = indicators.prepare_incidents(
        store_with_atoms.read_points("incidents", columns=["occurred_at", "category",
                                                           "quartier_id"]),
        epsg=elu.metric_epsg)
    n_all = int(indicators.mask(prepared, sel).sum())
    assert elu.withheld(sel) == n_all - len(elu.incidents(sel))
    assert elu.withheld(sel.with_categories(())) == 0
    # Yearly atoms (public, sensitive facts) are dated 1 January; by_month drops them.
    rows = public.incidents(sel)
    assert set(rows["time_step"]) <= {"mois", "annee"}
    monthly = public.incidents(sel, by_month=True)
    assert len(monthly) == int((rows["time_step"] == "mois").sum())
    assert (public.incidents(by_month=True)["time_step"] != "annee").all()
