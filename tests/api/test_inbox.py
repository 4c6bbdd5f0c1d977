"""GET /api/cases/inbox/: a team's cases to act on by deadline, with distance from the member."""
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from gis_app.incidents import loop
from tests.incidents.conftest import NOW, report, world  # noqa: F401  (the fixture)
from tests.users import auth_header


def inbox(world, user, **params):
    c = APIClient()
    c.credentials(**auth_header(world.users[user]))
    return c.get("/api/cases/inbox/", params)


def test_the_inbox_lists_the_teams_cases_soonest_deadline_first(world):
    later = report(world, item="I001", now=NOW)
    sooner = report(world, item="I001", now=NOW - timedelta(hours=5))
    r = inbox(world, "team1")
    assert r.status_code == 200 and r.json()["crs"] == "EPSG:4326"
    assert [c["id"] for c in r.json()["cases"]] == [sooner.pk, later.pk]
    assert r.json()["cases"][0]["allowed_steps"] == ["accept", "return"]


def test_cases_of_another_team_are_not_in_the_inbox(world):
    report(world)
    assert inbox(world, "team3").json()["cases"] == []


def test_handled_cases_leave_the_inbox(world):
    case = report(world)
    user = world.users["team1"]
    case = loop.case_accept(case=case, user=user, version=case.version)
    case = loop.case_arrive(case=case, user=user, version=case.version)
    loop.case_handle(case=case, user=user, version=case.version, note="已处置")
    assert inbox(world, "team1").json()["count"] == 0


def test_a_supporting_department_sees_cases_it_has_yet_to_report_for_duty_on(world):
    case = report(world, item="I003")  # whistle: STHJ's team acts, ZYGH supports
    assert [c["id"] for c in inbox(world, "zygh").json()["cases"]] == [case.pk]
    assert inbox(world, "zygh").json()["cases"][0]["allowed_steps"] == ["report_for_duty"]
    assert [c["id"] for c in inbox(world, "sthj").json()["cases"]] == [case.pk]


def test_the_distance_from_where_the_member_stands_is_in_metres(world):
    case = report(world)
    r = inbox(world, "team1", lon=case.location.x, lat=case.location.y + 0.01, crs="EPSG:4326")
    assert r.json()["cases"][0]["distance_m"] == pytest.approx(1109, abs=5)
    assert r.json()["near"]["received"]["crs"] == "EPSG:4326"


def test_without_a_position_the_distance_is_unknown(world):
    report(world)
    assert inbox(world, "team1").json()["cases"][0]["distance_m"] is None


@pytest.mark.parametrize("user", ["grid", "command", "planner"])
def test_roles_without_a_team_inbox_get_an_empty_one(world, user):
    report(world)
    assert inbox(world, user).json()["cases"] == []


def test_a_bad_position_is_400_naming_it(world):
    r = inbox(world, "team1", lon="east", lat=30)
    assert r.status_code == 400 and r.json()["parameter"] == "lon"


def test_an_unknown_parameter_is_400(world):
    assert inbox(world, "team1", near="here").status_code == 400
