"""Router endpoints: thin views over `gis_app.enforcement.routing` (input in `route_input.py`).

- `GET /api/route?lon=&lat=&item=[&crs=][&at=]`: one routing decision (DESIGN §4), today's
  or as of a past day (`at`, from the archive of generations);
- `POST /api/route/batch`: up to 10,000 points (JSON or CSV upload), one answer per point;
- `GET /api/locate?lon=&lat=[&crs=]`: units, zones and hub only (map screens).

Coordinates: received in `crs` (default EPSG:4326), stored and answered in WGS84 EPSG:4326;
every answer's `query` echoes both. Any authenticated user with a Member row acts in their own
county, a superuser anywhere: a point elsewhere is 403, as is an account without membership.
Refusals are raised and rendered by gis_app.web.errors like everywhere else.

Speed (bench/route_bench.py): JSON in and out by orjson, no content negotiation (JSON only),
token and membership in one prepared query (gis_app.web.auth), a single point answered from
its county's kept decisions as a batch's points are (enforcement/batch_answers.py), and a
batch written to JSON while the database reads its next piece.
"""
from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from boundaries.crs import ACCEPTED
from gis_app.api.schemas import BatchAnswer, BatchBody, LocateAnswer, RouteAnswer
from gis_app.api.route_input import (AT_PARAMS, LOCATE_PARAMS, NEAR_PARAMS, ROUTE_PARAMS, parse_at,
                                     parse_batch_csv, parse_batch_json, parse_point_query,
                                     parse_tolerance)
from gis_app.enforcement.access import visible_county_ids
from gis_app.enforcement.as_of import route_at
from gis_app.enforcement.answer_text import translate_answer
from gis_app.enforcement.batch_answers import iter_batch_answers, route_answer
from gis_app.enforcement.borders import near_border_at, tolerance
from gis_app.enforcement.routing import MAX_BATCH, Refusal, Refused, gc_paused, place
from gis_app.web.auth import AUTHENTICATION
from gis_app.web.errors import BadParameter, error_body
from gis_app.web.refusal_text import localize, wants_english
from gis_app.web.renderers import JSONOnly, ORJSONParser, ORJSONRenderer, dumps, json_response

_POINT_PARAMS = [
    OpenApiParameter("lon", OpenApiTypes.NUMBER, description="x in `crs` (longitude for "
                     "geographic CRSs, metres east for projected ones)", required=True),
    OpenApiParameter("lat", OpenApiTypes.NUMBER, description="y in `crs` (latitude, or metres "
                     "north)", required=True),
    OpenApiParameter("crs", OpenApiTypes.STR, description=f"CRS of lon/lat: {ACCEPTED}"),
]
_ITEM_PARAM = OpenApiParameter("item", OpenApiTypes.STR, required=True,
                               description="catalogue item code of the county covering the point")


class _RouterView(APIView):
    """JSON in, JSON out, nothing negotiated: DRF builds its parsers, authenticators and
    renderers anew for every request, so a GET here lists only the one parser it could use."""

    authentication_classes = AUTHENTICATION
    parser_classes = [ORJSONParser]
    renderer_classes = [ORJSONRenderer]
    content_negotiation_class = JSONOnly


_NEAR_PARAMS = [
    OpenApiParameter("tolerance", OpenApiTypes.NUMBER, description="metres: another township's "
                     "land (or the sea) within it makes the answer `ambiguous`, with `candidates`; "
                     "default the phone's `accuracy`, else settings.ROUTE_TOLERANCE_M (30)"),
    OpenApiParameter("accuracy", OpenApiTypes.NUMBER, description="the phone's reported accuracy in "
                     "metres (the tolerance when `tolerance` is not given)"),
]


_AT_PARAM = OpenApiParameter("at", OpenApiTypes.DATE, description="answer as of this day "
                             "(YYYY-MM-DD, Asia/Shanghai): the territory generation and rule version "
                             "in force at its end, from the archive (`as_of` says which); today or "
                             "absent: today's router. A day before the county's first import: 400 "
                             "naming `at`; a pruned generation: 410 `not_archived`")


class RouteView(_RouterView):
    """Who is responsible at a point for an item, in whose name, who is told and by when (the
    county's severity and deadline tables are the router's own rules); townships or
    sea within the tolerance as `candidates` (enforcement/borders.py). The trace and refusals
    in Chinese, or in English with `Accept-Language: en`."""

    @extend_schema(parameters=[*_POINT_PARAMS, _ITEM_PARAM, *_NEAR_PARAMS, _AT_PARAM],
                   responses={200: RouteAnswer})
    def get(self, request):
        english = wants_english(request)
        county_ids = visible_county_ids(request.user)
        query, item = parse_point_query(request.query_params,
                                        accepted=ROUTE_PARAMS + NEAR_PARAMS + AT_PARAMS)
        reach = tolerance(*parse_tolerance(request.query_params))
        day = (parse_at(request.query_params, timezone.localdate())    # today: a zone lookup
               if "at" in request.query_params else None)
        if day is not None:
            return self._as_of(query, item, day, county_ids, english)
        try:
            return json_response(today_answer(query, item, english, county_ids, reach))
        except Refused as exc:
            return _refused(exc.refusal, english)


    @staticmethod
    def _as_of(query, item, day, county_ids, english) -> HttpResponse:
        """The answer in the generation and rule version in force at the end of `day`
        (enforcement/as_of.py); no near-border candidates (today's question only)."""
        try:
            answer = route_at(query, item, day, county_ids=county_ids)
        except Refused as exc:
            return _refused(exc.refusal, english)
        return json_response(answer if english else translate_answer(answer))


