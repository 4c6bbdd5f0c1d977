"""Grid branches on a real-shaped county (bench/territory.py: Voronoi grids, villages and
townships simplified on their own so that their borders cut into grids and overlap their
neighbours by slivers): nearly every grid gets a branch, and the router answers exactly as
the level-by-level search does."""
import numpy as np
import pytest

from bench.territory import sample_points, voronoi_layers
from boundaries.models import Grid, GridBranch
from gis_app.bundles.importer import import_bundle
from gis_app.enforcement.locate import locate_points
from tests.bundle_writer import write_bundle


@pytest.fixture
def real_shaped(db, tmp_path):
    layers = voronoi_layers("990970", "真形县", (116.0, 29.0), townships=5, villages=3, grids=10,
                            radius=0.04, seed=4, unit_tolerance=4e-5)
    import_bundle(write_bundle(tmp_path / "bundle", fmt="gpkg", layers=layers),
                  overlap_tolerance_pct=5.0)
    return layers


def _answers(points):
    return [(loc.county and loc.county.code, loc.township and loc.township.code,
             loc.village and loc.village.code, loc.grid and loc.grid.code, loc.zone_ids)
            for loc in locate_points(points[:, 0], points[:, 1])]


def _near_edges(layers, rng, n):
    """Points within ~1 m of grid vertices: where slivers and cut borders are."""
    coords = np.vstack([np.asarray(g["geometry"].geoms[0].exterior.coords) for g in layers["grids"]])
    picks = coords[rng.integers(0, len(coords), n)]
    return picks + rng.normal(0, 1e-5, picks.shape)


def test_nearly_every_grid_of_a_real_shaped_county_gets_a_branch(real_shaped):
    grids = Grid.objects.filter(county__code="990970").count()
    with_row = GridBranch.objects.filter(county__code="990970").count()
    assert with_row >= 0.95 * grids
    assert GridBranch.objects.filter(region__isnull=False).exists()   # borders cut into some


def test_answers_with_branches_equal_the_level_by_level_search(real_shaped):
    rng = np.random.default_rng(1)
    points = np.vstack([sample_points(real_shaped, 1500, outside_share=0.02, sea_share=0.05, seed=2),
                        _near_edges(real_shaped, rng, 1500)])
    fast = _answers(points)
    GridBranch.objects.all().delete()
    assert fast == _answers(points)
