"""The camera layer: points and view cones coloured by status, legend of statuses."""

from __future__ import annotations

import folium

from clspd_geo import vocab
from clspd_geo.maps import base
from clspd_geo.maps import cameras as camera_layers
from clspd_geo.video import cameras


def test_cameras_layer_draws_cones_then_points_with_the_status_legend(tiny):
    m = folium.Map(tiles=None)
    layer = camera_layers.cameras_layer(tiny["cameras"], cameras.view_polygons(tiny["cameras"]),
                                        m=m)
    assert base.layer_names(m) == ["Caméras et champs de vision"]
    assert len(layer.group._children) == 2  # the cones, then the points
    assert layer.title == "Caméras"
    assert [i.label for i in layer.items] == list(vocab.CAMERA_STATUSES.values())
    html = m.get_root().render()
    assert camera_layers.CAMERA_STATUS_COLORS["projet"] in html
    assert "Exploitant" in html
    # Cones filled enough to be seen at the default zoom.
    cones = next(iter(layer.group._children.values()))
    style = cones.style_function({"properties": {"status": "en_service"}})
    assert style["fillOpacity"] == camera_layers.CONE_FILL_OPACITY >= 0.4
    assert style["weight"] >= 1


def test_a_second_camera_layer_can_go_without_legend(tiny):
    layer = camera_layers.cameras_layer(tiny["cameras"], cameras.view_polygons(tiny["cameras"]),
                                        name="Sites proposés (en projet)", legend_title=None)
    assert layer.title is None and layer.items == ()
    assert layer.group.layer_name == "Sites proposés (en projet)"


def test_camera_legend_has_one_line_per_status():
    items = camera_layers.camera_legend()
    assert [i.color for i in items] == [camera_layers.CAMERA_STATUS_COLORS[s]
                                        for s in vocab.CAMERA_STATUSES]
