"""URLs of the phone pages, mounted at /field/ (see gis_app/pages/field.py)."""
from django.urls import path

from gis_app.pages import field

urlpatterns = [
    path("report/", field.report, name="field-report"),
    path("reports/", field.reports, name="field-reports"),
    path("inbox/", field.inbox, name="field-inbox"),
    path("cases/<int:pk>/", field.case, name="field-case"),
    path("data/report.json", field.report_json, name="field-report-data"),
    path("sw.js", field.service_worker, name="field-service-worker"),
    path("csrf/", field.csrf, name="field-csrf"),
]
