"""clspd_geo.screens.hotspots: hotspot layer, hour × weekday table, forecast report."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from clspd_geo import config
from clspd_geo.analysis import cells, forecast, hotspots, indicators, temporal
from clspd_geo.errors import EmptySelectionError
from clspd_geo.screens import hotspots as screen


@pytest.mark.parametrize("mode", ["densite", "gi_star"])
def test_hotspot_map(police, memoised, year, mode):
    open_cats, _ = indicators.split_sensitive(year(police).categories)
    sel = year(police, open_cats)

    def direct():
        df = indicators.select(police.incidents(), sel)
        area = hotspots.study_area(police.layer("territoire"), police.layer("quartiers"),
                                   sel.quartiers)
        return hotspots.hotspot_map(df["x"].to_numpy(), df["y"].to_numpy(), area, mode=mode)

    hm = memoised(lambda: screen.hotspot_map(police, sel, mode=mode), direct)
    assert len(hm.zones) > 0


def test_hour_table_uses_timed_rows(police, memoised, year):
    sel = year(police)
    rows = indicators.select(police.incidents(), sel)
    timed = rows[rows["time_known"].to_numpy(dtype=bool)]
    assert 0 < len(timed) < len(rows)
    hw = memoised(lambda: screen.hour_table(police, sel), lambda: temporal.hour_weekday(timed))
    assert hw.table.to_numpy().sum() == len(timed)


def test_hour_table_without_time_of_day(elu, year):
    # The elected officials read every fact by month or year: no day, no hour.
    with pytest.raises(EmptySelectionError, match="sans jour ni heure"):
        screen.hour_table(elu, year(elu))


def test_forecast_report(police, memoised, year):
    open_cats, _ = indicators.split_sensitive(year(police).categories)
    cats = tuple(open_cats)
    end = year(police).end

    def direct():
        df = police.incidents()
        first = indicators.data_period(df)[0]
        train, test = forecast.monthly_periods(end, first=first)
        every = indicators.select(df, indicators.Selection(first, end, cats))
        grid = cells.grid_for(police.layer("territoire"), cell_size_m=config.HOTSPOT_CELL_M)
        inside = cells.inside_mask(grid, police.layer("territoire"))
        return forecast.evaluate_xy(grid, inside, every["x"].to_numpy(), every["y"].to_numpy(),
                                    every["occurred_at"].to_numpy("datetime64[ns]"),
                                    train=train, test=test)

    rep = memoised(lambda: screen.forecast_report(police, cats, end=end,
                                                  cell_m=config.HOTSPOT_CELL_M), direct)
    assert rep.n_test > 0


# -- what the role's data supports, aggregate maps -------------------------------------------
def test_point_analyses_only_for_points(police, elu):
    open_cats, sensitive = indicators.split_sensitive(
        indicators.default_selection(police.incidents()).categories)
    assert screen.sees_points(police, open_cats)
    assert screen.point_analysis_note(police, open_cats) is None
    # Police see sensitive facts by 200 m cell only: no point analysis on them.
    assert not screen.sees_points(police, sensitive)
    assert not screen.sees_points(elu, open_cats)
    note = screen.point_analysis_note(elu, open_cats)
    assert note.startswith("Pour votre rôle (Élu)")
    assert "par cellule de 200 m ou par quartier" in note
    assert "la prévision" in note and "Police" in note


def test_aggregate_areas_never_draw_a_quartier_total_as_a_cell(elu, store, year):
    open_cats, _ = indicators.split_sensitive(year(elu).categories)
    sel = year(elu, open_cats)
    areas = screen.aggregate_areas(elu, sel)
    rows = elu.incidents(sel)
    level = rows["zone_level"].astype(str)
    assert areas.n_total == len(rows)
    assert areas.n_outside == int(rows["quartier_id"].isna().sum())
    assert areas.n_outside >= int((level == "territoire").sum())
    # Quartier totals: every fact placed in a quartier (grid or quartier atoms), role's k.
    per_q = rows[rows["quartier_id"].notna()]["quartier_id"].astype(str).value_counts()
    q = areas.rates.quartiers.set_index("quartier_id")
    for qid, n in per_q.items():
        assert q.loc[qid, "faits"] == (n if n >= elu.small_count_k else 0)
    assert int(q["faits"].sum()) + areas.n_outside <= areas.n_total
    # Cells: only the release's own grid cells, each holding at least k facts.
    assert int(areas.cells["faits"].sum()) == int((level == "grille").sum())
    assert (areas.cells["faits"] >= elu.small_count_k).all()
    if areas.n_outside:
        assert "aucun quartier" in areas.note()


def _dense_tiny_store(path):
    """The tiny territory with 12 tapage in one 200 m cell of Q1 and 11 burglaries spread
    over Q2 (March 2025): for the élu (k = 11), one grid atom and one quartier atom."""
    import geopandas as gpd
    import pandas as pd
    from conftest import X0, Y0, tiny_layers
    from shapely.geometry import Point

    from clspd_geo.store import GeoPackageStore

    layers = tiny_layers()
    xy = [(40 + 4 * i, 60) for i in range(12)] + [(550 + 40 * i, 150 + 70 * i) for i in range(11)]
    cats = ["tapage"] * 12 + ["cambriolage"] * 11
    quart = ["Q1"] * 12 + ["Q2"] * 11
    when = pd.to_datetime([f"2025-03-{1 + i:02d} 12:00" for i in range(23)])
    layers["incidents"] = gpd.GeoDataFrame(
        {"incident_id": [f"D{i}" for i in range(23)], "occurred_at": when, "category": cats,
         "quartier_id": quart}, geometry=[Point(X0 + x, Y0 + y) for x, y in xy],
        crs=2154).to_crs(4326)
    store = GeoPackageStore(path, create=True)
    store.write_many(layers, source="Testville dense (fixture)")
    return store


def test_aggregate_areas_known_answer(tmp_path):
    from clspd_geo.access.view import RoleView

    elu = RoleView(_dense_tiny_store(tmp_path / "dense.gpkg"), "elu",
                   as_of=dt.date(2026, 11, 25))
    sel = indicators.Selection(dt.date(2025, 3, 1), dt.date(2025, 4, 1),
                               ("tapage", "cambriolage"))
    areas = screen.aggregate_areas(elu, sel)
    assert areas.n_total == 23 and areas.n_outside == 0
    # One cell: the release's own 200 m square [X0, X0 + 200] × [Y0, Y0 + 200], 12 facts.
    assert list(areas.cells["faits"]) == [12]
    b = areas.cells.to_crs(elu.metric_epsg).geometry.bounds.iloc[0]
    np.testing.assert_allclose([b["minx"], b["miny"], b["maxx"], b["maxy"]],
                               [700_000, 6_600_000, 700_200, 6_600_200], atol=0.01)
    # The 11 burglaries of Q2 are a quartier total: in Q2's colour, in no cell.
    q = areas.rates.quartiers.set_index("quartier_id")
    assert q.loc["Q1", "faits"] == 12 and q.loc["Q2", "faits"] == 11
    assert areas.rates.population_known
    np.testing.assert_allclose(q.loc["Q2", "valeur"], 11.0)  # 11 per 1,000 residents
    assert areas.note() == ""
