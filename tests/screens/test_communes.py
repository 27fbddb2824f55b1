"""The commune comparison as each role sees it, on a 3-commune demo."""

from __future__ import annotations

import pytest

from clspd_geo import demo
from clspd_geo.access import policy
from clspd_geo.access.view import RoleView
from clspd_geo.analysis import communes, indicators
from clspd_geo.screens import communes as commune_screen
from clspd_geo.store import GeoPackageStore
from tests.screens.conftest import AS_OF, last_year

ROLES = [r for r in policy.ROLE_CODES if policy.may_open(r, "communes")]


@pytest.fixture(scope="module")
def cispd(tmp_path_factory) -> GeoPackageStore:
    s = GeoPackageStore(tmp_path_factory.mktemp("cispd") / "cispd.gpkg", create=True)
    s.write_many(demo.build_demo(seed=3, n_incidents=4_000, n_communes=3),
                 source=demo.source_label(3))
    return s


@pytest.mark.parametrize("role", ROLES)
def test_every_fact_of_the_role_is_in_one_commune_or_counted_apart(cispd, role):
    view = RoleView(cispd, role, as_of=AS_OF)
    sel = last_year(view)
    res = commune_screen.comparison(view, sel)
    assert res.n_communes == 3
    seen = [c for c in sel.categories if view.category_rule(c).access != "never"]
    assert {c for i in res.indicators for c in i.categories} == set(seen)
    rows = view.incidents(sel)
    for ind in res.indicators:
        mine = res.rows[(res.rows["indicator"] == ind.code) & (res.rows["level"] == "commune")]
        raw = communes.commune_of(rows[rows["category"].isin(ind.categories).to_numpy()],
                                  view.layer("territoire"), view.layer("quartiers"),
                                  epsg=view.metric_epsg)
        total = int(rows["category"].isin(ind.categories).sum())
        assert res.unattributed[ind.code] + sum(raw == c for c in mine["insee_code"]).sum() \
            == total
        k = view.small_count_k
        shown = mine["faits"].to_numpy()
        assert not ((shown > 0) & (shown < k)).any(), (role, ind.code)
    if policy.rule(role, "points").access != "exact":
        # An aggregate role reads released atoms: still one row per commune and indicator.
        assert len(res.rows) == 3 * len(res.indicators)


def test_point_role_counts_equal_a_spatial_join_of_the_points(cispd):
    import geopandas as gpd

    view = RoleView(cispd, "police", as_of=AS_OF)
    sel = last_year(view, ["cambriolage", "tapage", "degradation"])
    res = commune_screen.comparison(view, sel)
    pts = cispd.read("incidents").drop(columns="insee_code", errors="ignore")  # independent
    pts = pts[indicators.mask(indicators.prepare_incidents(pts, epsg=2154), sel)]
    joined = gpd.sjoin(pts, cispd.read("territoire")[["insee_code", "geometry"]],
                       predicate="within")["insee_code"].value_counts()
    got = res.rows.set_index("insee_code")["faits"]
    assert {c: int(got[c]) for c in joined.index} == {c: int(n) for c, n in joined.items()}
    assert res.unattributed["police"] == 0


def test_small_maps_one_per_indicator(cispd):
    view = RoleView(cispd, "elu", as_of=AS_OF)
    sel = last_year(view, ["cambriolage", "rixe", "ivresse_publique"])
    maps = commune_screen.rate_maps(view, sel)
    assert [label for label, _ in maps] == ["Ensemble des faits", "Police",
                                            "Conduites addictives"]
    assert all(png.startswith(b"\x89PNG") for _, png in maps)


def test_one_commune_note(store, cispd):
    view = RoleView(store, "police", as_of=AS_OF)
    assert "qu'une commune" in commune_screen.single_commune_note(view)
    assert commune_screen.single_commune_note(RoleView(cispd, "elu", as_of=AS_OF)) == ""


@pytest.mark.parametrize("role", ["elu", "groupe_travail", "police"])
def test_the_same_comparison_from_counts_as_from_one_row_per_incident(cispd, role):
    from tests.reports.conftest import one_row_per_incident
    from tests.screens.conftest import assert_same

    weighted = RoleView(cispd, role, as_of=AS_OF)
    expanded = one_row_per_incident(RoleView(cispd, role, as_of=AS_OF))
    sel = last_year(expanded)
    a = commune_screen.comparison(weighted, sel)
    assert_same(a, commune_screen.comparison(expanded, sel))
    assert a.rows["faits"].sum() > 0
