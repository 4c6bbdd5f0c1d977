"""The router's pieces (boundaries/subdivide.py): a county's jurisdiction and its townships'
land in ST_Subdivide pieces of at most 64 vertices, refreshed county by county."""
import pytest
from django.db import connection

from boundaries.models import CountyPart, TownshipPart
from boundaries.subdivide import MAX_VERTICES, refresh_county_parts
from tests.territory import make_territory, wavy_township

pytestmark = pytest.mark.django_db


def piece_stats(township_id: int) -> tuple[int, int, float, float]:
    """(pieces, most vertices in a piece, their area, the township's area) in square metres."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*), max(ST_NPoints(p.geom)), ST_Area(ST_Union(p.geom)::geography),
                   (SELECT ST_Area(t.geom::geography) FROM boundaries_township t WHERE t.id = %s)
            FROM boundaries_townshippart p WHERE p.township_id = %s""", [township_id] * 2)
        return cursor.fetchone()


def test_every_township_has_pieces_once_its_county_is_refreshed():
    t = make_territory()
    assert {p.township_id for p in TownshipPart.objects.all()} == {x.pk for x in t.townships}
    assert set(TownshipPart.objects.values_list("county_id", flat=True)) == {t.county.pk}


def test_a_township_of_many_vertices_is_cut_into_small_pieces_covering_exactly_its_land():
    t = make_territory()
    wavy_township(t.townships[0])
    refresh_county_parts(t.county)
    pieces, most, pieces_area, area = piece_stats(t.townships[0].pk)
    assert pieces > 5
    assert most <= MAX_VERTICES + 1          # ST_NPoints counts the ring's closing point
    assert pieces_area == pytest.approx(area, rel=1e-9)


def test_refreshing_a_county_replaces_its_pieces_and_leaves_another_countys_alone():
    one = make_territory(code="990101")
    two = make_territory(code="990102", origin=(121.0, 30.0))
    theirs = sorted(TownshipPart.objects.filter(county=two.county).values_list("pk", flat=True))
    wavy_township(one.townships[0])
    refresh_county_parts(one.county)
    refresh_county_parts(one.county)         # twice: replaced, not added to
    assert piece_stats(one.townships[0].pk)[0] > 5
    assert TownshipPart.objects.filter(county=one.county).exclude(
        township=one.townships[0]).count() == 3
    assert sorted(TownshipPart.objects.filter(county=two.county).values_list("pk", flat=True)) == theirs
    assert CountyPart.objects.filter(county=two.county).exists()


def test_a_deleted_township_takes_its_pieces_with_it():
    t = make_territory()
    gone = t.townships[3]
    gone.delete()
    assert not TownshipPart.objects.filter(township_id=gone.pk).exists()
    assert TownshipPart.objects.filter(county=t.county).count() == 3
