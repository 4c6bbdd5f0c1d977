"""OGC API - Features, Part 1 Core + GeoJSON (+ HTML), generated from the layer registry.

Documents are built here as plain dicts; views.py authenticates, negotiates JSON or HTML and
renders. One collection per layer, the same id as its tiles. Rules followed (OGC 17-069r4):
- landing page links to the API definition (service-desc), conformance and collections;
- items: `limit` (default 100, 1..10000, larger is capped), `offset` or `cursor` (the
  next/prev links carry a cursor: keyset paging, paging.py), `bbox` (CRS84 unless
  `bbox-crs`), `datetime` (instant or interval, `..` for an open end) on collections with time,
  each page with numberMatched, numberReturned, timeStamp and self/alternate/next/prev links;
- any other query parameter is a 400 naming it (requirement /req/core/query-param-unknown);
- coordinates are WGS84 longitude/latitude (CRS84) unless `crs` asks for another output CRS,
  e.g. `crs=GCJ02` for Amap/Tencent basemaps; the response says which in its `crs` member and
  the `Content-Crs` header.
"""
from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.db.models import F, Func, Max, Min, Q, QuerySet, TextField, Value
from django.http import QueryDict
from django.utils import timezone

from boundaries.crs import ACCEPTED, WGS84, CRS
from gis_app.api.access import visible_counties
from gis_app.web.errors import BadParameter
from gis_app.api.geometry import GeometryOutput, crs_member, crs_urn, shift_to_gcj02
from gis_app.web.params import Param, check_date_range, parse_whole
from layers import paging
from layers.features import id_expression, layer_queries, no_jit, with_attributes
from layers.ogc_crs import CRS84, advertised
from layers.registry import Layer

GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
TILESETS_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"

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


# --- documents --------------------------------------------------------------------------------

def link(href, rel, type_, title=None) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def landing(url) -> dict:
    """`url(path, **query)` makes absolute links."""
    return {
        "title": "网格化执法地图服务 · OGC API - Features",
        "description": "Territory, teams, cases and patrols of the counties you may see, as "
                       "OGC API - Features collections (GeoJSON, HTML). Coordinates: WGS84 "
                       "lon/lat (CRS84) unless `crs` says otherwise.",
        "links": [
            link(url("/ogc/"), "self", JSON, "this document"),
            link(url("/ogc/", f="html"), "alternate", HTML, "this document as HTML"),
            link(url("/ogc/api"), "service-desc", OPENAPI, "the API definition (OpenAPI 3.0)"),
            link(url("/api/docs/"), "service-doc", HTML, "REST API documentation"),
            link(url("/ogc/conformance"), "conformance", JSON, "conformance classes"),
            link(url("/ogc/collections"), "data", JSON, "the collections"),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def spatial_extent(user) -> list[float] | None:
    box = visible_counties(user).aggregate(e=Extent("geom"))["e"]
    return [round(v, 7) for v in box] if box else None


def temporal_extent(layer: Layer, user, options: dict) -> list | None:
    if layer.datetime is None:
        return None
    start, end = layer.datetime
    rows = layer.queryset_for(user, options)
    with no_jit(layer.jit_off):
        found = rows.aggregate(lo=Min(start), hi=Max(end or start))
    return [_iso(found["lo"]), _iso(found["hi"])]


def _iso(value):
    """Times in the output time zone: the county's (+08:00) unless the client asked for UTC."""
    return timezone.localtime(value).isoformat() if value else None


def collection(layer: Layer, user, url, options: dict, bbox=None) -> dict:
    base = f"/ogc/collections/{layer.id}"
    extent = {"spatial": {"bbox": [bbox] if bbox else [[-180, -90, 180, 90]], "crs": CRS84}}
    temporal = temporal_extent(layer, user, options)
    if temporal is not None:
        extent["temporal"] = {"interval": [temporal], "trs": GREGORIAN}
    description = layer.description
    if layer.params:
        description += " Parameters of this collection: " + "; ".join(
            f"`{p.name}`: {p.description}" for p in layer.params)
    return {
        "id": layer.id,
        "title": layer.title,
        "description": description,
        "itemType": "feature",
        "extent": extent,
        "crs": advertised(user),
        "storageCrs": CRS84,
        "links": [
            link(url(base), "self", JSON, layer.title),
            link(url(base, f="html"), "alternate", HTML, f"{layer.title} (HTML)"),
            link(url(f"{base}/items"), "items", GEOJSON, f"{layer.title}: features"),
            link(url(f"{base}/items", f="html"), "items", HTML, f"{layer.title}: features (HTML)"),
            link(url(f"{base}/schema"), "describedby", SCHEMA, f"{layer.title}: the schema of a feature"),
            # The same link as GDAL up to 3.6 spells the relation (link relations are
            # case-insensitive, RFC 8288; GDAL compared case-sensitively).
            link(url(f"{base}/schema"), "describedBy", SCHEMA, f"{layer.title}: the schema of a feature"),
            link(url(f"{base}/queryables"), QUERYABLES_REL, SCHEMA, f"{layer.title}: queryables"),
            link(url(f"/tiles/{layer.id}.json"), TILESETS_REL, JSON, "TileJSON of the vector tiles"),
        ],
    }


def collections(layers: list[Layer], user, url) -> dict:
    bbox = spatial_extent(user)
    return {
        "links": [link(url("/ogc/collections"), "self", JSON, "collections"),
                  link(url("/ogc/collections", f="html"), "alternate", HTML, "collections (HTML)")],
        "collections": [collection(layer, user, url, _default_options(layer), bbox) for layer in layers],
    }


def _default_options(layer: Layer) -> dict:
    """A layer's options when its own parameters are absent (e.g. coverage: today)."""
    return layer.parse_options(SimpleNamespace(query_params=QueryDict()))


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
        doc["timeStamp"] = _iso(timezone.now())
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


# --- schemas: what a feature holds, even when there is none -------------------------------------

JSON_SCHEMA_TYPES = {"string": {"type": "string"}, "integer": {"type": "integer"},
                     "number": {"type": "number"}, "boolean": {"type": "boolean"},
                     "datetime": {"type": "string", "format": "date-time"}}
GEOMETRY_FORMATS = {"MultiPolygon": "geometry-multipolygon", "Point": "geometry-point",
                    "MultiLineString": "geometry-multilinestring"}
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _property(attribute) -> dict:
    out = dict(JSON_SCHEMA_TYPES[attribute.type])
    out["title"] = attribute.name
    if attribute.description:
        out["description"] = attribute.description
    return out


def feature_schema(layer: Layer, user, url) -> dict:
    """The JSON Schema of one GeoJSON feature of the collection (the `describedby` link): GDAL
    and QGIS build the layer's fields from it, so an empty collection keeps its fields."""
    return {
        "$schema": DRAFT, "$id": url(f"/ogc/collections/{layer.id}/schema"),
        "title": layer.title, "description": layer.description, "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer" if layer.id_type == "integer" else "string"},
            "geometry": {"format": GEOMETRY_FORMATS[layer.geometry_type], "type": "object"},
            "properties": {"type": "object", "properties": {
                a.name: _property(a) for a in layer.attributes_for(user)}},
        },
    }


