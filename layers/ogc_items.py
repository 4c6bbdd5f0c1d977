"""OGC API - Features items: the parameters of an items request and the pages of features.

The collection documents, schemas and API definition are in ogc.py; this module answers
`/ogc/collections/{layer}/items` and `.../items/{id}` (OGC 17-069r4):
- `limit` (default 100, 1..10000, larger is capped), `offset` or `cursor` (the next/prev links
  carry a cursor: keyset paging, paging.py), `bbox` (CRS84 unless `bbox-crs`, ogc_crs.py),
  `datetime` (instant or interval, `..` for an open end) on collections with time;
- each page with numberMatched, numberReturned and timeStamp; PostgreSQL writes every feature's
  GeoJSON, so a page costs one query and no per-feature work in Python.
"""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.utils import timezone

from boundaries.crs import ACCEPTED, WGS84, CRS
from gis_app.web.errors import BadParameter
from gis_app.api.geometry import GeometryOutput, crs_member, crs_urn, shift_to_gcj02
from gis_app.web.params import Param, check_date_range, parse_whole
from layers import paging
from layers.features import id_expression, layer_queries, with_attributes
from layers.registry import Layer

DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000

ITEM_PARAMS = (
    Param("limit", f"Features per page: 1..{MAX_LIMIT} (larger is capped), default {DEFAULT_LIMIT}.", int),
    Param("offset", "Features to skip (for clients that page by count; the next/prev links "
                    "carry a cursor instead).", int),
    Param("cursor", "Where a page starts: opaque, as given in a next/prev link."),
    Param("bbox", "minx,miny,maxx,maxy in CRS84 (lon/lat) unless bbox-crs says otherwise."),
    Param("bbox-crs", f"CRS of bbox. Accepted: {ACCEPTED}."),
    Param("datetime", "RFC 3339 instant, or interval a/b with `..` or empty for an open end; a "
                      "bare date is that whole day in local time. Collections with time only."),
    Param("crs", f"Output CRS of coordinates: {ACCEPTED}; default CRS84 (WGS84 lon/lat)."),
    Param("f", "json (GeoJSON) or html."),
)
ITEM_PARAMS_OF_ONE = (ITEM_PARAMS[6], ITEM_PARAMS[7])


# --- parameters -------------------------------------------------------------------------------

def parse_limit(request) -> int:
    return _whole(request, "limit", 1, DEFAULT_LIMIT, cap=MAX_LIMIT)


def parse_offset(request) -> int:
    return _whole(request, "offset", 0, 0)


def _whole(request, name, minimum, default, cap=None) -> int:
    number = parse_whole(request, name, minimum)
    if number is None:
        return default
    return min(number, cap) if cap else number


def _moment(text: str, end: bool) -> datetime | None:
    """One end of a datetime parameter; None for an open end. A bare date is its whole day."""
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = datetime.combine(check_date_range("datetime", datetime.fromisoformat(text).date()), time(0),
                                   ZoneInfo(settings.TIME_ZONE))
            return day + timedelta(days=1) - timedelta(microseconds=1) if end else day
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadParameter("datetime", f"{text!r} is not an RFC 3339 date-time "
                                       f"(2026-05-04T08:00:00Z) or date (2026-05-04)") from None
    if moment.tzinfo is None:
        raise BadParameter("datetime", f"{text!r} has no time zone offset (Z or +08:00)")
    check_date_range("datetime", moment)
    return moment


def parse_datetime(request, layer: Layer) -> tuple[datetime | None, datetime | None] | None:
    """The `datetime` filter as a closed interval (either end may be open); None if absent."""
    values = request.query_params.getlist("datetime")
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter("datetime", "given more than once")
    if layer.datetime is None:
        raise BadParameter("datetime", f"collection {layer.id!r} has no time; datetime applies to: "
                                       "the collections whose description lists a temporal extent")
    text = values[0].strip()
    if "/" in text:
        first, _, second = text.partition("/")
        lo, hi = _moment(first.strip(), end=False), _moment(second.strip(), end=True)
        if lo is None and hi is None:
            raise BadParameter("datetime", "an interval needs at least one closed end")
        if lo is not None and hi is not None and hi < lo:
            raise BadParameter("datetime", "the interval ends before it starts")
        return lo, hi
    if text in ("", ".."):
        raise BadParameter("datetime", "an instant cannot be open")
    return _moment(text, end=False), _moment(text, end=len(text) == 10)


