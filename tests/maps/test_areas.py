"""Areas: quartiers, values by quartier, patrol sectors and the one zones builder."""

from __future__ import annotations

import folium
import geopandas as gpd

from clspd_geo.maps import areas, base, legend


def _render(layer: base.MapLayer) -> str:
    m = folium.Map(tiles=None)
    layer.add_to(m)
    return m.get_root().render()


def test_quartiers_layer_marks_qpv_in_red_and_has_no_legend(tiny):
    m = folium.Map(tiles=None)
    layer = areas.quartiers_layer(tiny["quartiers"], m=m)
    assert layer.title is None and layer.items == ()
    assert base.layer_names(m) == ["Quartiers (QPV en rouge)"]
    html = m.get_root().render()
    assert '"qpv_label": "oui"' in html and "#c62828" in html


def test_values_by_quartier_leave_zero_grey_and_grade_the_rest(tiny):
    q = tiny["quartiers"].assign(v=[0.0, 7.0], lbl=["< 5", "7"])
    layer = areas.values_by_quartier_layer(q, value_col="v", label_col="lbl", name="Faits",
                                           unit="faits", show=False)
    assert layer.title == "Faits" and not layer.group.show
    assert [i.label for i in layer.items] == ["aucun ou effectif masqué (faits)", "7 faits"]
    assert layer.items[0].color == legend.EMPTY_COLOR
    assert layer.items[1].color == legend.CELL_COLORS[-1]
    html = _render(layer)
    assert "\\u0026lt; 5" in html  # the suppressed count, escaped


def test_sectors_layer_brings_the_legend_of_its_forces(tiny):
    layer = areas.sectors_layer(tiny["secteurs"])
    assert layer.title == "Secteurs de patrouille"
    assert [i.label for i in layer.items] == ["Police nationale", "Police municipale"]
    assert all(i.shape == "line" for i in layer.items)
    assert areas.sectors_layer(tiny["secteurs"], legend_title="Secteurs").title == "Secteurs"
    assert [i.label for i in areas.sector_legend(tiny["secteurs"].iloc[[1]])] == [
        "Police municipale"]


def test_zones_layer_cycles_the_given_colours(tiny):
    z = tiny["quartiers"].assign(label=["100 m", "200 m"])
    layer = areas.zones_layer(z, name="Abords", colors=areas.RING_COLORS[:1],
                              fill_opacity=0.15)
    assert [(i.color, i.label) for i in layer.items] == [("#e65100", "100 m"),
                                                         ("#e65100", "200 m")]
    html = _render(layer)
    assert '"fillOpacity": 0.15' in html and '"color": "#e65100"' in html


def test_zones_layer_reads_hotspot_colours_and_draws_their_outline(tiny):
    z = tiny["quartiers"].assign(label=["forte", "très forte"], color=["#fdae61", "#d7191c"])
    layer = areas.zones_layer(z, name="Densité", line_color="#555555", line_weight=0.3,
                              fill_opacity=0.6, tooltip_alias="Zone",
                              legend_title="Points chauds")
    assert layer.title == "Points chauds"
    assert [(i.color, i.label) for i in layer.items] == [("#fdae61", "forte"),
                                                         ("#d7191c", "très forte")]
    html = _render(layer)
    assert '"color": "#555555"' in html and '"weight": 0.3' in html
    assert '"Zone"' in html


def test_zones_layer_escapes_its_name(tiny):
    z = tiny["quartiers"].assign(label=["a", "b"], color=["#fdae61", "#d7191c"])
    m = folium.Map(tiles=None)
    layer = areas.zones_layer(z, name="Densité <test>", m=m)
    assert "<test>" not in m.get_root().render()
    assert layer.title == "Densité <test>"  # escaped once, when the legend is drawn


def test_an_empty_zones_layer_is_drawn_without_legend_lines():
    empty = gpd.GeoDataFrame({"label": []}, geometry=[], crs=4326)
    m = folium.Map(tiles=None)
    layer = areas.zones_layer(empty, name="Rien", colors=["#000000"], m=m)
    assert layer.items == () and base.layer_names(m) == ["Rien"]
    assert len(layer.group._children) == 0


def test_quartier_choropleth_legend_says_what_a_colour_means():
    import geopandas as gpd
    from shapely.geometry import box

    from clspd_geo.maps import areas, legend

    q = gpd.GeoDataFrame(
        {"quartier_id": ["A", "B", "C"], "name": ["Alpha", "Beta", "Gamma"],
         "valeur": [2.5, 12.0, 0.0], "affiche": ["2,5", "12,0", "< 11 faits"],
         "faits_affiches": ["25", "120", "< 11"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs=4326)
    layer = areas.quartier_choropleth_layer(q, per_1000=True, k=11, name="Faits par quartier")
    labels = [i.label for i in layer.items]
    assert labels[0] == "quartier sans chiffre publié (aucun fait, ou moins de 11 : masqué)"
    assert layer.items[0].color == legend.EMPTY_COLOR
    # Rates: quantile classes from the lowest rate shown to the highest, in words.
    assert labels[1].startswith("quartier entier : de 2,5 à ")
    assert labels[-1].startswith("quartier entier : plus de ")
    assert labels[-1].endswith(" à 12,0 faits pour 1 000 habitants sur la période")
    assert len(labels) == 1 + len(legend.class_breaks(q["valeur"].to_numpy()))
    counts = areas.quartier_choropleth_layer(q.assign(valeur=[25, 120, 0]), per_1000=False,
                                             k=11)
    # Two counts, one class (breaks are observed values): « de 25 à 120 faits ».
    assert [i.label for i in counts.items][1:] == [
        "quartier entier : de 25 à 120 faits sur la période"]


def test_values_by_quartier_with_every_count_suppressed_has_no_count_class(tiny):
    q = tiny["quartiers"].assign(v=[0.0, 0.0], lbl=["< 11", "< 11"])
    layer = areas.values_by_quartier_layer(q, value_col="v", label_col="lbl", name="Faits",
                                           unit="faits")
    assert [i.label for i in layer.items] == ["aucun ou effectif masqué (faits)"]
