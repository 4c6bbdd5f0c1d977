"""A case's clock on the county's working time, with a clock the tests control (never slept).

The county's rule: I001 gets 10 working hours (08:30-12:00, 14:00-17:30). A report on
Monday 2026-11-23 09:00 uses 3 h that morning and 3.5 h that afternoon (6.5 h), and the
last 3.5 h on Tuesday 08:30-12:00: due Tuesday 12:00. The ladder (80% / 100% / 200%):
黄灯 at 8 h = Tuesday 10:00; 红灯 at Tuesday 12:00; county at 20 h = Monday 6.5 + Tuesday 7
+ Wednesday 08:30-12:00 3.5 + 14:00-17:00 3 = Wednesday 17:00.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gis_app.enforcement.models import DeadlineRule
from gis_app.incidents import loop, supervision
from gis_app.incidents.models import Case
from gis_app.incidents.selectors import statistics, with_overdue
from gis_app.incidents.workflow import StepError
from tests.incidents.conftest import NOW, report

SH = ZoneInfo("Asia/Shanghai")
STEPS = {**loop.STEP_FUNCTIONS, **supervision.STEP_FUNCTIONS}


def at(day, hour, minute=0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def ruled(world, settings):
    settings.SUPERVISION_LADDER = "yellow:0.8,red:1.0,county:2.0"
    DeadlineRule.objects.create(county=world.t.county, row=2, item_code="I001", limit=10, unit="working_hours")
    return world


def step(world, name, case, user, now, **kwargs):
    kwargs.setdefault("note", "理由")
    return STEPS[name](case=case, user=world.users[user], version=case.version, now=now, **kwargs)


def accepted(world, now=NOW):
    return step(world, "accept", report(world, now=now), "team1", now)


def fired(now):
    return [(case.pk, [r.level for r in rungs]) for case, rungs in supervision.supervise(now=now)]


def test_a_case_gets_its_deadline_from_the_countys_table(ruled):
    case = report(ruled)
    assert case.deadline == at(24, 12)
    assert case.deadline_rule["text"] == "deadlines row 2 (item_code=I001): 10 working hours"


def test_intake_starts_the_clock_with_the_routers_rule_without_reading_the_rows_again(ruled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        case = report(ruled)
    table = DeadlineRule._meta.db_table
    assert case.deadline_rule["text"] == "deadlines row 2 (item_code=I001): 10 working hours"
    assert [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]] == []


def test_without_a_matching_row_the_whistle_default_stays(ruled):
    case = report(ruled, user="command", township=3, item="I003")  # emergency whistle, no row: 2 calendar hours
    assert case.deadline == NOW + timedelta(hours=2)
    assert case.deadline_rule["source"] == "default"


def test_the_ladder_fires_each_rung_at_its_time_and_once(ruled):
    case = report(ruled)
    assert fired(at(24, 9, 59)) == []
    assert fired(at(24, 10)) == [(case.pk, ["yellow"])]
    assert fired(at(24, 11, 59)) == []
    assert fired(at(24, 12)) == [(case.pk, ["red"])]
    assert fired(at(25, 16, 59)) == []
    assert fired(at(25, 17)) == [(case.pk, ["county"])]
    assert fired(at(30, 17)) == []
    kinds = list(Case.objects.get(pk=case.pk).events.values_list("kind", "changes__rung"))
    assert kinds[-3:] == [("warn", "yellow"), ("escalate", "red"), ("escalate", "county")]


def test_a_late_run_fires_every_rung_it_missed_in_order(ruled):
    case = report(ruled)
    assert fired(at(26, 9)) == [(case.pk, ["yellow", "red", "county"])]
    assert Case.objects.get(pk=case.pk).escalated_at == at(26, 9)


def test_escalate_overdue_returns_only_escalated_cases(ruled):
    report(ruled)
    assert supervision.escalate_overdue(now=at(24, 10)) == []  # 黄灯 is a warning


def test_a_suspension_stops_the_clock(ruled):
    case = accepted(ruled)
    case = step(ruled, "suspend_request", case, "team1", at(23, 10), note="等待鉴定结果")
    case = step(ruled, "suspend_approve", case, "command", at(23, 11))  # 2 h used
    assert (case.deadline, case.clock_used_s) == (None, 2 * 3600)
    assert fired(at(27, 17)) == []
    assert not with_overdue(Case.objects.filter(pk=case.pk), now=at(30, 9)).get().overdue


def test_a_resumed_clock_counts_the_time_left_in_working_hours(ruled):
    case = accepted(ruled)
    case = step(ruled, "suspend_request", case, "team1", at(23, 10))
    case = step(ruled, "suspend_approve", case, "command", at(23, 11))
    # 8 h left from Thursday 26th 14:00: 3.5 h that afternoon, Friday 08:30-12:00 3.5 h,
    # then 1 h from 14:00: Friday 27th 15:00.
    case = step(ruled, "resume", case, "command", at(26, 14))
    assert case.deadline == at(27, 15)
    # 黄灯 at 8 h used: 6 h after resuming = Thursday 3.5 h + Friday 08:30 + 2.5 h = 11:00.
    assert fired(at(27, 10, 59)) == []
    assert fired(at(27, 11)) == [(case.pk, ["yellow"])]


def test_an_approved_extension_moves_the_deadline(ruled):
    case = accepted(ruled)
    case = step(ruled, "extend_request", case, "team1", at(23, 10), amount="1", unit="days", note="需要协调")
    assert case.deadline == at(24, 12)  # asking does not move it
    case = step(ruled, "extend_approve", case, "command", at(23, 11))
    assert case.deadline == at(25, 12)  # one working day = 7 working hours later
    event = case.events.last()
    assert (event.kind, event.actor.username, event.changes["deadline"]["to"]) == \
        ("extend_approve", "command", at(25, 12).isoformat())


def test_a_refused_request_changes_nothing_but_is_recorded(ruled):
    case = accepted(ruled)
    case = step(ruled, "extend_request", case, "team1", at(23, 10), amount="4", unit="hours")
    case = step(ruled, "request_refuse", case, "command", at(23, 11), note="理由不充分")
    assert (case.deadline, case.clock_request) == (at(24, 12), {})
    assert case.events.last().changes["request"]["amount"] == 4


def test_only_the_command_centre_approves(ruled):
    case = step(ruled, "suspend_request", accepted(ruled), "team1", at(23, 10))
    with pytest.raises(StepError) as caught:
        step(ruled, "suspend_approve", case, "team1", at(23, 11))
    assert caught.value.status == 403


def test_approving_without_a_request_is_refused(ruled):
    with pytest.raises(StepError) as caught:
        step(ruled, "suspend_approve", accepted(ruled), "command", at(23, 11))
    assert (caught.value.status, caught.value.error) == (409, "wrong_state")


@pytest.mark.parametrize("amount,unit", [("0", "hours"), ("-1", "days"), ("x", "hours"), ("1", "weeks"),
                                         ("400", "days")])
def test_an_extension_asks_for_a_sensible_amount(ruled, amount, unit):
    with pytest.raises(StepError) as caught:
        step(ruled, "extend_request", accepted(ruled), "team1", at(23, 10), amount=amount, unit=unit)
    assert caught.value.status == 400


def test_statistics_count_on_time_against_the_rule_that_applied(ruled):
    case = accepted(ruled)
    # Closed Tuesday 11:00: 26 calendar hours (late by the 24 h whistle default), but within
    # its 10 working hours.
    for name, user in [("arrive", "team1"), ("handle", "team1"), ("review", "command"), ("close", "command")]:
        case = step(ruled, name, case, user, at(24, 11))
    rows = statistics(Case.objects.all(), "deadline_rule", now=at(25, 9))
    assert [(r["deadline_rule"], r["finished"], r["on_time"]) for r in rows] == [("row 2", 1, 1)]
