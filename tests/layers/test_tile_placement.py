"""Which rows a tile takes and where it places them (layers/tiles.py row_margin,
layers/tile_sql.py feature_statement): lines and polygons within half their stroke of the
tile, points within the buffer; from TILE_LINEAR_MIN_ZOOM on, lon/lat placed linearly in the
tile's box, within a fraction of a pixel of the Web Mercator projection."""
import mapbox_vector_tile
import pytest

from boundaries.models import Grid
from layers import tiles
from layers.catalogue import layers
from layers.registry import Style
from layers.tile_sql import BUFFER, EXTENT
from tests.layers.conftest import tile_of

pytestmark = pytest.mark.django_db


def features(layer_id, user, z, x, y) -> dict:
    data = tiles.build_tile(layers().get(layer_id), user, {}, tiles.TileAddress(z, x, y))
    decoded = mapbox_vector_tile.decode(data) if data else {}
    return {f["id"]: f for f in decoded.get(layer_id, {}).get("features", [])}


def test_a_polygon_beyond_half_its_stroke_is_not_in_the_tile(world):
    # Zoom 11: the tile holding 120.05 E ends about 2 pixels west of the grid column starting at
    # 120.06 E: inside the 4-pixel buffer, beyond half the grids' 0.6-pixel stroke.
    z, x, y = tile_of(120.05, 30.03, 11)
    east = (x + 1) / 2 ** z * 360.0 - 180.0
    pixel = 360.0 / 2 ** z / 256
    assert 0.3 * pixel < 120.06 - east < BUFFER / EXTENT * 256 * pixel
    grids = list(Grid.objects.filter(county=world.t.county))
    beyond = {g.pk for g in grids if g.geom.extent[0] == pytest.approx(120.06)}
    touching = {g.pk for g in grids if g.geom.extent[2] == pytest.approx(120.06)}
    assert beyond and touching
    drawn = set(features("grids", world.users["command"], z, x, y))
    assert touching <= drawn and not beyond & drawn


def test_a_polygon_inside_the_tile_is_drawn_whole_up_to_the_buffer(world):
    z, x, y = tile_of(120.05, 30.03, 11)
    drawn = features("grids", world.users["command"], z, x, y)
    xs = [px for f in drawn.values() for ring in f["geometry"]["coordinates"] for px, _ in ring]
    assert EXTENT < max(xs) <= EXTENT + BUFFER       # the grid across the east edge, clipped at the buffer


def test_the_margin_is_half_the_widest_stroke_for_lines_and_polygons():
    assert tiles.row_margin(layers().get("grids")) == pytest.approx(0.3 / 256)     # weight 0.6
    assert tiles.row_margin(layers().get("counties")) == pytest.approx(1.5 / 256)  # weight 3
    coverage = layers().get("coverage")
    widest = max([coverage.style.base.get("weight", 3)]
                 + [r["style"].get("weight", 0) for r in coverage.style.rules])
    assert tiles.row_margin(coverage) == pytest.approx(widest / 2 / 256)


def test_a_style_without_a_weight_has_leaflets_stroke():
    from dataclasses import replace
    layer = replace(layers().get("grids"), style=Style(base={"color": "#000"}))
    assert tiles.row_margin(layer) == pytest.approx(1.5 / 256)


def test_points_keep_the_whole_buffer():
    for layer_id in ("cases", "teams", "live-positions"):
        assert tiles.row_margin(layers().get(layer_id)) == BUFFER / EXTENT


def coordinates(geometry) -> list[tuple[int, int]]:
    def flat(c):
        if isinstance(c[0], (int, float)):
            return [tuple(c)]
        return [p for part in c for p in flat(part)]
    return flat(geometry["coordinates"])


@pytest.mark.parametrize("layer_id,z", [("grids", 10), ("grids", 12), ("townships", 10), ("teams", 10),
                                        ("tracks", 11), ("protected-areas", 13)])
def test_linear_placement_is_within_a_sixth_of_a_pixel_of_the_projection(world, settings, layer_id, z):
    z, x, y = tile_of(120.03, 30.03, z)
    user = world.users["command"]
    settings.TILE_LINEAR_MIN_ZOOM = 23
    projected = features(layer_id, user, z, x, y)
    settings.TILE_LINEAR_MIN_ZOOM = 10
    linear = features(layer_id, user, z, x, y)
    assert projected and set(linear) == set(projected)
    for fid, feature in linear.items():
        mine, exact = coordinates(feature["geometry"]), coordinates(projected[fid]["geometry"])
        assert len(mine) == len(exact), (layer_id, fid)
        # 1.6 units at zoom 10 and 30 N (tile_sql.feature_statement), plus rounding to the unit
        assert all(abs(a - c) <= 1 and abs(b - d) <= 3 for (a, b), (c, d) in zip(mine, exact)), (layer_id, fid)


def test_below_the_linear_zoom_tiles_are_projected(world, settings):
    settings.TILE_LINEAR_MIN_ZOOM = 10
    z, x, y = tile_of(120.03, 30.03, 9)
    user = world.users["command"]
    below = features("townships", user, z, x, y)
    settings.TILE_LINEAR_MIN_ZOOM = 9
    linear = features("townships", user, z, x, y)
    assert below and any(coordinates(below[fid]["geometry"]) != coordinates(linear[fid]["geometry"])
                         for fid in below)
