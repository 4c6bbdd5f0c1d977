"""Case rules with one home: Case.objects.open()/overdue(now)/visible_to(user)/counted_for(user)."""
from datetime import timedelta

from gis_app.incidents import loop
from gis_app.incidents.models import Case
from tests.incidents.conftest import NOW, report


def test_overdue_is_open_and_past_the_deadline_at_the_given_moment(world):
    case = report(world)
    assert list(Case.objects.overdue(case.deadline - timedelta(seconds=1))) == []
    assert list(Case.objects.overdue(case.deadline + timedelta(seconds=1))) == [case]


def test_a_rejected_case_is_neither_open_nor_overdue(world):
    case = report(world)
    loop.case_reject(case=case, user=world.users["command"], version=case.version, note="重复", now=NOW)
    assert not Case.objects.open().exists()
    assert not Case.objects.overdue(NOW + timedelta(days=30)).exists()


def test_with_overdue_marks_each_row(world):
    case = report(world)
    row = Case.objects.with_overdue(case.deadline + timedelta(hours=1)).get(pk=case.pk)
    assert row.overdue is True


def test_visible_to_follows_the_role_reach(world):
    mine = report(world, township=0)
    assert list(Case.objects.visible_to(world.users["grid"])) == [mine]
    assert list(Case.objects.visible_to(world.users["other_command"])) == []
    assert list(Case.objects.visible_to(world.users["planner"])) == []
    assert list(Case.objects.visible_to(world.users["nobody"])) == []
    assert list(Case.objects.visible_to(world.users["admin"])) == [mine]


def test_planners_count_the_whole_county_without_reading_records(world):
    case = report(world)
    assert list(Case.objects.counted_for(world.users["planner"])) == [case]
    assert list(Case.objects.counted_for(world.users["other_command"])) == []


def test_visible_to_compares_the_county_as_bigint(world):
    sql, params = Case.objects.visible_to(world.users["command"]).query.sql_with_params()
    assert '"incidents_case"."county_id" = (%s)::bigint' in sql
