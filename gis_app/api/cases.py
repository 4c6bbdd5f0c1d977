"""The case loop over REST: intake, lists and details (GeoJSON), joint inspections,
statistics; a case's steps, replay and attachments are case_actions.py's, how a case reads
case_serializers.py's. Thin: every decision is in gis_app/incidents.

- `GET /api/cases/` filters: state, township, team, item, overdue, escalated, bbox, from, to;
- `POST /api/cases/` intake: lon, lat[, crs], item, description[, photos (multipart files),
  media_url]; header `Idempotency-Key` makes a second sending of the same report a no-op;
- `GET /api/cases/{id}/` with events, attachments and the steps this user may take;
- `POST /api/cases/{id}/{step}/`, `GET /api/cases/{id}/replay/`, attachments: case_actions.py;
- `GET /api/cases/statistics/?group_by=township|team|department|item|whistle_kind|month`
  (JSON, or CSV with `format=csv`);
- `POST /api/joint-inspections/` (综合查一次).
Coordinates: received in `crs` (default WGS84), stored and answered in WGS84 unless `crs`
asks otherwise for the GeoJSON output; every answer states its CRS.
"""
from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_app.api import filters
from gis_app.api.base import PAGE, FeatureViewSet
from gis_app.api.case_actions import CaseActionsMixin
from gis_app.api.case_serializers import CaseDetailSerializer, CaseSerializer, _ref
from gis_app.api.footprint import area_field, parse_crs_field
from gis_app.api.geometry import OUTPUT_PARAMS, GeometryOutput, finish
from gis_app.api.route_input import parse_tolerance
from gis_app.api.schemas import CaseIntake, JointInspectionAnswer, JointInspectionBody, Statistics
from gis_app.enforcement.borders import tolerance as border_tolerance
from gis_app.incidents import access, reporting
from gis_app.incidents.intake import KEY_PARAMETER, report_with_media
from gis_app.incidents.models import Case, State
from gis_app.incidents.photos import check_uploads
from gis_app.incidents.selectors import GROUPINGS, STATISTICS_COLUMNS, statistics, statistics_cases, visible_cases, with_overdue
from gis_app.replica import stale_reads
from gis_app.web.errors import BadParameter, Forbidden
from gis_app.web.params import Param, check_date_range, check_known, get_one, parse_bool, parse_choice, parse_code
from gis_app.web.points import body_point
from gis_app.web.renderers import CSVRenderer, JSONErrorsMixin, ORJSONRenderer, Table, XLSXRenderer



def _no_planner(user):
    if not access.may_read_case_records(user):
        raise Forbidden("planners see maps and statistics, not case records")


# --- views -----------------------------------------------------------------------------------

STATE = Param("state", "Case state(s), comma-separated: " + ", ".join(State.values))
TEAM = Param("team", "Acting team code.")
ITEM = Param("item", "Catalogue item code.")
OVERDUE = Param("overdue", "true: only open cases past their deadline; false: the others.",
                enum=("true", "false"))
ESCALATED = Param("escalated", "true: only escalated (督办) cases.", enum=("true", "false"))
TO_CONFIRM = Param("to_confirm", "true: the command centre's queue of near-border cases waiting "
                   "for their place to be confirmed.", enum=("true", "false"))
FROM = Param("from", "Reported at or after (ISO 8601 date or date-time).")
TO = Param("to", "Reported before (ISO 8601 date-time; a date means the end of that day).")
STATS_FORMAT = Param("format", "json (default), csv or xlsx (a table for spreadsheets).",
                     enum=("json", "csv", "xlsx"))
GROUP_BY = Param("group_by", "township, team, department, item, whistle_kind or month",
                 enum=tuple(GROUPINGS))

LIST_PARAMS = (filters.COUNTY, filters.TOWNSHIP, STATE, TEAM, ITEM, OVERDUE, ESCALATED, TO_CONFIRM, FROM, TO,
               filters.BBOX, filters.BBOX_CRS, *OUTPUT_PARAMS, *PAGE)


