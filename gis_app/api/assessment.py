"""GET /api/assessment/: the 考核 figures of a period (gis_app/incidents/assessment.py), the same
tables as the /assessment/ page and its XLSX. Whose cases count: `Case.objects.counted_for`."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_app.api.case_schemas import Assessment
from gis_app.web.params import check_known
from gis_app.incidents.assessment import assessment, parse_period
from gis_app.incidents.models import Case
from gis_app.replica import StaleReadsView

PARAMS = [
    OpenApiParameter("month", str, description="YYYY-MM (Asia/Shanghai); default: this month"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (with `to`, both days included)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day"),
]


class AssessmentView(StaleReadsView, APIView):
    """Figures per township, team, department and person, with the rates, unit scores and the
    70/30 composite of dispatched staff; times of the period in Asia/Shanghai."""

    @extend_schema(parameters=PARAMS, responses={200: Assessment}, operation_id="assessment")
    def get(self, request):
        check_known(request, [], extra=("month", "from", "to"))
        start, end, label = parse_period(request.query_params)  # PeriodError: 400 naming it (web.errors)
        data = assessment(Case.objects.counted_for(request.user), start, end, timezone.now())
        return Response({"period": {"start": timezone.localtime(start), "end": timezone.localtime(end),
                                    "label": label}, **data})
