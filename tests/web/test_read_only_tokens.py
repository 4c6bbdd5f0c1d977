"""Read-only API tokens (gis_app.tokens, enforced in gis_app/web/auth.py): they read every API,
tile, OGC and Open311 path; any request that writes is a JSON 403 `read_only_token` and
nothing is stored. POSTs that only read (the route batch, the footprint check) are reads.
Revocation, expiry and the token cache keep working; a full token still writes."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from gis_app.incidents.models import Case
from gis_app.patrols.models import Track
from gis_app.tokens.models import TokenAccess, set_read_only
from gis_app.web import auth
from tests.incidents.conftest import report, world  # noqa: F401  (the fixture)
from tests.layers.conftest import decode, tile_path
from tests.patrols.helpers import csv_file, walk
from tests.users import token_for

READ_ONLY = {"error": "read_only_token"}


def read_only_key(user) -> str:
    key = token_for(user)
    set_read_only(Token.objects.get(key=key), True)
    return key


def api(key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def intake(world, key):
    p = world.point(0)
    return api(key).post("/api/cases/", {"lon": p.lon, "lat": p.lat, "crs": "EPSG:4326", "item": "I001",
                                         "description": "摊位占道"}, content_type="application/json")


def refused(response) -> bool:
    return response.status_code == 403 and response.json()["error"] == "read_only_token"


@pytest.mark.parametrize("path", ["/api/townships/", "/api/grids/", "/api/cases/", "/api/tracks/",
                                  "/api/catalogue/", "/ogc/collections", "/ogc/collections/grids/items",
                                  "/tiles/grids.json"])
def test_a_read_only_token_reads_lists_ogc_and_tiles(world, path):
    response = api(read_only_key(world.users["command"])).get(path)
    assert response.status_code == 200, response.content[:300]


def test_a_read_only_token_reads_a_tile(world):
    p = world.point(0)
    response = api(read_only_key(world.users["command"])).get(tile_path("grids", p.lon, p.lat, 14))
    assert response.status_code == 200 and decode(response, "grids")


def test_a_read_only_token_routes_a_point(world):
    p = world.point(0)
    response = api(read_only_key(world.users["grid"])).get("/api/route", {"lon": p.lon, "lat": p.lat,
                                                                          "item": "I001"})
    assert response.status_code == 200 and response.json()["township"]


def test_a_read_only_token_may_send_head_and_options(world):
    client = api(read_only_key(world.users["command"]))
    assert client.head("/api/townships/").status_code == 200
    assert client.options("/api/cases/").status_code == 200


def test_a_read_only_token_is_refused_a_case_intake_and_nothing_is_stored(world):
    response = intake(world, read_only_key(world.users["grid"]))
    assert refused(response), response.content
    assert "read" in response.json()["detail"]
    assert not Case.objects.exists()


def test_a_read_only_token_is_refused_a_step_and_the_case_stays(world):
    case = report(world)
    response = api(read_only_key(world.users["team1"])).post(
        f"/api/cases/{case.pk}/accept/", {"version": case.version}, content_type="application/json")
    assert refused(response)
    case.refresh_from_db()
    assert case.state == "assigned" and case.events.count() == 2


def test_a_read_only_token_is_refused_a_track_upload(world):
    upload = csv_file(walk([(120.002, 30.005), (120.018, 30.005)], speed_kmh=10, step_s=30))
    upload.name = "t.csv"
    team = world.t.teams[world.t.townships[0].code]
    client = api(read_only_key(world.users["team1"]))
    response = client.post("/api/tracks/", {"file": upload, "team": team.code})
    assert refused(response)
    assert not Track.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_read_only_token_is_refused_every_other_writing_method(world, method):
    response = getattr(api(read_only_key(world.users["planner"])), method)("/api/patrol-plans/1/")
    assert refused(response)


def test_a_read_only_token_is_refused_a_write_even_where_the_method_is_not_served(world):
    """Checked before the view: a POST to a tile is a refused write, not a 405."""
    assert refused(api(read_only_key(world.users["command"])).post("/tiles/grids/0/0/0.pbf"))


def test_the_route_batch_is_a_read_a_read_only_token_may_send(world):
    """A batch is many GET /api/route in one request and stores nothing: a read in effect."""
    p = world.point(0)
    response = api(read_only_key(world.users["grid"])).post(
        "/api/route/batch", {"item": "I001", "points": [{"lon": p.lon, "lat": p.lat}]},
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["status"] == 200


def test_the_footprint_check_is_a_read_a_read_only_token_may_send(world):
    x, y = world.point(0).lon, world.point(0).lat
    ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
    response = api(read_only_key(world.users["command"])).post(
        "/api/footprint/", {"geometry": {"type": "Polygon", "coordinates": [ring]}},
        content_type="application/json")
    assert response.status_code == 200, response.content


def open311_post(world, headers):
    p = world.point(0)
    return Client().post("/open311/v2/requests.json", {"service_code": "I001", "lat": p.lat, "long": p.lon,
                                                       "description": "占道经营"}, **headers)


def test_a_read_only_key_is_refused_an_open311_request_and_nothing_is_stored(world):
    response = open311_post(world, {"HTTP_X_API_KEY": read_only_key(world.users["grid"])})
    assert response.status_code == 403
    assert "read_only_token" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_read_only_key_reads_open311(world):
    key = read_only_key(world.users["grid"])
    response = Client().get("/open311/v2/requests.json", HTTP_X_API_KEY=key)
    assert response.status_code == 200


def test_a_full_token_still_writes(world):
    user = world.users["grid"]
    set_read_only(Token.objects.get_or_create(user=user)[0], False)
    assert intake(world, token_for(user)).status_code == 201
    assert open311_post(world, {"HTTP_X_API_KEY": token_for(user)}).status_code == 201
    assert Case.objects.count() == 2


def test_a_token_without_an_access_row_is_a_full_token(world):
    """Tokens issued before the flag existed (or by drf_create_token) keep writing."""
    key = token_for(world.users["grid"])
    assert not TokenAccess.objects.filter(token_id=key).exists()
    assert intake(world, key).status_code == 201


def test_a_revoked_read_only_token_is_refused(world):
    key = read_only_key(world.users["command"])
    Token.objects.filter(key=key).delete()
    assert api(key).get("/api/townships/").status_code == 401
    assert not TokenAccess.objects.exists()


def test_an_expired_read_only_token_is_refused(world, settings):
    key = read_only_key(world.users["command"])
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    assert api(key).get("/api/townships/").status_code == 401


def test_the_token_cache_carries_the_flag(cached, world):
    key = read_only_key(world.users["command"])
    assert auth.load_token(key).read_only is True
    with CaptureQueriesContext(connection) as queries:
        assert auth.load_token(key).read_only is True
    assert len(queries) == 0


def test_making_a_cached_token_read_only_takes_effect_at_once(cached, world):
    key = token_for(world.users["grid"])
    assert api(key).get("/api/cases/").status_code == 200       # now in the worker's cache
    set_read_only(Token.objects.get(key=key), True)
    assert refused(intake(world, key))
    set_read_only(Token.objects.get(key=key), False)
    assert intake(world, key).status_code == 201


def test_issue_token_makes_a_read_only_token(world, capsys):
    call_command("issue_token", "grid", "--read-only")
    key = capsys.readouterr().out.split()[0]
    assert Token.objects.get(key=key).user == world.users["grid"]
    assert TokenAccess.objects.get(token_id=key).read_only
    assert refused(intake(world, key))


def test_issue_token_reissue_revokes_the_old_token(world, capsys):
    old = read_only_key(world.users["grid"])
    call_command("issue_token", "grid", "--reissue")
    new = capsys.readouterr().out.split()[0]
    assert new != old and api(old).get("/api/cases/").status_code == 401
    assert intake(world, new).status_code == 201


def test_the_admin_sets_and_shows_the_flag(world):
    admin = Client()
    admin.force_login(world.users["admin"])
    user = world.users["command"]
    form = admin.get("/admin/authtoken/tokenproxy/add/").content.decode()
    assert 'name="read_only"' in form
    response = admin.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk, "read_only": "on"})
    assert response.status_code == 302, response.content[:500]
    token = Token.objects.get(user=user)
    assert TokenAccess.objects.get(token=token).read_only
    listing = admin.get("/admin/authtoken/tokenproxy/").content.decode()
    assert "icon-yes.svg" in listing
    response = admin.post(f"/admin/authtoken/tokenproxy/{user.pk}/change/", {"user": user.pk})
    assert response.status_code == 302
    assert not TokenAccess.objects.get(token=token).read_only
