"""`GET /api/cases/inbox/`: a team member's cases to act on, soonest deadline first.

The phone inbox of township and department teams (the selection is
`incidents.selectors.team_inbox`). `lon`/`lat`[/`crs`] say where the member stands (the
browser's geolocation is WGS84, EPSG:4326); each case then carries `distance_m` from there,
measured by PostGIS. Positions in the answer are WGS84, and the answer says so.
"""
from __future__ import annotations

from django.contrib.gis.geos import Point
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_app.api.access import HasCountyAccess
from gis_app.api.case_schemas import Inbox
from gis_app.api.cases import _ref
from gis_app.incidents.selectors import team_inbox, with_overdue
from gis_app.incidents.workflow import allowed_steps
from gis_app.web.params import Param, check_known
from gis_app.web.points import body_point

PARAMS = (Param("lon", "Where the member stands: x in `crs`.", type=OpenApiTypes.NUMBER),
          Param("lat", "Where the member stands: y in `crs`.", type=OpenApiTypes.NUMBER),
          Param("crs", "CRS of lon/lat (default EPSG:4326, the browser's geolocation)."))
LIMIT = 200


def inbox_row(case, user) -> dict:
    """A case as the phone inbox lists it (WGS84 position, metres from the member)."""
    distance = getattr(case, "distance", None)
    return {"id": case.pk, "number": case.number, "item": _ref(case.item), "state": case.state,
            "state_label": case.get_state_display(), "deadline": case.deadline, "overdue": case.overdue,
            "severity": case.severity, "township": _ref(case.township), "grid": _ref(case.grid),
            "team": _ref(case.team), "description": case.description[:200],
            "lon": case.location.x, "lat": case.location.y,
            "distance_m": round(distance.m) if distance is not None else None,
            "allowed_steps": allowed_steps(user, case)}


class InboxView(APIView):
    permission_classes = [IsAuthenticated, HasCountyAccess]

    @extend_schema(parameters=[p.openapi() for p in PARAMS], responses={200: Inbox})
    def get(self, request):
        """A team member's cases to act on, soonest deadline first, with distances."""
        check_known(request, PARAMS)
        where = body_point(request.query_params, required=False)
        near = Point(where.lon, where.lat, srid=4326) if where else None
        cases = with_overdue(team_inbox(request.user, near)).select_related("item", "township", "grid", "team")
        rows = [inbox_row(case, request.user) for case in cases[:LIMIT]]
        return Response({"crs": "EPSG:4326", "near": where.as_dict() if where else None,
                         "count": len(rows), "cases": rows})
