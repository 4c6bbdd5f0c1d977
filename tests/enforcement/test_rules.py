"""DESIGN §4's rule table, row by row, on plain values (no database): rules.py."""
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.deadlines import DeadlineRow
from gis_app.enforcement.locate import Unit
from gis_app.enforcement.rows import DeptRow, ItemRow, TeamRow, ZoneRow
from gis_app.enforcement.rules import (authority_rule, deadline_rule, decide, departments_rule,
                                       marine_rule, severity_rule, zone_rule)
from gis_app.enforcement.severity import SeverityRow
from gis_app.enforcement.worktime import WorkCalendar, parse_working_hours

COUNTY = Unit(1, "990101", "测试县")
TOWNSHIP = Unit(10, "990101001", "第1镇", "town")
HUB = Unit(11, "990101002", "第2镇", "town")
MARKET = DeptRow(100, 1, "D01", "市场监管局", "department")
RESOURCES = DeptRow(101, 1, "D02", "自然资源局", "department")
BUREAU = DeptRow(102, 1, "D00", "综合行政执法局", "bureau")
OCEAN = DeptRow(103, 1, "D09", "海洋局", "marine")
LOCAL = TeamRow(1, 1000, "T990101001", "第1镇执法队", "township_team", 10, None)
HUB_TEAM = TeamRow(1, 1001, "T990101002", "第2镇执法队", "township_team", 11, None)
MARKET_TEAM = TeamRow(1, 1002, "TD01", "市场监管执法队", "department", None, 100)
MARINE_TEAM = TeamRow(1, 1003, "TM", "海洋执法队", "marine", None, 103)


def rule(kind, *, acting=TOWNSHIP, local_team=LOCAL, entrusting=None, item_department=MARKET,
         department_team=MARKET_TEAM):
    return authority_rule(township=TOWNSHIP, acting=acting, item_code="I001", kind=kind,
                          entrusting=entrusting, item_department=item_department,
                          item_department_id=item_department.id if item_department else 999,
                          local_team=local_team, department_team=department_team)


@pytest.mark.parametrize("kind", ["statutory", "granted"])
def test_statutory_and_granted_act_in_the_townships_name_with_its_team(kind):
    out = rule(kind)
    assert (out.mode, out.subject, out.team["code"]) == (
        "township", {"code": "990101001", "name": "第1镇", "type": "township"}, "T990101001")
    assert out.trace[0] == f"第1镇 holds I001 as {kind} -> mode township, in the township's own name"


def test_entrusted_acts_in_the_entrusting_departments_name_with_the_township_team():
    out = rule("entrusted", entrusting=RESOURCES)
    assert (out.mode, out.subject["code"], out.subject["type"], out.team["code"]) == (
        "entrusted", "D02", "department", "T990101001")


def test_entrusted_without_an_entrusting_department_says_the_subject_is_unknown():
    out = rule("entrusted")
    assert out.mode == "entrusted" and out.subject is None
    assert "no entrusting department is recorded" in out.trace[0]


def test_county_acts_in_the_items_departments_name_with_the_local_team_as_dispatched_staff():
    out = rule("county")
    assert (out.mode, out.subject["code"], out.team["code"]) == ("county", "D01", "T990101001")
    assert "dispatched staff" in out.trace[0]


@pytest.mark.parametrize("kind", [None, "none"])
def test_no_authority_whistles_to_the_items_departments_team(kind):
    out = rule(kind)
    assert (out.mode, out.subject["code"], out.team["code"]) == ("whistle", "D01", "TD01")
    assert out.trace[1] == "team: TD01 市场监管执法队, the department's team"


def test_a_hub_townships_team_acts_and_the_trace_names_the_hub():
    out = rule("statutory", acting=HUB, local_team=HUB_TEAM)
    assert out.team["code"] == "T990101002"
    assert out.trace[1] == "team: T990101002 第2镇执法队 (hub 第2镇 of the 1+X area)"


def test_no_team_recorded_is_said_not_invented():
    assert rule("statutory", local_team=None).team is None
    assert rule(None, department_team=None).trace[1] == \
        "team: the department D01 市场监管局 has no team recorded"


