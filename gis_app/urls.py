"""Root URLs: each app mounts its own; the API schema, its docs (Swagger UI, Redoc) and admin live here."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="pages/redoc.html"), name="api-redoc"),
    path("api/", include("gis_app.api.urls")),
    path("api/", include("gis_app.enforcement.urls")),
    path("api/", include("gis_app.incidents.urls")),
    path("api/", include("gis_app.patrols.urls")),
    path("open311/v2/", include("gis_app.api.open311_urls")),
    path("", include("layers.urls")),
    path("", include("gis_app.pages.urls")),
]

# API paths answer JSON (503 when the database is down), pages a Chinese error page.
handler500 = "gis_app.guard.server_error"
