"""API, tile and OGC paths pass by the middleware they do not need (gis_app/web/machine_paths.py)
and keep what guards them: security headers, sessions for pages' tiles, CSRF, refusals per role."""
import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tests.territory import make_territory
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db

TILE = "/tiles/grids/14/13653/6759.pbf"        # over the generated county at 120E 30N


@pytest.fixture
def county():
    return make_territory().county


def test_machine_paths_skip_messages_and_pages_keep_them(county, client):
    user = make_user("command", "command_centre", county)
    response = Client(**auth_header(user)).get(TILE)
    assert response.status_code == 200 and not hasattr(response.wsgi_request, "_messages")
    client.force_login(user)
    page = client.get("/login/")
    assert hasattr(page.wsgi_request, "_messages") and list(get_messages(page.wsgi_request)) == []


@pytest.mark.parametrize("path", [TILE, "/api/route?lon=120.005&lat=30.005&item=I001",
                                  "/ogc/collections/grids/items?limit=1"])
def test_machine_paths_keep_their_security_headers(county, path):
    response = Client(**auth_header(make_user("command", "command_centre", county))).get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_a_pages_tile_is_served_on_the_session(county, client):
    client.force_login(make_user("command", "command_centre", county))
    assert client.get(TILE).status_code == 200


@pytest.mark.parametrize("path", [TILE, "/api/route?lon=120.005&lat=30.005&item=I001",
                                  "/ogc/collections/grids/items?limit=1"])
def test_machine_paths_refuse_the_anonymous_and_accounts_without_a_county(county, path):
    assert Client().get(path).status_code == 401
    assert Client(**auth_header(make_user("nobody"))).get(path).status_code == 403


def test_a_grid_member_may_not_see_tracks_on_a_machine_path(county):
    member = make_user("grid", "grid_member", county)
    assert Client(**auth_header(member)).get("/tiles/tracks/14/13653/6759.pbf").status_code == 403


def test_a_session_write_to_the_api_still_needs_its_csrf_token(county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("command", "command_centre", county))
    response = client.post("/api/route/batch", {"points": [{"lon": 120.005, "lat": 30.005, "item": "I001"}]},
                           content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


ROUTE = "/api/route?lon=120.005&lat=30.005&item=I001"


def test_a_token_request_on_a_machine_path_reads_no_session(county):
    response = Client(**auth_header(make_user("command", "command_centre", county))).get(ROUTE)
    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "session") and "sessionid" not in response.cookies


def test_the_token_decides_who_asks_even_beside_a_session_cookie(county):
    """A token request with another account's session cookie acts as the token's owner; a bad
    token is refused (the session is not a fallback)."""
    client = Client()
    client.force_login(make_user("command", "command_centre", county))
    nobody = make_user("nobody")
    assert client.get(ROUTE, **auth_header(nobody)).status_code == 403     # no county: the token's user
    assert client.get(ROUTE, HTTP_AUTHORIZATION="Token not-a-key").status_code == 401
    assert client.get(ROUTE).status_code == 200                             # the session alone still works


def test_a_token_header_on_a_page_keeps_the_session(county, client):
    user = make_user("command", "command_centre", county)
    client.force_login(user)
    page = client.get("/login/", **auth_header(user))
    assert hasattr(page.wsgi_request, "session") and page.wsgi_request.user == user


def test_a_session_read_of_the_api_still_works_without_a_token(county, client):
    client.force_login(make_user("command", "command_centre", county))
    response = client.get(ROUTE)
    assert response.status_code == 200 and response.wsgi_request.session.session_key


@pytest.mark.parametrize("header", ["Token abc", "token abc", "TOKEN  abc", "Token"])
def test_a_token_request_is_the_keyword_as_drf_reads_it(rf, header):
    from gis_app.web.machine_paths import token_request
    assert token_request(rf.get("/api/route", HTTP_AUTHORIZATION=header))
    assert not token_request(rf.get("/login/", HTTP_AUTHORIZATION=header))


@pytest.mark.parametrize("header", ["Basic dTpw", "Bearer abc", "Tokens abc", ""])
def test_other_credentials_are_no_token_request(rf, header):
    from gis_app.web.machine_paths import token_request
    assert not token_request(rf.get("/api/route", HTTP_AUTHORIZATION=header))
