"""Open311 GeoReport v2: services, request intake and status, in JSON and XML."""
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gis_app.incidents.models import Case
from gis_app.incidents import loop
from tests.incidents.conftest import world  # noqa: F401  (the fixture)
from tests.users import token_for


def post(world, user="grid", fmt="json", language="en", **fields):
    """Submit a request; its errors in English (the words the tests read) unless `language`."""
    p = world.point(0)
    data = {"service_code": "I001", "lat": p.lat, "long": p.lon, "description": "占道经营",
            "api_key": token_for(world.users[user]), **fields}
    return Client().post(f"/open311/v2/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE=language)


def test_services_list_the_catalogue_of_the_jurisdiction(world):
    r = Client().get("/open311/v2/services.json?jurisdiction_id=990101")
    assert r.status_code == 200
    codes = [s["service_code"] for s in r.json()]
    assert codes == ["I001", "I002", "I003", "I004"]
    assert r.json()[0]["metadata"] is False and r.json()[0]["type"] == "realtime"


def test_services_in_xml(world):
    r = Client().get("/open311/v2/services.xml?jurisdiction_id=990101")
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == ["I001", "I002", "I003", "I004"]


def test_a_server_with_several_counties_needs_a_jurisdiction(world):
    r = Client().get("/open311/v2/services.json")
    assert r.status_code == 400 and "jurisdiction_id" in r.json()[0]["description"]


def test_service_definition(world):
    r = Client().get("/open311/v2/services/I003.json?jurisdiction_id=990101")
    assert r.json() == {"service_code": "I003", "attributes": []}
    assert Client().get("/open311/v2/services/NOPE.json?jurisdiction_id=990101").status_code == 404


def test_post_request_opens_a_routed_case(world):
    r = post(world)
    assert r.status_code == 201, r.content
    number = r.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert (case.source, case.state, case.team.code) == ("open311", "assigned", "T990101001")


def test_post_request_in_xml(world):
    root = ET.fromstring(post(world, fmt="xml").content)
    assert root.tag == "service_requests"
    assert root.find("request").findtext("service_request_id").startswith("990101-")


def test_get_request_shows_status_and_agency_responsible(world):
    number = post(world).json()[0]["service_request_id"]
    key = token_for(world.users["grid"])
    r = Client().get(f"/open311/v2/requests/{number}.json?api_key={key}")
    row = r.json()[0]
    assert (row["status"], row["agency_responsible"]) == ("open", "第1镇综合行政执法队 (T990101001)")
    assert row["lat"] == pytest.approx(world.point(0).lat)


def test_closed_cases_read_as_closed(world):
    number = post(world).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    loop.case_reject(case=case, user=world.users["command"], version=case.version, note="重复")
    key = token_for(world.users["command"])
    rows = Client().get(f"/open311/v2/requests.json?api_key={key}&status=closed").json()
    assert [r["service_request_id"] for r in rows] == [number]
    assert Client().get(f"/open311/v2/requests.json?api_key={key}&status=open").json() == []


def test_request_lists_keep_to_the_keys_reach(world):
    number = post(world).json()[0]["service_request_id"]
    key = token_for(world.users["team3"])
    assert Client().get(f"/open311/v2/requests.json?api_key={key}").json() == []
    assert Client().get(f"/open311/v2/requests/{number}.json?api_key={key}").status_code == 404


@pytest.mark.parametrize("fields,status,words", [
    ({"api_key": ""}, 401, "api_key: required"),
    ({"api_key": "not-a-key"}, 403, "not a valid key"),
    ({"service_code": "NOPE"}, 400, "no service 'NOPE'"),
    ({"lat": "north"}, 400, "lat"),
    ({"long": "200"}, 400, "long"),
    ({"lat": "30.0", "long": "100.0"}, 422, "outside every county"),
    ({"description": ""}, 400, "description"),
])
def test_bad_requests_get_open311_errors(world, fields, status, words):
    r = post(world, user="command", **fields)
    assert r.status_code == status, r.content
    assert words in r.json()[0]["description"] and r.json()[0]["code"] == status
    assert not Case.objects.exists()


def test_errors_in_xml(world):
    r = post(world, fmt="xml", service_code="NOPE")
    root = ET.fromstring(r.content)
    assert root.tag == "errors" and root.find("error").findtext("code") == "400"


def test_reading_requests_needs_a_key(world):
    assert Client().get("/open311/v2/requests.json").status_code == 401


def test_the_key_may_come_in_a_header_instead_of_the_url(world):
    key = token_for(world.users["command"])
    response = Client().get("/open311/v2/requests.json", HTTP_X_API_KEY=key)
    assert response.status_code == 200


def test_the_key_may_come_as_a_token_header(world):
    key = token_for(world.users["command"])
    response = Client().get("/open311/v2/requests.json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_an_expired_key_is_refused(world, settings):
    from rest_framework.authtoken.models import Token
    from datetime import timedelta
    from django.utils import timezone
    key = token_for(world.users["command"])
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    assert Client().get("/open311/v2/requests.json", HTTP_X_API_KEY=key).status_code == 403
