"""The camera layer: points and view cones coloured by status, legend of statuses."""

from __future__ import annotations

import folium
import pytest

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
    statuses = list(vocab.CAMERA_STATUSES.values())
    assert [i.label for i in layer.items][:len(statuses)] == statuses
    # Both cameras see less than 70 m: their cones are drawn longer, and the legend says so.
    assert layer.items[-1].label.startswith("champ de vision de moins de 70 m")
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


def test_short_cones_are_drawn_stretched_from_their_camera(tiny):
    import numpy as np
    from shapely.geometry import Point
    from clspd_geo import crs

    cams = tiny["cameras"].assign(range_m=[50.0, 90.0])
    views = cameras.view_polygons(cams)
    drawn = camera_layers.drawn_views(cams, views)
    metric = crs.to_compute(views).crs
    pts = cams.to_crs(metric).geometry.to_numpy()
    real = views.to_crs(metric).geometry.to_numpy()
    shown = drawn.to_crs(metric).geometry.to_numpy()
    reach = [max(p.distance(Point(c)) for c in np.asarray(g.exterior.coords))
             for p, g in zip(pts, shown, strict=True)]
    # Ranges 50 and 90 m: the 50 m view reaches 70 m, the 90 m one is unchanged.
    assert reach[0] == pytest.approx(70, abs=0.5)
    assert shown[1].equals_exact(real[1], 1e-3)
    assert shown[0].area == pytest.approx(real[0].area * (70 / 50) ** 2, rel=1e-3)
