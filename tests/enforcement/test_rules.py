"""DESIGN §4's rule table, row by row, on plain values (no database): rules.py."""
import pytest

from gis_app.enforcement.locate import Unit
from gis_app.enforcement.rows import DeptRow, TeamRow, ZoneRow
from gis_app.enforcement.rules import (authority_rule, decide, departments_rule, marine_rule,
                                       zone_rule)

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


def test_a_core_zone_makes_severity_high_and_its_authority_is_told():
    out = zone_rule(((zone("PA1", "core"), RESOURCES),))
    assert out.severity == "high" and out.departments == [{"code": "D02", "name": "自然资源局"}]
    assert out.trace[0].endswith("; core zone -> severity high")


def test_other_zones_keep_severity_normal():
    assert zone_rule(((zone("PA1", "buffer"), RESOURCES),)).severity == "normal"
    assert zone_rule(()).trace == ["no protected-area zone covers the point -> severity normal"]


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
    assert (d.mode, d.severity, [x["code"] for x in d.departments]) == ("county", "high", ["D00", "D02"])
    assert d.trace[0].startswith("protected area PA1") and d.trace[-1].startswith("departments to notify")
