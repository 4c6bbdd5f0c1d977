"""The territory and organisation read API and the case loop, mounted under /api/ by gis_app/urls.py."""
from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from gis_app.api.assessment import AssessmentView
from gis_app.api.cases import CaseViewSet, JointInspectionView
from gis_app.api.footprint import FootprintView
from gis_app.api.organisation import CatalogueViewSet, DepartmentViewSet, TeamViewSet
from gis_app.api.territory import (CountyViewSet, GridViewSet, HubAreaViewSet, ProtectedAreaViewSet,
                                   TownshipViewSet, VillageViewSet)

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="county")
router.register("townships", TownshipViewSet, basename="township")
router.register("villages", VillageViewSet, basename="village")
router.register("grids", GridViewSet, basename="grid")
router.register("protected-areas", ProtectedAreaViewSet, basename="protected-area")
router.register("hubs", HubAreaViewSet, basename="hub")
router.register("departments", DepartmentViewSet, basename="department")
router.register("teams", TeamViewSet, basename="team")
router.register("catalogue", CatalogueViewSet, basename="catalogue")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls + [
    path("assessment/", AssessmentView.as_view(), name="assessment"),
    path("joint-inspections/", JointInspectionView.as_view(), name="joint-inspections"),
    re_path(r"^footprint/?$", FootprintView.as_view(), name="footprint"),
]
