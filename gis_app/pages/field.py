"""Phone pages for the field (`/field/...`): grid members report, teams take their cases.

- `/field/report/`: 网格员上报 (the grid member's home): item, position, description, photos,
  preview of the router's decision; kept on the phone when there is no signal;
- `/field/reports/`: 我的上报, what waits on the phone and each sent report's state;
- `/field/inbox/`: 队员待办, the team's cases by deadline with the distance to each;
- `/field/cases/<pk>/`: one case with the steps the member may take (受理, 退回, 到场, 处置, 部门报到);
- `/field/data/report.json`: the catalogue and the member's grids for the report page;
- `/field/sw.js`: the service worker (scope /field/) that keeps all of it for offline use;
- `/field/csrf/`: a fresh CSRF token for a page that the service worker served from its cache.

The pages are thin templates; their data comes from the API (with the session) and from
`field_data`. Who may open which page is decided here by role; what a member may see and do
on a case is decided by the API (visible_cases, allowed_steps).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.access import PAGE_ROLES
from gis_app.pages import labels
from gis_app.pages.access import page_for
from gis_app.pages.field_data import report_data
from gis_app.pages.nav import NavEntry, register, role_of

REPORTERS, TEAMS = PAGE_ROLES["field_report"], PAGE_ROLES["field_inbox"]
STATIC = Path(__file__).resolve().parent / "static" / "field"
LEAFLET = ["vendor/leaflet/leaflet.js", "layers/metric-scale.js", "vendor/leaflet/leaflet.css",
           "vendor/leaflet/images/marker-icon.png", "vendor/leaflet/images/marker-icon-2x.png",
           "vendor/leaflet/images/marker-shadow.png"]
ASSETS = {"grid_member": ["pages/pages.css", "field/field.css", "field/common.js", "field/photos.js",
                          "field/outbox.js", "field/report.js", "field/reports.js", *LEAFLET],
          "team": ["pages/pages.css", "field/field.css", "field/common.js", "field/photos.js",
                   "field/inbox.js", "field/case.js"]}
# Pages and the data they read (a cached list answers later queries of the same path too).
PAGES = {"grid_member": ["/field/report/", "/field/reports/", "/field/data/report.json",
                         "/api/cases/?limit=50&geometry=none"],
         "team": ["/field/inbox/", "/api/cases/inbox/"]}

register(NavEntry("上报", "field-report", REPORTERS, order=10))
register(NavEntry("我的上报", "field-reports", REPORTERS, order=12))
register(NavEntry("待办案件", "field-inbox", TEAMS, order=15))


def _page(request, template, **context):
    return render(request, template, {"basemap": settings.MAP_BASEMAP_URL, **context})


@require_GET
@page_for("field_report")
def report(request):
    return _page(request, "pages/field/report.html", mode_labels=labels.MODE_LABELS)


@require_GET
@page_for("field_report")
def reports(request):
    return _page(request, "pages/field/reports.html")


@require_GET
@page_for("field_inbox")
def inbox(request):
    return _page(request, "pages/field/inbox.html")


@require_GET
@page_for("field_inbox")
def case(request, pk: int):
    if not visible_cases(request.user).filter(pk=pk).exists():
        raise Http404("no such case within this account's reach")
    return _page(request, "pages/field/case.html", case_id=pk, machine_words=labels.MACHINE_WORDS)


@require_GET
@page_for("field_report")
def report_json(request):
    return JsonResponse(report_data(request.user.member), json_dumps_params={"ensure_ascii": False})


@require_GET
def csrf(request):
    return JsonResponse({"token": get_token(request)})


def _version(user, kind: str) -> str:
    """Changes with the field assets and with who is logged in, so a new version of either
    replaces the phone's cache."""
    digest = hashlib.sha256(f"{user.pk}:{kind}".encode())
    for path in sorted(STATIC.glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request):
    kind = ""
    if request.user.is_authenticated:
        role = role_of(request.user)
        kind = "grid_member" if role in REPORTERS else ("team" if role in TEAMS else "")
    precache = [*PAGES.get(kind, []), *(static(a) for a in ASSETS.get(kind, []))]
    body = render_to_string("pages/field/sw.js", {"version": _version(request.user, kind),
                                                  "precache": json.dumps(precache)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/field/"
    return response
