"""clspd_geo.screens.common: grid, cells, camera views, sensitive counts per quartier."""

from __future__ import annotations

from clspd_geo import config
from clspd_geo.analysis import cells, indicators
from clspd_geo.screens import common
from clspd_geo.video import cameras


def test_grid_is_the_territory_grid(police, memoised):
    memoised(lambda: common.grid(police, cell_m=200.0),
             lambda: cells.grid_for(police.layer("territoire"), cell_size_m=200.0))


def test_incident_cells(police, elu, memoised, year):
    for view in (police, elu):
        open_cats, _ = indicators.split_sensitive(year(view).categories)
        sel = year(view, open_cats)
        g = cells.grid_for(view.layer("territoire"), cell_size_m=config.HOTSPOT_CELL_M)
        out = memoised(lambda v=view, s=sel: common.incident_cells(v, s),
                       lambda v=view, s=sel, g=g: indicators.incident_cells(v.incidents(), s, g))
        assert out["faits"].sum() <= len(view.incidents(sel))
    # The elected officials see fewer facts than the police.
    assert len(elu.incidents()) < len(police.incidents())


def test_accident_cells(police, memoised, year):
    sel = year(police)
    g = cells.grid_for(police.layer("territoire"), cell_size_m=100.0)
    memoised(lambda: common.accident_cells(police, sel, cell_m=100.0),
             lambda: indicators.accident_cells(police.layer("accidents"), sel, g))


def test_camera_views(police, elu, memoised):
    views = memoised(lambda: common.camera_views(police),
                     lambda: cameras.view_polygons(police.layer("cameras")))
    assert len(views) == len(police.layer("cameras")) > 0
    assert common.camera_views(elu).empty


def test_sensitive_counts_use_the_role_k(police, elu, memoised, year):
    assert (police.small_count_k, elu.small_count_k) == (5, 11)
    for view in (police, elu):
        sel = year(view)
        _, sensitive = indicators.split_sensitive(sel.categories)
        only = indicators.Selection(sel.start, sel.end, tuple(sensitive), sel.quartiers)
        k = view.small_count_k
        qc = memoised(lambda v=view, s=sel: common.sensitive_quartier_counts(v, s),
                      lambda v=view, o=only, k=k: indicators.quartier_counts(
                          v.incidents(), v.layer("quartiers"), o, k=k))
        assert not qc["faits"].between(1, k - 1).any()
        shown = qc["faits_affiches"].astype(str)
        assert not shown.isin([str(n) for n in range(1, k)]).any()
    qc = common.sensitive_quartier_counts(elu, year(elu))
    assert not qc["faits"].between(1, 10).any()


def test_no_sensitive_category_gives_none(police, year):
    open_cats, _ = indicators.split_sensitive(year(police).categories)
    assert common.sensitive_quartier_counts(police, year(police, open_cats)) is None
