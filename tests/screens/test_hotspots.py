"""clspd_geo.screens.hotspots: hotspot layer, hour × weekday table, forecast report."""

from __future__ import annotations

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
