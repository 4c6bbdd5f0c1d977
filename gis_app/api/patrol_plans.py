"""Patrol plans under /api/ (mounted by gis_app/api/urls.py): thin views over
gis_app/patrols/plans.py and services.

- `GET|POST /api/patrol-plans/`, `GET|DELETE /api/patrol-plans/{id}/`,
  `GET /api/patrol-plans/{id}/comparison?from=&to=[&tolerance_m=]`.
A plan's route and area come in any accepted CRS (`crs`) and are stored and answered in WGS84
(EPSG:4326), said in every answer. Who may do what: gis_app/incidents/access.py.
"""
from __future__ import annotations

import json
from datetime import time

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from boundaries.crs import ACCEPTED, CRS, CRSError, parse_crs
from boundaries.shapes import AREAS, LINES, ShapeError, as_multi, read_geojson
from gis_app.api import filters, patrol_schemas
from gis_app.api.base import PAGE
from gis_app.api.pagination import CountedPagination
from gis_app.api.patrol_params import COUNTY, FROM, TEAM, TO, parse_period
from gis_app.api.patrols import PERMISSIONS, WGS84_NAME
from gis_app.incidents import access
from gis_app.patrols import selectors, services
from gis_app.patrols.models import PatrolPlan
from gis_app.patrols.plans import compare_plan
from gis_app.web.errors import BadParameter, Forbidden
from gis_app.web.params import Param, check_known, openapi, parse_code, parse_number


def _geometry_json(geom):
    return None if geom is None else json.loads(geom.geojson)


