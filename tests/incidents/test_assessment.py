"""考核 figures equal counts computed independently, in Python, from the case events; the
period bounds what counts; dispatched staff get the 70/30 composite from settings."""
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from gis_app.incidents import loop, supervision, workflow
from gis_app.incidents.assessment import INDICATORS, assessment
from gis_app.incidents.models import Case, CaseEvent
from gis_app.incidents.selectors import statistics_cases
from tests.layers.conftest import _report
from tests.pages.world import build_pages_world
from tests.users import make_user

NOW = timezone.now().replace(microsecond=0)


def _steps(case, user, *names, at):
    for i, name in enumerate(names):
        case = loop.STEP_FUNCTIONS[name](case=case, user=user, version=case.version,
                                             note="说明" if workflow.STEPS[name].needs_note else "",
                                             now=at + timedelta(minutes=10 * i))
    return case


@pytest.fixture
def world(db):
    w = build_pages_world()
    t1 = w.t.townships[0]
    team, command = w.users["team"], w.users["command"]
    w.users["dispatched"] = make_user("dispatched", "township_team", w.t.county, team=w.t.teams[t1.code],
                                      department=w.t.departments["ZHZF"])
    day = timedelta(days=1)
    on_time = _report(command, 120.031, 30.011, now=NOW - 5 * day)
    _steps(on_time, w.users["dispatched"], "accept", "arrive", "handle", at=NOW - 5 * day + timedelta(hours=1))
    _steps(Case.objects.get(pk=on_time.pk), command, "review", "close", at=NOW - 4 * day)
    late = _report(command, 120.033, 30.013, now=NOW - 4 * day)
    _steps(late, team, "accept", "arrive", at=NOW - 4 * day + timedelta(hours=1))
    _steps(Case.objects.get(pk=late.pk), team, "handle", at=NOW - 2 * day)
    _steps(Case.objects.get(pk=late.pk), command, "send_back", at=NOW - 2 * day + timedelta(hours=1))
    _report(command, 120.035, 30.015, now=NOW - 3 * day)  # never handled: overdue
    supervision.escalate_overdue(now=NOW - day)
    rejected = _report(command, 120.036, 30.016, now=NOW - timedelta(hours=5))
    _steps(rejected, command, "reject", at=NOW - timedelta(hours=4))
    return w


def independent(cases, start, end, now):
    """Per township code: every indicator from the event rows, counted in Python."""
    events = defaultdict(list)
    for e in CaseEvent.objects.filter(case__in=cases).values("case_id", "kind", "at"):
        events[e["case_id"]].append(e)
    kinds = {"accepted": {"accept"}, "dispatched": {"routed", "transfer", "reroute"}, "handled": {"handle"},
             "reworked": {"send_back"}, "returned": {"return"}, "rejected": {"reject"},
             "escalated": {"escalate"}, "closed": {"close"}}
    out = defaultdict(lambda: dict.fromkeys(INDICATORS, 0))
    for case in cases.select_related("township"):
        row = out[case.township.code if case.township else None]
        mine = events[case.pk]
        within = [e for e in mine if start <= e["at"] < end]
        row["reported"] += start <= case.created_at < end
        for name, wanted in kinds.items():
            row[name] += any(e["kind"] in wanted for e in within)
        row["handled_on_time"] += any(e["kind"] == "handle" and e["at"] <= case.deadline for e in within)
        handled_in_time = any(e["kind"] == "handle" and e["at"] <= case.deadline for e in mine)
        row["overdue"] += start <= case.deadline < min(end, now) and not handled_in_time
    return {code: row for code, row in out.items() if any(row.values())}


@pytest.mark.parametrize("days_back, days_long", [(30, 31), (3, 2), (1, 1)])
def test_township_figures_equal_counts_from_the_events(world, days_back, days_long):
    start = NOW - timedelta(days=days_back)
    end = start + timedelta(days=days_long)
    cases = statistics_cases(world.users["command"])
    figures = assessment(cases, start, end, NOW)["township"]
    got = {r["code"]: {k: r[k] for k in INDICATORS} for r in figures}
    assert got == independent(cases, start, end, NOW)


def test_the_month_has_each_kind_of_figure(world):
    start, end = NOW - timedelta(days=30), NOW + timedelta(seconds=1)
    row = next(r for r in assessment(statistics_cases(world.users["command"]), start, end, NOW)["township"]
               if r["code"] == world.t.townships[0].code)
    assert row["handled"] == 2 and row["handled_on_time"] == 1 and row["reworked"] == 1
    assert row["on_time_rate"] == 0.5 and row["rework_rate"] == 0.5 and row["score"] == 50.0
    assert row["rejected"] == 1 and row["escalated"] >= 1 and row["overdue"] >= 2


def test_dispatched_staff_score_is_70_township_30_department(world, settings):
    start, end = NOW - timedelta(days=30), NOW + timedelta(seconds=1)
    data = assessment(statistics_cases(world.users["command"]), start, end, NOW)
    person = next(p for p in data["person"] if p["username"] == "dispatched")
    town = next(r["score"] for r in data["township"] if r["code"] == world.t.townships[0].code)
    dept = next(r["score"] for r in data["department"] if r["code"] == "ZHZF")
    assert person["composite"] == round(0.7 * town + 0.3 * dept, 2)
    settings.ASSESSMENT_TOWNSHIP_WEIGHT, settings.ASSESSMENT_DEPARTMENT_WEIGHT = 0.5, 0.5
    again = assessment(statistics_cases(world.users["command"]), start, end, NOW)
    assert next(p for p in again["person"] if p["username"] == "dispatched")["composite"] == round(0.5 * town + 0.5 * dept, 2)


def test_person_counts_only_their_own_steps(world):
    start, end = NOW - timedelta(days=30), NOW + timedelta(seconds=1)
    persons = {p["username"]: p for p in assessment(statistics_cases(world.users["command"]), start, end, NOW)["person"]}
    assert (persons["team"]["accepted"], persons["team"]["handled"], persons["team"]["handled_on_time"]) == (1, 1, 0)
    assert (persons["dispatched"]["handled"], persons["dispatched"]["handled_on_time"]) == (1, 1)
    assert persons["team"]["composite"] is None  # not dispatched: no department
