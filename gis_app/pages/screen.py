"""大屏 (/screen/): the command centre's wall screen at 1920x1080, no scrolling. Live counters
(reported today, open, overdue, 督办, closed on time this month), the map of open cases, the
overdue list, and charts of cases per township, item and month and of the on-time rate per
township and team. The page draws once and then reads /screen/data.json every
PAGES_SCREEN_REFRESH_SECONDS (a minute).

Counts come from the incidents app: `Case.objects.counted_for` (the county for the command
centre), `.with_overdue` and `statistics` (on-time = closed by the deadline).
"""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from gis_app.incidents.access import counts_whole_county
from gis_app.incidents.assessment import month_bounds
from gis_app.incidents.models import OPEN_STATES, Case
from gis_app.incidents.querysets import finished_on_time_q, overdue_q
from gis_app.incidents.selectors import statistics
from gis_app.pages import labels
from gis_app.pages.access import page_for
from gis_app.pages.context import county_name
from gis_app.pages.rows import time_left

MAP_LIMIT = 3000  # open cases drawn on the map (soonest deadline first)
OVERDUE_LIST = 12


def screen_data(user, now=None) -> dict:
    now = now or timezone.now()
    cases = Case.objects.counted_for(user).with_overdue(now)
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), datetime.min.time()))
    local = timezone.localtime(now)
    month_start, month_end = month_bounds(local.year, local.month)
    open_cases = cases.open()
    # The five counters in one pass over the cases (five COUNTs were five scans).
    counters = cases.aggregate(
        reported_today=Count("pk", filter=Q(created_at__gte=today)),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=overdue_q(now)),
        escalated=Count("pk", filter=Q(state__in=OPEN_STATES, escalated_at__isnull=False)),
        closed_on_time_month=Count("pk", filter=finished_on_time_q() & Q(closed_at__gte=month_start,
                                                                          closed_at__lt=month_end)),
    )
    overdue = (cases.filter(overdue=True).select_related("item", "township", "team")
               .order_by("deadline")[:OVERDUE_LIST])
    markers = (open_cases.select_related("item").order_by("deadline")
               .values("pk", "number", "item__name", "location", "overdue", "escalated_at")[:MAP_LIMIT])

    def chart(group: str) -> list[dict]:
        return [{"name": r["name"] or "（无）", "total": r["total"], "open": r["open"], "overdue": r["overdue"],
                 "rate": None if r["on_time_rate"] is None else round(r["on_time_rate"] * 100, 1)}
                for r in statistics(cases, group, now)]

    items = sorted(chart("item"), key=lambda r: -r["total"])[:10]
    return {
        "now": local.strftime("%Y-%m-%d %H:%M:%S"),
        "counters": counters,
        "overdue": [{"id": c.pk, "number": c.number, "item": c.item.name,
                     "township": c.township.name if c.township else "海上", "team": c.team.name if c.team else "",
                     "late": time_left(c, now), "escalated": c.escalated_at is not None} for c in overdue],
        "markers": [{"id": m["pk"], "number": m["number"], "item": m["item__name"],
                     "lon": round(m["location"].x, 6), "lat": round(m["location"].y, 6),
                     "overdue": m["overdue"], "escalated": m["escalated_at"] is not None} for m in markers],
        "townships": chart("township"), "teams": chart("team"), "items": items, "months": chart("month")[-12:],
        "state_labels": labels.STATE_LABELS,
    }


@page_for("screen")
def screen(request):
    return render(request, "pages/screen.html", {
        "title": "指挥大屏", "county": county_name(request.user),
        "refresh_seconds": settings.PAGES_SCREEN_REFRESH_SECONDS})


def cached_screen_data(user) -> dict:
    """The screen's data, shared for PAGES_SCREEN_CACHE_SECONDS by everyone who counts the
    same cases (a command centre counts its county): a wall of screens polling every minute
    costs one computation, not one per screen. Per worker (the process's cache)."""
    seconds = settings.PAGES_SCREEN_CACHE_SECONDS
    if seconds <= 0:
        return screen_data(user)
    scope = (f"county:{user.member.county_id}" if counts_whole_county(user) else f"user:{user.pk}")
    key = f"pages.screen:{scope}"
    data = cache.get(key)
    if data is None:
        data = screen_data(user)
        cache.set(key, data, seconds)
    return data


@page_for("screen")
def screen_json(request):
    response = JsonResponse(cached_screen_data(request.user), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response
