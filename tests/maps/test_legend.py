"""Legends: class breaks, class colours, legend lines and the legend box."""

from __future__ import annotations

import folium
import numpy as np

from clspd_geo.maps import legend


def test_class_breaks_are_increasing():
    b = legend.class_breaks(np.array([0, 1, 1, 2, 5, 9, 30]))
    assert (np.diff(b) > 0).all() and b[-1] == 30


def test_class_breaks_of_no_positive_value_is_one_class():
    assert legend.class_breaks(np.array([0, 0])).tolist() == [1.0]


def test_class_legend_reads_whole_numbers():
    vals = np.array([1, 1, 2, 3, 5, 49])
    items = legend.class_legend(legend.class_breaks(vals), vals, unit="faits")
    assert [i.label for i in items][:2] == ["1 fait", "2 faits"]
    sensitive = legend.class_legend(np.array([1.0, 2.0]), np.array([1, 2]), unit="faits sensibles")
    assert [i.label for i in sensitive] == ["1 fait sensible", "2 faits sensibles"]
    assert items[-1].label.endswith("– 49 faits")


def test_class_colors_take_the_dark_end_of_the_palette():
    # Two classes (upper bounds 1 and 5) use the two darkest colours; above 5 is the last.
    colors = legend.class_colors(np.array([0.5, 1, 3, 5, 9]), np.array([1.0, 5.0]))
    dark, darkest = legend.CELL_COLORS[-2:]
    assert colors == [dark, dark, darkest, darkest, darkest]


def test_legend_box_escapes_labels_and_folds_long_sections():
    many = [legend.LegendItem("#000000", f"k{i}") for i in range(9)]
    m = legend.add_legend(folium.Map(tiles=None), [
        ("Vide", []),
        ("<b>Titre</b>", [legend.LegendItem("#ff0000", "a < b", shape="line")]),
        ("Long", many)])
    html = m.get_root().render()
    assert "Vide" not in html
    assert "<details open><summary><b>&lt;b&gt;Titre&lt;/b&gt;</b></summary>" in html
    assert "a &lt; b" in html and "border-top:3px solid #ff0000" in html
    assert "<details><summary><b>Long</b></summary>" in html


def test_legend_lists_only_the_visible_layers():
    item = [legend.LegendItem("#000000", "x")]
    html = legend.legend_html([
        legend.LegendSection("Faits", item, layer="feature_group_a", shown=True),
        legend.LegendSection("Faits sensibles", item, layer="feature_group_b", shown=False),
        legend.LegendSection("Caméras", item, layer="feature_group_c", shown=True),
        legend.LegendSection("Vide", [], layer="feature_group_d", shown=True)])
    assert legend.visible_titles(html) == ["Faits", "Caméras"]
    # The hidden one is there for the map's script to show when its layer is switched on.
    assert '<details data-layer-index="1" hidden>' in html
    assert "Vide" not in html


def test_legend_script_follows_the_layer_control_and_the_box_folds():
    m = folium.Map(tiles=None)
    group = folium.FeatureGroup(name="G", show=False).add_to(m)
    legend.add_legend(m, [legend.LegendSection("G", [legend.LegendItem("#000", "g")],
                                               layer=group.get_name(), shown=False),
                          legend.LegendSection("Injection", [legend.LegendItem("#000", "i")],
                                               layer="x); alert(1); (y", shown=True)])
    html = m.get_root().render()
    assert f"var layers = [{group.get_name()}, ];" in html
    assert 'map.on("overlayadd overlayremove", sync)' in html
    assert '<details open class="clspd-legend-box"><summary' in html
    assert "alert(1)" not in html


def test_class_legend_of_no_shown_value_has_no_class():
    # Every count 0 or suppressed (< 11): no « 1 fait » class that cannot occur.
    assert legend.class_legend(legend.class_breaks(np.array([0, 0])), np.array([]),
                               unit="faits") == []
