"""`POST /api/footprint`: which units and protected zones an area overlaps, and who acts.

Body, JSON: `{"geometry": <GeoJSON Polygon or MultiPolygon>, "crs": ..., "item": ...}`, or a
multipart upload `file` (GeoJSON, KML, a zipped Shapefile, a GeoPackage) with optional form
fields `crs` and `item`. `crs` is any CRS the router accepts (GCJ-02 included; default
EPSG:4326); the answer is in WGS84 (EPSG:4326) and says so, with the footprint it read as
`geometry`, so a page can draw an uploaded file. Areas are square metres on the ellipsoid.
The rules are in gis_app/enforcement/footprint.py; any member acts in their own county.
"""
from __future__ import annotations

import json

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.area_files import read_area_file
from boundaries.crs import ACCEPTED, CRS, CRSError, parse_crs
from boundaries.shapes import AREAS, ShapeError, as_multi, read_geojson
from gis_app.api.access import HasCountyAccess, visible_county_ids
from gis_app.api.footprint_schemas import FootprintAnswer, FootprintBody
from gis_app.web.errors import BadParameter
from gis_app.enforcement.footprint import check_footprint

KNOWN = ("geometry", "crs", "item", "file")


def parse_crs_field(data) -> CRS:
    value = data.get("crs")
    try:
        return parse_crs(value if value not in ("", None) else None)
    except CRSError:
        raise BadParameter("crs", f"unknown CRS {value!r}; accepted: {ACCEPTED}") from None


def parse_footprint(request) -> tuple:
    """(footprint as a GEOS MultiPolygon in WGS84, the CRS it came in) from a JSON body
    (`geometry`) or an upload (`file`); BadParameter naming what is wrong."""
    data = request.data
    if not hasattr(data, "get"):
        raise BadParameter("body", "expected a JSON object")
    unknown = sorted(set(data.keys()) - set(KNOWN))
    if unknown:
        raise BadParameter(unknown[0], f"unknown field; accepted: {', '.join(KNOWN)}")
    crs = parse_crs_field(data)
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    if upload is not None:
        if upload.size > settings.FOOTPRINT_MAX_UPLOAD_BYTES:
            raise BadParameter("file", f"{upload.size:,} bytes; at most "
                               f"{settings.FOOTPRINT_MAX_UPLOAD_BYTES:,} (FOOTPRINT_MAX_UPLOAD_BYTES)")
        stated = crs if data.get("crs") not in (None, "") else None
        try:
            shape, crs = read_area_file(upload.name, upload.read(), stated)
        except ShapeError as exc:
            raise BadParameter("file", str(exc)) from None
        return as_multi(shape), crs
    if data.get("geometry") is None:
        raise BadParameter("geometry", "required: a GeoJSON Polygon or MultiPolygon (or upload `file`)")
    return area_field(data, "geometry", crs), crs


def area_field(data, name: str, crs: CRS):
    """The GeoJSON Polygon/MultiPolygon in field `name` (an object, or its JSON text in a form)
    -> a GEOS MultiPolygon in WGS84; BadParameter naming the field."""
    geometry = data.get(name)
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            raise BadParameter(name, "not JSON") from None
    try:
        return as_multi(read_geojson(geometry, crs, AREAS))
    except ShapeError as exc:
        raise BadParameter(name, str(exc)) from None


def parse_item(data) -> str | None:
    item = data.get("item")
    if item in (None, ""):
        return None
    if not isinstance(item, str) or len(item) > 50:
        raise BadParameter("item", "must be a catalogue item code (text of at most 50 characters)")
    return item.strip()


def footprint_answer(check, received_crs: CRS) -> dict:
    return {**check.as_dict(), "geometry": json.loads(check.geometry.json),
            "acting_point": {"lon": check.acting_point.x, "lat": check.acting_point.y},
            "crs": "EPSG:4326", "received_crs": received_crs.name}


class FootprintView(APIView):
    """The footprint check: overlaps with counties, townships, villages, grids and protected
    zones (square metres on the ellipsoid, and shares), severity, and with `item` the routing
    decision (the township with the largest share acts; `split` when several share it)."""

    permission_classes = [IsAuthenticated, HasCountyAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    post_reads_only = True     # a check: computes an answer, stores nothing (read-only tokens may)

    @extend_schema(request={"application/json": FootprintBody}, responses={200: FootprintAnswer},
                   description="Or a multipart upload: `file` (GeoJSON, KML, zipped Shapefile, "
                               "GeoPackage) with optional `crs` and `item` fields.")
    def post(self, request):
        county_ids = visible_county_ids(request.user)
        geom, crs = parse_footprint(request)
        check = check_footprint(geom, item_code=parse_item(request.data), county_ids=county_ids)
        return Response(footprint_answer(check, crs))
