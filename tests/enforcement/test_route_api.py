"""GET /api/route and GET /api/locate: response shape, CRSs, errors and permissions."""
import pytest
from pyproj import Transformer

from boundaries.crs import wgs84_to_gcj02
from boundaries.branches import refresh_grid_branches
from tests.territory import grant, make_territory
from tests.users import auth_header, make_user

ROLES = ["grid_member", "township_team", "department", "command_centre", "planner"]
IN_001 = (120.005, 30.005)
IN_EAST = (121.005, 30.005)       # inside the second county, 990102


@pytest.fixture
def counties(db):
    """Two generated counties: 990101 at (120, 30) and 990102 at (121, 30), grid branches built."""
    west = make_territory(code="990101")
    east = make_territory(code="990102", name="东县", origin=(121.0, 30.0))
    grant(west.townships[0], west.items["I001"], "statutory")
    for t in (west, east):
        refresh_grid_branches(t.county)
    return west, east


@pytest.fixture
def member(counties):
    return make_user("cc", "command_centre", counties[0].county)


def get(client, user, path="/api/route", **params):
    headers = auth_header(user) if user else {}
    return client.get(path, params, **headers)


def route(client, user, lon, lat, item="I001", **extra):
    return get(client, user, lon=lon, lat=lat, item=item, **extra)


def codes(body):
    return tuple(body[k]["code"] if body[k] else None for k in ("township", "village", "grid"))


# --- the answer ------------------------------------------------------------------------------

def test_route_answers_every_field_of_the_design(client, member):
    res = route(client, member, *IN_001)
    assert res.status_code == 200
    body = res.json()
    for key in ["county", "township", "village", "grid", "hub", "team", "subject", "at_sea",
                "mode", "severity", "protected_areas", "departments", "deadline", "trace",
                "query"]:
        assert key in body
    for key in ["county", "township", "village", "grid", "team", "subject"]:
        assert {"code", "name"} <= set(body[key])
    assert (body["mode"], body["subject"]["code"]) == ("township", "990101001")


def test_query_echoes_the_point_as_received_and_as_stored(client, member):
    body = route(client, member, *IN_001).json()
    assert body["query"] == {"received": {"lon": 120.005, "lat": 30.005, "crs": "EPSG:4326"},
                             "stored": {"lon": 120.005, "lat": 30.005, "crs": "EPSG:4326"}}


@pytest.mark.parametrize("lon,lat", [IN_001, (120.0400001, 30.0199999), (120.0799999, 30.07),
                                     (120.031, 30.0790001)])
def test_gcj02_point_resolves_like_its_wgs84_twin(client, member, lon, lat):
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    assert abs(glon - lon) > 0.001           # GCJ-02 really moves the point (hundreds of metres)
    twin = route(client, member, lon, lat).json()
    body = route(client, member, glon, glat, crs="GCJ02").json()
    assert codes(body) == codes(twin)
    assert body["query"]["received"] == {"lon": glon, "lat": glat, "crs": "GCJ02"}
    assert body["query"]["stored"]["lon"] == pytest.approx(lon, abs=1e-9)
    assert body["query"]["stored"]["lat"] == pytest.approx(lat, abs=1e-9)


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:4549", "EPSG:4528", "EPSG:4499"])
def test_projected_point_resolves_like_its_wgs84_twin(client, member, crs):
    lon, lat = 120.0450001, 30.0349999          # a hair from a grid corner
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    body = route(client, member, x, y, crs=crs).json()
    assert codes(body) == codes(route(client, member, lon, lat).json())
    assert body["query"]["received"]["crs"] == crs
    assert body["query"]["stored"]["lon"] == pytest.approx(lon, abs=1e-8)