def queryables(layer: Layer, url) -> dict:
    """What `items` filters on (OGC API - Features Part 3 queryables): the geometry (`bbox`) and,
    for collections with time, the instant or interval (`datetime`). Attribute filters are not
    offered; the schema of every property is the `describedby` document."""
    properties = {"geometry": {"format": GEOMETRY_FORMATS[layer.geometry_type],
                               "x-ogc-role": "primary-geometry", "description": "filter with `bbox`"}}
    if layer.datetime is not None:
        start, end = layer.datetime
        role = "primary-instant" if end is None else "primary-interval-start"
        properties[start] = {"type": "string", "format": "date-time", "x-ogc-role": role,
                             "description": "filter with `datetime`"}
        if end:
            properties[end] = {"type": "string", "format": "date-time",
                               "x-ogc-role": "primary-interval-end", "description": "filter with `datetime`"}
    return {"$schema": DRAFT, "$id": url(f"/ogc/collections/{layer.id}/queryables"),
            "title": f"{layer.title}: queryables", "type": "object", "properties": properties,
            "additionalProperties": False}


# --- the API definition -----------------------------------------------------------------------

def openapi(layers: list[Layer], url) -> dict:
    """OpenAPI 3.0 for the OGC endpoints, one items path per collection with its parameters."""
    def parameter(p: Param, where="query", required=False):
        schema = {"type": "integer"} if p.type is int else {"type": "string"}
        if p.name == "limit":
            schema.update(minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
        if p.name == "offset":
            schema.update(minimum=0, default=0)
        return {"name": p.name, "in": where, "required": required, "description": p.description,
                "schema": schema}

    ok = {"200": {"description": "OK"}, "400": {"description": "a parameter is wrong (named)"},
          "401": {"description": "authentication required"}, "403": {"description": "not for your role"}}
    paths = {
        "/": {"get": {"summary": "Landing page", "operationId": "landing", "responses": ok}},
        "/conformance": {"get": {"summary": "Conformance classes", "operationId": "conformance",
                                 "responses": ok}},
        "/collections": {"get": {"summary": "Collections", "operationId": "collections", "responses": ok}},
    }
    for layer in layers:
        base = f"/collections/{layer.id}"
        oid = layer.id.replace("-", "_")
        paths[base] = {"get": {"summary": layer.title, "operationId": f"{oid}_collection", "responses": ok}}
        params = [parameter(p) for p in ITEM_PARAMS if p.name != "datetime" or layer.datetime]
        params += [parameter(p) for p in layer.params]
        paths[f"{base}/items"] = {"get": {"summary": f"{layer.title}: features", "description": layer.description,
                                          "operationId": f"{oid}_items", "parameters": params,
                                          "responses": ok}}
        paths[f"{base}/items/{{featureId}}"] = {"get": {
            "summary": f"{layer.title}: one feature", "operationId": f"{oid}_item",
            "parameters": [parameter(Param("featureId", f"the feature's `{layer.id_field}`"), "path", True),
                           *[parameter(p) for p in ITEM_PARAMS_OF_ONE]],
            "responses": {**ok, "404": {"description": "no such feature you may see"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "OGC API - Features of the map server", "version": "1.0.0",
                 "description": "Authenticate with a session, `Authorization: Token ...` or HTTP Basic over "
                                "HTTPS (QGIS: Basic authentication); never with a token in the URL."},
        "servers": [{"url": url("/ogc").rstrip("/")}],
        "paths": paths,
    }
