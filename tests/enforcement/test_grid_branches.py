"""Grid branches: the one-lookup answer for points inside a grid, when it is right, when it is
not there, and that writes to the territory never leave one stale.

Layout (tests/territory.py lattice): townships 001 (south-west), 002 (south-east), 003, 004,
each 0.04 degrees from (120.0, 30.0); villages 0.02 and grids 0.01 degrees square; a sea strip
120.08-120.12 on the east.
"""
import random

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from boundaries.models import County, CountyPart, Grid, GridBranch, Township, Village
from boundaries.subdivide import refresh_county_parts
from boundaries.branches import refresh_grid_branches
from gis_app.enforcement.routing import route
from tests.enforcement.helpers import NOW, at
from tests.enforcement.reference import Reference, codes_of
from tests.territory import box, make_territory, make_zone

GRID_001 = "990101001001001"            # (120.00-120.01, 30.00-30.01), township 001
IN_GRID_001 = (120.005, 30.005)


def branch(code):
    return GridBranch.objects.filter(grid__code=code).first()


def settled_codes():
    """Grids settled whole (a branch row without a region)."""
    return set(GridBranch.objects.filter(region__isnull=True).values_list("grid__code", flat=True))


def region_codes():
    """Grids settled in part (a branch row with a region)."""
    return set(GridBranch.objects.filter(region__isnull=False).values_list("grid__code", flat=True))


def decide(point, item="I001"):
    return route(at(*point), item, now=NOW).as_dict()


def assert_like_reference(points, item="I001"):
    ref = Reference()
    for lon, lat in points:
        expected = ref.route(lon, lat, item, NOW)
        expected.pop("deadline")
        assert codes_of(decide((lon, lat), item)) == expected, (lon, lat)


# --- which grids get a branch ---------------------------------------------------------------

def test_every_grid_of_a_clean_partition_gets_its_branch(db):
    t = make_territory()
    assert refresh_grid_branches(t.county) == len(t.grids) == 64
    for grid in t.grids:
        row = GridBranch.objects.get(grid=grid)
        assert (row.village_id, row.township_id, row.county_id) == \
            (grid.village_id, grid.village.township_id, t.county.pk)
        assert row.zone_ids == []


def test_a_zone_covering_a_whole_grid_is_on_its_branch(db):
    t = make_territory()
    zone = make_zone(t.county, "NR1", "core", (120.0, 30.0, 120.01, 30.01), "STHJ")
    refresh_grid_branches(t.county)
    assert branch(GRID_001).zone_ids == [zone.pk]
    assert branch("990101001001002").zone_ids == []      # it only touches the zone's edge


def test_a_zone_boundary_across_a_grid_leaves_its_zones_to_the_router(db):
    t = make_territory()
    make_zone(t.county, "NR1", "core", (120.005, 30.0, 120.01, 30.01), "STHJ")
    refresh_grid_branches(t.county)
    assert branch(GRID_001).zone_ids is None
    assert decide((120.002, 30.005))["protected_areas"] == []
    assert [z["code"] for z in decide((120.008, 30.005))["protected_areas"]] == ["NR1"]


def test_a_township_reaching_into_a_neighbours_grid_unsettles_that_grid(db):
    t = make_territory()
    t.townships[0].geom = box(120.0, 30.0, 120.041, 30.04)      # 001 overhangs 002 by 0.001
    t.townships[0].save()
    refresh_grid_branches(t.county)
    assert "990101002001001" not in settled_codes()             # 002's grid at 120.04-120.05
    assert "990101002001002" in settled_codes()                 # its neighbour to the east
    assert_like_reference([(120.0405, 30.005), (120.045, 30.005), (120.041, 30.005)])


def test_a_grid_a_neighbour_reaches_into_is_settled_outside_the_overhang(db):
    t = make_territory()
    t.townships[0].geom = box(120.0, 30.0, 120.041, 30.04)      # 001 overhangs 002 by 0.001
    t.townships[0].save()
    refresh_grid_branches(t.county)
    assert "990101002001001" in region_codes()
    region = branch("990101002001001").region
    assert region.contains(Point(120.045, 30.005, srid=4326))
    assert not region.intersects(box(120.04, 30.0, 120.041, 30.01))
    assert region.area == pytest.approx(0.009 * 0.01, rel=1e-4)


