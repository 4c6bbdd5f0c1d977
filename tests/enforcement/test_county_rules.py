"""The county's severity and deadline tables are the router's own rules: the route, batch
and locate APIs, the footprint check and the case intake opens agree, and each says which
row (or default) applied."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import shapely
from django.contrib.gis.geos import GEOSGeometry

from gis_app.enforcement.footprint import check_footprint
from gis_app.enforcement.models import DeadlineRule, SeverityRule
from gis_app.enforcement.routing import PointQuery, route
from gis_app.incidents import reporting
from tests.territory import grant, make_territory, make_zone
from tests.users import auth_header, make_user

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
BUFFER = PointQuery(lon=120.02, lat=30.01)   # inside the buffer zone below
PLAIN = PointQuery(lon=120.01, lat=30.03)    # in no zone


@pytest.fixture
def county():
    t = make_territory()
    make_zone(t.county, "PA01", "core", (120.0, 30.0, 120.015, 30.02), "ZYGH", kind="forest_park")
    make_zone(t.county, "PA01", "buffer", (120.015, 30.0, 120.03, 30.02), "ZYGH", kind="forest_park")
    grant(t.townships[0], t.items["I001"], "statutory")
    return t


def answer(t, query, now=MONDAY_9):
    return route(query, "I001", now=now).as_dict()


def test_a_buffer_zone_is_elevated_by_default(county):
    got = answer(county, BUFFER)
    assert (got["severity"], got["severity_rule"]["source"], got["severity_rule"]["zone"]) == \
        ("elevated", "default", "buffer")


def test_a_severity_row_decides_and_is_named(county):
    SeverityRule.objects.create(county=county.county, row=2, kind="forest_park", zone="buffer", severity="high")
    got = answer(county, BUFFER)
    assert (got["severity"], got["severity_rule"]["row"]) == ("high", 2)
    assert got["trace"][-2] == "severity: PA01 buffer zone -> severity high (severity row 2)"


def test_no_zone_is_normal(county):
    assert answer(county, PLAIN)["severity"] == "normal"


def test_the_deadline_follows_the_countys_row(county):
    # 4 working hours from Monday 09:00: 09:00-12:00 is 3 h, then 14:00 + 1 h = 15:00.
    DeadlineRule.objects.create(county=county.county, row=2, item_code="I001", limit=4, unit="working_hours")
    got = answer(county, PLAIN)
    assert got["deadline"] == datetime(2026, 11, 23, 15, 0, tzinfo=SH).isoformat()
    assert got["deadline_rule"]["row"] == 2
    assert [line for line in got["trace"] if line.startswith("deadline:")] == [
        "deadline: deadlines row 2 (item_code=I001): 4 working hours"]


def test_a_severity_row_can_pick_the_deadline_row(county):
    DeadlineRule.objects.create(county=county.county, row=2, severity="elevated", limit=1, unit="working_hours")
    got = answer(county, BUFFER)
    assert (got["deadline_rule"]["row"], got["deadline"]) == (2, datetime(2026, 11, 23, 10, 0, tzinfo=SH).isoformat())


def test_the_api_and_the_case_agree(county, client):
    DeadlineRule.objects.create(county=county.county, row=2, item_code="I001", limit=4, unit="working_hours")
    user = make_user("cmd", "command_centre", county.county)
    body = client.get("/api/route", {"lon": BUFFER.lon, "lat": BUFFER.lat, "item": "I001"},
                      **auth_header(user)).json()
    case = reporting.case_report(user=user, query=BUFFER, item_code="I001", description="占道")
    assert (case.severity, case.deadline_rule["row"]) == (body["severity"], body["deadline_rule"]["row"]) == \
        ("elevated", 2)


def _buffer_row(county):
    return SeverityRule.objects.create(county=county.county, row=3, kind="forest_park", zone="buffer",
                                       severity="high")


def test_a_severity_row_changes_the_batch_answer_and_is_named(county, client):
    _buffer_row(county)
    user = make_user("cmd", "command_centre", county.county)
    body = client.post("/api/route/batch", {"item": "I001", "points": [
        {"lon": BUFFER.lon, "lat": BUFFER.lat}, {"lon": PLAIN.lon, "lat": PLAIN.lat}]},
        content_type="application/json", **auth_header(user)).json()
    first, second = body["results"]
    assert (first["severity"], first["severity_rule"]["row"]) == ("high", 3)
    assert (second["severity"], second["severity_rule"]["source"]) == ("normal", "none")


def test_a_severity_row_changes_the_locate_answer_and_is_named(county, client):
    _buffer_row(county)
    user = make_user("cmd", "command_centre", county.county)
    body = client.get("/api/locate", {"lon": BUFFER.lon, "lat": BUFFER.lat}, **auth_header(user)).json()
    assert (body["severity"], body["severity_rule"]["row"], body["severity_rule"]["source"]) == \
        ("high", 3, "table")


def test_route_batch_and_locate_answer_the_same_severity_row(county, client):
    _buffer_row(county)
    user = make_user("cmd", "command_centre", county.county)
    point = {"lon": BUFFER.lon, "lat": BUFFER.lat}
    single = client.get("/api/route", {**point, "item": "I001"}, **auth_header(user)).json()
    batch = client.post("/api/route/batch", {"item": "I001", "points": [point]},
                        content_type="application/json", **auth_header(user)).json()["results"][0]
    located = client.get("/api/locate", point, **auth_header(user)).json()
    assert single["severity_rule"] == batch["severity_rule"] == located["severity_rule"]
    assert single["deadline_rule"] == batch["deadline_rule"]


def test_a_severity_row_for_another_domain_leaves_the_route_to_the_default(county):
    SeverityRule.objects.create(county=county.county, row=3, zone="buffer", domain="no-such-domain",
                                severity="normal")
    assert answer(county, BUFFER)["severity"] == "elevated"


def test_a_severity_row_changes_the_footprint_check(county):
    shape = GEOSGeometry(shapely.box(120.018, 30.005, 120.022, 30.008).wkt, srid=4326)
    assert check_footprint(shape).severity == "elevated"
    _buffer_row(county)
    check = check_footprint(shape)
    assert (check.severity, check.as_dict()["severity_rule"]["row"]) == ("high", 3)


def test_a_footprint_case_and_its_check_agree_on_severity_and_deadline(county):
    _buffer_row(county)
    DeadlineRule.objects.create(county=county.county, row=2, severity="high", limit=1, unit="working_hours")
    shape = GEOSGeometry(shapely.box(120.018, 30.005, 120.022, 30.008).wkt, srid=4326)
    decision = check_footprint(shape, item_code="I001", now=MONDAY_9).decision_dict()
    assert (decision["severity"], decision["severity_rule"]["row"], decision["deadline_rule"]["row"]) == \
        ("high", 3, 2)
