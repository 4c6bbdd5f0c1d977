"""A case's clock: its time limit, the time used, suspension (挂起), extension (延期) and the
督办 ladder (黄灯 / 红灯 / county).

The clock counts in the measure of the rule that applied (working or calendar time, see
enforcement/deadlines.py). It keeps the budget (the limit plus approved extensions), the
time used before the current run and when the current run began; `deadline` is derived
from them and is NULL while the clock is stopped, so that "open and past its deadline"
(every overdue query) leaves a suspended case out without knowing about suspension.

The ladder is data (settings.SUPERVISION_LADDER, "level:share,..."): each rung fires once,
when that share of the budget is used up. Rungs at a share of 1 or more escalate (督办):
the case's `escalated_at` is set and the event is an `escalate`; rungs below only warn.
`next_rung_at` holds the moment the next rung fires, so the clock job reads only the
cases that are due (an index, not a scan of every open case).

These functions only change the case object; the services save it and write the event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from gis_app.enforcement.deadlines import AppliedRule
from gis_app.enforcement.worktime import WorkCalendar, clock_add, clock_between

RUNG_LABELS = {"yellow": "黄灯", "red": "红灯", "county": "县级督办"}


@dataclass(frozen=True)
class Rung:
    level: str
    share: float

    @property
    def label(self) -> str:
        return RUNG_LABELS.get(self.level, self.level)

    @property
    def escalates(self) -> bool:
        return self.share >= 1.0


def parse_ladder(text: str) -> tuple[Rung, ...]:
    """"yellow:0.8,red:1.0,county:2.0" -> rungs in order of share."""
    rungs = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        level, _, share = part.partition(":")
        try:
            value = float(share)
        except ValueError as exc:
            raise ValueError(f"supervision ladder {part!r}: expected level:share, e.g. red:1.0") from exc
        if value <= 0 or not level.strip():
            raise ValueError(f"supervision ladder {part!r}: a level name and a share above 0")
        rungs.append(Rung(level.strip(), value))
    return tuple(sorted(rungs, key=lambda r: r.share))


def ladder() -> tuple[Rung, ...]:
    return parse_ladder(settings.SUPERVISION_LADDER)


def next_rung(rungs, level: str) -> Rung | None:
    """The first rung after `level` ('' = none fired yet)."""
    levels = [r.level for r in rungs]
    start = levels.index(level) + 1 if level in levels else 0
    return rungs[start] if start < len(rungs) else None


# --- the clock on a case -----------------------------------------------------------------------

def start(case, rule: AppliedRule, calendar: WorkCalendar, now: datetime) -> None:
    """Start the clock at intake with the rule that applied."""
    case.deadline_rule = rule.as_dict()
    case.clock_measure = rule.measure
    case.clock_budget_s = rule.budget_seconds
    case.clock_used_s = 0.0
    case.clock_resumed_at = now
    case.supervision_level = ""
    schedule(case, calendar)


def used(case, calendar: WorkCalendar, now: datetime) -> float:
    """Seconds of the budget used by `now` (in the clock's measure)."""
    running = 0.0
    if case.clock_resumed_at is not None:
        running = clock_between(calendar, case.clock_measure, case.clock_resumed_at, now)
    return case.clock_used_s + running


def is_running(case) -> bool:
    return case.clock_resumed_at is not None


def stop(case, calendar: WorkCalendar, now: datetime) -> None:
    """挂起: what was used so far is kept, the deadline goes (NULL: not overdue while stopped)."""
    case.clock_used_s = used(case, calendar, now)
    case.clock_resumed_at = None
    schedule(case, calendar)


def finish(case, calendar: WorkCalendar, now: datetime) -> None:
    """办结: the time used is final (on time = used within the budget); the deadline stays
    on the record as it was."""
    case.clock_used_s = used(case, calendar, now)
    case.clock_resumed_at = None
    case.next_rung_at = None


#: Seconds of float rounding a finished clock may be over its budget and still be on time.
ON_TIME_SLACK_S = 1e-6


def on_time(case) -> bool:
    """Finished within its time limit: the time used, in the clock's measure (pauses left out,
    extensions in the budget), at most the budget. `querysets.finished_on_time_q` is this rule
    as a filter, for counts; every "按期办结" figure is one of the two."""
    return case.clock_used_s <= case.clock_budget_s + ON_TIME_SLACK_S


def resume(case, calendar: WorkCalendar, now: datetime) -> None:
    case.clock_resumed_at = now
    schedule(case, calendar)


def extend(case, seconds: float, calendar: WorkCalendar) -> None:
    """延期: the budget grows; the deadline and the next rung move with it."""
    case.clock_budget_s += seconds
    schedule(case, calendar)


def schedule(case, calendar: WorkCalendar) -> None:
    """Derive the deadline and the moment of the next rung from the clock's state."""
    if case.clock_resumed_at is None:
        case.deadline = None
        case.next_rung_at = None
        return
    measure, begin = case.clock_measure, case.clock_resumed_at
    case.deadline = clock_add(calendar, measure, begin, max(0.0, case.clock_budget_s - case.clock_used_s))
    rung = next_rung(ladder(), case.supervision_level)
    case.next_rung_at = None if rung is None else clock_add(
        calendar, measure, begin, max(0.0, rung.share * case.clock_budget_s - case.clock_used_s))


def rungs_reached(case, calendar: WorkCalendar, now: datetime) -> list[Rung]:
    """The rungs after the case's current level whose share of the budget is used by `now`."""
    spent = used(case, calendar, now)
    out, level = [], case.supervision_level
    while (rung := next_rung(ladder(), level)) is not None and rung.share * case.clock_budget_s <= spent + 1e-6:
        out.append(rung)
        level = rung.level
    return out