class PatrolPlanSerializer(serializers.ModelSerializer):
    """A plan: route (MultiLineString) and/or area (MultiPolygon) in WGS84, and its schedule."""

    team = serializers.CharField(source="team.code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    county = serializers.CharField(source="team.county.code", read_only=True)
    route = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = PatrolPlan
        fields = ("id", "name", "team", "team_name", "county", "route", "area", "weekdays",
                  "start_time", "end_time", "valid_from", "valid_to", "created_by", "created_at")

    def get_route(self, plan) -> dict | None:
        return _geometry_json(plan.route)

    def get_area(self, plan) -> dict | None:
        return _geometry_json(plan.area)


PLAN_LIST = (COUNTY, TEAM, *PAGE)
COMPARISON = (FROM, TO, Param("tolerance_m", "Metres from the planned route within which it counts "
                                             "as walked (default PATROL_PLAN_TOLERANCE_M).",
                              type=OpenApiTypes.NUMBER))


class PlanInput:
    """The body of `POST /api/patrol-plans/` read into typed values (400 naming a field that is not
    text, a time, a date or GeoJSON); the plan's rules are checked by services.create_plan."""

    GEOMETRY_TYPES = {"route": LINES, "area": AREAS}

    def __init__(self, data, user):
        if not isinstance(data, dict):
            raise BadParameter("body", "expected a JSON object")
        self.data, self.user = data, user

    def text(self, name, required=False, max_length=200):
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise BadParameter(name, "required")
            return None
        if not isinstance(value, str) or len(value) > max_length:
            raise BadParameter(name, f"must be text of at most {max_length} characters")
        return value.strip()

    def crs(self) -> CRS:
        value = self.text("crs", max_length=60)
        try:
            return parse_crs(value)
        except CRSError:
            raise BadParameter("crs", f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None

    def geometry(self, name, crs: CRS):
        value = self.data.get(name)
        if value is None:
            return None
        try:
            shape = read_geojson(value, crs, self.GEOMETRY_TYPES[name])
        except ShapeError as exc:
            raise BadParameter(name, str(exc)) from None
        return as_multi(shape)

    def weekdays(self) -> list[int]:
        value = self.data.get("weekdays", [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise BadParameter("weekdays", "must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)")
        return value

    def time_of_day(self, name) -> time | None:
        value = self.text(name, max_length=8)
        if value is None:
            return None
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise BadParameter(name, f"{value!r} is not a time of day (HH:MM)") from None

    def day(self, name):
        from datetime import date
        value = self.text(name, max_length=10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadParameter(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


@extend_schema_view(
    list=extend_schema(parameters=openapi(PLAN_LIST), description="Patrol plans of the counties you "
                       "may see; geometries are GeoJSON in WGS84 (EPSG:4326)."),
    retrieve=extend_schema(description="One patrol plan."),
    create=extend_schema(request=patrol_schemas.PlanBody, responses={201: PatrolPlanSerializer},
                         description="Planners: `{team, name, route?, area?, crs?, weekdays?, "
                                     "start_time?, end_time?, valid_from?, valid_to?}`; route a GeoJSON "
                                     "(Multi)LineString, area a (Multi)Polygon, in `crs` (default WGS84)."),
    destroy=extend_schema(description="Planners: delete a plan (its tracks stay)."),
    update=extend_schema(request=patrol_schemas.PlanBody, responses={200: PatrolPlanSerializer},
                         description="Planners: replace a plan (the same body as a create)."),
)
class PatrolPlanViewSet(GenericViewSet):
    serializer_class = PatrolPlanSerializer
    permission_classes = PERMISSIONS
    pagination_class = CountedPagination
    parser_classes = [JSONParser]
    queryset = PatrolPlan.objects.all()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolPlan.objects.none()
        return selectors.visible_plans(self.request.user).defer("team__county__geom")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        known = {"list": PLAN_LIST, "comparison": COMPARISON}.get(self.action, ())
        if request.method == "GET":
            check_known(request, known)
        if self.action in ("create", "update", "destroy") and not access.may_manage_plans(request.user):
            raise Forbidden("only planners manage patrol plans")

    def list(self, request):
        plans = self.get_queryset()
        county_code = parse_code(request, "county", digits=6)
        if county_code is not None:
            plans = filters.county(request, plans, field="team__county")
        team = parse_code(request, "team")
        if team is not None:
            plans = plans.filter(team__code=team)
        page = self.paginate_queryset(plans)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["crs"] = WGS84_NAME
        return response

    def retrieve(self, request, pk=None):
        return Response({**self.get_serializer(self.get_object()).data, "crs": WGS84_NAME})

    def _fields(self, request) -> dict:
        """The plan's fields from the body, every one checked (400 naming the field)."""
        body = PlanInput(request.data, request.user)
        code = body.text("team", required=True, max_length=30)
        team = selectors.visible_teams(request.user).filter(code=code).select_related("county").first()
        if team is None:
            raise BadParameter("team", f"no team {code!r} in the counties you may see")
        crs = body.crs()
        return dict(team=team, name=body.text("name", required=True), route=body.geometry("route", crs),
                    area=body.geometry("area", crs), weekdays=body.weekdays(),
                    start_time=body.time_of_day("start_time"), end_time=body.time_of_day("end_time"),
                    valid_from=body.day("valid_from"), valid_to=body.day("valid_to"))

    def create(self, request):
        plan = services.create_plan(**self._fields(request), created_by=request.user)
        plan = self.get_queryset().get(pk=plan.pk)
        return Response({**self.get_serializer(plan).data, "crs": WGS84_NAME}, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        """PUT: the whole plan again (the same body as a create); its tracks stay tied to it."""
        plan = services.update_plan(self.get_object(), **self._fields(request))
        plan = self.get_queryset().get(pk=plan.pk)
        return Response({**self.get_serializer(plan).data, "crs": WGS84_NAME})

    def destroy(self, request, pk=None):
        services.delete_plan(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=openapi(COMPARISON), responses={200: patrol_schemas.Comparison},
                   description="The plan against its team's tracks in the period's scheduled windows: "
                               "share of the route walked, planned grids missed.")
    @action(detail=True, methods=["get"], url_path="comparison")
    def comparison(self, request, pk=None):
        plan = self.get_object()
        start, end = parse_period(request)
        tolerance = parse_number(request, "tolerance_m", 0.0, 10_000.0)
        return Response({**compare_plan(plan, start, end, tolerance_m=tolerance), "crs": WGS84_NAME})
