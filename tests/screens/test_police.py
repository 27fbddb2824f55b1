"""clspd_geo.screens.police: workload, coordination, patrol brief, sector redesign."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from clspd_geo import config, vocab
from clspd_geo.analysis import indicators
from clspd_geo.police import patrol_brief, patrols, sectors
from clspd_geo.screens import police as screen

BOUNDS = patrols.shift_bounds(patrols.shift_table())
WEIGHTS = patrols.weight_items(patrols.weight_table())


def _period(view) -> tuple[dt.date, dt.date]:
    sel = indicators.default_selection(view.incidents())
    return sel.start, sel.end


def _points(view, start, end) -> gpd.GeoDataFrame:
    # Independent of the screen, which reads the weighted release (view.counts()): the rows
    # of exactly-timed categories in [start, end) of one row per incident (view.incidents()),
    # each standing for one incident.
    timed = [c for c in vocab.category_codes()
             if view.category_rule(c).access == "exact"]
    df = view.incidents()
    part = df[(df["occurred_at"] >= pd.Timestamp(start)) & (df["occurred_at"] < pd.Timestamp(end))
              & df["category"].astype(str).isin(timed).to_numpy()]
    return gpd.GeoDataFrame({"occurred_at": part["occurred_at"].to_numpy(),
                             "category": part["category"].astype(str).to_numpy(),
                             "n": np.ones(len(part), dtype=np.int64)},
                            geometry=gpd.points_from_xy(part["lon"], part["lat"]),
                            crs=config.STORAGE_CRS)


def test_timed_categories_depend_on_the_role(police, elu):
    cats = screen.timed_categories(police)
    assert cats and set(cats) <= set(vocab.category_codes())
    assert all(police.category_rule(c).access == "exact" for c in cats)
    assert len(screen.timed_categories(elu)) < len(cats)


def test_workload(police, memoised):
    start, end = _period(police)
    memoised(lambda: screen.workload(police, start=start, end=end, bounds=BOUNDS,
                                     weights=WEIGHTS),
             lambda: patrols.workload(_points(police, start, end), police.layer("secteurs"),
                                      shifts=patrols.make_shifts(BOUNDS), weights=dict(WEIGHTS),
                                      period=(pd.Timestamp(start), pd.Timestamp(end))))


def test_coordination(police, memoised):
    start, end = _period(police)

    def direct():
        pts, sec = _points(police, start, end), police.layer("secteurs")
        return (patrols.coordination(sec, pts, territory=police.layer("territoire"),
                                     shifts=patrols.make_shifts(BOUNDS), weights=dict(WEIGHTS)),
                sectors.check_sectors(sec, incidents=pts))

    memoised(lambda: screen.coordination(police, start=start, end=end, bounds=BOUNDS,
                                         weights=WEIGHTS), direct)


def test_brief(police, memoised):
    _, end = _period(police)
    sector_id = str(police.layer("secteurs")["sector_id"].iloc[0])
    shift = BOUNDS[0][0]

    def direct():
        b = patrol_brief.build_brief(
            police.layer("secteurs"), _points(police, end - dt.timedelta(days=56), end),
            sector_id=sector_id, shift=shift, facilities=police.layer("equipements"),
            shifts=patrols.make_shifts(BOUNDS), as_of=pd.Timestamp(end), recent_days=28)
        return b

    b = memoised(lambda: screen.brief(police, end=end, sector_id=sector_id, shift=shift,
                                      days=28, bounds=BOUNDS), direct)
    html = screen.brief_html(police, b)
    assert html == patrol_brief.to_html(b, voies=police.layer("voies"))
    assert f"({b.sector_id})" in html


@pytest.mark.parametrize("blocks", ["quartiers", "grille"])
def test_redesign(police, memoised, blocks):
    start, end = _period(police)
    force = str(police.layer("secteurs")["force"].iloc[0])
    quartiers = police.layer("quartiers") if blocks == "quartiers" else None
    memoised(lambda: screen.redesign(police, start=start, end=end, k=3, force=force,
                                     blocks=blocks, cell_m=500.0, keep_split=False,
                                     weights=WEIGHTS),
             lambda: sectors.propose(police.layer("secteurs"), _points(police, start, end), k=3,
                                     force=force, blocks=quartiers, cell_size_m=500.0,
                                     keep_split=False, weights=dict(WEIGHTS)))
