"""Place search for the hotline: a village by its full name, a fragment, pinyin initials;
places of the bundle's layer; a wrong character; each candidate with a point inside it."""
import pytest
from django.contrib.gis.geos import LineString, Point

from boundaries.models import Place, Village
from boundaries.places import full_pinyin, initials, refresh_place_names, search_places
from tests.territory import make_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    t = make_territory()
    for village, name in zip(t.villages, ["安上村", "安乐村", "上林村", "下塘村"]):
        Village.objects.filter(pk=village.pk).update(name=name)
    Place.objects.create(county=t.county, code="P1", name="安上村养猪场", kind="enterprise",
                         geom=Point(120.004, 30.004, srid=4326))
    Place.objects.create(county=t.county, code="R1", name="环岛公路", kind="road",
                         geom=LineString((120.0, 30.01), (120.02, 30.01), srid=4326))
    refresh_place_names(t.county)
    return t


def codes(results):
    return [(r["name"], r["match"]) for r in results]


def test_pinyin_initials_and_full_pinyin():
    assert (initials("安上村"), full_pinyin("安上村")) == ("asc", "anshangcun")
    assert initials("第1镇") == "d1z"


def test_a_village_is_found_by_its_full_name_first(county):
    results = search_places("安上村", county_ids=[county.county.pk])
    assert codes(results)[:2] == [("安上村", "name"), ("安上村养猪场", "prefix")]
    first = results[0]
    assert (first["code"], first["level"], first["kind"]) == (county.villages[0].code, "village", "village")
    assert county.villages[0].geom.covers(Point(first["lon"], first["lat"], srid=4326))


def test_a_fragment_finds_every_name_containing_it(county):
    names = [r["name"] for r in search_places("上", county_ids=[county.county.pk])]
    assert {"安上村", "上林村", "安上村养猪场"} <= set(names)
    assert "安乐村" not in names


def test_pinyin_initials_find_the_village(county):
    results = search_places("asc", county_ids=[county.county.pk])
    assert codes(results)[0] == ("安上村", "initials")


def test_full_pinyin_finds_it_too(county):
    assert codes(search_places("anshang", county_ids=[county.county.pk]))[0] == ("安上村", "pinyin")


def test_a_wrong_character_still_finds_similar_names(county):
    results = search_places("安上材养猪场", county_ids=[county.county.pk])
    assert ("安上村养猪场", "fuzzy") in codes(results)


def test_a_road_is_found_with_a_point_on_it(county):
    road = search_places("环岛", county_ids=[county.county.pk])[0]
    assert (road["code"], road["level"], road["kind"]) == ("R1", "place", "road")
    assert (road["lon"], road["lat"]) == pytest.approx((120.01, 30.01))


def test_search_stays_in_the_counties_asked(county):
    other = make_territory(code="990102", name="邻县", origin=(121.0, 30.0))
    assert search_places("安上村", county_ids=[other.county.pk]) == []
