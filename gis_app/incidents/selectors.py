"""Reads of cases that others reuse: whose cases a user may see, overdue, statistics.

Reach per role is decided in gis_app/incidents/access.py and applied by
`Case.objects.visible_to(user)`; these names stay for the callers that read them.
"""
from __future__ import annotations

from django.contrib.gis.db.models.functions import Distance
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gis_app.incidents import access
from gis_app.incidents.models import DONE_STATES, OPEN_STATES, Case, CaseSupport
from gis_app.incidents.querysets import finished_on_time_q, overdue_q


def visible_cases(user) -> QuerySet[Case]:
    """The cases `user` may see (the rule: gis_app/incidents/access.py)."""
    return Case.objects.visible_to(user)


def with_overdue(cases: QuerySet[Case], now=None) -> QuerySet[Case]:
    """`cases` with an `overdue` boolean: open and past the deadline at `now`."""
    return cases.with_overdue(now)


def statistics_cases(user) -> QuerySet[Case]:
    """The cases `user`'s statistics count (planners and command centres: the whole county)."""
    return Case.objects.counted_for(user)


GROUPINGS = {
    "township": ("township__code", "township__name"),
    "team": ("team__code", "team__name"),
    "department": ("department__code", "department__name"),
    "item": ("item__code", "item__name"),
    "whistle_kind": ("whistle_kind", None),
    "month": ("month", None),
    "deadline_rule": ("deadline_rule__key", "deadline_rule__text"),
}


#: The columns of a statistics row after the grouping value, in order (tables, CSV, XLSX).
STATISTICS_COLUMNS = ("name", "total", "open", "finished", "on_time", "overdue", "escalated", "rejected",
                      "on_time_rate")


def statistics(cases: QuerySet[Case], group_by: str, now=None) -> list[dict]:
    """Counts and on-time rate per group. On time = closed (or archived) by its deadline,
    the deadline of the rule that applied to the case (its deadlines row or the whistle
    default, moved by approved extensions and suspensions; group by `deadline_rule` to see
    each rule's record); the rate is over finished cases, so open ones do not drag it down."""
    now = now or timezone.now()
    key, label = GROUPINGS[group_by]
    if group_by == "month":
        cases = cases.annotate(month=TruncMonth("created_at"))
    fields = [key] + ([label] if label else [])
    # One row per case: the groupings are to-one relations and the visibility filters are
    # subqueries (incidents/access.py), so plain counts are exact; DISTINCT cost a sort per
    # aggregate per group (the screen's charts took seconds at 100,000 cases).
    rows = (cases.order_by().values(*fields).annotate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        finished=Count("pk", filter=Q(state__in=DONE_STATES)),
        on_time=Count("pk", filter=finished_on_time_q()),
        overdue=Count("pk", filter=overdue_q(now)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        rejected=Count("pk", filter=Q(state="rejected")),
    ).order_by(key))
    out = []
    for row in rows:
        value = row[key]
        if group_by == "month" and value is not None:
            value = timezone.localtime(value).strftime("%Y-%m")
        out.append({
            group_by: value, "name": row[label] if label else value,
            "total": row["total"], "open": row["open"], "finished": row["finished"],
            "on_time": row["on_time"], "overdue": row["overdue"], "escalated": row["escalated"],
            "rejected": row["rejected"],
            "on_time_rate": round(row["on_time"] / row["finished"], 4) if row["finished"] else None,
        })
    return out


# States in which a team still has something to do on a case (its phone inbox).
INBOX_STATES = ("assigned", "transferred", "accepted", "on_scene")


def team_inbox(user, near=None) -> QuerySet[Case]:
    """A team member's inbox: the open cases their team acts on (workflow.acts_for_team, as a
    query) and, for a department member, cases their department supports and has not yet
    reported for duty on (部门报到); soonest deadline first. With `near` (a WGS84 Point,
    where the member stands) each case carries `distance` (metres on the spheroid, PostGIS)."""
    member = getattr(user, "member", None)
    if member is None or member.role not in access.TEAM_ACTORS:
        return Case.objects.none()
    acting = Q(team_id=member.team_id) if member.team_id else Q(pk__in=[])
    if member.role == access.Role.DEPARTMENT and member.department_id:
        acting |= Q(team__department_id=member.department_id)
        waiting = CaseSupport.objects.filter(department_id=member.department_id, reported_at__isnull=True)
        acting |= Q(pk__in=waiting.values("case_id"))
    cases = visible_cases(user).filter(acting, state__in=INBOX_STATES)
    if near is not None:
        cases = cases.annotate(distance=Distance("location", near))
    return cases.order_by("deadline", "id")


def recent_item_codes(user, limit: int = 8) -> list[str]:
    """The catalogue items `user` reported most recently, newest first (offered first when
    they report again)."""
    rows = (Case.objects.filter(reporter=user).order_by().values("item__code")
            .annotate(last=Max("created_at")).order_by("-last")[:limit])
    return [row["item__code"] for row in rows]
