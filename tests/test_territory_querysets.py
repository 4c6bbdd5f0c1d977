"""Territory reads with one home: Grid.objects.covering(point), HubArea.objects.geometry()/in_bbox()."""
from django.contrib.gis.geos import Point

from boundaries.models import Grid, HubArea
from tests.territory import box, make_hub, make_territory


def test_covering_finds_the_grid_under_a_point(db):
    t = make_territory()
    grid = t.grids[0]
    inside = grid.geom.point_on_surface
    assert list(Grid.objects.covering(inside)) == [grid]
    assert not Grid.objects.covering(Point(10.0, 10.0, srid=4326)).exists()


def test_a_hub_areas_geometry_is_its_townships_union(db):
    t = make_territory()
    make_hub(t.townships[0], [t.townships[1]])
    area = HubArea.objects.annotate(g=HubArea.objects.geometry()).get()
    union = t.townships[0].geom.union(t.townships[1].geom)
    assert area.g.geom_type == "MultiPolygon" and abs(area.g.area - union.area) < 1e-12


def test_in_bbox_finds_hub_areas_by_any_of_their_townships(db):
    t = make_territory()
    make_hub(t.townships[0], [t.townships[1]])
    x0, y0, x1, y1 = t.townships[1].geom.extent
    assert HubArea.objects.in_bbox(box(x0 + 0.001, y0 + 0.001, x1 - 0.001, y1 - 0.001)).count() == 1
    assert HubArea.objects.in_bbox(box(10.0, 10.0, 10.1, 10.1)).count() == 0
