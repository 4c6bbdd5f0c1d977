"""Map outputs, mounted at the site root: /tiles/, /ogc/ and /map/ (see views.py). The old
/map/login/ and /map/logout/ are the site's login pages (gis_app/pages/urls.py)."""
from django.urls import path, re_path

from layers import views

LAYER = r"(?P<layer_id>[a-z][a-z0-9-]*)"

urlpatterns = [
    path("tiles/<str:layer_id>.json", views.TileJSONView.as_view(), name="tilejson"),
    path("tiles/<str:layer_id>/<int:z>/<int:x>/<int:y>.pbf", views.TileView.as_view(), name="tile"),
    re_path(r"^ogc/?$", views.LandingView.as_view(), name="ogc-landing"),
    re_path(r"^ogc/conformance/?$", views.ConformanceView.as_view(), name="ogc-conformance"),
    re_path(r"^ogc/api/?$", views.APIDefinitionView.as_view(), name="ogc-api"),
    re_path(r"^ogc/collections/?$", views.CollectionsView.as_view(), name="ogc-collections"),
    re_path(rf"^ogc/collections/{LAYER}/?$", views.CollectionView.as_view(), name="ogc-collection"),
    re_path(rf"^ogc/collections/{LAYER}/items/?$", views.ItemsView.as_view(), name="ogc-items"),
    re_path(rf"^ogc/collections/{LAYER}/schema/?$", views.SchemaView.as_view(), name="ogc-schema"),
    re_path(rf"^ogc/collections/{LAYER}/queryables/?$", views.QueryablesView.as_view(),
            name="ogc-queryables"),
    re_path(rf"^ogc/collections/{LAYER}/items/(?P<feature_id>[^/]+)/?$", views.ItemView.as_view(),
            name="ogc-item"),
    path("map/", views.command_map, name="map-command"),
    path("map/protected-areas/", views.protected_areas_map, name="map-protected-areas"),
    path("map/coverage/", views.coverage_map, name="map-coverage"),
]
