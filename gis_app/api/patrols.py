"""Patrol endpoints under /api/ (mounted by gis_app/api/urls.py): thin views over ingest/services, coverage, hub reach, live.

- `POST /api/tracks/` (multipart `file`, `team`, optional `patrol`, `crs`) and
  `GET /api/tracks/[{id}/]` (GeoJSON; filters county, team, from, to, bbox);
- `GET /api/coverage?county=&team=&township=&from=&to=[&format=csv|geojson]`;
- patrol plans: gis_app/api/patrol_plans.py;
- `GET /api/hub-coverage?county=[&max_minutes=&detour=&speed_kmh=][&format=geojson]`;
- `GET /api/live-positions?county=` (GeoJSON).
Coordinates are stored and answered in WGS84 (EPSG:4326), said in every answer; uploads and
plans may come in any accepted CRS (`crs`). Who may do what: gis_app/incidents/access.py.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.crs import ACCEPTED, WGS84, CRS, CRSError, parse_crs
from gis_app.api import filters, patrol_schemas
from gis_app.api.base import PAGE, FeatureSerializer, FeatureViewSet
from gis_app.api.geometry import (DEFAULT_SIMPLIFY_M, OUTPUT_PARAMS, SIMPLIFIED, GeometryOutput,
                                  crs_member, finish)
from gis_app.api.patrol_params import (COUNTY, FROM, TEAM, TO, TOWNSHIP, parse_county, parse_period,
                                       parse_team, parse_township)
from gis_app.enforcement.access import NotAMember
from gis_app.enforcement.models import Team
from gis_app.incidents import access
from gis_app.patrols import selectors, services
from gis_app.patrols.coverage import compute_coverage
from gis_app.patrols.hub_coverage import ReachModel, hub_coverage
from gis_app.patrols.live import latest_positions
from gis_app.patrols.models import PatrolPlan, Track
from gis_app.patrols.segments import gap_params
from gis_app.web.errors import BadParameter, Forbidden, NoMembership
from gis_app.web.params import Param, check_known, openapi, parse_code, parse_number
from gis_app.web.renderers import CSVRenderer, GeoJSONRenderer, JSONErrorsMixin, ORJSONRenderer, Table

WGS84_NAME = "EPSG:4326"
FORMAT_JSON_CSV_GEOJSON = Param("format", "json (default), csv (the grid table) or geojson (grids as a "
                                          "map layer, WGS84).", enum=("json", "csv", "geojson"))
FORMAT_JSON_GEOJSON = Param("format", "json (default) or geojson (grids as a map layer, WGS84).",
                            enum=("json", "geojson"))


# --- shared plumbing ---------------------------------------------------------------------------

class CanReadPatrols(BasePermission):
    """Reader roles only (access.READERS) or a superuser; without a Member row: 403 saying so."""

    message = "your role may not read patrol data (tracks, coverage, plans, positions)"
    code = "role_forbidden"

    def has_permission(self, request, view):
        try:
            return access.may_read_patrols(request.user)
        except NotAMember:
            raise NoMembership() from None


PERMISSIONS = [IsAuthenticated, CanReadPatrols]


def _iso(value):
    """In the output time zone (+08:00 unless the client asked for `tz=UTC`)."""
    return None if value is None else timezone.localtime(value).isoformat()


def _period(start, end) -> dict:
    return {"from": _iso(start), "to": _iso(end), "timezone": timezone.get_current_timezone_name()}


def _feature(geometry_json, properties) -> dict:
    return {"type": "Feature", "geometry": json.loads(geometry_json) if geometry_json else None,
            "properties": properties}


def _collection(features, **extra) -> dict:
    return {"type": "FeatureCollection", "crs": crs_member(CRS(WGS84)), **extra, "features": features}


# --- tracks ----------------------------------------------------------------------------------

class TrackSerializer(FeatureSerializer):
    """One uploaded track: its cleaned line (MultiLineString, broken at gaps) and counts."""

    id = serializers.IntegerField(read_only=True)
    team = serializers.CharField(source="team.code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    county = serializers.CharField(source="team.county.code", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True, allow_null=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)
    crs_received = serializers.CharField(source="crs", read_only=True)

    class Meta:
        model = Track
        geo_field = "geom"
        id_field = "id"
        fields = ("id", "team", "team_name", "county", "plan", "uploaded_by", "uploaded_at", "filename",
                  "source_format", "crs_received", "started_at", "ended_at", "fixes_received",
                  "fixes_kept", "fixes_dropped", "length_m", "geom")


class TrackDetailSerializer(TrackSerializer):
    """A track with its cleaning report: every dropped fix with its index and reason."""

    report = serializers.JSONField(read_only=True)

    class Meta(TrackSerializer.Meta):
        fields = (*TrackSerializer.Meta.fields, "report")


TRACK_LIST = (*OUTPUT_PARAMS, COUNTY, TEAM, FROM, TO, filters.BBOX, filters.BBOX_CRS, *PAGE)
UPLOAD_FIELDS = ("`file` (GPX, GeoJSON or CSV time,lon,lat[,accuracy]), `team` (team code), optional "
                 f"`patrol` (patrol plan id of that team), `crs` of the coordinates ({ACCEPTED}; "
                 "phone apps in China log GCJ02), `county` when you see the team code in several.")


@extend_schema_view(
    list=extend_schema(parameters=openapi(TRACK_LIST), description="Tracks of the counties you may "
                       "see, newest first; lines simplified (100 m) unless `geometry=full`."),
    retrieve=extend_schema(parameters=openapi(OUTPUT_PARAMS), description="One track with its "
                           "cleaning report."),
    create=extend_schema(request={"multipart/form-data": patrol_schemas.TrackUpload},
                         responses={201: TrackDetailSerializer}, description="Upload a GPS log: "
                         + UPLOAD_FIELDS + " Malformed files are refused whole (400, nothing stored) "
                         "with every problem listed; bad fixes are dropped and reported."),
)
class TrackViewSet(FeatureViewSet):
    queryset = Track.objects.all()
    serializer_class = TrackSerializer
    permission_classes = PERMISSIONS
    parser_classes = [MultiPartParser, FormParser]
    lookup_field = "pk"
    lookup_value_regex = r"\d+"
    list_geometry = SIMPLIFIED
    params = {"list": TRACK_LIST, "retrieve": OUTPUT_PARAMS}

    def get_serializer_class(self):
        return TrackDetailSerializer if self.action in ("retrieve", "create") else TrackSerializer

    def scoped_queryset(self):
        tracks = selectors.visible_tracks(self.request.user).select_related("team__county")
        tracks = tracks.defer("team__county__geom")
        return tracks.defer("report") if self.action == "list" else tracks

    def filter_list(self, queryset):
        request = self.request
        queryset = filters.county(request, queryset, field="team__county")
        code = parse_code(request, "team")
        if code is not None:
            if not selectors.visible_teams(request.user).filter(code=code).exists():
                raise BadParameter("team", f"no team {code!r} in the counties you may see")
            queryset = queryset.filter(team__code=code)
        if "from" in request.query_params or "to" in request.query_params:
            queryset = selectors.overlapping(queryset, *parse_period(request))
        return filters.bbox(request, queryset, self.geometry_output.crs)

    def create(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        if upload is None:
            raise BadParameter("file", "required: " + UPLOAD_FIELDS)
        team = self._upload_team(request)
        plan = self._plan(request, team)
        crs = self._form_crs(request)
        # A malformed (400) or duplicate (409) upload is answered by the one exception handler
        # (gis_app/web/errors.py), in the caller's language like every refusal.
        track = services.upload_track(upload.file, team=team, filename=upload.name, crs=crs,
                                      plan=plan, uploaded_by=request.user)
        # The answer summarises the line (simplified to 100 m, as in the list) instead of
        # echoing every fix: a 100,000-fix upload answered 2.5 MB of coordinates the phone
        # had just sent. `GET /api/tracks/{id}/` gives the full line.
        self.geometry_output = GeometryOutput(CRS(WGS84), mode=SIMPLIFIED, tolerance_m=DEFAULT_SIMPLIFY_M)
        track = self.geometry_output.annotate(selectors.visible_tracks(request.user)).get(pk=track.pk)
        data = TrackDetailSerializer(track, context=self.get_serializer_context()).data
        data["properties"]["geometry_detail"] = (
            f"simplified ({DEFAULT_SIMPLIFY_M:g} m); GET /api/tracks/{track.pk}/ for the full line")
        return Response(finish(data, self.geometry_output.crs), status=status.HTTP_201_CREATED)

    def _upload_team(self, request) -> Team:
        code = (request.data.get("team") or "").strip()
        if not code:
            raise BadParameter("team", "required: the code of the team whose track this is")
        teams = selectors.visible_teams(request.user).filter(code=code)
        county = (request.data.get("county") or "").strip()
        if county:
            teams = teams.filter(county__code=county)
        found = list(teams[:2])
        if not found:
            raise BadParameter("team", f"no team {code!r} in the counties you may see")
        if len(found) > 1:
            raise BadParameter("county", f"team code {code!r} exists in several of your counties; "
                                         "say which with the `county` field")
        team = found[0]
        if not access.upload_teams(request.user).filter(pk=team.pk).exists():
            raise Forbidden(f"you may not upload tracks for team {code}: township team members upload "
                             "for their own team or their hub's, departments for their own teams, the "
                             "command centre and planners for any team of their county")
        return team

    @staticmethod
    def _plan(request, team: Team) -> PatrolPlan | None:
        value = (request.data.get("patrol") or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise BadParameter("patrol", f"{value!r} is not a patrol plan id")
        plan = PatrolPlan.objects.filter(pk=int(value), team=team).first()
        if plan is None:
            raise BadParameter("patrol", f"no patrol plan {value} of team {team.code}")
        return plan

    @staticmethod
    def _form_crs(request) -> CRS:
        value = (request.data.get("crs") or "").strip()
        try:
            return parse_crs(value or None)
        except CRSError:
            raise BadParameter("crs", f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None


# --- coverage --------------------------------------------------------------------------------

COVERAGE_PARAMS = (COUNTY, TEAM, TOWNSHIP, FROM, TO, FORMAT_JSON_CSV_GEOJSON)
GRID_FIELDS = ("code", "name", "township", "patrolled", "first_visit", "last_visit", "visits",
               "seconds_inside")


class CoverageView(JSONErrorsMixin, APIView):
    """Which grids were patrolled in a period: per grid, per township, per team; unpatrolled."""

    permission_classes = PERMISSIONS
    renderer_classes = [ORJSONRenderer, CSVRenderer, GeoJSONRenderer]

    @extend_schema(parameters=openapi(COVERAGE_PARAMS), responses={200: patrol_schemas.Coverage})
    def get(self, request):
        check_known(request, COVERAGE_PARAMS)
        county = parse_county(request)
        team = parse_team(request, county)
        township = parse_township(request, county)
        start, end = parse_period(request)
        fmt = self.output_format()
        result = compute_coverage(county, start, end, team=team, township=township,
                                  with_geometry=fmt == "geojson")
        grids = [{k: (_iso(g[k]) if k in ("first_visit", "last_visit") else g[k]) for k in GRID_FIELDS}
                 for g in result.grids]
        if fmt == "csv":
            response = Response(Table(list(GRID_FIELDS), grids, title="coverage"))
            response["Content-Disposition"] = (f'attachment; filename="coverage-{county.code}-'
                                               f'{start:%Y%m%d}.csv"')
            return response
        head = {"county": {"code": county.code, "name": county.name}, "period": _period(start, end),
                "team": team.code if team else None, "township": township.code if township else None,
                "rules": {"line_gap_seconds": gap_params()["gap_s"], "line_gap_metres": gap_params()["gap_m"]},
                "counts": {"grids": len(grids), "patrolled": len(grids) - len(result.unpatrolled),
                           "unpatrolled": len(result.unpatrolled)}}
        if fmt == "geojson":
            features = [_feature(g["geometry"], row) for g, row in zip(result.grids, grids)]
            return Response(_collection(features, **head))
        return Response({**head, "crs": WGS84_NAME, "grids": grids, "townships": result.townships,
                         "teams": result.teams, "unpatrolled": result.unpatrolled})


# --- hub coverage ----------------------------------------------------------------------------

HUB_PARAMS = (COUNTY,
              Param("max_minutes", "Response time limit in minutes (default PATROL_HUB_MAX_MINUTES).",
                    type=OpenApiTypes.NUMBER),
              Param("detour", "Straight-line detour factor, road metres per straight metre "
                              "(default PATROL_HUB_DETOUR).", type=OpenApiTypes.NUMBER),
              Param("speed_kmh", "Speed of the straight-line model (default PATROL_HUB_SPEED_KMH).",
                    type=OpenApiTypes.NUMBER),
              FORMAT_JSON_GEOJSON)


class HubCoverageView(JSONErrorsMixin, APIView):
    """1+X: distance and time from each hub team's base to every grid it covers; grids beyond."""

    permission_classes = PERMISSIONS
    renderer_classes = [ORJSONRenderer, GeoJSONRenderer]

    @extend_schema(parameters=openapi(HUB_PARAMS), responses={200: patrol_schemas.HubCoverage})
    def get(self, request):
        check_known(request, HUB_PARAMS)
        county = parse_county(request)
        model = ReachModel.from_settings(
            max_minutes=parse_number(request, "max_minutes", 0.1, 1440.0),
            detour=parse_number(request, "detour", 1.0, 10.0),
            speed_kmh=parse_number(request, "speed_kmh", 1.0, 200.0))
        geojson = self.output_format() == "geojson"
        report = hub_coverage(county, model, with_geometry=geojson)
        if geojson:
            features = []
            for hub in report["hubs"]:
                for grid in hub["grids"]:
                    geometry = grid.pop("geometry")
                    grid.pop("point")
                    features.append(_feature(geometry, {"hub": hub["hub"]["code"],
                                                        "team": (hub["team"] or {}).get("code"), **grid}))
            return Response(_collection(features, county=report["county"], parameters=report["parameters"],
                                        network=report["network"]))
        for hub in report["hubs"]:
            for grid in hub["grids"]:
                grid.pop("geometry")
        return Response({**report, "crs": WGS84_NAME})


# --- live positions --------------------------------------------------------------------------

LIVE_PARAMS = (COUNTY, Param("stale_minutes", "Age in minutes after which a position is stale "
                                              "(default PATROL_STALE_MINUTES).", type=OpenApiTypes.NUMBER))


class LivePositionsView(APIView):
    """Each team's latest fix as a map layer (GeoJSON, WGS84), stale positions marked."""

    permission_classes = PERMISSIONS

    @extend_schema(parameters=openapi(LIVE_PARAMS), responses={200: patrol_schemas.LivePositions})
    def get(self, request):
        check_known(request, LIVE_PARAMS)
        county = parse_county(request)
        stale = parse_number(request, "stale_minutes", 0.0, 10_080.0)
        rows = latest_positions(county, stale_minutes=stale)
        features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                     "properties": {k: (_iso(v) if k == "time" else v) for k, v in r.items()
                                    if k not in ("lon", "lat")}} for r in rows]
        limit = settings.PATROL_STALE_MINUTES if stale is None else stale
        return Response(_collection(features, county={"code": county.code, "name": county.name},
                                    stale_after_minutes=limit))
