"""Open311 GeoReport v2, mounted at /open311/v2/ by gis_app/urls.py."""
from django.urls import re_path

from gis_app.api import open311

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + FMT, open311.services_list, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, open311.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, open311.requests_view, name="open311-requests"),
    re_path(r"^requests/(?P<number>[^/]+)" + FMT, open311.request_detail, name="open311-request"),
]
