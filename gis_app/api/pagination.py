from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from gis_app.web.params import parse_whole


class CountedPagination(LimitOffsetPagination):
    """limit/offset pages that always say `count`; GeoJSON lists keep their FeatureCollection.

    A `limit` or `offset` that is not a whole number is a 400 naming it (DRF would silently
    fall back to the default); a `limit` above `max_limit` is capped at it.
    """

    default_limit = 100
    max_limit = 10000

    def get_limit(self, request):
        limit = parse_whole(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return parse_whole(request, self.offset_query_param, 0) or 0

    def get_paginated_response(self, data):
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            return Response({
                "type": "FeatureCollection",
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data["features"],
            })
        return Response({"count": self.count, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})


class FeaturePagination(CountedPagination):
    """CountedPagination for GeoJSON lists: the schema shows the FeatureCollection they return."""

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)["properties"]
        return {"allOf": [schema, {
            "type": "object",
            "required": ["count", "crs"],
            "properties": {
                "count": page["count"], "next": page["next"], "previous": page["previous"],
                "crs": {"type": "object", "description": "CRS of every coordinate, e.g. "
                        '{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}'},
            },
        }]}
