"""The case loop, one function per step (受理, 退回, 到场, 处置, 审核, 退回重办, 结案, 归档, 转办,
重新派遣, 驳回, 上报, 报到): each is one transition through `take`, which locks the case, checks
who may take the step in its state (workflow.py), makes the step's own change (`apply`),
moves the state and appends the audit event, all in one transaction, so a crash between
steps leaves the case exactly in its last recorded state.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.deadlines import county_calendar
from gis_app.enforcement.models import Team
from gis_app.incidents import clock
from gis_app.incidents.audit import append_event
from gis_app.incidents.case_routing import reroute
from gis_app.incidents.models import Case, CaseSupport, State
from gis_app.incidents.photos import check_count, files_removed_on_failure, record_evidence, store_photos
from gis_app.incidents.reporting import role_name, text_field
from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.workflow import STEPS, StepError, check_step


def take(step_name: str, *, case: Case, user, version, note: str = "", where=None, now=None,
          photos=(), apply=None) -> Case:
    """One step in one transaction: the case locked, checked, changed, its event appended.

    `photos` are (stage, photos.Photo) pairs already checked, stored with the step (处置's
    before/after photos) and recorded in an attachment event after the step's own.
    `apply(case, now, note)` makes a step's own change (the clock's and the border's steps)
    and returns what it changed, for the event.
    """
    step = STEPS[step_name]
    now = now or timezone.now()
    note = text_field(note, "note")
    photos = list(photos)
    if photos:
        check_count(len(photos))
    with files_removed_on_failure() as written, transaction.atomic():
        locked = visible_cases(user).select_for_update(of=("self",)).filter(pk=case.pk).first()
        if locked is None:
            raise StepError(404, "not_found", f"no case {case.pk} within this account's reach")
        case = locked
        check_step(step, user, case)
        if version is None:
            raise StepError(400, "bad_parameter", "version: required (the case version you acted "
                            "on, for optimistic locking)", parameter="version")
        if int(version) != case.version:
            raise StepError(409, "conflict", f"the case changed meanwhile (version {case.version}, "
                            f"you acted on {version}); reload it and decide again")
        if step.needs_note and not note:
            raise StepError(400, "bad_parameter", f"note: required for {step.name} ({step.label})",
                            parameter="note")
        before = case.state
        changes: dict = apply(case, now, note) if apply is not None else {}
        if step.target:
            case.state = step.target
        if case.state == State.CLOSED:
            case.closed_at = now
            clock.finish(case, county_calendar(case.county_id), now)
            changes["clock"] = {"used_seconds": round(case.clock_used_s, 3),
                                "budget_seconds": case.clock_budget_s, "on_time": clock.on_time(case)}
        case.version += 1
        case.updated_at = now
        case.save()
        append_event(case, kind=step_name, from_state=before, to_state=case.state, user=user,
                     role=role_name(user), at=now, where=where, changes=changes, note=note)
        store_photos(case, photos, user=user, written=written, now=now)
        record_evidence(case, user=user, role=role_name(user), now=now, photos=photos)
    return case


def _arrival(case: Case, where) -> dict:
    """到场: how far from the case the officer says they stand (metres on the spheroid, by
    PostGIS), flagged `far` beyond CASE_ARRIVAL_MAX_METRES; unknown when no position came."""
    limit = settings.CASE_ARRIVAL_MAX_METRES
    if where is None:
        return {"distance_m": None, "limit_m": limit, "far": None}
    distance = Case.objects.filter(pk=case.pk).annotate(
        d=Distance("location", where)).values_list("d", flat=True).get()
    metres = round(distance.m, 1)
    return {"distance_m": metres, "limit_m": limit, "far": metres > limit}


def _transfer_to(case: Case, team_code: str | None) -> dict:
    if not team_code:
        raise StepError(400, "bad_parameter", "team: required (the code of the team to transfer to)",
                        parameter="team")
    team = Team.objects.filter(county_id=case.county_id, code=team_code).first()
    if team is None:
        raise StepError(400, "bad_parameter", f"team: no team {team_code!r} in this county", parameter="team")
    before = case.team.code if case.team else None
    case.team = team
    return {"team": {"from": before, "to": team.code}}


def case_accept(*, case, user, version, note="", where=None, now=None):
    return take("accept", case=case, user=user, version=version, note=note, where=where, now=now)


def case_return(*, case, user, version, note="", where=None, now=None):
    return take("return", case=case, user=user, version=version, note=note, where=where, now=now)


def case_arrive(*, case, user, version, note="", where=None, now=None, photos=()):
    """到场: `where` is the phone's position; its distance from the case is recorded."""
    return take("arrive", case=case, user=user, version=version, note=note, where=where, now=now,
                photos=photos, apply=lambda c, at, _note: _arrival(c, where))


def case_handle(*, case, user, version, note="", where=None, now=None, photos=()):
    """处置: the note says what was done; `photos` are (before|after, Photo) pairs."""
    return take("handle", case=case, user=user, version=version, note=note, where=where, now=now,
                photos=photos)


def case_review(*, case, user, version, note="", where=None, now=None):
    return take("review", case=case, user=user, version=version, note=note, where=where, now=now)


def case_send_back(*, case, user, version, note="", where=None, now=None):
    return take("send_back", case=case, user=user, version=version, note=note, where=where, now=now)


def case_close(*, case, user, version, note="", where=None, now=None):
    return take("close", case=case, user=user, version=version, note=note, where=where, now=now)


def case_archive(*, case, user, version, note="", where=None, now=None):
    return take("archive", case=case, user=user, version=version, note=note, where=where, now=now)


def case_transfer(*, case, user, version, team_code, note="", where=None, now=None):
    """转办: to another team of the county, named by its code."""
    return take("transfer", case=case, user=user, version=version, note=note, where=where, now=now,
                apply=lambda c, at, _note: _transfer_to(c, team_code))


def case_reroute(*, case, user, version, note="", where=None, now=None):
    """重新派遣: the router asked again at the case's point (or footprint)."""
    return take("reroute", case=case, user=user, version=version, note=note, where=where, now=now,
                apply=lambda c, at, _note: reroute(c, at))


def case_reject(*, case, user, version, note="", where=None, now=None):
    return take("reject", case=case, user=user, version=version, note=note, where=where, now=now)


def case_escalate(*, case, user, version, note="", where=None, now=None):
    """上报: the first escalation's time is kept."""
    return take("escalate", case=case, user=user, version=version, note=note, where=where, now=now,
                apply=lambda c, at, _note: _escalated(c, at))


def _escalated(case: Case, now) -> dict:
    case.escalated_at = case.escalated_at or now
    return {"escalated_at": case.escalated_at.isoformat()}


def case_report_for_duty(*, case, user, version, note="", where=None, now=None):
    """报到: the user's department, summoned by a whistle, reports for duty."""
    return take("report_for_duty", case=case, user=user, version=version, note=note, where=where, now=now,
                apply=lambda c, at, _note: _reported_for_duty(c, user, at))


def _reported_for_duty(case: Case, user, now) -> dict:
    member = user.member
    CaseSupport.objects.filter(case=case, department_id=member.department_id,
                               reported_at__isnull=True).update(reported_at=now)
    return {"department": member.department.code}


STEP_FUNCTIONS = {
    "accept": case_accept, "return": case_return, "arrive": case_arrive, "handle": case_handle,
    "review": case_review, "send_back": case_send_back, "close": case_close, "archive": case_archive,
    "transfer": case_transfer, "reroute": case_reroute, "reject": case_reject,
    "escalate": case_escalate, "report_for_duty": case_report_for_duty,
}
