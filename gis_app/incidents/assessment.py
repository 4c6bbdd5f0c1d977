"""考核: figures per township, team, department and person for a period, from the case events.

The indicators follow digital city-management evaluation (GB/T 30428.4, CJ/T 292): how many
problems were reported, accepted, dispatched, handled, handled on time, overdue, reworked,
returned, rejected and escalated, with the on-time and rework rates. Every figure counts
*cases* (distinct) whose event of that kind happened inside the period [start, end), so a
month's figures do not change when later months are added:

- reported (上报): cases reported in the period;
- dispatched (派遣): cases routed, transferred or re-routed in the period;
- accepted (受理), handled (处置), reworked (复核不通过 / 返工), returned (退回),
  rejected (不予受理), escalated (督办), closed (办结): cases with that step in the period;
- handled on time (按期处置): cases handled in the period no later than their deadline;
- overdue (超期): cases whose deadline fell in the period (before now) and which had not
  been handled by then;
- on-time rate = handled on time / handled; rework rate = reworked / handled.

A case counts for the township, team and department it has now (transfers move it).
Persons count the steps they took themselves (accepted, arrived, handled, handled on time).

Composite for dispatched staff (派驻人员, the seeds' 双重管理: township 70 %, dispatching
department 30 %): a township team member who also belongs to a county department scores
ASSESSMENT_TOWNSHIP_WEIGHT x the township's score + ASSESSMENT_DEPARTMENT_WEIGHT x the
department's score, a unit's score being its on-time rate in percent.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from gis_app.enforcement.models import Member
from gis_app.incidents.models import Case, CaseEvent

GROUPS = {
    "township": ("township__code", "township__name"),
    "team": ("team__code", "team__name"),
    "department": ("department__code", "department__name"),
}
DISPATCH_KINDS = ("routed", "transfer", "reroute")
STEP_INDICATORS = {"accepted": ("accept",), "dispatched": DISPATCH_KINDS, "handled": ("handle",),
                   "reworked": ("send_back",), "returned": ("return",), "rejected": ("reject",),
                   "escalated": ("escalate",), "closed": ("close",)}
INDICATORS = ("reported", "dispatched", "accepted", "handled", "handled_on_time", "overdue", "reworked",
              "returned", "rejected", "escalated", "closed")


def _rates(row: dict) -> dict:
    handled = row["handled"]
    row["on_time_rate"] = round(row["handled_on_time"] / handled, 4) if handled else None
    row["rework_rate"] = round(row["reworked"] / handled, 4) if handled else None
    return row


def unit_figures(cases: QuerySet[Case], group_by: str, start: datetime, end: datetime, now: datetime) -> list[dict]:
    """One row per unit of `group_by` (township, team, department) with every indicator.

    Two grouped reads: the period's events (joined to their case for the unit) give the step
    indicators; the cases give reported and overdue. Neither joins every case to every event.
    """
    key, name = GROUPS[group_by]
    events = CaseEvent.objects.filter(case__in=cases.values("pk"), at__gte=start, at__lt=end)
    step_counts = {ind: Count("case", filter=Q(kind__in=kinds), distinct=True)
                   for ind, kinds in STEP_INDICATORS.items()}
    step_counts["handled_on_time"] = Count("case", filter=Q(kind="handle", at__lte=F("case__deadline")),
                                           distinct=True)
    by_unit: dict = {}
    for r in events.order_by().values(f"case__{key}", f"case__{name}").annotate(**step_counts):
        by_unit[r[f"case__{key}"]] = {"name": r[f"case__{name}"], **{k: r[k] for k in step_counts}}
    handled_by_deadline = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind="handle",
                                                          at__lte=OuterRef("deadline")))
    due_end = min(end, now)
    case_rows = (cases.filter(Q(created_at__gte=start, created_at__lt=end) | Q(deadline__gte=start, deadline__lt=due_end))
                 .order_by().values(key, name).annotate(
                     reported=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
                     overdue=Count("pk", filter=Q(deadline__gte=start, deadline__lt=due_end) & ~handled_by_deadline)))
    for r in case_rows:
        unit = by_unit.setdefault(r[key], {"name": r[name]})
        unit.update(reported=r["reported"], overdue=r["overdue"])
    out = []
    for code in sorted(by_unit, key=lambda c: (c is None, c or "")):
        unit = by_unit[code]
        row = {"code": code, "name": unit["name"] or "（无）", **{ind: unit.get(ind, 0) for ind in INDICATORS}}
        if any(row[ind] for ind in INDICATORS):
            out.append(_rates(row))
    return out


def person_figures(cases: QuerySet[Case], start: datetime, end: datetime, scores: dict) -> list[dict]:
    """One row per person who took a step on these cases in the period, with the composite
    for dispatched staff."""
    events = CaseEvent.objects.filter(case__in=cases.values("pk"), at__gte=start, at__lt=end,
                                      actor__isnull=False)
    rows = events.order_by().values("actor_id", "actor__username").annotate(
        accepted=Count("case", filter=Q(kind="accept"), distinct=True),
        arrived=Count("case", filter=Q(kind="arrive"), distinct=True),
        handled=Count("case", filter=Q(kind="handle"), distinct=True),
        handled_on_time=Count("case", filter=Q(kind="handle", at__lte=F("case__deadline")), distinct=True),
    ).order_by("actor__username")
    members = {m.user_id: m for m in Member.objects.filter(user_id__in=[r["actor_id"] for r in rows])
               .select_related("team__township", "department")}
    w_town, w_dept = settings.ASSESSMENT_TOWNSHIP_WEIGHT, settings.ASSESSMENT_DEPARTMENT_WEIGHT
    out = []
    for r in rows:
        member = members.get(r["actor_id"])
        township = member.team.township if member and member.team and member.team.township else None
        department = member.department if member and member.department_id else None
        row = {"username": r["actor__username"], "role": member.role if member else "",
               "township": township.name if township else "", "department": department.name if department else "",
               "accepted": r["accepted"], "arrived": r["arrived"], "handled": r["handled"],
               "handled_on_time": r["handled_on_time"],
               "on_time_rate": round(r["handled_on_time"] / r["handled"], 4) if r["handled"] else None,
               "township_score": None, "department_score": None, "composite": None}
        if township is not None and department is not None:  # dispatched staff: 双重管理
            t_score = scores["township"].get(township.code)
            d_score = scores["department"].get(department.code)
            row["township_score"], row["department_score"] = t_score, d_score
            if t_score is not None and d_score is not None:
                row["composite"] = round(w_town * t_score + w_dept * d_score, 2)
        out.append(row)
    return out


def unit_score(row: dict) -> float | None:
    """A unit's score: its on-time rate in percent (None when it handled nothing)."""
    return None if row["on_time_rate"] is None else round(100 * row["on_time_rate"], 2)


