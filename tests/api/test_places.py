"""GET /api/places: candidates with a point to route, in the caller's county, bad input named."""
import pytest
from django.contrib.gis.geos import Point

from boundaries.models import Place
from boundaries.places import refresh_place_names
from tests.territory import make_territory
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties():
    t = make_territory()
    other = make_territory(code="990102", name="邻县", origin=(121.0, 30.0))
    Place.objects.create(county=t.county, code="P1", name="安上村养猪场", kind="enterprise",
                         geom=Point(120.004, 30.004, srid=4326))
    Place.objects.create(county=other.county, code="P1", name="安上村养猪场", kind="enterprise",
                         geom=Point(121.004, 30.004, srid=4326))
    refresh_place_names(t.county)
    refresh_place_names(other.county)
    return t, other


@pytest.mark.parametrize("role", ["command_centre", "grid_member", "township_team", "department", "planner"])
def test_every_member_searches_their_own_county(client, counties, role):
    t, _ = counties
    user = make_user(f"u-{role}", role, t.county)
    body = client.get("/api/places", {"q": "养猪场"}, **auth_header(user)).json()
    assert body["crs"] == "EPSG:4326"
    assert [(r["code"], r["county"]["code"], r["lon"], r["lat"]) for r in body["results"]] == \
        [("P1", "990101", 120.004, 30.004)]


def test_an_administrator_searches_every_county_or_one(client, counties):
    admin = make_user("admin", superuser=True)
    both = client.get("/api/places", {"q": "养猪场"}, **auth_header(admin)).json()
    assert sorted(r["county"]["code"] for r in both["results"]) == ["990101", "990102"]
    one = client.get("/api/places", {"q": "养猪场", "county": "990102"}, **auth_header(admin)).json()
    assert [r["county"]["code"] for r in one["results"]] == ["990102"]


def test_a_candidate_is_ready_to_route(client, counties):
    t, _ = counties
    user = make_user("cmd", "command_centre", t.county)
    village = client.get("/api/places", {"q": "第1镇1村"}, **auth_header(user)).json()["results"][0]
    assert set(village) >= {"code", "name", "kind", "level", "lon", "lat", "match"}
    routed = client.get("/api/route", {"lon": village["lon"], "lat": village["lat"], "item": "I001"},
                        **auth_header(user))
    assert routed.status_code == 200 and routed.json()["village"]["code"] == village["code"]


def test_anonymous_callers_and_non_members_are_refused(client, counties):
    assert client.get("/api/places", {"q": "村"}).status_code in (401, 403)
    nobody = make_user("nobody")
    assert client.get("/api/places", {"q": "村"}, **auth_header(nobody)).status_code == 403


@pytest.mark.parametrize("query,parameter", [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 101}, "q"),
                                             ({"q": "村", "limit": "0"}, "limit"),
                                             ({"q": "村", "limit": "500"}, "limit"),
                                             ({"q": "村", "county": "990102"}, "county"),
                                             ({"q": "村", "qq": "1"}, "qq")])
def test_bad_input_is_a_400_naming_the_parameter(client, counties, query, parameter):
    t, _ = counties
    user = make_user("cmd", "command_centre", t.county)
    response = client.get("/api/places", query, **auth_header(user))
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
