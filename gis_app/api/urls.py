"""Every REST endpoint, mounted under /api/ by gis_app/urls.py: territory, organisation, the
router, cases and patrols (Open311 has its own mount, gis_app/api/open311_urls.py)."""
from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from gis_app.api import patrol_plans, patrols, route
from gis_app.api.assessment import AssessmentView
from gis_app.api.cases import CaseViewSet, JointInspectionView
from gis_app.api.footprint import FootprintView
from gis_app.api.inbox import InboxView
from gis_app.api.organisation import CatalogueViewSet, DepartmentViewSet, TeamViewSet
from gis_app.api.places import PlaceSearchView
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

patrol_router = SimpleRouter()
patrol_router.trailing_slash = "/?"  # /comparison and /comparison/ alike (the constructor takes a bool)
patrol_router.register("tracks", patrols.TrackViewSet, basename="track")
patrol_router.register("patrol-plans", patrol_plans.PatrolPlanViewSet, basename="patrol-plan")

#: The router's endpoints, with their whole paths: gis_app/urls.py puts them first at the root.
#: The single route is the hottest path and URL resolving tries patterns in order, one level
#: (one include) at a time, each level building its own match (~20 us of the route's ~0.4 ms
#: outside the statement when it sat under `api/` behind the admin and schema patterns; behind
#: the viewsets' ~30 patterns it was a tenth of the route's Python).
router_urlpatterns = [
    path("api/route", route.RouteView.as_view(), name="route"),
    path("api/route/batch", route.RouteBatchView.as_view(), name="route-batch"),
    path("api/locate", route.LocateView.as_view(), name="locate"),
]

urlpatterns = [
    path("cases/inbox/", InboxView.as_view(), name="case-inbox"),
] + router.urls + [
    path("assessment/", AssessmentView.as_view(), name="assessment"),
    path("joint-inspections/", JointInspectionView.as_view(), name="joint-inspections"),
    re_path(r"^footprint/?$", FootprintView.as_view(), name="footprint"),
    re_path(r"^coverage/?$", patrols.CoverageView.as_view(), name="coverage"),
    re_path(r"^hub-coverage/?$", patrols.HubCoverageView.as_view(), name="hub-coverage"),
    re_path(r"^live-positions/?$", patrols.LivePositionsView.as_view(), name="live-positions"),
    *patrol_router.urls,
    re_path(r"^places/?$", PlaceSearchView.as_view(), name="places"),
]