def test_a_point_in_the_settled_region_is_answered_from_it_and_the_overhang_walks(db):
    t = make_territory()
    t.townships[0].geom = box(120.0, 30.0, 120.041, 30.04)
    t.townships[0].save()
    refresh_grid_branches(t.county)
    _misplace("990101002001001", t.townships[3])
    assert decide((120.045, 30.005))["township"]["code"] == t.townships[3].code   # the row's
    assert decide((120.0405, 30.005))["township"]["code"] == "990101001"          # walked


def test_a_county_with_a_smaller_code_reaching_in_keeps_the_grids_it_reaches_unsettled(db):
    t = make_territory()
    # 990100's sea strip (120.0-120.04) lies over 990101's first column of townships.
    make_territory(code="990100", name="西县", origin=(119.92, 30.0))
    refresh_grid_branches(t.county)
    assert GRID_001 not in settled_codes()
    assert "990101002001001" in settled_codes()                 # east of 120.04
    d = decide(IN_GRID_001)
    assert (d["county"]["code"], d["at_sea"]) == ("990100", True)


def test_a_new_neighbours_refresh_rebuilds_the_branches_its_arrival_deleted(db):
    west = make_territory()
    refresh_grid_branches(west.county)
    make_territory(code="990100", name="西县", origin=(119.92, 30.0))   # its sea over 120.0-120.04
    assert "990101002001001" not in settled_codes()              # its box touches x = 120.04
    refresh_grid_branches(County.objects.get(code="990100"))
    assert "990101002001001" in settled_codes()
    assert GRID_001 not in settled_codes()                       # 990100's sea still reaches in


def test_an_invalid_village_polygon_is_never_trusted_and_does_not_stop_the_refresh(db):
    t = make_territory()
    village = t.villages[0]                                     # 001001 at 120.00-120.02
    bow_tie = Polygon(((120.0, 30.0), (120.02, 30.02), (120.02, 30.0), (120.0, 30.02), (120.0, 30.0)))
    Village.objects.filter(pk=village.pk).update(geom=MultiPolygon(bow_tie, srid=4326))
    refresh_grid_branches(t.county)
    assert not {g.code for g in t.grids if g.village_id == village.pk} & (settled_codes() | region_codes())
    assert "990101001002001" not in settled_codes() | region_codes()   # an invalid neighbour reaches in
    assert "990101001002002" in settled_codes()          # beyond its box


def test_refreshing_one_county_leaves_the_others_branches_alone(db):
    west = make_territory()
    east = make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    refresh_grid_branches(west.county)
    refresh_grid_branches(east.county)
    assert refresh_grid_branches(west.county) == 64
    assert GridBranch.objects.count() == 128


def test_importing_a_bundle_builds_its_grid_branches_and_replacing_it_rebuilds_them(db, tmp_path):
    from gis_app.bundles.importer import import_bundle
    from tests.bundle_writer import write_bundle

    bundle = write_bundle(tmp_path / "b")              # county 990201, a lattice of 64 grids
    for replace in (False, True):
        import_bundle(bundle, replace=replace)
        county = County.objects.get(code="990201")
        assert GridBranch.objects.filter(county=county).count() == \
            Grid.objects.filter(county=county).count() == 64


# --- the router reads them, where it may -----------------------------------------------------

def _misplace(code, township):
    """Point a grid's branch at the wrong township (no trigger watches GridBranch itself), to
    see which answers come from the branch."""
    GridBranch.objects.filter(grid__code=code).update(township=township)


def test_a_point_strictly_inside_a_grid_with_a_branch_is_answered_from_it(territory):
    _misplace(GRID_001, territory.townships[3])
    assert decide(IN_GRID_001)["township"]["code"] == "990101004"


def test_a_point_on_an_edge_between_grids_walks_the_levels(territory):
    _misplace(GRID_001, territory.townships[3])
    _misplace("990101001001002", territory.townships[3])
    assert decide((120.01, 30.005))["township"]["code"] == "990101001"


def test_a_point_on_the_outer_edge_of_its_only_grid_walks_the_levels(territory):
    _misplace(GRID_001, territory.townships[3])
    d = decide((120.0, 30.005))                     # on the county's west edge
    assert (d["township"]["code"], d["grid"]["code"]) == ("990101001", GRID_001)


def test_a_point_in_two_overlapping_grids_walks_the_levels(territory):
    Grid.objects.create(code="990101001001099", name="重叠网格", village=territory.villages[0],
                        township=territory.townships[0], county=territory.county,
                        geom=box(120.0, 30.0, 120.006, 30.006))
    _misplace(GRID_001, territory.townships[3])
    d = decide((120.003, 30.003))
    assert d["township"]["code"] == "990101001"
    assert d["grid"]["code"] == GRID_001           # the smaller code of the two
    assert any("shared by 2 grids" in line for line in d["trace"])


