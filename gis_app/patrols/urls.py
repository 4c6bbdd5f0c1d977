"""Patrol endpoints, mounted under /api/ by gis_app/urls.py (see views.py for the list)."""
from django.urls import re_path
from rest_framework.routers import SimpleRouter

from gis_app.patrols import views

router = SimpleRouter()
router.trailing_slash = "/?"  # /comparison and /comparison/ alike (the constructor takes a bool)
router.register("tracks", views.TrackViewSet, basename="track")
router.register("patrol-plans", views.PatrolPlanViewSet, basename="patrol-plan")

urlpatterns = [
    re_path(r"^coverage/?$", views.CoverageView.as_view(), name="coverage"),
    re_path(r"^hub-coverage/?$", views.HubCoverageView.as_view(), name="hub-coverage"),
    re_path(r"^live-positions/?$", views.LivePositionsView.as_view(), name="live-positions"),
    *router.urls,
]