def filter_datetime(layer: Layer, rows: QuerySet, interval) -> QuerySet:
    """Features whose instant lies in the interval, or whose [start, end] meets it."""
    if interval is None:
        return rows
    lo, hi = interval
    start, end = layer.datetime
    end = end or start
    condition = Q()
    if lo is not None:
        condition &= Q(**{f"{end}__gte": lo})
    if hi is not None:
        condition &= Q(**{f"{start}__lte": hi})
    return rows.filter(condition)


def local_iso(value):
    """Times in the output time zone: the county's (+08:00) unless the client asked for UTC."""
    return timezone.localtime(value).isoformat() if value else None


class JSONText(Func):
    """json_build_object(k1, v1, ...)::text: PostgreSQL writes the JSON, in declaration order."""

    template = "json_build_object(%(expressions)s)::text"
    output_field = TextField()


class AsJSON(Func):
    template = "(%(expressions)s)::json"
    output_field = TextField()


def _features_sql(layer: Layer, user, rows: QuerySet, output: GeometryOutput) -> QuerySet:
    """Each row as the text of its GeoJSON Feature, written by PostgreSQL: a page of 1,000
    features costs one query and no per-feature work in Python."""
    rows, named = with_attributes(layer, user, rows)
    properties = []
    for alias, attribute in named.items():
        properties += [Value(attribute.name), F(alias)]
    feature = JSONText(Value("type"), Value("Feature"), Value("id"), id_expression(layer),
                       Value("geometry"), AsJSON(output.expression(layer.geometry_expression())),
                       Value("properties"), Func(*properties, function="json_build_object",
                                                 output_field=TextField()))
    return rows.annotate(feature=feature)


class Page:
    """A page of features as JSON text (`features`), and the members that go beside it."""

    def __init__(self, features: list[str], crs: CRS, matched: int | None):
        if crs.is_gcj02:  # no formula in PostGIS: shift the page in one vectorised call
            parsed = [json.loads(f) for f in features]
            shift_to_gcj02(f["geometry"] for f in parsed)
            features = [json.dumps(f, ensure_ascii=False) for f in parsed]
        self.features = features
        self.crs = crs
        self.matched = matched

    def document(self, **members) -> dict:
        """The FeatureCollection with the features as a placeholder (see `dumps`)."""
        doc = {"type": "FeatureCollection", "crs": crs_member(self.crs), "features": _FEATURES}
        if self.matched is not None:
            doc["numberMatched"] = self.matched
        doc["numberReturned"] = len(self.features)
        doc["timeStamp"] = local_iso(timezone.now())
        doc.update(members)
        return doc

    def dumps(self, doc: dict) -> str:
        text = json.dumps(doc, ensure_ascii=False)
        return text.replace(json.dumps(_FEATURES), "[" + ",".join(self.features) + "]", 1)

    def parsed(self, doc: dict) -> dict:
        return {**doc, "features": [json.loads(f) for f in self.features]}


_FEATURES = "\x00features\x00"


def items(layer: Layer, user, options: dict, *, polygon=None, interval=None, limit=DEFAULT_LIMIT,
          offset=0, cursor: paging.Cursor | None = None, crs: CRS = CRS(WGS84),
          flip: bool = False) -> Page:
    """One page of the collection (at `cursor`, else `offset`), with numberMatched and the
    cursors of the pages beside it (`page.next`, `page.prev`)."""
    rows = layer.queryset_for(user, options)
    if polygon is not None:
        rows = layer.within(rows, polygon, exact=True)
    rows = filter_datetime(layer, rows, interval)
    output = GeometryOutput(crs=crs, flip=flip)
    with layer_queries(layer):
        matched = rows.count()
        window = paging.page(layer, _features_sql(layer, user, rows, output), "feature", limit, offset, cursor)
    page = Page(window.features, crs, matched)
    page.next, page.prev = window.next, window.prev
    return page


def item(layer: Layer, user, options: dict, feature_id: str, crs: CRS = CRS(WGS84),
         flip: bool = False) -> dict | None:
    rows = layer.queryset_for(user, options)
    try:
        rows = rows.filter(**{layer.id_field: int(feature_id) if layer.id_type == "integer" else feature_id})
    except ValueError:
        return None
    with layer_queries(layer):
        found = list(_features_sql(layer, user, rows, GeometryOutput(crs=crs, flip=flip))
                     .values_list("feature", flat=True)[:2])
    if len(found) != 1:
        return None
    feature = Page(found, crs, None).parsed({})["features"][0]
    return {"type": "Feature", "crs": crs_member(crs), **{k: v for k, v in feature.items() if k != "type"}}


def output_crs_name(crs: CRS) -> str:
    return crs_urn(crs)