def test_cgcs2000_coordinates_are_taken_as_wgs84(client, member):
    body = route(client, member, *IN_001, crs="EPSG:4490").json()
    assert body["query"]["stored"] == {"lon": 120.005, "lat": 30.005, "crs": "EPSG:4326"}
    assert body["grid"]["code"] == "990101001001001"


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("params,parameter", [
    ({"lat": 30.0, "item": "I001"}, "lon"),
    ({"lon": 120.0, "item": "I001"}, "lat"),
    ({"lon": 120.005, "lat": 30.005}, "item"),
    ({"lon": "abc", "lat": 30.0, "item": "I001"}, "lon"),
    ({"lon": 120.0, "lat": "NaN", "item": "I001"}, "lat"),
    ({"lon": "inf", "lat": 30.0, "item": "I001"}, "lon"),
    ({"lon": 120.0, "lat": 91, "item": "I001"}, "lat"),
    ({"lon": -181, "lat": 30.0, "item": "I001"}, "lon"),
    ({"lon": 30.005, "lat": 120.005, "item": "I001"}, "lat"),            # swapped
    ({"lon": 120.0, "lat": 30.0, "item": "I001", "crs": "EPSG:9999"}, "crs"),
    ({"lon": 120.0, "lat": 30.0, "item": "I001", "crs": "bogus"}, "crs"),
    ({"lon": 4e7, "lat": 3e6, "item": "I001", "crs": "EPSG:3857"}, "lon"),
    ({"lon": 120.005, "lat": 30.005, "item": "NOPE"}, "item"),
    ({"lon": 120.005, "lat": 30.005, "item": "I0\x0001"}, "item"),
    ({"lon": 120.005, "lat": 30.005, "item": "I001", "foo": "1"}, "foo"),
])
def test_bad_input_is_a_400_naming_the_parameter(client, member, params, parameter):
    res = get(client, member, **params)
    assert res.status_code == 400
    body = res.json()
    assert (body["error"], body["parameter"]) == ("bad_parameter", parameter)
    assert body["detail"].startswith(f"{parameter}：")         # in Chinese by default
    english = client.get("/api/route", params, HTTP_ACCEPT_LANGUAGE="en", **auth_header(member)).json()
    assert english["detail"].startswith(f"{parameter}:")


def test_a_parameter_given_twice_is_a_400(client, member):
    res = client.get("/api/route?lon=120.005&lon=120.006&lat=30.005&item=I001", **auth_header(member))
    assert (res.status_code, res.json()["parameter"]) == (400, "lon")


def test_outside_every_county_is_a_422_naming_the_nearest_unit(client, member):
    res = route(client, member, 119.99, 30.02)
    assert res.status_code == 422
    body = res.json()
    assert body["error"] == "outside_jurisdiction"
    assert body["nearest"] == {"code": "990101001", "name": "第1镇", "level": "township"}
    assert body["distance_m"] == pytest.approx(963.6, rel=0.01)


# --- permissions -----------------------------------------------------------------------------

def test_anonymous_request_is_refused_with_401(client, counties):
    assert route(client, None, *IN_001).status_code == 401


