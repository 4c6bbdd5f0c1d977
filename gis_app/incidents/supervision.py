"""The clock's steps and 督办: suspension (挂起), extension (延期), and the ladder.

One function per transition, each through `loop.take` (one transaction, the case
locked, whose job and which state checked, the audit event written):
- `case_suspend_request` (the acting team, with a reason) -> `case_suspend_approve` (the
  command centre: the clock stops) -> `case_resume` (the command centre: it runs again);
- `case_extend_request` (the acting team: how much more time, and why) ->
  `case_extend_approve` (the command centre: the budget grows, the deadline moves);
- `case_request_refuse` (the command centre, with a reason): the request is dropped.

`escalate_overdue(now=)` is the clock job (cron): it fires every rung of the ladder that a
case has reached by `now` (injected, never slept), one event per rung.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from gis_app.enforcement.deadlines import county_calendar
from gis_app.incidents import clock
from gis_app.incidents.audit import append_event
from gis_app.incidents.models import OPEN_STATES, Case
from gis_app.incidents.loop import take
from gis_app.incidents.workflow import StepError

AMOUNT_UNITS = ("hours", "days")
MAX_EXTENSION_DAYS = 365


def _iso(value):
    return value.isoformat() if value else None


def _clock_changes(case) -> dict:
    return {"deadline": _iso(case.deadline), "budget_seconds": case.clock_budget_s,
            "used_seconds": round(case.clock_used_s, 3), "running": clock.is_running(case)}


def parse_amount(amount, unit) -> tuple[float, str]:
    """An extension as asked: a positive number of hours or days of the case's own measure."""
    unit = (unit or "hours").strip()
    if unit not in AMOUNT_UNITS:
        raise StepError(400, "bad_parameter", f"unit: one of {', '.join(AMOUNT_UNITS)}", parameter="unit")
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise StepError(400, "bad_parameter", "amount: required, a number of hours or days",
                        parameter="amount") from None
    days = value / 24 if unit == "hours" else value
    if not (value > 0) or days > MAX_EXTENSION_DAYS:
        raise StepError(400, "bad_parameter", f"amount: above 0 and at most {MAX_EXTENSION_DAYS} days",
                        parameter="amount")
    return value, unit


def extension_seconds(case, amount: float, unit: str, calendar) -> float:
    """Days are working days on a working-time clock, calendar days otherwise."""
    if unit == "hours":
        return amount * 3600.0
    per_day = calendar.day_seconds if case.clock_measure == "working" else 86400.0
    return amount * per_day


def case_suspend_request(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        case.clock_request = {"kind": "suspend", "reason": note, "by": user.username, "at": now.isoformat()}
        return {"request": case.clock_request}
    return take("suspend_request", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


def case_suspend_approve(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        request, case.clock_request = case.clock_request, {}
        clock.stop(case, county_calendar(case.county_id), now)
        return {"request": request, "clock": _clock_changes(case)}
    return take("suspend_approve", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


def case_resume(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        clock.resume(case, county_calendar(case.county_id), now)
        return {"clock": _clock_changes(case)}
    return take("resume", case=case, user=user, version=version, note=note, where=where, now=now,
                 apply=apply)


def case_extend_request(*, case, user, version, note="", where=None, now=None, amount=None, unit=None):
    value, unit = parse_amount(amount, unit)

    def apply(case, now, note):
        case.clock_request = {"kind": "extend", "amount": value, "unit": unit, "reason": note,
                              "by": user.username, "at": now.isoformat()}
        return {"request": case.clock_request}
    return take("extend_request", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


def case_extend_approve(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        request, case.clock_request = case.clock_request, {}
        calendar = county_calendar(case.county_id)
        before = _iso(case.deadline)
        clock.extend(case, extension_seconds(case, request["amount"], request["unit"], calendar), calendar)
        return {"request": request, "deadline": {"from": before, "to": _iso(case.deadline)},
                "clock": _clock_changes(case)}
    return take("extend_approve", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


def case_request_refuse(*, case, user, version, note="", where=None, now=None):
    def apply(case, now, note):
        request, case.clock_request = case.clock_request, {}
        return {"request": request}
    return take("request_refuse", case=case, user=user, version=version, note=note, where=where,
                 now=now, apply=apply)


STEP_FUNCTIONS = {
    "suspend_request": case_suspend_request, "suspend_approve": case_suspend_approve,
    "resume": case_resume, "extend_request": case_extend_request,
    "extend_approve": case_extend_approve, "request_refuse": case_request_refuse,
}


# --- the ladder --------------------------------------------------------------------------------

def supervise(*, now=None) -> list[tuple[Case, list[clock.Rung]]]:
    """Fire every rung each open case has reached by `now`; (case, rungs fired) per case.

    Each case in its own transaction, so one failure does not hold back the others.
    """
    now = now or timezone.now()
    due = Case.objects.filter(state__in=OPEN_STATES, next_rung_at__lte=now).order_by("pk")
    fired = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk, state__in=OPEN_STATES).first()
            if case is None or case.next_rung_at is None or case.next_rung_at > now:
                continue
            calendar = county_calendar(case.county_id)
            rungs = clock.rungs_reached(case, calendar, now)
            for rung in rungs:
                _fire(case, rung, now)
            clock.schedule(case, calendar)
            case.version += 1
            case.updated_at = now
            case.save(update_fields=["escalated_at", "supervision_level", "next_rung_at", "deadline",
                                     "version", "updated_at"])
            if rungs:
                fired.append((case, rungs))
    return fired


def _fire(case, rung: clock.Rung, now) -> None:
    changes = {"rung": rung.level, "label": rung.label, "share": rung.share,
               "deadline": _iso(case.deadline), "rule": case.deadline_rule.get("text")}
    if rung.escalates:
        case.escalated_at = case.escalated_at or now
        changes["overdue_seconds"] = int((now - case.deadline).total_seconds()) if case.deadline else None
        note = (f"{rung.label}: overdue, escalated to the county command centre" if rung.share <= 1.0 else
                f"{rung.label}: overdue by {rung.share - 1:g}x the limit, escalated to the county")
    else:
        note = f"{rung.label}: {rung.share:.0%} of the time limit used"
    case.supervision_level = rung.level
    append_event(case, kind="escalate" if rung.escalates else "warn", from_state=case.state,
                 to_state=case.state, user=None, role="clock", at=now, changes=changes, note=note)


def escalate_overdue(*, now=None) -> list[Case]:
    """督办: run the ladder; the cases escalated by it (warnings alone are not escalations)."""
    return [case for case, rungs in supervise(now=now) if any(r.escalates for r in rungs)]
