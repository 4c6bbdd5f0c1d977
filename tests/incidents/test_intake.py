"""一口受理: a report is routed at intake and the decision is frozen on the case."""
from datetime import timedelta

import pytest

from boundaries.crs import wgs84_to_gcj02
from gis_app.enforcement.routing import PointQuery, Refused
from gis_app.incidents import loop
from gis_app.incidents.audit import verify_case
from gis_app.incidents.models import Case, CaseEvent
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW, report
from tests.territory import grant


def test_report_is_assigned_to_the_routed_team(world):
    case = report(world)
    assert case.state == "assigned"
    assert case.team.code == f"T{world.t.townships[0].code}"
    assert (case.mode, case.subject["code"]) == ("township", world.t.townships[0].code)


def test_report_in_a_covered_township_goes_to_the_hub_team(world):
    case = report(world, user="command", township=1)
    assert case.team.code == f"T{world.t.townships[0].code}"
    assert case.hub_id == world.t.townships[0].pk
    assert case.township_id == world.t.townships[1].pk


def test_entrusted_item_is_issued_in_the_entrusting_departments_name(world):
    case = report(world, user="command", township=2, item="I002")
    assert case.mode == "entrusted" and case.subject["code"] == "SCJG"
    assert case.team.code == f"T{world.t.townships[2].code}"


def test_whistle_item_goes_to_the_departments_team_with_its_supporters(world):
    case = report(world, item="I003")
    assert case.mode == "whistle" and case.team.code == "TSTHJ"
    assert [s.department.code for s in case.supports.all()] == ["ZYGH"]


def test_deadline_follows_the_whistle_kind(world, settings):
    settings.WHISTLE_DEADLINE_HOURS = {"quick": 24, "tough": 168, "emergency": 2}
    assert report(world, item="I003").deadline == NOW + timedelta(hours=2)
    assert report(world, item="I001").deadline == NOW + timedelta(hours=24)


def test_report_at_sea_goes_to_the_marine_team(world):
    case = report(world, user="command", query=world.sea())
    assert case.at_sea and case.mode == "marine" and case.team.code == "THYZF"
    assert case.grid_id is None


def test_intake_records_reported_and_routed_events_that_verify(world):
    case = report(world)
    assert list(case.events.values_list("kind", "to_state")) == [("reported", "reported"),
                                                                  ("routed", "assigned")]
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_case_number_names_county_and_day(world):
    case = report(world)
    assert case.number == f"990101-20261123-{case.pk:06d}"


def test_routing_is_frozen_until_an_explicit_reroute(world):
    case = report(world, user="command", township=3, item="I002")
    assert case.mode == "whistle"
    grant(world.t.townships[3], world.t.items["I002"], "statutory")
    case.refresh_from_db()
    assert case.mode == "whistle" and case.team.code == "TSCJG"
    case = loop.case_reroute(case=case, user=world.users["command"], version=case.version, now=NOW)
    assert case.mode == "township" and case.team.code == f"T{world.t.townships[3].code}"
    assert case.events.last().changes["before"]["mode"] == "whistle"


def test_gcj02_report_is_stored_in_wgs84(world):
    wgs = world.point(0)
    gx, gy = wgs84_to_gcj02(wgs.lon, wgs.lat)
    query = PointQuery(lon=wgs.lon, lat=wgs.lat, received_lon=float(gx), received_lat=float(gy),
                       received_crs="GCJ02")
    case = report(world, query=query)
    assert (case.location.x, case.location.y) == pytest.approx((wgs.lon, wgs.lat))
    assert case.received == {"lon": float(gx), "lat": float(gy), "crs": "GCJ02"}


def test_report_outside_the_jurisdiction_is_refused_and_nothing_stored(world):
    with pytest.raises(Refused) as caught:
        report(world, user="command", query=PointQuery(lon=100.0, lat=30.0))
    assert caught.value.refusal.status == 422
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_grid_member_reports_only_inside_own_grids(world):
    with pytest.raises(StepError) as caught:
        report(world, township=3)
    assert caught.value.status == 403 and "not one of this grid member's grids" in caught.value.detail
    assert not Case.objects.exists()


def test_planner_does_not_report(world):
    with pytest.raises(StepError) as caught:
        report(world, user="planner")
    assert caught.value.status == 403


def test_member_of_another_county_cannot_report_here(world):
    with pytest.raises(Refused) as caught:
        report(world, user="other_command")
    assert caught.value.refusal.status == 403


def test_empty_description_is_refused(world):
    with pytest.raises(StepError) as caught:
        report(world, description="  ")
    assert caught.value.parameter == "description"
