"""Router endpoints: thin views over `routing.py` (parsing in `route_params.py`).

- `GET /api/route?lon=&lat=&item=[&crs=]`: one routing decision (DESIGN §4);
- `POST /api/route/batch`: up to 10,000 points (JSON or CSV upload), one answer per point;
- `GET /api/locate?lon=&lat=[&crs=]`: units, zones and hub only (map screens).

Coordinates: received in `crs` (default EPSG:4326), stored and answered in WGS84 EPSG:4326;
every answer's `query` echoes both. Any authenticated user with a Member row acts in their own
county, a superuser anywhere: a point elsewhere is 403, as is an account without membership.

Speed (bench/route_bench.py): JSON in and out by orjson, no content negotiation (JSON only),
token and membership in one prepared query, and a batch written to JSON while the database
reads its next piece.
"""
from __future__ import annotations

import orjson
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.crs import ACCEPTED
from gis_app.enforcement.access import NotAMember, visible_county_ids
from gis_app.enforcement.locate import prepare_once
from gis_app.enforcement.models import Member
from gis_app.enforcement.route_params import (LOCATE_PARAMS, ParameterError, parse_batch_csv,
                                              parse_batch_json, parse_point_query)
from gis_app.enforcement.routing import (MAX_BATCH, Refusal, Refused, gc_paused,
                                         iter_route_points, place, route)

_POINT_PARAMS = [
    OpenApiParameter("lon", OpenApiTypes.NUMBER, description="x in `crs` (longitude for "
                     "geographic CRSs, metres east for projected ones)", required=True),
    OpenApiParameter("lat", OpenApiTypes.NUMBER, description="y in `crs` (latitude, or metres "
                     "north)", required=True),
    OpenApiParameter("crs", OpenApiTypes.STR, description=f"CRS of lon/lat: {ACCEPTED}"),
]
_ITEM_PARAM = OpenApiParameter("item", OpenApiTypes.STR, required=True,
                               description="catalogue item code of the county covering the point")


def _token_statement():
    """(PREPARE text, models, column counts) of the one query that loads a token, its user and
    the user's Member row (absent: NULLs), columns in each model's concrete field order."""
    User = get_user_model()
    models_ = (Token, User, Member)

    def cols(model, alias):
        return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]

    def col(model, name):
        return connection.ops.quote_name(model._meta.get_field(name).column)

    user_pk = connection.ops.quote_name(User._meta.pk.column)
    select = cols(Token, "t") + cols(User, "u") + cols(Member, "m")
    sql = (f"PREPARE {_TOKEN_STATEMENT} (text) AS SELECT {', '.join(select)} "
           f"FROM {Token._meta.db_table} t "
           f"JOIN {User._meta.db_table} u ON u.{user_pk} = t.{col(Token, 'user')} "
           f"LEFT JOIN {Member._meta.db_table} m ON m.{col(Member, 'user')} = u.{user_pk} "
           f"WHERE t.{col(Token, 'key')} = $1")
    return sql, models_, [len(m._meta.concrete_fields) for m in models_]


_TOKEN_STATEMENT = "router_token_member"


class MemberTokenAuthentication(TokenAuthentication):
    """DRF token authentication that loads the user and its Member row in one query, prepared
    once per database session: compiled by the ORM and planned by PostgreSQL on every request,
    that lookup by primary key cost ~1.2 ms of a ~6 ms request; prepared, ~0.3 ms (mostly the
    round trip). The checks are DRF's: the key must exist and its user be active."""

    _statement = None

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:
            return super().authenticate_credentials(key)
        cls = type(self)
        if cls._statement is None:
            cls._statement = _token_statement()
        prepare_sql, (token_model, user_model, member_model), sizes = cls._statement
        with connection.cursor() as cursor:
            prepare_once(cursor, _TOKEN_STATEMENT, prepare_sql)
            cursor.execute(f"EXECUTE {_TOKEN_STATEMENT} (%s)", [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        a, b = sizes[0], sizes[0] + sizes[1]
        token = token_model.from_db(connection.alias, None, row[:a])
        user = user_model.from_db(connection.alias, None, row[a:b])
        member = member_model.from_db(connection.alias, None, row[b:]) if row[b] is not None else None
        # What select_related("user", "user__member") would have cached.
        Token.user.field.set_cached_value(token, user)
        Member.user.field.remote_field.set_cached_value(user, member)
        if member is not None:
            Member.user.field.set_cached_value(member, user)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, token


class MemberTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: the same `Authorization: Token ...` header as DRF's token scheme, under a
    name of its own (one name may not stand for two classes in the schema)."""

    target_class = MemberTokenAuthentication
    name = "memberTokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix=self.target.keyword)


class ORJSONRenderer(BaseRenderer):
    """JSON by orjson: a 10,000-point batch answer is ~15 MB, which the standard library
    encoder takes ~0.35 s to write and orjson ~0.05 s. UTF-8, like DRF's JSON renderer."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else orjson.dumps(data)


class ORJSONParser(BaseParser):
    """JSON request bodies by orjson (a 10,000-point batch body is ~0.7 MB)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return orjson.loads(stream.read() if stream is not None else b"")
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None


class JSONOnly(BaseContentNegotiation):
    """The router answers JSON whatever the Accept header says (it has one renderer); DRF's
    negotiation would parse the header and match media types on every request for nothing."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _RouterView(APIView):
    authentication_classes = [MemberTokenAuthentication, SessionAuthentication]
    renderer_classes = [ORJSONRenderer]
    content_negotiation_class = JSONOnly


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

    parser_classes = [ORJSONParser, MultiPartParser, FormParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        # The cyclic collector stays paused until the answer is bytes and the ~10^6 objects
        # behind it are freed: re-enabled while they lived, its next pass would walk them all
        # (~0.2 s of a 10,000-point batch, measured).
        with gc_paused():
            answer = self._route_batch(request)
        if isinstance(answer, Response):
            return answer
        return HttpResponse(answer, content_type=ORJSONRenderer.media_type)

    def _route_batch(self, request) -> bytes | Response:
        """The answer document as JSON bytes, or the Response refusing the whole request."""
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
        # One answer at a time, and a thousand at a time to JSON: while this is done, the
        # database reads the next piece of a large batch (see iter_route_points).
        answers = iter_route_points([e.query for e in routable], [e.item for e in routable],
                                    county_ids=county_ids)
        encoded, results = [], []
        for index, entry in enumerate(entries):
            if entry.error is not None:
                results.append({"index": index, "id": entry.id, "status": 400,
                                **entry.error.as_dict()})
            else:
                answer = next(answers)
                if isinstance(answer, Refusal):
                    results.append({"index": index, "id": entry.id, "status": answer.status,
                                    **answer.as_dict()})
                else:
                    results.append(answer.as_dict(index=index, id=entry.id, status=200))
            if len(results) == _ENCODE_EVERY:
                encoded.append(orjson.dumps(results)[1:-1])
                results.clear()
        next(answers, None)      # run the generator to its end: it closes its read transaction
        if results:
            encoded.append(orjson.dumps(results)[1:-1])
        head = orjson.dumps({"count": len(entries), "max_points": MAX_BATCH,
                             "received_crs": crs.name, "crs": "EPSG:4326", "results": []})
        return head[:-2] + b",".join(encoded) + b"]}"      # head ends with `[]}`


#: Batch answers are written to JSON this many at a time (then freed).
_ENCODE_EVERY = 1000
