"""Open311 GeoReport v2 at /open311/v2/: report intake from other systems.

- `services.{json|xml}`: the catalogue items of a jurisdiction (county) as services;
- `services/{code}.{json|xml}`: a service's definition (no extra attributes: metadata false);
- `POST requests.{json|xml}`: service_code, lat, long (WGS84), description, api_key (a
  user's API token), media_url (fetched from CASE_MEDIA_HOSTS, otherwise kept as a link)
  -> the case, routed at once;
- `GET requests.{json|xml}` and `requests/{id}.{json|xml}`: status open/closed, and
  `agency_responsible` = the acting team's name and code.
`jurisdiction_id` is a county code; it may be left out when the key's user (or the server)
has one county. Errors are the spec's list of {code, description}, in the asked format.

The key: in the `X-Api-Key` header (or `Authorization: Token KEY`), which keeps it out of
URLs; the GeoReport v2 form (`api_key` as a form field or query parameter) is still accepted
for compatible clients, and the access log masks it (gis_app/access_log.py).
"""
from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from boundaries.crs import CRS, WGS84
from boundaries.models import County
from gis_app.enforcement.models import CatalogItem
from gis_app.enforcement.routing import Refused
from gis_app.incidents.intake import report_with_media
from gis_app.incidents.models import OPEN_STATES, Case
from gis_app.incidents.selectors import visible_cases
from gis_app.incidents.workflow import StepError
from gis_app.web.auth import ReadOnlyToken, user_for_key
from gis_app.web.errors import BadParameter
from gis_app.web.params import check_date_range, number_value
from gis_app.web.points import make_point
from gis_app.web.refusal_text import localize, wants_english

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def render(fmt: str, root: str, item: str, rows, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for row in rows:
            el = ET.SubElement(top, item)
            for key, value in row.items():
                child = ET.SubElement(el, key)
                if isinstance(value, list):
                    for v in value:
                        ET.SubElement(child, "keyword" if key == "keywords" else "value").text = str(v)
                elif value is not None:
                    child.text = str(value).lower() if isinstance(value, bool) else str(value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(list(rows), safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, exc: Open311Error, request=None) -> HttpResponse:
    """Open311's own error list; the description in Chinese unless `Accept-Language: en`."""
    description = exc.description
    if not wants_english(request):
        description = localize({"error": "error", "detail": description}, False)["detail"]
    return render(fmt, "errors", "error", [{"code": exc.status, "description": description}], exc.status)


def _user(request, data):
    header = request.headers.get("Authorization", "")
    key = (request.headers.get("X-Api-Key")
           or (header[6:].strip() if header[:6].lower() == "token " else "")
           or data.get("api_key") or request.GET.get("api_key"))
    if not key:
        return None
    try:
        user = user_for_key(key, request.method)
    except ReadOnlyToken as exc:
        raise Open311Error(403, str(exc.detail)) from None
    if user is None:
        raise Open311Error(403, "api_key: not a valid key")
    return user


def _jurisdiction(request, data, user) -> County:
    code = data.get("jurisdiction_id") or request.GET.get("jurisdiction_id")
    member = getattr(user, "member", None) if user else None
    if code:
        county = County.objects.filter(code=code).first()
        if county is None:
            raise Open311Error(404, f"jurisdiction_id: no jurisdiction {code!r}")
        if member is not None and member.county_id != county.pk:
            raise Open311Error(403, f"jurisdiction_id: this api_key acts in {member.county.code}, not {code}")
        return county
    if member is not None:
        return member.county
    counties = list(County.objects.all()[:2])
    if len(counties) == 1:
        return counties[0]
    raise Open311Error(400, "jurisdiction_id: required (this server holds several counties)")


def service_row(item: CatalogItem) -> dict:
    return {"service_code": item.code, "service_name": item.name,
            "description": f"{item.get_action_type_display()}: {item.legal_basis}".strip(": "),
            "metadata": False, "type": "realtime", "keywords": [item.domain, item.get_whistle_kind_display()],
            "group": item.domain}


def request_row(case: Case) -> dict:
    team = case.team
    return {
        "service_request_id": case.number,
        "status": "open" if case.state in OPEN_STATES else "closed",
        "status_notes": case.get_state_display(),
        "service_name": case.item.name, "service_code": case.item.code,
        "description": case.description,
        "agency_responsible": f"{team.name} ({team.code})" if team else None,
        "service_notice": f"in the name of {case.subject.get('name', '')}; deadline " + (
            f"{timezone.localtime(case.deadline):%Y-%m-%d %H:%M}" if case.deadline else "suspended (挂起)"),
        "requested_datetime": timezone.localtime(case.created_at).isoformat(),
        "updated_datetime": timezone.localtime(case.updated_at).isoformat(),
        "expected_datetime": timezone.localtime(case.deadline).isoformat() if case.deadline else None,
        "address": case.grid.name if case.grid else (case.township.name if case.township else ""),
        "lat": case.location.y, "long": case.location.x,
    }


def services_list(request, fmt):
    try:
        county = _jurisdiction(request, request.GET, _user(request, request.GET))
    except Open311Error as exc:
        return error(fmt, exc, request)
    items = CatalogItem.objects.filter(county=county).order_by("code")
    return render(fmt, "services", "service", [service_row(i) for i in items])


def service_definition(request, code, fmt):
    try:
        county = _jurisdiction(request, request.GET, _user(request, request.GET))
        item = CatalogItem.objects.filter(county=county, code=code).first()
        if item is None:
            raise Open311Error(404, f"service_code: no service {code!r} in jurisdiction {county.code}")
    except Open311Error as exc:
        return error(fmt, exc, request)
    row = {"service_code": item.code, "attributes": []}
    return render(fmt, "service_definition", "service", [row]) if fmt == "xml" else JsonResponse(row)


@csrf_exempt
def requests_view(request, fmt):
    try:
        if request.method == "POST":
            return _post_request(request, fmt)
        if request.method == "GET":
            return _get_requests(request, fmt)
        raise Open311Error(405, f"{request.method} is not supported here")
    except Open311Error as exc:
        return error(fmt, exc, request)


def _post_request(request, fmt):
    data = request.POST
    user = _user(request, data)
    if user is None:
        raise Open311Error(401, "api_key: required to submit a request")
    county = _jurisdiction(request, data, user)
    code = data.get("service_code")
    if not code:
        raise Open311Error(400, "service_code: required")
    if not CatalogItem.objects.filter(county=county, code=code).exists():
        raise Open311Error(400, f"service_code: no service {code!r} in jurisdiction {county.code}")
    try:
        # GeoReport v2 coordinates are WGS84.
        query = make_point(number_value(data.get("long"), "long"), number_value(data.get("lat"), "lat"),
                           CRS(WGS84), names=("long", "lat"))
        description = data.get("description") or data.get("address_string") or ""
        media = [u for u in data.getlist("media_url") if u.strip()]
        case = report_with_media(user=user, query=query, item_code=code, description=description,
                                 media=media, source=Case.Source.OPEN311).case
    except BadParameter as exc:
        raise Open311Error(400, exc.detail) from None
    except Refused as exc:
        refusal = exc.refusal
        raise Open311Error(refusal.status, refusal.detail) from None
    except StepError as exc:
        raise Open311Error(exc.status, exc.detail) from None
    row = {"service_request_id": case.number, "service_notice": request_row(case)["service_notice"],
           "account_id": None}
    return render(fmt, "service_requests", "request", [row], status=201)


def _get_requests(request, fmt):
    user = _user(request, request.GET)
    if user is None:
        raise Open311Error(401, "api_key: required to read requests")
    cases = visible_cases(user).select_related("item", "team", "grid", "township").order_by("-created_at")
    ids = request.GET.get("service_request_id")
    if ids:
        cases = cases.filter(number__in=[i.strip() for i in ids.split(",") if i.strip()])
    else:
        start = _when(request, "start_date")
        end = _when(request, "end_date") or timezone.now()
        cases = cases.filter(created_at__gte=start or end - DEFAULT_WINDOW, created_at__lte=end)
        if request.GET.get("service_code"):
            cases = cases.filter(item__code__in=request.GET["service_code"].split(","))
        wanted = request.GET.get("status")
        if wanted:
            states = set(wanted.split(","))
            if not states <= {"open", "closed"}:
                raise Open311Error(400, "status: open, closed or both (comma-separated)")
            if states == {"open"}:
                cases = cases.filter(state__in=OPEN_STATES)
            elif states == {"closed"}:
                cases = cases.exclude(state__in=OPEN_STATES)
    return render(fmt, "service_requests", "request", [request_row(c) for c in cases[:MAX_REQUESTS]])


def _when(request, name):
    value = request.GET.get(name)
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise Open311Error(400, f"{name}: {value!r} is not a W3C (ISO 8601) date-time")
    try:
        check_date_range(name, moment)
    except BadParameter as exc:
        raise Open311Error(400, exc.detail) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def request_detail(request, number, fmt):
    try:
        user = _user(request, request.GET)
        if user is None:
            raise Open311Error(401, "api_key: required to read requests")
        case = visible_cases(user).select_related("item", "team", "grid", "township").filter(number=number).first()
        if case is None:
            raise Open311Error(404, f"service_request_id: no request {number!r} within this key's reach")
    except Open311Error as exc:
        return error(fmt, exc, request)
    return render(fmt, "service_requests", "request", [request_row(case)])