def test_an_unknown_token_is_refused_with_401(client, counties):
    res = client.get("/api/route", {"lon": 120.005, "lat": 30.005, "item": "I001"},
                     HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert res.status_code == 401


def test_the_token_of_an_inactive_user_is_refused_with_401(client, member):
    headers = auth_header(member)
    member.is_active = False
    member.save()
    assert client.get("/api/route", {"lon": 120.005, "lat": 30.005, "item": "I001"},
                      **headers).status_code == 401


def test_token_authentication_loads_the_user_and_membership_in_one_query(member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gis_app.web.auth import TokenAuthentication as MemberTokenAuthentication

    key = auth_header(member)["HTTP_AUTHORIZATION"].split()[1]
    auth = MemberTokenAuthentication()
    auth.authenticate_credentials(key)               # the first call also prepares the query
    with CaptureQueriesContext(connection) as queries:
        user, token = auth.authenticate_credentials(key)
        assert (user.pk, token.key, token.user is user) == (member.pk, key, True)
        assert user.member.county_id == member.member.county_id
        assert user.member.user is user
    assert len(queries) == 1


def test_token_authentication_of_a_user_without_membership_knows_there_is_none(counties):
    from gis_app.enforcement.access import NotAMember, visible_county_ids
    from gis_app.web.auth import TokenAuthentication as MemberTokenAuthentication

    nobody = make_user("nobody")
    user, _ = MemberTokenAuthentication().authenticate_credentials(
        auth_header(nobody)["HTTP_AUTHORIZATION"].split()[1])
    with pytest.raises(NotAMember):
        visible_county_ids(user)


def test_answers_are_json_whatever_the_client_accepts(client, member):
    res = client.get("/api/route", {"lon": 120.005, "lat": 30.005, "item": "I001"},
                     HTTP_ACCEPT="text/html", **auth_header(member))
    assert res.status_code == 200
    assert res["Content-Type"] == "application/json"
    assert res.json()["county"]["code"] == "990101"


def test_user_without_membership_is_forbidden(client, counties):
    res = route(client, make_user("nobody"), *IN_001)
    assert res.status_code == 403
    assert res.json()["error"] == "no_membership"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_routes_in_its_own_county(client, counties, role):
    user = make_user(f"u-{role}", role, counties[0].county)
    assert route(client, user, *IN_001).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_forbidden_in_another_county(client, counties, role):
    user = make_user(f"u-{role}", role, counties[0].county)
    res = route(client, user, *IN_EAST)
    assert res.status_code == 403
    assert res.json()["error"] == "forbidden"
    assert "990102" in res.json()["detail"]


def test_forbidden_comes_before_the_other_countys_catalogue_is_consulted(client, member):
    assert route(client, member, *IN_EAST, item="NOPE").status_code == 403


def test_superuser_routes_in_every_county(client, counties):
    admin = make_user("root", superuser=True)
    assert route(client, admin, *IN_001).status_code == 200
    assert route(client, admin, *IN_EAST).json()["county"]["code"] == "990102"


def test_session_login_works_like_a_token(client, member):
    client.force_login(member)
    assert client.get("/api/route", {"lon": 120.005, "lat": 30.005, "item": "I001"}).status_code == 200


# --- locate ----------------------------------------------------------------------------------

def test_locate_answers_units_without_an_item(client, member):
    res = get(client, member, "/api/locate", lon=120.005, lat=30.005)
    assert res.status_code == 200
    body = res.json()
    assert body["grid"]["code"] == "990101001001001"
    assert {"county", "township", "village", "grid", "hub", "at_sea", "protected_areas",
            "severity", "trace", "query"} <= set(body)
    assert "mode" not in body


def test_locate_accepts_gcj02_like_route(client, member):
    glon, glat = (float(v) for v in wgs84_to_gcj02(*IN_001))
    body = get(client, member, "/api/locate", lon=glon, lat=glat, crs="GCJ02").json()
    assert body["grid"]["code"] == "990101001001001"


def test_locate_at_sea_says_so(client, member):
    body = get(client, member, "/api/locate", lon=120.1, lat=30.04).json()
    assert body["at_sea"] is True and body["township"] is None


@pytest.mark.parametrize("params,status,parameter", [
    ({"lon": 120.005, "lat": 30.005, "item": "I001"}, 400, "item"),
    ({"lon": "x", "lat": 30.005}, 400, "lon"),
    ({"lon": 120.005, "lat": 30.005, "crs": "EPSG:1"}, 400, "crs"),
])
def test_locate_refuses_bad_input(client, member, params, status, parameter):
    res = get(client, member, "/api/locate", **params)
    assert (res.status_code, res.json()["parameter"]) == (status, parameter)


def test_locate_outside_is_a_422(client, member):
    assert get(client, member, "/api/locate", lon=119.0, lat=30.0).status_code == 422


def test_locate_in_another_county_is_forbidden(client, member):
    assert get(client, member, "/api/locate", lon=IN_EAST[0], lat=IN_EAST[1]).status_code == 403


def test_locate_needs_membership(client, counties):
    res = get(client, make_user("nobody"), "/api/locate", lon=120.005, lat=30.005)
    assert res.status_code == 403


def test_the_router_paths_are_resolved_first_at_the_root():
    """The hottest path takes the fewest URL patterns: the router's own three lead the root
    URLconf, under their names and whole paths as before."""
    from django.urls import get_resolver, resolve, reverse

    from gis_app.api import route as views

    first = get_resolver().url_patterns[:3]
    assert [p.name for p in first] == ["route", "route-batch", "locate"]
    assert (reverse("route"), reverse("route-batch"), reverse("locate")) == \
        ("/api/route", "/api/route/batch", "/api/locate")
    assert resolve("/api/route").func.view_class is views.RouteView


def test_the_deadline_is_in_the_county_zone_with_no_zone_activated(client, member):
    """Without `tz` the output zone middleware activates nothing (Django's default zone is the
    county's): the answer's deadline is still +08:00 (tz=UTC: tests/patrols/test_output_times)."""
    from django.utils import timezone

    assert route(client, member, *IN_001).json()["deadline"].endswith("+08:00")
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
