"""The answers built from plain dicts (footprint, inbox, 考核, place search) match their typed
components in the OpenAPI schema: every declared field is there, of its type (the replay
answer: tests/incidents/test_replay.py)."""
import pytest
import shapely
from rest_framework.test import APIClient

from boundaries.places import refresh_place_names
from gis_app.incidents import loop
from tests.api.conftest import client_for
from tests.api.schema_answers import assert_answer_matches_schema
from tests.enforcement.footprint_reference import rectangle
from tests.incidents.conftest import report, world  # noqa: F401  (the fixture)
from tests.users import auth_header

FARM = rectangle(120.0145, 30.01, 400, 300, 10)  # across the home reserve: core and buffer


def get(world, user, path, **params):
    client = APIClient()
    client.credentials(**auth_header(world.users[user]))
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("item", [None, "I004"])
def test_the_footprint_answer_matches_its_schema(member, item):
    body = {"geometry": shapely.geometry.mapping(FARM), **({"item": item} if item else {})}
    response = client_for(member).post("/api/footprint", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["protected_areas"] and (data["decision"] is None) == (item is None)
    assert_answer_matches_schema("/api/footprint/", "post", data)


def test_the_inbox_answer_matches_its_schema(world):
    report(world)
    point = world.point(0)
    data = get(world, "team1", "/api/cases/inbox/", lon=point.lon, lat=point.lat)
    assert data["count"] == 1 and data["near"] is not None
    assert_answer_matches_schema("/api/cases/inbox/", "get", data)


def test_the_assessment_answer_matches_its_schema(world):
    case = report(world)
    user = world.users["team1"]
    case = loop.case_accept(case=case, user=user, version=case.version)
    data = get(world, "command", "/api/assessment/", month=case.created_at.strftime("%Y-%m"))
    assert data["township"] and data["person"]
    assert_answer_matches_schema("/api/assessment/", "get", data)


def test_the_place_search_answer_matches_its_schema(world):
    refresh_place_names(world.t.county)
    data = get(world, "command", "/api/places", q="第1镇")
    assert data["count"] >= 1
    assert_answer_matches_schema("/api/places/", "get", data)
