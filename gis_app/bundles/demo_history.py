"""The demo's finished work: cases reported over the last weeks and taken through the whole
loop (受理, 到场, 处置, 复核回访, 办结) by the real step functions, some within their time
limit and some after it.

Why: the demo's live cases are all open, so every on-time chart (按期办结率 on the 大屏,
按期处置率 on 考核) was empty and showed nothing of what the pages are for. Each step here is
incidents.loop's own service function at a past `now`, so the cases carry the audit trail,
clock and deadline a real case would; nothing is written around the services.

The acting team's officer is a demo account per team (`demo-<county>-<team>`, no usable
password: an actor on the record, not a login). Randomness is seeded, so two builds on the
same day make the same cases; a county gets this history once (when it has demo cases and no
closed case), so `load_demo` stays idempotent.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from gis_app.bundles import demo
from gis_app.enforcement.models import Member, Team
from gis_app.incidents import loop
from gis_app.incidents.models import DONE_STATES, Case, State

CLOSED_PER_COUNTY = 24
WEEKS = 6
LATE_SHARE = 0.3  # about three in ten closed after their deadline
HANDLE_NOTES = ("已到现场核实，当事人已整改完毕", "已责令当事人限期改正，复查合格", "已现场劝导并清理完毕",
                "已依法立案处理，现场恢复原状")
REVIEW_NOTES = ("回访群众，对处理结果满意", "复核现场，问题已解决", "电话回访，反映人认可处理结果")


def close_demo_history(seed: int = 7, count: int = CLOSED_PER_COUNTY) -> dict[str, int]:
    """Report `count` cases per demo county (one that has demo cases and no closed case) at
    dates spread over the last WEEKS weeks and close them through the loop. Returns the cases
    closed per county code."""
    rng = random.Random(seed)
    now = timezone.now()
    closed: dict[str, int] = {}
    for member in demo.demo_command_centres():
        county = member.county
        cases = Case.objects.filter(county=county)
        if county.code in closed or not cases.filter(description=demo.DEMO_CASE_DESCRIPTION).exists() \
                or cases.filter(state__in=DONE_STATES).exists():
            continue
        places = demo.demo_places(county)
        closed[county.code] = 0
        for _ in range(count):
            case = demo.report_demo_case(member, places, rng, now - timedelta(days=rng.uniform(2, WEEKS * 7)))
            if case is not None and _work_through(case, member.user, rng, now):
                closed[county.code] += 1
    return closed


def _work_through(case: Case, command, rng: random.Random, now: datetime) -> bool:
    """受理 -> 到场 -> 处置 -> 复核回访 -> 办结 at times inside the case's time limit, or with
    处置 after it for about LATE_SHARE of the cases (those whose limit ended long enough ago);
    False when no officer can act (a case at sea without a team)."""
    if case.team is None or case.state != State.ASSIGNED:
        return False
    officer = _officer(case.team)
    if officer is None:
        return False
    start, limit = case.created_at, case.deadline - case.created_at
    if rng.random() < LATE_SHARE and case.deadline + limit * 0.6 < now:
        handled = case.deadline + limit * rng.uniform(0.1, 0.5)
        closed = handled + limit * 0.1
    else:  # on time: done before the deadline, and before now when the deadline is still ahead
        end = min(case.deadline, now)
        handled = start + (end - start) * rng.uniform(0.3, 0.7)
        closed = handled + (end - handled) / 2
    times = [start + (handled - start) * f for f in (0.1, 0.3)] + [handled, handled + (closed - handled) / 2, closed]
    case = loop.case_accept(case=case, user=officer, version=case.version, now=times[0])
    case = loop.case_arrive(case=case, user=officer, version=case.version, where=case.location, now=times[1])
    case = loop.case_handle(case=case, user=officer, version=case.version, note=rng.choice(HANDLE_NOTES),
                            now=times[2])
    case = loop.case_review(case=case, user=command, version=case.version, note=rng.choice(REVIEW_NOTES),
                            now=times[3])
    loop.case_close(case=case, user=command, version=case.version, now=times[4])
    return True


def _officer(team: Team):
    """The team's demo officer, made once: a township team's member, or a member of the
    department a department's (or the marine) team belongs to; None for a team of neither."""
    if team.kind == Team.Kind.TOWNSHIP_TEAM:
        role, department = Member.Role.TOWNSHIP_TEAM, None
    elif team.department_id is not None:
        role, department = Member.Role.DEPARTMENT, team.department
    else:
        return None
    username = f"demo-{team.county.code}-{team.code}".lower()
    user, created = get_user_model().objects.get_or_create(username=username,
                                                           defaults={"first_name": f"{team.name}队员"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Member.objects.create(user=user, role=role, county_id=team.county_id, team=team, department=department)
    return user
