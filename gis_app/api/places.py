"""`GET /api/places?q=` : the hotline's place search (一口受理).

Townships, villages, grids and the bundle's `places` layer, matched by exact name, prefix,
fragment, pinyin initials or full pinyin, or trigram similarity (boundaries/places.py);
each candidate has `code`, `name`, `level`, `kind`, `lon`, `lat` (a point inside it, WGS84
EPSG:4326, ready for `/api/route`) and how it matched. A member searches their own county;
an administrator every county, or one with `county=`.
"""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from boundaries.models import County
from boundaries.places import search_places
from gis_app.api.schemas import PlaceSearch
from gis_app.enforcement.access import visible_county_ids
from gis_app.web.errors import BadParameter
from gis_app.web.params import Param, check_known, get_one, openapi, parse_whole

PARAMS = (
    Param("q", "what the caller said: a name, a fragment of it, or pinyin initials (e.g. asc)"),
    Param("limit", f"at most this many candidates (default 20, at most {settings.PLACE_SEARCH_MAX})",
          OpenApiTypes.INT),
    Param("county", "administrators: search this county (6-digit code) only"),
)


class PlaceSearchView(APIView):
    @extend_schema(parameters=openapi(PARAMS), responses={200: PlaceSearch})
    def get(self, request):
        """Candidates for a place a caller names, best first, each with a point to route."""
        check_known(request, PARAMS)
        county_ids = visible_county_ids(request.user)  # NotAMember: 403 by gis_app.web.errors
        text = get_one(request, "q")
        if text is None:
            raise BadParameter("q", "required (a place name, a fragment or pinyin initials)")
        if len(text) > 100:
            raise BadParameter("q", "longer than 100 characters")
        limit = parse_whole(request, "limit", 1) or 20
        if limit > settings.PLACE_SEARCH_MAX:
            raise BadParameter("limit", f"at most {settings.PLACE_SEARCH_MAX}")
        code = get_one(request, "county")
        if code is not None:
            county = County.objects.filter(code=code).first()
            if county is None or (county_ids is not None and county.pk not in county_ids):
                raise BadParameter("county", f"no county {code!r} within this account's reach")
            county_ids = [county.pk]
        results = search_places(text, county_ids=county_ids, limit=limit)
        return Response({"query": text, "crs": "EPSG:4326", "count": len(results), "results": results})
