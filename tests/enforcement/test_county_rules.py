"""The county's severity and deadline tables on the router's answer: the route API and the
case it opens agree, and each says which row (or default) applied."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.county_rules import apply_county_rules
from gis_app.enforcement.models import DeadlineRule, SeverityRule
from gis_app.enforcement.routing import PointQuery, route
from gis_app.incidents import services
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
    return apply_county_rules(route(query, "I001", now=now).as_dict(), t.county.pk, now)


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
    case = services.case_report(user=user, query=BUFFER, item_code="I001", description="占道")
    assert (case.severity, case.deadline_rule["row"]) == (body["severity"], body["deadline_rule"]["row"]) == \
        ("elevated", 2)
