"""督办 on a clock the tests control: overdue open cases are escalated once."""
from datetime import timedelta

from django.core.management import call_command

from gis_app.incidents import loop, supervision
from gis_app.incidents.selectors import visible_cases, with_overdue
from tests.incidents.conftest import NOW, report


def test_nothing_is_escalated_before_the_deadline(world):
    case = report(world)  # quick: 24 h
    assert supervision.escalate_overdue(now=case.deadline - timedelta(seconds=1)) == []


def test_an_overdue_case_is_escalated_by_the_clock(world):
    case = report(world)
    later = case.deadline + timedelta(hours=1)
    assert [c.pk for c in supervision.escalate_overdue(now=later)] == [case.pk]
    case.refresh_from_db()
    assert case.escalated_at == later
    event = case.events.last()
    assert (event.kind, event.actor, event.actor_role, event.changes["overdue_seconds"]) == \
        ("escalate", None, "clock", 3600)


def test_a_case_is_escalated_only_once(world):
    case = report(world)
    supervision.escalate_overdue(now=case.deadline + timedelta(hours=1))
    assert supervision.escalate_overdue(now=case.deadline + timedelta(hours=2)) == []


def test_closed_cases_are_never_escalated(world):
    case = report(world)
    case = loop.case_reject(case=case, user=world.users["command"], version=case.version,
                                note="重复", now=NOW)
    assert supervision.escalate_overdue(now=NOW + timedelta(days=30)) == []


def test_overdue_shows_in_lists(world):
    quick = report(world)
    emergency = report(world, item="I003")  # 2 h
    cases = with_overdue(visible_cases(world.users["command"]), now=NOW + timedelta(hours=3))
    assert dict(cases.values_list("pk", "overdue")) == {quick.pk: False, emergency.pk: True}


def test_escalate_command_runs_the_clock(world, capsys):
    report(world, now=NOW - timedelta(days=3))
    call_command("escalate_overdue")
    assert "1 case(s) escalated" in capsys.readouterr().out