def test_an_item_department_outside_the_county_is_named_by_its_id():
    assert "#999 (not a department of this county)" in rule("county", item_department=None).trace[0]


def test_at_sea_the_marine_team_acts_in_its_departments_name():
    out = marine_rule(county=COUNTY, marine_team=MARINE_TEAM, marine_department=OCEAN)
    assert (out.mode, out.subject["code"], out.team["code"]) == ("marine", "D09", "TM")


def test_at_sea_without_a_marine_team_there_is_no_team_and_no_subject():
    out = marine_rule(county=COUNTY, marine_team=None, marine_department=None)
    assert (out.team, out.subject) == (None, None)
    assert out.trace[1] == "team: county 990101 has no team of kind marine recorded"


def zone(code, kind_of_zone, authority="D02"):
    return ZoneRow(1, code, "保护区", "nature_reserve", "national", kind_of_zone, authority)


def test_a_zone_authority_is_told_and_the_zone_named_for_the_severity_rows():
    out = zone_rule(((zone("PA1", "core"), RESOURCES),))
    assert out.departments == [{"code": "D02", "name": "自然资源局"}]
    assert out.zones == (("PA1", "nature_reserve", "core"),)


def test_no_zone_is_said():
    assert zone_rule(()).trace == ["no protected-area zone covers the point"]


def test_severity_rule_defaults_core_high_buffer_elevated_other_normal():
    for kind_of_zone, expected in (("core", "high"), ("buffer", "elevated"), ("general", "normal")):
        finding = severity_rule((), zone_rule(((zone("PA1", kind_of_zone), RESOURCES),)).zones, "")
        assert (finding.severity, finding.source) == (expected, "default")


def test_severity_rule_takes_the_countys_row_and_names_it():
    rows = (SeverityRow(row=1, severity="high", kind="nature_reserve", zone="buffer"),)
    finding = severity_rule(rows, (("PA1", "nature_reserve", "buffer"),), "")
    assert (finding.severity, finding.source, finding.row) == ("high", "table", 1)


def test_severity_rule_rows_for_a_domain_apply_only_to_that_items_domain():
    rows = (SeverityRow(row=1, severity="normal", zone="core", domain="市场监管"),)
    zones = (("PA1", "nature_reserve", "core"),)
    assert severity_rule(rows, zones, "市场监管").severity == "normal"
    assert severity_rule(rows, zones, "").severity == "high"


def test_deadline_rule_takes_the_row_for_the_severity_else_the_whistle_default():
    item = ItemRow(1, 1, "I001", "事项", "quick", 5, (), "林业", "penalty")
    rows = (DeadlineRow(row=1, limit=4, unit="calendar_hours", severity="high"),)
    calendar = WorkCalendar(parse_working_hours("08:30-12:00,14:00-17:30"), ZoneInfo("Asia/Shanghai"))
    assert deadline_rule(rows, item, "high", calendar).budget_seconds == 4 * 3600
    assert deadline_rule(rows, item, "normal", calendar).source == "default"


def test_a_zone_authority_that_is_no_department_is_kept_by_code_and_said():
    out = zone_rule(((zone("PA1", "general", "X99"), None),))
    assert out.departments == [{"code": "X99", "name": None}]
    assert "is not a department of this county" in out.trace[0]


def test_departments_are_supporting_plus_zone_authorities_once_sorted_by_code():
    departments, line = departments_rule((RESOURCES, BUREAU), [{"code": "D02", "name": "自然资源局"},
                                                               {"code": "D01", "name": "市场监管局"}])
    assert [d["code"] for d in departments] == ["D00", "D01", "D02"]
    assert line.startswith("departments to notify: D00, D01, D02")


def test_decide_joins_zones_authority_and_departments_into_one_answer():
    zones = zone_rule(((zone("PA1", "core"), RESOURCES),))
    d = decide(zones=zones, authority=rule("county"), supporting=(BUREAU,))
    assert (d.mode, [x["code"] for x in d.departments]) == ("county", ["D00", "D02"])
    assert d.trace[0].startswith("protected area PA1") and d.trace[-1].startswith("departments to notify")
