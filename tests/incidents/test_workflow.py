"""The loop's steps: each allowed from its states, to the roles whose job it is, once."""
import threading
from datetime import timedelta

import pytest
from django.db import connections

from gis_app.incidents import loop
from gis_app.incidents.audit import verify_case
from gis_app.incidents.models import Case, CaseEvent
from gis_app.incidents.workflow import STEPS, StepError, allowed_steps
from tests.incidents.conftest import NOW, report


def take(world, step, case, user, **kwargs):
    kwargs.setdefault("note", "处理意见")
    return loop.STEP_FUNCTIONS[step](case=case, user=world.users[user],
                                         version=kwargs.pop("version", case.version),
                                         now=kwargs.pop("now", NOW), **kwargs)


def refused(world, step, case, user, **kwargs) -> StepError:
    with pytest.raises(StepError) as caught:
        take(world, step, case, user, **kwargs)
    return caught.value


def test_a_case_walks_the_whole_loop_to_the_archive(world):
    case = report(world)
    for step, user, state in [("accept", "team1", "accepted"), ("arrive", "team1", "on_scene"),
                              ("handle", "team1", "handled"), ("review", "command", "reviewed"),
                              ("close", "command", "closed"), ("archive", "command", "archived")]:
        case = take(world, step, case, user)
        assert case.state == state
    assert case.closed_at == NOW
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["reported", "routed", "accept", "arrive", "handle", "review", "close", "archive"]
    assert verify_case(Case.objects.get(pk=case.pk)) == []


def test_each_step_records_who_when_where_and_the_note(world):
    from django.contrib.gis.geos import Point
    case = take(world, "accept", report(world), "team1", note="马上出发", where=Point(120.006, 30.006, srid=4326))
    event = case.events.last()
    assert (event.actor.username, event.actor_role, event.at, event.note) == ("team1", "township_team", NOW, "马上出发")
    assert (event.from_state, event.to_state) == ("assigned", "accepted")
    assert event.where.x == pytest.approx(120.006)


ROLE_JOBS = {  # step -> the users whose job it is on a township-1 case of item I001
    "accept": {"team1"}, "return": {"team1"}, "transfer": {"command"}, "reroute": {"command"},
    "reject": {"command"}, "escalate": {"command"},
}


@pytest.mark.parametrize("step", sorted(ROLE_JOBS))
@pytest.mark.parametrize("user", ["grid", "team1", "team3", "scjg", "command", "planner", "other_command",
                                  "admin", "nobody"])
def test_a_step_is_only_for_the_roles_whose_job_it_is(world, step, user):
    case = report(world)
    extra = {"team_code": "T990101003"} if step == "transfer" else {}
    if user in ROLE_JOBS[step]:
        assert take(world, step, case, user, **extra).version == case.version + 1
    else:
        error = refused(world, step, case, user, **extra)
        # Outside the user's reach the case does not exist for them; inside it, 403.
        assert error.status in (403, 404)
        assert Case.objects.get(pk=case.pk).state == "assigned"


def test_team_steps_are_refused_to_another_township_team_of_the_county(world):
    case = report(world)
    assert refused(world, "accept", case, "team4").status == 404  # not in its reach at all
    assert refused(world, "accept", case, "team3").status == 404


def test_review_close_archive_are_the_command_centres(world):
    case = report(world)
    for step in ("accept", "arrive", "handle"):
        case = take(world, step, case, "team1")
    assert refused(world, "review", case, "team1").status == 403


def test_a_step_from_the_wrong_state_is_a_conflict(world):
    case = report(world)
    error = refused(world, "handle", case, "team1")
    assert error.status == 409 and "needs one of on_scene" in error.detail


def test_a_stale_version_is_a_conflict(world):
    case = report(world)
    take(world, "accept", case, "team1")
    error = refused(world, "return", case, "team1", version=case.version)
    assert error.status == 409 and error.error == "conflict"


def test_steps_that_need_a_reason_refuse_without_one(world):
    error = refused(world, "return", report(world), "team1", note="")
    assert (error.status, error.parameter) == (400, "note")


def test_returned_case_is_transferred_and_the_new_team_accepts(world):
    case = take(world, "return", report(world), "team1", note="不属于本队职责")
    assert case.state == "returned"
    case = take(world, "transfer", case, "command", team_code="TSCJG", note="转市场监管")
    assert (case.state, case.team.code) == ("transferred", "TSCJG")
    case = take(world, "accept", case, "scjg")
    assert case.state == "accepted"
    assert case.events.get(kind="transfer").changes == {"team": {"from": "T990101001", "to": "TSCJG"}}


def test_transfer_to_an_unknown_team_is_refused(world):
    error = refused(world, "transfer", report(world), "command", team_code="NOPE")
    assert (error.status, error.parameter) == (400, "team")


def test_rejected_case_takes_no_more_steps(world):
    case = take(world, "reject", report(world), "command", note="重复上报")
    assert case.state == "rejected"
    assert allowed_steps(world.users["command"], case) == []


def test_review_can_send_the_case_back_to_the_team(world):
    case = report(world)
    for step in ("accept", "arrive", "handle"):
        case = take(world, step, case, "team1")
    case = take(world, "send_back", case, "command", note="现场未恢复")
    assert case.state == "accepted"


def test_supporting_department_reports_for_duty(world):
    case = report(world, item="I003")  # 1+N: STHJ acts, ZYGH supports
    case = take(world, "report_for_duty", case, "zygh", note="已派员")
    assert case.state == "assigned"
    assert case.supports.get(department__code="ZYGH").reported_at == NOW
    assert refused(world, "report_for_duty", case, "scjg").status == 404


def test_department_team_acts_on_a_whistle_case(world):
    case = take(world, "accept", report(world, item="I003"), "sthj")
    assert case.state == "accepted"


def test_allowed_steps_tell_a_client_which_buttons_to_show(world):
    case = report(world)
    assert allowed_steps(world.users["team1"], case) == ["accept", "return"]
    assert set(allowed_steps(world.users["command"], case)) == {"transfer", "reroute", "reject", "escalate"}


def test_every_step_is_declared_with_existing_states(world):
    states = {s for s, _ in Case._meta.get_field("state").choices}
    for step in STEPS.values():
        assert set(step.sources) <= states and (step.target is None or step.target in states)


def test_a_crash_inside_a_step_leaves_the_last_recorded_state(world, monkeypatch):
    case = report(world)
    events = CaseEvent.objects.count()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(loop, "append_event", crash)
    with pytest.raises(RuntimeError):
        take(world, "accept", case, "team1")
    case.refresh_from_db()
    assert (case.state, case.version, CaseEvent.objects.count()) == ("assigned", 1, events)


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_cannot_both_win(world):
    case = report(world)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(step):
        try:
            barrier.wait(5)
            take(world, step, case, "team1", now=NOW + timedelta(minutes=1))
            outcomes.append("won")
        except StepError as exc:
            outcomes.append(exc.status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(s,)) for s in ("accept", "return")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(outcomes, key=str) == [409, "won"]
    assert Case.objects.get(pk=case.pk).version == 2
    assert verify_case(Case.objects.get(pk=case.pk)) == []