def test_a_settled_point_reports_one_covering_unit_at_every_level(territory):
    d = route(at(*IN_GRID_001), "I001", now=NOW)
    loc = d.placement.location
    assert (loc.covering_townships, loc.covering_villages, loc.covering_grids) == (1, 1, 1)


def test_answers_match_the_reference_when_codes_do_not_follow_the_hierarchy(db):
    # A bundle's parent_code may override the code prefixes: grid codes shuffled across
    # villages, village codes across townships. The branch rule never looks at codes.
    t = make_territory()
    rng = random.Random(3)
    for model, units in ((Village, t.villages), (Grid, t.grids)):
        codes = [u.code for u in units]
        rng.shuffle(codes)
        for n, unit in enumerate(units):                     # codes are unique: clear them first
            model.objects.filter(pk=unit.pk).update(code=f"T{n}")
        for unit, code in zip(units, codes):
            model.objects.filter(pk=unit.pk).update(code=code)
    refresh_grid_branches(t.county)
    assert GridBranch.objects.count() == 64
    q = 0.01
    points = [(120.0 + i * q / 2, 30.0 + j * q / 2) for i in range(17) for j in range(17)]
    points += [(rng.uniform(120.0, 120.12), rng.uniform(30.0, 30.08)) for _ in range(100)]
    assert_like_reference(points)


# --- never stale: writes to the territory delete the branches they may make wrong ----------

def test_reshaping_a_village_forgets_the_branches_of_the_grids_its_old_and_new_shapes_meet(territory):
    village = Village.objects.get(code="990101001001")          # 120.00-120.02 x 30.00-30.02
    village.geom = box(120.0, 30.0, 120.02, 30.03)              # reaches into 001003 now
    village.save()
    gone = {g.code for g in Grid.objects.all()} - settled_codes()
    assert {"990101001001001", "990101001003001"} <= gone
    assert "990101001002001" in gone                            # its box touches x = 120.02
    assert "990101002001001" not in gone and "990101004004004" not in gone


def test_renaming_units_keeps_the_branches(territory):
    Township.objects.filter(code="990101001").update(name="改名镇", kind="township")
    for village in Village.objects.all():
        village.name += "新"
        village.save()
    assert GridBranch.objects.count() == 64


def test_a_new_protected_zone_forgets_the_branches_of_the_grids_it_meets(territory):
    make_zone(territory.county, "NR9", "core", (120.0, 30.0, 120.005, 30.005), "STHJ")
    assert {g.code for g in Grid.objects.all()} - settled_codes() == {GRID_001}


def test_moving_a_grid_to_another_village_forgets_its_own_branch(territory):
    grid = Grid.objects.get(code=GRID_001)
    grid.village = Village.objects.get(code="990101001002")
    grid.save()
    assert GRID_001 not in settled_codes()
    assert GridBranch.objects.count() == 63


def test_grids_overlapping_by_a_sliver_keep_their_branches_and_the_sliver_walks(db):
    # Boundaries cut from one another in floating point overlap by slivers: here grid 001
    # reaches 1e-9 degree into grid 002 (east of it).
    t = make_territory()
    Grid.objects.filter(code=GRID_001).update(geom=box(120.0, 30.0, 120.01 + 1e-9, 30.01))
    refresh_grid_branches(t.county)
    assert {GRID_001, "990101001001002"} <= settled_codes()
    _misplace(GRID_001, t.townships[3])
    _misplace("990101001001002", t.townships[3])
    d = decide((120.01 + 5e-10, 30.005))                 # in the sliver: covered by both
    assert (d["township"]["code"], d["grid"]["code"]) == ("990101001", GRID_001)
def test_deleting_a_grid_deletes_its_branch(territory):
    Grid.objects.filter(code=GRID_001).delete()
    assert GridBranch.objects.count() == 63


def test_new_county_parts_forget_the_branches_they_meet(territory):
    refresh_county_parts(territory.county)
    assert GridBranch.objects.count() == 0


def test_deleting_the_county_parts_forgets_the_branches(territory):
    CountyPart.objects.filter(county=territory.county).delete()
    assert GridBranch.objects.count() == 0


def test_deleting_a_county_deletes_its_branches(territory):
    make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    refresh_grid_branches(County.objects.get(code="990102"))
    County.objects.filter(code="990101").delete()
    assert set(GridBranch.objects.values_list("county__code", flat=True)) == {"990102"}
