"""Statistics match the cases: counts and on-time rates per group."""
from datetime import timedelta

from gis_app.incidents import loop
from gis_app.incidents.models import Case
from gis_app.incidents.selectors import statistics, statistics_cases
from tests.incidents.conftest import NOW, report


def finish(world, case, at):
    for step, user in [("accept", "team1"), ("arrive", "team1"), ("handle", "team1"),
                       ("review", "command"), ("close", "command")]:
        case = loop.STEP_FUNCTIONS[step](case=case, user=world.users[user], version=case.version,
                                             note="ok", now=at)
    return case


def test_counts_and_on_time_rate_per_township(world):
    on_time = report(world)
    late = report(world)
    report(world)  # still open
    finish(world, on_time, NOW + timedelta(hours=1))
    finish(world, late, NOW + timedelta(hours=30))  # quick whistle: 24 h
    rows = statistics(Case.objects.all(), "township", now=NOW + timedelta(hours=48))
    assert rows == [{"township": "990101001", "name": "第1镇", "total": 3, "open": 1, "finished": 2,
                     "on_time": 1, "overdue": 1, "escalated": 0, "rejected": 0, "on_time_rate": 0.5}]


def test_groups_by_whistle_kind_item_team_department_and_month(world):
    report(world)
    report(world, item="I003")
    cases = Case.objects.all()
    assert {r["whistle_kind"]: r["total"] for r in statistics(cases, "whistle_kind")} == {"emergency": 1, "quick": 1}
    assert {r["item"]: r["total"] for r in statistics(cases, "item")} == {"I001": 1, "I003": 1}
    assert {r["team"]: r["total"] for r in statistics(cases, "team")} == {"T990101001": 1, "TSTHJ": 1}
    assert {r["department"]: r["total"] for r in statistics(cases, "department")} == {"ZHZF": 1, "STHJ": 1}
    assert statistics(cases, "month") == [{**statistics(cases, "month")[0], "month": "2026-11", "total": 2}]


def test_rate_is_none_when_nothing_is_finished(world):
    report(world)
    assert statistics(Case.objects.all(), "township")[0]["on_time_rate"] is None


def test_planner_counts_the_whole_county_without_seeing_records(world):
    report(world)
    report(world, user="command", township=3, item="I003")
    assert statistics_cases(world.users["planner"]).count() == 2
    assert statistics_cases(world.users["grid"]).count() == 1