def parse_when(request, name: str, end: bool = False):
    value = get_one(request, name)
    if value is None:
        return None
    try:  # a bare date means the whole day (parse_datetime would read it as midnight)
        day = parse_date(value)
        moment = datetime.combine(day, time.max if end else time.min) if day else parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(name, f"{value!r} is not an ISO 8601 date or date-time")
    check_date_range(name, moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class CaseViewSet(CaseActionsMixin, JSONErrorsMixin, FeatureViewSet):
    """Cases within the user's reach (grid member: own reports; team: its township and hub
    area; department: in its name or supported; command centre: the county)."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    lookup_field = "pk"
    lookup_value_regex = r"\d+"
    geometry_source = "location"
    params = {"list": LIST_PARAMS, "retrieve": OUTPUT_PARAMS}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def scoped_queryset(self):
        if self.action in ("list", "retrieve"):
            _no_planner(self.request.user)
        return with_overdue(visible_cases(self.request.user)).select_related(
            "item", "township", "village", "grid", "hub", "team", "department", "county", "reporter"
        ).prefetch_related("supports__department")

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset)
        queryset = filters.township(request, queryset)
        states = get_one(request, "state")
        if states is not None:
            wanted = [s.strip() for s in states.split(",") if s.strip()]
            unknown = [s for s in wanted if s not in State.values]
            if unknown:
                raise BadParameter("state", f"unknown state {unknown[0]!r}; states: {', '.join(State.values)}")
            queryset = queryset.filter(state__in=wanted)
        team = parse_code(request, "team")
        if team is not None:
            queryset = queryset.filter(team__code=team)
        item = parse_code(request, "item")
        if item is not None:
            queryset = queryset.filter(item__code=item)
        overdue = parse_bool(request, "overdue")
        if overdue is not None:
            queryset = queryset.filter(overdue=overdue)
        escalated = parse_bool(request, "escalated")
        if escalated is not None:
            queryset = queryset.filter(escalated_at__isnull=not escalated)
        to_confirm = parse_bool(request, "to_confirm")
        if to_confirm is not None:
            queryset = queryset.filter(to_confirm=to_confirm)
        start, end = parse_when(request, "from"), parse_when(request, "to", end=True)
        if start and end and start > end:
            raise BadParameter("from", "is after `to`")
        if start:
            queryset = queryset.filter(created_at__gte=start)
        if end:
            queryset = queryset.filter(created_at__lte=end)
        return filters.bbox(request, queryset, self.geometry_output.crs, field="location")

    @extend_schema(request={"application/json": CaseIntake},
                   responses={201: CaseDetailSerializer, 200: CaseDetailSerializer},
                   parameters=[OpenApiParameter(KEY_PARAMETER, str, OpenApiParameter.HEADER,
                                                description="generated once per report by the client; "
                                                "a second sending answers 200 with the same case")],
                   description="Form and multipart bodies with the same fields (and photos) are accepted too.")
    def create(self, request):
        """一口受理: report a problem at a point; it is routed and assigned at once.

        JSON or multipart; multipart may carry `photos` (one or more files), all stored with
        the case in one transaction or none at all. `media_url` (one or a list) links photos
        kept elsewhere. With an `Idempotency-Key` header the same report sent twice makes one
        case (the second answer is 200 with `Idempotent-Replayed: true`); the same key with
        another report is a 409.
        """
        if request.data.get("footprint") is not None:
            return self._create_from_footprint(request)
        query = body_point(request.data, required=True)
        item = request.data.get("item")
        if not item:
            raise BadParameter("item", "required (a catalogue item code)")
        photos = check_uploads(request.FILES.getlist("photos"))
        intake = report_with_media(
            user=request.user, query=query, item_code=str(item),
            description=request.data.get("description", ""), photos=photos,
            media=_list(request.data, "media_url"), key=request.headers.get(KEY_PARAMETER),
            source=Case.Source.HOTLINE if _role(request) == access.Role.COMMAND_CENTRE else Case.Source.APP,
            tolerance_m=border_tolerance(*parse_tolerance(request.data)))
        response = self._detail(intake.case, status.HTTP_200_OK if intake.replayed else status.HTTP_201_CREATED)
        if intake.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _create_from_footprint(self, request):
        """An area case: `footprint` (GeoJSON Polygon/MultiPolygon in `crs`) instead of lon/lat;
        the footprint check routes it (gis_app/enforcement/footprint.py) and the case keeps it."""
        crs = parse_crs_field(request.data)
        footprint = area_field(request.data, "footprint", crs)
        item = request.data.get("item")
        if not item:
            raise BadParameter("item", "required (a catalogue item code)")
        case = reporting.case_report_footprint(
            user=request.user, footprint=footprint, received_crs=crs.name, item_code=str(item),
            description=request.data.get("description", ""),
            source=Case.Source.HOTLINE if _role(request) == access.Role.COMMAND_CENTRE else Case.Source.APP)
        return self._detail(case, status.HTTP_201_CREATED)

    def _detail(self, case, code=status.HTTP_200_OK):
        """The case as it is after the user's own write (even if it has left their reach)."""
        output = GeometryOutput.from_request(self.request)
        case = output.annotate(with_overdue(Case.objects.all()), "location").get(pk=case.pk)
        data = CaseDetailSerializer(case, context={"request": self.request}).data
        return Response(finish(data, output.crs), status=code)

    @extend_schema(parameters=[GROUP_BY.openapi(), FROM.openapi(), TO.openapi(), STATS_FORMAT.openapi()],
                   responses={200: Statistics})
    @action(detail=False, methods=["get"], renderer_classes=[ORJSONRenderer, CSVRenderer, XLSXRenderer])
    def statistics(self, request):
        """Counts and on-time rates; planners and command centres count the whole county.
        Counted on the read replica when there is one (gis_app/replica.py)."""
        group_by = parse_choice(request, "group_by", GROUPINGS) or "township"
        cases = statistics_cases(request.user)
        start, end = parse_when(request, "from"), parse_when(request, "to", end=True)
        if start:
            cases = cases.filter(created_at__gte=start)
        if end:
            cases = cases.filter(created_at__lte=end)
        with stale_reads():
            rows = statistics(cases, group_by)
        if self.output_format() in ("csv", "xlsx"):
            return Response(Table([group_by, *STATISTICS_COLUMNS], rows, title="statistics"))
        return Response({"group_by": group_by, "rows": rows, "generated_at": timezone.now()})

    def initial(self, request, *args, **kwargs):
        if self.action == "statistics":
            check_known(request, (GROUP_BY, FROM, TO))

        super().initial(request, *args, **kwargs)


def _list(data, name: str) -> list[str]:
    """A field given once, repeated (form) or as a JSON list -> its non-empty values."""
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise BadParameter(name, "a URL or a list of URLs")
    return [str(v) for v in values if str(v).strip()]


def _role(request) -> str:
    return access.role_of(request.user) or ""


class JointInspectionView(APIView):
    """综合查一次: one visit, one place, several items (command centre)."""

    @extend_schema(request={"application/json": JointInspectionBody}, responses={201: JointInspectionAnswer})
    def post(self, request):
        query = body_point(request.data, required=True)
        items = request.data.get("items")
        if isinstance(items, str):
            items = items.split(",")
        if not isinstance(items, list):
            raise BadParameter("items", "a list of catalogue item codes")
        planned = request.data.get("planned_at")
        planned_at = parse_datetime(planned) if planned else None
        if planned and planned_at is None:
            raise BadParameter("planned_at", f"{planned!r} is not an ISO 8601 date-time")
        inspection = reporting.joint_inspection_create(
            user=request.user, query=query, item_codes=[str(i) for i in items],
            name=request.data.get("name", ""), description=request.data.get("description", ""),
            planned_at=planned_at)
        cases = inspection.cases.select_related("item", "team").order_by("item__code")
        return Response({
            "id": inspection.pk, "name": inspection.name, "lead_team": _ref(inspection.lead_team),
            "location": {"lon": inspection.location.x, "lat": inspection.location.y, "crs": "EPSG:4326"},
            "planned_at": inspection.planned_at,
            "cases": [{"id": c.pk, "number": c.number, "item": c.item.code, "team": _ref(c.team),
                       "mode": c.mode, "subject": c.subject} for c in cases],
        }, status=status.HTTP_201_CREATED)
