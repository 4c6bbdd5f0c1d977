"""Router endpoints: thin views over `routing.py` (parsing in `route_params.py`).

- `GET /api/route?lon=&lat=&item=[&crs=]`: one routing decision (DESIGN §4);
- `POST /api/route/batch`: up to 10,000 points (JSON or CSV upload), one answer per point;
- `GET /api/locate?lon=&lat=[&crs=]`: units, zones and hub only (map screens).

Coordinates: received in `crs` (default EPSG:4326), stored and answered in WGS84 EPSG:4326;
every answer's `query` echoes both. Any authenticated user with a Member row acts in their own
county, a superuser anywhere: a point elsewhere is 403, as is an account without membership.
"""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.crs import ACCEPTED
from gis_app.enforcement.access import NotAMember, visible_county_ids
from gis_app.enforcement.route_params import (LOCATE_PARAMS, ParameterError, parse_batch_csv,
                                              parse_batch_json, parse_point_query)
from gis_app.enforcement.routing import (MAX_BATCH, Refusal, Refused, gc_paused, place, route,
                                         route_points)

_POINT_PARAMS = [
    OpenApiParameter("lon", OpenApiTypes.NUMBER, description="x in `crs` (longitude for "
                     "geographic CRSs, metres east for projected ones)", required=True),
    OpenApiParameter("lat", OpenApiTypes.NUMBER, description="y in `crs` (latitude, or metres "
                     "north)", required=True),
    OpenApiParameter("crs", OpenApiTypes.STR, description=f"CRS of lon/lat: {ACCEPTED}"),
]
_ITEM_PARAM = OpenApiParameter("item", OpenApiTypes.STR, required=True,
                               description="catalogue item code of the county covering the point")


class MemberTokenAuthentication(TokenAuthentication):
    """DRF token authentication that loads the user's Member row in the same query: the
    router answers in about one database round trip, and this saves it a second one."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__member").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token


class MemberTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: the same `Authorization: Token ...` header as DRF's token scheme, under a
    name of its own (one name may not stand for two classes in the schema)."""

    target_class = MemberTokenAuthentication
    name = "memberTokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix=self.target.keyword)


class _RouterView(APIView):
    authentication_classes = [MemberTokenAuthentication, SessionAuthentication]


def _bad(exc: ParameterError) -> Response:
    return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)


def _refused(refusal: Refusal) -> Response:
    return Response(refusal.as_dict(), status=refusal.status)


def _forbidden(exc: NotAMember) -> Response:
    return Response({"error": "no_membership", "detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)


class RouteView(_RouterView):
    """Who is responsible at a point for an item, in whose name, who is told and by when."""

    @extend_schema(parameters=[*_POINT_PARAMS, _ITEM_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        try:
            county_ids = visible_county_ids(request.user)
            query, item = parse_point_query(request.query_params)
            return Response(route(query, item, county_ids=county_ids).as_dict())
        except NotAMember as exc:
            return _forbidden(exc)
        except ParameterError as exc:
            return _bad(exc)
        except Refused as exc:
            return _refused(exc.refusal)


class LocateView(_RouterView):
    """The units, protected zones and hub at a point, without routing an item."""

    @extend_schema(parameters=_POINT_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        try:
            county_ids = visible_county_ids(request.user)
            query, _ = parse_point_query(request.query_params, accepted=LOCATE_PARAMS)
            return Response(place(query, county_ids=county_ids).as_dict())
        except NotAMember as exc:
            return _forbidden(exc)
        except ParameterError as exc:
            return _bad(exc)
        except Refused as exc:
            return _refused(exc.refusal)


class RouteBatchView(_RouterView):
    """Route up to 10,000 points in one request; one answer per point, in order.

    Body: JSON `{"crs", "item", "points": [{"lon", "lat", "item"?, "id"?}]}`, or a multipart
    CSV upload `file` (header lon,lat[,item][,id]) with optional form fields `crs`, `item`.
    Each result carries `index`, `id` and `status` (200, or the status a single request for
    that point would get) and either the decision or the error; a bad point fails alone.
    """

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        with gc_paused():
            return self._route_batch(request)

    def _route_batch(self, request):
        try:
            county_ids = visible_county_ids(request.user)
            if "file" in request.FILES:
                crs, entries = parse_batch_csv(request.FILES["file"], request.data.get("crs"),
                                               request.data.get("item"))
            elif request.content_type.startswith("multipart/"):
                raise ParameterError("file", "required: a CSV upload with header lon,lat[,item][,id]")
            else:
                crs, entries = parse_batch_json(request.data)
        except NotAMember as exc:
            return _forbidden(exc)
        except ParameterError as exc:
            return _bad(exc)

        routable = [e for e in entries if e.error is None]
        answers = iter(route_points([e.query for e in routable], [e.item for e in routable],
                                    county_ids=county_ids))
        results = []
        for index, entry in enumerate(entries):
            head = {"index": index, "id": entry.id}
            if entry.error is not None:
                results.append({**head, "status": 400, **entry.error.as_dict()})
                continue
            answer = next(answers)
            if isinstance(answer, Refusal):
                results.append({**head, "status": answer.status, **answer.as_dict()})
            else:
                results.append({**head, "status": 200, **answer.as_dict()})
        return Response({"count": len(results), "max_points": MAX_BATCH, "received_crs": crs.name,
                         "crs": "EPSG:4326", "results": results})