def today_answer(query, item: str, english: bool, county_ids, reach: float) -> dict:
    """Today's answer for a point and item, with the candidates within `reach` metres; raises
    Refused. RouteView.get's and the fast path's (`fast_get`) one way to it."""
    answer, location = route_answer(query, item, english, county_ids=county_ids,
                                    tolerance_m=reach)
    answer.update(near_border_at(location, query, answer, item, reach,
                                 county_ids=county_ids).as_dict())
    return answer


def fast_get(request, user) -> bytes | None:
    """`GET /api/route` on the web kit's fast path (gis_app/web/fast_path.py, which has
    checked the token and the input guard's rule): the 200 answer's JSON as RouteView.get
    writes it, or None for whatever RouteView answers otherwise or with more (`at`, `tz`, a
    bad parameter, a refusal, an account without a county), which Django then answers."""
    params = request.query_params
    if "at" in params or "tz" in params:
        return None
    try:
        county_ids = visible_county_ids(user)
        query, item = parse_point_query(params, accepted=ROUTE_PARAMS + NEAR_PARAMS)
        reach = tolerance(*parse_tolerance(params))
        return dumps(today_answer(query, item, wants_english(request), county_ids, reach))
    except Refused:
        return None
    except Exception as exc:
        if error_body(exc) is None:     # not a refusal: a fault, logged by the fast path
            raise
        return None                     # a refusal, which the full stack words and logs


class LocateView(_RouterView):
    """The units, protected zones and hub at a point, without routing an item."""

    @extend_schema(parameters=_POINT_PARAMS, responses={200: LocateAnswer})
    def get(self, request):
        english = wants_english(request)
        county_ids = visible_county_ids(request.user)
        query, _ = parse_point_query(request.query_params, accepted=LOCATE_PARAMS)
        try:
            answer = place(query, county_ids=county_ids).as_dict()
        except Refused as exc:
            return _refused(exc.refusal, english)
        return json_response(answer if english else translate_answer(answer))


def _refused(refusal: Refusal, english: bool) -> HttpResponse:
    body = refusal.as_dict()
    return json_response(localize(body, english), status=refusal.status)


class RouteBatchView(_RouterView):
    """Route up to 10,000 points in one request; one answer per point, in order.

    Body: JSON `{"crs", "item", "points": [{"lon", "lat", "item"?, "id"?}]}`, or a multipart
    CSV upload `file` (header lon,lat[,item][,id]) with optional form fields `crs`, `item`.
    Each result carries `index`, `id` and `status` (200, or the status a single request for
    that point would get) and either the decision or the error; a bad point fails alone.
    Traces (like refusals) in Chinese, or in English with `Accept-Language: en`.
    """

    parser_classes = [ORJSONParser, MultiPartParser, FormParser]
    # A read in effect: many GET /api/route in one request, nothing stored, so read-only tokens
    # may send it (a dashboard or a script that only looks up who acts where).
    post_reads_only = True

    @extend_schema(request={"application/json": BatchBody}, responses={200: BatchAnswer},
                   description="Or a multipart upload: `file` (CSV with header lon,lat[,item][,id]), "
                               "optional `crs` and `item` fields.")
    def post(self, request):
        # The cyclic collector stays paused until the answer is bytes and the ~10^6 objects
        # behind it are freed: re-enabled while they lived, its next pass would walk them all
        # (~0.2 s of a 10,000-point batch, measured).
        with gc_paused():
            answer = self._route_batch(request)
        return HttpResponse(answer, content_type=ORJSONRenderer.media_type)

    def _route_batch(self, request) -> bytes:
        """The answer document as JSON bytes; a refusal of the whole request is raised."""
        county_ids = visible_county_ids(request.user)
        english = wants_english(request)
        if "file" in request.FILES:
            crs, entries = parse_batch_csv(request.FILES["file"], request.data.get("crs"),
                                           request.data.get("item"))
        elif request.content_type.startswith("multipart/"):
            raise BadParameter("file", "required: a CSV upload with header lon,lat[,item][,id]")
        else:
            crs, entries = parse_batch_json(request.data)

        routable = [index for index, entry in enumerate(entries) if entry.error is None]
        # Each answer written to JSON as it comes, in the order the points are read (a large
        # batch's in pieces of neighbouring points): while this is done, the database reads
        # the next piece (see routing.territory_reads). The texts are joined in order at the end.
        texts: list[bytes | None] = [None] * len(entries)
        for index, entry in enumerate(entries):
            if entry.error is not None:
                texts[index] = orjson.dumps({"index": index, "id": entry.id, "status": 400,
                                             **localize(entry.error.as_dict(), english)})
        answers = iter_batch_answers([entries[i].query for i in routable],
                                     [entries[i].item for i in routable], english, _HEAD,
                                     [{"index": i, "id": entries[i].id} for i in routable],
                                     county_ids=county_ids)
        for k, answer in answers:
            if isinstance(answer, Refusal):
                index = routable[k]
                texts[index] = orjson.dumps({"index": index, "id": entries[index].id,
                                             "status": answer.status,
                                             **localize(answer.as_dict(), english)})
            else:               # JSON already: its own head (index, id), then _HEAD's
                texts[routable[k]] = answer
        head = orjson.dumps({"count": len(entries), "max_points": MAX_BATCH,
                             "received_crs": crs.name, "crs": "EPSG:4326", "results": []})
        # head ends with `[]}`: the answers go between the brackets. The document is copied
        # once, by the join (~18 MB for 10,000 points; a second copy was 5-15 ms, measured).
        texts[0] = head[:-2] + texts[0]
        texts[-1] += b"]}"
        return b",".join(texts)


#: A batch answer's fields after its own `index` and `id`.
_HEAD = {"status": 200}
