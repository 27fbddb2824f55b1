"""Graduated cells: colours from the class breaks, labels with their unit."""

from __future__ import annotations

import folium
import geopandas as gpd
from shapely.geometry import box

from clspd_geo.maps import base, legend
from clspd_geo.maps import cells as cell_layers


def _cells(values: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"faits": values},
                            geometry=[box(2.30 + i * 0.01, 48.85, 2.31 + i * 0.01, 48.86)
                                      for i in range(len(values))], crs=4326)


def test_cells_layer_colours_by_class_and_labels_with_the_unit():
    m = folium.Map(tiles=None)
    layer = cell_layers.cells_layer(_cells([1, 2, 2, 10]), value_col="faits", name="Faits",
                                    unit="faits", m=m)
    assert base.layer_names(m) == ["Faits"]
    assert layer.title == "Faits"
    html = m.get_root().render()
    assert '"label": "10 faits"' in html and '"label": "1 faits"' in html
    # The highest class takes the darkest colour of the palette.
    assert f'"fill": "{legend.CELL_COLORS[-1]}"' in html
    assert [i.color for i in layer.items] == list(
        legend.CELL_COLORS[-len(legend.class_breaks([1, 2, 2, 10])):])


def test_cells_layer_takes_a_legend_title_and_a_hidden_start():
    layer = cell_layers.cells_layer(_cells([0.5, 1.5]), value_col="faits", name="Faits",
                                    unit="victimes", legend_title="Faits par cellule",
                                    show=False)
    assert layer.title == "Faits par cellule" and not layer.group.show
    m = folium.Map(tiles=None)
    layer.add_to(m)
    assert '"label": "0,5 victimes"' in m.get_root().render()  # decimal comma
