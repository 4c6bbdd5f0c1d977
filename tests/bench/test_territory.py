"""The real-shaped bench territory (bench/territory.py): irregular, importable, with points
outside it."""
import numpy as np
import pytest
import shapely

from bench.territory import sample_points, voronoi_layers


@pytest.fixture(scope="module")
def layers():
    return voronoi_layers("990960", "测试县", (115.0, 27.0), townships=6, villages=3, grids=8,
                          radius=0.05, seed=3)


def test_grids_are_valid_polygons_of_uneven_size(layers):
    grids = [g["geometry"] for g in layers["grids"]]
    assert len(grids) == 6 * 3 * 8
    assert all(g.is_valid and g.geom_type == "MultiPolygon" for g in grids)
    areas = np.array([g.area for g in grids])
    assert areas.std() / areas.mean() > 0.2           # not a lattice of equal squares
    vertices = shapely.get_num_coordinates(grids)
    assert len(set(vertices)) > 2                      # not all squares either


def test_grids_tile_the_land_without_overlap(layers):
    grids = [g["geometry"] for g in layers["grids"]]
    land = shapely.union_all(grids)
    assert sum(g.area for g in grids) == pytest.approx(land.area, rel=1e-6)


def test_codes_follow_the_bundle_contract(layers):
    assert all(len(t["code"]) == 9 for t in layers["townships"])
    assert all(len(v["code"]) == 12 for v in layers["villages"])
    assert all(len(g["code"]) == 15 and g["code"][:12] in {v["code"] for v in layers["villages"]}
               for g in layers["grids"])


def test_village_borders_do_not_follow_their_grids_exactly(layers):
    village = {v["code"]: v["geometry"] for v in layers["villages"]}
    cut = [g for g in layers["grids"] if not village[g["code"][:12]].covers(g["geometry"])]
    assert cut, "simplified village borders cut into some grids, as in real bundles"


def test_same_seed_same_territory():
    a = voronoi_layers("990961", "县", (115.0, 27.0), townships=2, villages=2, grids=3, radius=0.02, seed=5)
    b = voronoi_layers("990961", "县", (115.0, 27.0), townships=2, villages=2, grids=3, radius=0.02, seed=5)
    assert [g["geometry"].wkb for g in a["grids"]] == [g["geometry"].wkb for g in b["grids"]]


def test_sample_points_put_the_asked_share_outside_and_at_sea(layers):
    points = sample_points(layers, 2000, outside_share=0.02, sea_share=0.05, seed=1)
    county = layers["county"][0]["geometry"]
    land = shapely.union_all([t["geometry"] for t in layers["townships"]])
    inside = shapely.covers(county, shapely.points(points))
    on_land = shapely.covers(land, shapely.points(points))
    assert (~inside).sum() == 40
    assert (inside & ~on_land).sum() == 100
