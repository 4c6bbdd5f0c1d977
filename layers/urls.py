"""Map outputs, mounted at the site root: /tiles/, /ogc/ and /map/ (views.py: tiles and
TileJSON; ogc_views.py: OGC API - Features; map_views.py: the map pages). The old /map/login/
and /map/logout/ are the site's login pages (gis_app/pages/urls.py)."""
from django.urls import path, re_path

from layers import map_views, ogc_views, views

LAYER = r"(?P<layer_id>[a-z][a-z0-9-]*)"

urlpatterns = [
    path("tiles/<str:layer_id>.json", views.TileJSONView.as_view(), name="tilejson"),
    path("tiles/<str:layer_id>/<int:z>/<int:x>/<int:y>.pbf", views.TileView.as_view(), name="tile"),
    re_path(r"^ogc/?$", ogc_views.LandingView.as_view(), name="ogc-landing"),
    re_path(r"^ogc/conformance/?$", ogc_views.ConformanceView.as_view(), name="ogc-conformance"),
    re_path(r"^ogc/api/?$", ogc_views.APIDefinitionView.as_view(), name="ogc-api"),
    re_path(r"^ogc/collections/?$", ogc_views.CollectionsView.as_view(), name="ogc-collections"),
    re_path(rf"^ogc/collections/{LAYER}/?$", ogc_views.CollectionView.as_view(), name="ogc-collection"),
    re_path(rf"^ogc/collections/{LAYER}/items/?$", ogc_views.ItemsView.as_view(), name="ogc-items"),
    re_path(rf"^ogc/collections/{LAYER}/schema/?$", ogc_views.SchemaView.as_view(), name="ogc-schema"),
    re_path(rf"^ogc/collections/{LAYER}/queryables/?$", ogc_views.QueryablesView.as_view(),
            name="ogc-queryables"),
    re_path(rf"^ogc/collections/{LAYER}/items/(?P<feature_id>[^/]+)/?$", ogc_views.ItemView.as_view(),
            name="ogc-item"),
    path("map/", map_views.command_map, name="map-command"),
    path("map/protected-areas/", map_views.protected_areas_map, name="map-protected-areas"),
    path("map/coverage/", map_views.coverage_map, name="map-coverage"),
]