def assessment(cases: QuerySet[Case], start: datetime, end: datetime, now: datetime) -> dict:
    """Every table of the assessment for one period."""
    out = {group: unit_figures(cases, group, start, end, now) for group in GROUPS}
    for group in GROUPS:
        for row in out[group]:
            row["score"] = unit_score(row)
    scores = {group: {r["code"]: r["score"] for r in out[group]} for group in ("township", "department")}
    out["person"] = person_figures(cases, start, end, scores)
    out["weights"] = {"township": settings.ASSESSMENT_TOWNSHIP_WEIGHT,
                      "department": settings.ASSESSMENT_DEPARTMENT_WEIGHT}
    return out


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[first day 00:00, next month's first day 00:00) in the server's time zone (Asia/Shanghai)."""
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


class PeriodError(ValueError):
    def __init__(self, parameter: str, detail: str):
        super().__init__(detail)
        self.parameter, self.detail = parameter, detail


YEARS = (1970, 9998)  # a period outside these years is a typo (and year 0 or 9999 + 1 day cannot be dated)


def parse_period(params) -> tuple[datetime, datetime, str]:
    """-> (start, end, label); PeriodError naming the parameter."""
    month, first, last = (params.get(n, "").strip() for n in ("month", "from", "to"))
    if first or last:
        days = []
        for name, value in (("from", first), ("to", last)):
            try:
                day = parse_date(value)
            except ValueError:
                day = None
            if day is None:
                raise PeriodError(name, f"{name} 须为日期（例如 2026-12-01），收到：{value or '（空）'}")
            if not YEARS[0] <= day.year <= YEARS[1]:
                raise PeriodError(name, f"{name} 须在 {YEARS[0]}–{YEARS[1]} 年之间，收到：{value}")
            days.append(day)
        if days[0] > days[1]:
            raise PeriodError("from", "开始日期晚于结束日期")
        start = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))
        end = timezone.make_aware(datetime.combine(days[1] + timedelta(days=1), datetime.min.time()))
        return start, end, f"{days[0]:%Y-%m-%d} 至 {days[1]:%Y-%m-%d}"
    if month:
        found = re.fullmatch(r"(\d{4})-(\d{2})", month)
        if not found or not 1 <= int(found.group(2)) <= 12 or not YEARS[0] <= int(found.group(1)) <= YEARS[1]:
            raise PeriodError("month", f"month 须为 {YEARS[0]}–{YEARS[1]} 年间的年月（例如 2026-12），收到：{month}")
        year, number = int(found.group(1)), int(found.group(2))
    else:
        today = timezone.localdate()
        year, number = today.year, today.month
    start, end = month_bounds(year, number)
    return start, end, f"{year}年{number}月"
