"""巡查规划 (/planner/): the planner's map. Draw patrol routes and areas and give each a team,
weekdays, a daily time window and validity dates (edit, delete); upload a team's GPX/CSV/GeoJSON
track and read its cleaning report; compare a plan with its team's tracks over a period (planned
route, walked tracks, planned grids missed); see each 1+X hub's covered grids coloured by the
minutes from the hub team's base, those beyond the response time marked, with speed, detour
factor and response time set on the page. Everything is read and written through the patrol
API (gis_app/patrols/views.py); the page only draws.
"""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from gis_app.incidents.access import PAGE_ROLES
from gis_app.pages.access import page_for
from gis_app.pages.nav import NavEntry, register
from gis_app.patrols.selectors import visible_teams



@page_for("planner")
def planner_page(request):
    teams = visible_teams(request.user).order_by("county__code", "code").values("code", "name")
    today = timezone.localdate()
    return render(request, "pages/planner.html", {
        "title": "巡查规划", "teams": list(teams), "today": today.isoformat(),
        "weekdays": list(enumerate(["一", "二", "三", "四", "五", "六", "日"], start=1)),
        "reach": {"speed_kmh": settings.PATROL_HUB_SPEED_KMH, "detour": settings.PATROL_HUB_DETOUR,
                  "max_minutes": settings.PATROL_HUB_MAX_MINUTES}})


register(NavEntry("巡查规划", "pages-planner", PAGE_ROLES["planner"], order=35))
