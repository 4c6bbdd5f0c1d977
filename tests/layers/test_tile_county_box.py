"""Tiles of county-scoped layers read only the part of the tile inside the user's counties'
box (layers/tile_sql.py counties_box, tiles.py narrowed): the same tiles as reading the whole
tile, for every role, and no query at all for a tile outside the box."""
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers import tile_sql, tiles
from layers.catalogue import layers
from tests.layers.conftest import ROLES, tile_of

pytestmark = pytest.mark.django_db

# Home county 990101 spans 120.00..120.12 E (sea included), 30.00..30.08 N; the neighbour 990102 lies at 121 E.
TILES = [tile_of(120.008, 30.008, z) for z in (7, 9, 10, 12, 14, 16)] + [tile_of(121.005, 30.005, 14)]


@pytest.mark.parametrize("layer_id", ["grids", "cases"])
@pytest.mark.parametrize("role", ROLES + ("other_command", "admin"))
def test_a_tile_narrowed_to_the_users_counties_is_the_whole_tiles_tile(world, role, layer_id):
    layer, user = layers().get(layer_id), world.users[role]
    unnarrowed = replace(layer, county_box=False)
    for z, x, y in TILES:
        address = tiles.TileAddress(z, x, y)
        assert tiles.build_tile(layer, user, {}, address) == tiles.build_tile(unnarrowed, user, {}, address)


def test_a_tile_outside_the_users_counties_costs_no_query(world):
    layer, user = layers().get("grids"), world.users["command"]
    z, x, y = tile_of(121.005, 30.005, 14)            # the neighbour's grid
    tile_sql.statement(layer, user, {}, False)         # compiling may query; the tile may not
    with CaptureQueriesContext(connection) as queries:
        data = tiles.build_tile(layer, user, {}, tiles.TileAddress(z, x, y))
    assert data == b"" and not [q for q in queries if "ST_AsMVT" in q["sql"]]


def test_the_neighbours_tile_is_drawn_for_the_neighbour(world):
    z, x, y = tile_of(121.005, 30.005, 14)
    data = tiles.build_tile(layers().get("grids"), world.users["other_command"], {}, tiles.TileAddress(z, x, y))
    assert data


def test_the_box_is_the_users_counties_grown_by_the_margin(world, settings):
    settings.TILE_COUNTY_BOX_MARGIN = 0.5
    w, s, e, n = tile_sql.counties_box(world.users["command"])
    assert (w, s, e, n) == pytest.approx((119.5, 29.5, 120.62, 30.58))   # land and sea: 120.00..120.12
    assert tile_sql.counties_box(world.users["admin"]) is None


def test_narrowing_cuts_the_row_boxes_and_keeps_the_clip_and_cells():
    values = tiles.tile_values(tiles.TileAddress(10, 853, 418))
    w, s, e, n = values["w"], values["s"], values["e"], values["n"]
    box = (w + (e - w) / 2, s - 1, e + 1, n + 1)       # the tile's eastern half
    cut = tiles.narrowed(values, box)
    assert cut["bw"] == cut["kw"] == box[0] and cut["be"] == values["be"] and cut["ke"] == e
    assert (cut["w"], cut["cw"], cut["cell_w"]) == (values["w"], values["cw"], values["cell_w"])
    assert tiles.narrowed(values, (e + 1, s, e + 2, n)) is None
    assert tiles.narrowed(values, None) is values
