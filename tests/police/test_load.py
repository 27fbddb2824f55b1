"""Tests of clspd_geo.police.load: severity weights, incidents in sectors, balance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clspd_geo.errors import SchemaError
from clspd_geo.police import load


def test_balance_of_equal_loads_is_perfect():
    b = load.balance([5, 5, 5])
    assert b.cv == 0 and b.max_over_mean == 1
    assert np.isnan(load.balance([0, 0]).cv)


def test_incident_weights_from_the_vocabulary_or_a_table():
    cats = pd.Series(["rixe", "tapage", "inconnue"])
    np.testing.assert_allclose(load.incident_weights(cats), [4.0, 1.0, 1.0])
    np.testing.assert_allclose(load.incident_weights(cats, weights={"rixe": 2.0},
                                                     default_weight=0.0), [2.0, 0.0, 0.0])
    with pytest.raises(SchemaError, match="rixe = -1"):
        load.incident_weights(cats, weights={"rixe": -1.0})


def test_sector_of_lists_every_sector_a_point_falls_in(two_pn_one_pm, incidents):
    pairs = load.sector_of(incidents, two_pn_one_pm).sort_values(["point", "sector"])
    # A = 0, B = 1, M = 2 (M overlaps both); the last incident is in no sector.
    assert list(zip(pairs["point"], pairs["sector"])) == [
        (0, 0), (1, 0), (2, 0), (2, 2), (3, 1), (3, 2), (4, 1)]


def test_weight_table_lists_every_category():
    table = load.weight_table({"rixe": 9.0})
    assert list(table.columns) == ["Code", "Catégorie", "Poids"]
    w = dict(load.weight_items(table))
    assert w["rixe"] == 9.0 and w["tapage"] == 1.0
    assert load.NATIONAL == "police_nationale" and load.MUNICIPAL == "police_municipale"


def test_sector_of_gives_the_same_pairs_by_coordinates_and_by_tree(monkeypatch):
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(3)
    x0, y0 = 700_000.0, 6_600_000.0  # Lambert-93
    boxes = [shapely.box(x0 + i * 300, y0, x0 + i * 300 + 400, y0 + 400) for i in range(5)]
    boxes.append(shapely.Polygon([(x0, y0), (x0 + 1500, y0 + 450), (x0, y0 + 450)]))
    sectors = gpd.GeoDataFrame({"name": list("ABCDEF")}, geometry=boxes, crs=2154)
    xs = np.concatenate([rng.uniform(x0 - 50, x0 + 1800, 3000), [x0 + 300, x0 + 400]])
    ys = np.concatenate([rng.uniform(y0 - 50, y0 + 500, 3000), [y0 + 200, y0 + 400]])
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs=2154).to_crs(4326)
    by_xy = load.sector_of(pts, sectors)
    assert load.sector_of(pts.to_crs(2154), sectors).equals(by_xy)  # already metric
    monkeypatch.setattr(load, "FEW_SECTORS", 0)  # the tree
    by_tree = load.sector_of(pts, sectors)
    assert len(by_xy) > 3000 and by_xy.equals(by_tree)
    on_edge = by_xy[by_xy["point"] == 3000]["sector"].tolist()
    assert on_edge == [0, 1, 5]  # on the shared edge of A and B (boundaries count), and in F
