"""Root URLs: every REST endpoint under /api/ (gis_app/api/urls.py), Open311, map outputs (layers),
pages, the API schema, its docs (Swagger UI, Redoc) and admin."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from gis_app.api.urls import router_urlpatterns

admin.site.site_header = "网格化执法指挥平台 · 管理后台"     # Django's default: "Django 管理"
admin.site.site_title = "管理后台"

urlpatterns = [
    *router_urlpatterns,      # /api/route, /api/route/batch, /api/locate: first (gis_app/api/urls.py)
    path("admin/", admin.site.urls),
    # One-time first-login links printed by `import_members` (Django password-reset tokens;
    # the view moves the token out of the URL into the session before the form is shown).
    path("first-login/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url="/first-login/done/"), name="first-login"),
    path("first-login/done/", auth_views.PasswordResetCompleteView.as_view(), name="first-login-done"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="pages/redoc.html"), name="api-redoc"),
    path("api/", include("gis_app.api.urls")),
    path("open311/v2/", include("gis_app.api.open311_urls")),
    path("field/", include("gis_app.pages.field_urls")),
    path("", include("layers.urls")),
    path("", include("gis_app.pages.urls")),
]

# API paths answer JSON (503 when the database is down), pages a Chinese error page.
handler500 = "gis_app.web.guard.server_error"
