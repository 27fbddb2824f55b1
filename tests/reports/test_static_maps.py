"""Static maps of the reports (clspd_geo.reports.static_maps): classes, scale, PNG."""

from __future__ import annotations

import io

import geopandas as gpd
import pytest
from PIL import Image
from shapely.geometry import LineString, Point, box

from clspd_geo.maps import legend
from clspd_geo.reports import static_maps, typography


@pytest.mark.parametrize(("span", "length"), [(5000, 1000), (4000, 500), (12000, 2000),
                                              (30000, 5000), (999, 100), (1, 1)])
def test_nice_length_a_round_fifth(span: float, length: float) -> None:
    assert static_maps.nice_length(span) == length


def zones(values: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"n": values},
                            geometry=[box(652000 + 100 * i, 6862000, 652100 + 100 * i, 6862100)
                                      for i in range(len(values))], crs=2154)


def test_class_layers_hide_small_counts_and_leave_zeros_white() -> None:
    layers = static_maps.class_layers(zones([0, 2, 5, 6, 40]), value_col="n", k=5,
                                      unit="faits")
    hidden = layers[-1]
    assert hidden.label == f"<{typography.NNBSP}5 faits (masqué)"
    assert hidden.face == static_maps.SUPPRESSED_COLOR
    assert hidden.frame["n"].tolist() == [2]
    shown = layers[:-1]
    assert sorted(v for layer in shown for v in layer.frame["n"]) == [5, 6, 40]
    assert all(layer.face in legend.CELL_COLORS for layer in shown)
    assert shown[0].label.startswith("5 à ") and shown[-1].label.endswith(" faits")
    assert all(0 not in layer.frame["n"].tolist() for layer in layers)


def test_class_layers_of_rates_have_one_decimal_and_nothing_hidden() -> None:
    layers = static_maps.class_layers(zones([0.5, 1.25, 3.0]), value_col="n", k=1,
                                      unit="‰")
    assert [v for layer in layers for v in layer.frame["n"]] == [0.5, 1.25, 3.0]
    assert layers[0].label.startswith("0,5 à ")
    assert not any("masqué" in (layer.label or "") for layer in layers)


def test_class_layers_of_zeros_and_small_counts_only() -> None:
    assert static_maps.class_layers(zones([0, 0]), value_col="n", k=5, unit="faits") == []
    (hidden,) = static_maps.class_layers(zones([0, 1, 4]), value_col="n", k=5, unit="faits")
    assert hidden.frame["n"].tolist() == [1, 4] and hidden.label.endswith("faits (masqué)")


def test_quartier_outlines_qpv_in_red() -> None:
    q = gpd.GeoDataFrame({"qpv": [True, None, False]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
                         crs=2154)
    plain, qpv = static_maps.quartier_outlines(q)
    assert (plain.label, len(plain.frame), plain.dashed) == ("Quartier", 2, True)
    assert (qpv.label, len(qpv.frame), qpv.edge) == ("Quartier prioritaire (QPV)", 1, "#c62828")
    assert [layer.label for layer in static_maps.quartier_outlines(q.iloc[1:])] == ["Quartier"]
    assert static_maps.quartier_outlines(q.iloc[:0]) == []


def test_render_every_kind_of_layer_to_png() -> None:
    terr = gpd.GeoDataFrame(geometry=[box(652000, 6862000, 656000, 6865000)],
                            crs=2154).to_crs(4326)
    layers = [static_maps.MapLayer(zones([3, 9]), "Zones", face="#ffcc80"),
              static_maps.MapLayer(gpd.GeoDataFrame(geometry=[LineString(
                  [(652500, 6862500), (655500, 6864500)])], crs=2154), "Voie", kind="line",
                  dashed=True),
              static_maps.MapLayer(gpd.GeoDataFrame(geometry=[Point(654000, 6863000)],
                                                    crs=2154), None, kind="point",
                                   face="#1565c0"),
              static_maps.MapLayer(zones([]), "Vide")]
    png = static_maps.render(terr, layers, epsg=2154, source="fictif", legend_title="Légende",
                             size_in=(4.0, 3.0))
    assert png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as im:
        assert im.width > 300 and im.height > 200


def test_roads_background_by_kind_with_no_legend() -> None:
    voies = gpd.GeoDataFrame(
        {"name": ["Rue A", "Avenue B", "Ligne C"],
         "kind": ["secondaire", "principale", "voie_ferree"]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(0, 0), (0, 100)]),
                  LineString([(0, 0), (100, 100)])], crs=2154)
    layers = static_maps.roads_background(voies)
    assert [layer.frame["name"].tolist() for layer in layers] == [["Rue A"], ["Avenue B"],
                                                                  ["Ligne C"]]
    assert all(layer.label is None and layer.kind == "line" for layer in layers)
    assert [layer.label_col for layer in layers] == ["name", "name", None]
    assert layers[2].dashed and not layers[1].dashed
    assert static_maps.roads_background(None) == []
    assert static_maps.roads_background(voies.iloc[:0]) == []


def test_render_with_streets_and_an_extent() -> None:
    terr = gpd.GeoDataFrame(geometry=[box(652000, 6862000, 655000, 6865000)], crs=2154)
    voies = gpd.GeoDataFrame({"name": ["Rue A"], "kind": ["secondaire"]},
                             geometry=[LineString([(652100, 6862500), (654900, 6862500)])],
                             crs=2154)
    png = static_maps.render(terr, [], epsg=2154, source="test",
                             background=static_maps.roads_background(voies),
                             extent=terr.iloc[:0], size_in=(4, 3))
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.width > 100
