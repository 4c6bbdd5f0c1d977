from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


class CountedPagination(LimitOffsetPagination):
    """limit/offset pages that always say `count`; GeoJSON lists keep their FeatureCollection."""

    default_limit = 100
    max_limit = 10000

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
